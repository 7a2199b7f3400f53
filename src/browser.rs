//! The browser entry point: hydration, and a way out when a page's code can
//! no longer be fetched.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlAnchorElement, MouseEvent};

/// What the split loader panics with when a chunk cannot be fetched
/// (`wasm_split_macros` 0.2; its `fallible` mode, which Leptos does not use
/// for routes, would return an error instead, and this fallback would then
/// need to move to where the route's view is awaited).
const SPLIT_LOAD_FAILED: &str = "load callback should succeed";

static HYDRATED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The same-origin link the router took last (until back or forward):
    /// where a navigation that fails for its chunk was going.
    static LAST_LINK: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn hydrate() {
    std::panic::set_hook(Box::new(|info| {
        // The message only: the error the trap that follows raises shows
        // the stack (wasm-function[N] frames in a release build, as with
        // console_error_panic_hook).
        let message = info.to_string();
        leptos::logging::error!("{message}");
        if HYDRATED.load(Ordering::Relaxed) && message.contains(SPLIT_LOAD_FAILED) {
            load_from_server();
        }
    }));
    // Pages are lazy routes (`ui::pages`): hydration waits for the page's
    // chunks, so it runs as a task.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), crate::ui::app::App)
            .await
            .forget();
        HYDRATED.store(true, Ordering::Relaxed);
        // After hydration, so it hears a click after the router's listener
        // and can tell which clicks the router took.
        remember_links();
        // End-to-end tests wait for this marker before they touch the page.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}

/// A page's chunk would not load (a new release replaced the hashed files
/// this tab was built with, or the link dropped): the wasm cannot go on, so
/// the browser loads a page from the server. Not during hydration, so a
/// missing chunk cannot reload in a loop; never off-site (only same-origin
/// links are remembered).
fn load_from_server() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let here = location.href().unwrap_or_default();
    // The router changes the address only once the page's chunks are in, so
    // a remembered link that is not the address yet is where it was going.
    let _ = match LAST_LINK.with(|link| link.borrow_mut().take()) {
        Some(href) if href != here => location.assign(&href),
        // Back or forward (the address already names the page), or a
        // navigation no link started (the page being left is loaded again).
        _ => location.reload(),
    };
}

/// Listens (after the router) for the links the router takes: those whose
/// default it prevented, so not modified clicks, downloads, new windows or
/// other sites. Back and forward forget the link.
fn remember_links() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(origin) = window.location().origin() else {
        return;
    };
    let on_click = Closure::<dyn Fn(MouseEvent)>::new(move |event: MouseEvent| {
        let href = event
            .default_prevented()
            .then(|| event.target())
            .flatten()
            .and_then(|target| target.dyn_into::<Element>().ok())
            .and_then(|element| element.closest("a[href]").ok().flatten())
            .and_then(|link| link.dyn_into::<HtmlAnchorElement>().ok())
            .filter(|link| link.origin() == origin)
            .map(|link| link.href());
        if href.is_some() {
            LAST_LINK.with(|link| *link.borrow_mut() = href);
        }
    });
    let on_history = Closure::<dyn Fn()>::new(|| {
        LAST_LINK.with(|link| link.take());
    });
    let _ = window.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    let _ =
        window.add_event_listener_with_callback("popstate", on_history.as_ref().unchecked_ref());
    // They live as long as the page.
    on_click.forget();
    on_history.forget();
}
