//! Components and pages, rendered on the server and hydrated in the browser.

pub mod app;
mod audit_page;
mod credential_forms;
mod credentials_page;
mod drift_page;
mod fields;
mod fleet_chart;
mod fleet_live;
mod fleet_page;
mod fleet_table;
mod history_page;
mod loaded;
mod notices;
mod pager;
mod pages;
mod pickers;
mod project_edit_page;
mod project_form;
mod project_scope;
mod projects_page;
mod settings_args;
mod settings_form;
mod settings_notices;
mod settings_page;
mod sign_in_page;
mod staff_page;
mod templates_page;
