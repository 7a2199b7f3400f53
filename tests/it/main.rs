//! The integration tests, in one binary: one link of the console instead of
//! one per file. (`tests/logging.rs` stays apart: it installs the process's
//! log subscriber.)

#[path = "../common/mod.rs"]
mod common;

mod alerts;
mod audit;
mod bulk;
mod bulk_kill;
mod console;
mod console_credentials;
mod delivery;
mod desired;
mod fake_accounts;
mod fake_faults;
mod fake_subaccounts;
mod file_import;
mod fleet;
mod import;
mod import_kill;
mod jobs;
mod kept_parents;
mod leases;
mod outage;
mod project_file;
mod projects;
mod refresh;
mod security;
mod signin;
mod snapshots;
mod staff;
mod startup;
mod store;
mod templates;
mod twilio_client;
mod twilio_credentials;
mod twilio_retries;
mod unclear_outcomes;
mod vault_store;
