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
mod browser;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    browser::hydrate();
}
