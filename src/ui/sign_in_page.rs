//! Signing in, and the header's "who is signed in" with its sign-out button.

use super::fields::{hydrated, TextField};
use super::loaded::loaded;
use super::notices::ErrorNotice;
use crate::api::auth::{whoami, SignIn, SignOut};
use crate::domain::{Failure, SignInInput};
use crate::paths;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let typed = match action.value().get_untracked() {
        Some(Err(Failure {
            input: Some(input), ..
        })) => input,
        _ => SignInInput::default(),
    };
    // With JavaScript, a successful sign-in goes on to the projects.
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            if let Some(window) = leptos::web_sys::window() {
                let _ = window.location().set_href(paths::PROJECTS);
            }
        }
    });
    let failure = move || action.value().get().and_then(Result::err).map(|f| f.error);
    let no_field_errors = Signal::derive(|| None::<String>);
    let pending = action.pending();
    let js = hydrated();
    view! {
        <Title text="Sign in · composition-admin" />
        <main class="page narrow">
            <h1>"Sign in"</h1>
            <p class="lede">"Staff sign in to see and change their projects' settings."</p>
            {move || {
                failure().map(|error| view! { <ErrorNotice error context="You are not signed in." /> })
            }}
            <ActionForm action attr:class="settings-form" attr:aria-label="Sign in">
                <TextField
                    id="staff-name"
                    label="Name"
                    name="input[name]"
                    value=typed.name.clone()
                    error=no_field_errors
                    help="The name an admin gave you."
                />
                <TextField
                    id="staff-password"
                    label="Password"
                    name="input[password]"
                    value=""
                    error=no_field_errors
                    help="Attempts are limited: a few a minute per name."
                    password=true
                />
                <button type="submit" disabled=move || js.get() && pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
        </main>
    }
}

/// The main navigation (what the signed-in person may use, the current
/// page marked), "Signed in as …" and the sign-out button.
#[component]
pub fn StaffBar() -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let who = loaded(|| (), |_| whoami());
    let path = leptos_router::hooks::use_location().pathname;
    Effect::new(move |_| {
        if matches!(sign_out.value().get(), Some(Ok(()))) {
            if let Some(window) = leptos::web_sys::window() {
                let _ = window.location().set_href(paths::SIGN_IN);
            }
        }
    });
    let link = move |href: &'static str, title: &'static str| {
        let current = move || {
            let path = path.get();
            (path == href || path.starts_with(&format!("{href}/"))).then_some("page")
        };
        view! {
            <a href=href aria-current=current>
                {title}
            </a>
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                who.get()
                    .and_then(Result::ok)
                    .flatten()
                    .map(|staff| {
                        view! {
                            <nav class="main-nav" aria-label="Main">
                                {link(paths::PROJECTS, "Projects")}
                                {link(paths::FLEET, "Fleet")}
                                {link(paths::TEMPLATES, "Templates")}
                                {link(paths::AUDIT, "Audit trail")}
                                {(staff.role == crate::domain::Role::Admin)
                                    .then(|| link(paths::STAFF, "Staff"))}
                            </nav>
                            <div class="staff-bar">
                                <span class="signed-in">
                                    "Signed in as "
                                    <strong>{staff.name.clone()}</strong>
                                    {format!(" ({})", staff.role.label())}
                                </span>
                                <form method="post" action=SignOut::url() on:submit=move |ev| {
                                    ev.prevent_default();
                                    sign_out.dispatch(SignOut {});
                                }>
                                    <button type="submit" class="secondary">"Sign out"</button>
                                </form>
                                {move || {
                                    sign_out
                                        .value()
                                        .get()
                                        .and_then(Result::err)
                                        .map(|e| view! { <p role="alert" class="bar-error">{e.to_string()}</p> })
                                }}
                            </div>
                        }
                    })
            }}
        </Transition>
    }
}
