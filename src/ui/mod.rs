//! Components and pages, rendered on the server and hydrated in the browser.

pub mod app;
mod notices;
mod settings_form;
mod settings_page;
