//! Telling a database that does not answer from a failing query, and
//! saying so in the log once per outage rather than once per request.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether the last database call of this process found it down.
static DOWN: AtomicBool = AtomicBool::new(false);

/// Whether `error` means the database could not be reached (or is busy
/// with another process's lock), rather than a query that went wrong.
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(e) => {
            let code = e.code();
            let code = code.as_deref().unwrap_or_default();
            // PostgreSQL: connection exceptions (08…), shutting down (57P…);
            // SQLite: the file is locked by another process (5, 6).
            code.starts_with("08")
                || code.starts_with("57P")
                || matches!(code, "5" | "6" | "517" | "261" | "262")
        }
        _ => false,
    }
}

/// Logs the first failure of an outage; later ones only at debug level.
pub fn note_unavailable(error: &dyn std::fmt::Display) {
    if DOWN.swap(true, Ordering::Relaxed) {
        tracing::debug!("the console's database is still unavailable: {error}");
    } else {
        tracing::error!("the console's database is unavailable: {error}; pages and calls answer 503 until it is back");
    }
}

/// Logs the end of an outage, once.
pub fn note_available() {
    if DOWN.load(Ordering::Relaxed) && DOWN.swap(false, Ordering::Relaxed) {
        tracing::info!("the console's database answers again");
    }
}
