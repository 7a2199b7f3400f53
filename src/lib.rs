//! composition-admin: a Leptos console for Twilio Video media settings.

pub mod api;
pub mod domain;
pub mod paths;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod fake;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod services;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod twilio;
#[cfg(feature = "ssr")]
pub mod vault;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are lazy routes (`ui::pages`): hydration waits for the page's
    // chunk, so it runs as a task.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), ui::app::App)
            .await
            .forget();
        // End-to-end tests wait for this marker before they touch the page.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
