//! The console's database: projects with their sealed secrets. One code path
//! for SQLite (the embedded default) and PostgreSQL (several instances on one
//! database), through sqlx's `Any` driver and portable SQL (`$N` parameters,
//! TEXT and BIGINT columns). Migrations live in `migrations/` and are applied
//! at start, after a check that the database is not newer than the binary.

mod alerts;
mod audit;
mod bulk;
mod drift;
mod file_imports;
mod fleet;
mod group;
pub mod imports;
mod jobs;
pub mod outage;
mod parents;
mod projects;
mod sessions;
mod snapshots;
mod staff;
mod templates;

pub use crate::domain::fleet::SettingsState;
pub use alerts::{Delivery, DeliveryEnd, Undelivered};
pub use audit::Scope as AuditScope;
pub use bulk::{BulkItemRow, BulkJobRow};
pub use drift::{DriftInput, DriftOf, DriftRow};
pub use file_imports::FileImportRow;
pub use fleet::FleetScope;
pub use imports::{ImportItemRow, ImportRow};
pub use jobs::{Claimed, ItemEnd};
pub use parents::KeptParentRow;
pub use projects::{Audited, NewProject, ProjectRow, ResealError};
pub use sessions::SessionTable;
pub use snapshots::{Change, Snapshot};
pub use staff::{new_staff_id, StaffRow};
pub use templates::TemplateRow;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor};
use std::borrow::Cow;
use std::str::FromStr;

/// Every migration, in order, as (version, description, SQLite's SQL,
/// PostgreSQL's SQL): most are one portable file, a few (triggers) need
/// each engine's own words. The binary knows the schema up to the last.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "projects",
        include_str!("../../migrations/0001_projects.sql"),
        include_str!("../../migrations/0001_projects.sql"),
    ),
    (
        2,
        "staff",
        include_str!("../../migrations/0002_staff.sql"),
        include_str!("../../migrations/0002_staff.sql"),
    ),
    (
        3,
        "audit",
        include_str!("../../migrations/0003_audit.sql"),
        include_str!("../../migrations/0003_audit.sql"),
    ),
    (
        4,
        "audit append-only",
        include_str!("../../migrations/0004_audit_append_only.sqlite.sql"),
        include_str!("../../migrations/0004_audit_append_only.postgres.sql"),
    ),
    (
        5,
        "snapshots",
        include_str!("../../migrations/0005_snapshots.sql"),
        include_str!("../../migrations/0005_snapshots.sql"),
    ),
    (
        6,
        "fleet",
        include_str!("../../migrations/0006_fleet.sql"),
        include_str!("../../migrations/0006_fleet.sql"),
    ),
    (
        7,
        "templates",
        include_str!("../../migrations/0007_templates.sql"),
        include_str!("../../migrations/0007_templates.sql"),
    ),
    (
        8,
        "drift",
        include_str!("../../migrations/0008_drift.sql"),
        include_str!("../../migrations/0008_drift.sql"),
    ),
    (
        9,
        "bulk",
        include_str!("../../migrations/0009_bulk.sql"),
        include_str!("../../migrations/0009_bulk.sql"),
    ),
    (
        10,
        "alerts",
        include_str!("../../migrations/0010_alerts.sql"),
        include_str!("../../migrations/0010_alerts.sql"),
    ),
    (
        11,
        "imports",
        include_str!("../../migrations/0011_imports.sql"),
        include_str!("../../migrations/0011_imports.sql"),
    ),
    (
        12,
        "file imports",
        include_str!("../../migrations/0012_file_imports.sql"),
        include_str!("../../migrations/0012_file_imports.sql"),
    ),
    (
        13,
        "refresh order",
        include_str!("../../migrations/0013_refresh_order.sql"),
        include_str!("../../migrations/0013_refresh_order.sql"),
    ),
    (
        14,
        "kept parents",
        include_str!("../../migrations/0014_kept_parents.sql"),
        include_str!("../../migrations/0014_kept_parents.sql"),
    ),
];

/// A failure of the store, worded for the log or one start-up line. It
/// never holds a secret: queries bind them as parameters.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("a project for account {0} is already registered")]
    DuplicateAccount(String),
    #[error("a staff member named {0} exists already")]
    DuplicateName(String),
    #[error("the master key was rotated while this console ran; restart it to use the new key. Nothing was stored.")]
    KeyRotated,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// The database could not be reached (see `outage`).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Database(e) if outage::is_unavailable(e))
    }
}

/// A store error as sqlx's, for a write that must roll back on it.
pub(crate) fn into_sqlx(error: StoreError) -> sqlx::Error {
    match error {
        StoreError::Database(e) => e,
        other => sqlx::Error::Protocol(other.to_string()),
    }
}

/// Which engine the store runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Cheap to clone: connection pools.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    writer: AnyPool,
    /// SQLite's group commit in front of `writer` (none on PostgreSQL).
    group: Option<group::Group>,
    backend: Backend,
}

impl Store {
    /// Connects, refuses a schema newer than this binary's, and migrates.
    /// Every failure is one line naming the database (never its password).
    /// A connection is waited for 10 s at most, at start-up (the database
    /// may still be starting) and for every query after.
    pub async fn open(url: &str) -> Result<Self, String> {
        Self::open_waiting(url, std::time::Duration::from_secs(10)).await
    }

    /// [`Store::open`], each query after start-up waiting `acquire` at most
    /// for a connection (start-up itself waits 10 s, as the database may
    /// still be starting), so a database that is down is answered quickly.
    pub async fn open_answering_within(
        url: &str,
        acquire: std::time::Duration,
    ) -> Result<Self, String> {
        let started = std::time::Instant::now();
        loop {
            match Self::open_waiting(url, acquire).await {
                Ok(store) => return Ok(store),
                Err(e) if started.elapsed() >= std::time::Duration::from_secs(10) => return Err(e),
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
            }
        }
    }

    /// Whether the database answers now (for `/readyz`).
    pub async fn ready(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    /// [`Store::open`], waiting `wait` at most for a connection.
    pub async fn open_waiting(url: &str, wait: std::time::Duration) -> Result<Self, String> {
        sqlx::any::install_default_drivers();
        let shown = redacted(url);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(format!(
                "database URL {shown}: expected postgres://… or sqlite://…"
            ));
        };
        let options =
            AnyConnectOptions::from_str(url).map_err(|e| format!("database URL {shown}: {e}"))?;
        let cannot_open = |e: sqlx::Error| format!("cannot open the database {shown}: {e}");
        let pool = match backend {
            // Read-only: a write sent here by mistake fails in every test.
            Backend::Sqlite => connect(backend, &options, 4, wait, true).await,
            Backend::Postgres => connect(backend, &options, 10, wait, false).await,
        }
        .map_err(cannot_open)?;
        let mut store = Self {
            writer: pool.clone(),
            group: None,
            pool,
            backend,
        };
        store.check_schema(&shown).await?;
        if backend == Backend::Sqlite {
            // SQLite takes one writer at a time, and a connection that finds
            // the file locked sleeps in growing steps (busy_timeout): with
            // several writing connections, concurrent saves waited tens of
            // milliseconds. One writing connection queues them instead, in
            // this process (for `wait` at most, then a pool timeout); other
            // processes on the file (the CLI commands) still meet the lock.
            store.writer = connect(backend, &options, 1, wait, false)
                .await
                .map_err(cannot_open)?;
            // Readers do not wait for a writer; kept in the file once set.
            sqlx::query("PRAGMA journal_mode = WAL")
                .execute(store.writer())
                .await
                .map_err(cannot_open)?;
        }
        migrator(backend)
            .run(store.writer())
            .await
            .map_err(|e| format!("cannot update the database {shown}: {e}"))?;
        // CONSOLE_SQLITE_GROUP_COMMIT=off commits each write alone, as
        // before group commit: the baseline scripts/bench-console measures.
        let grouped = std::env::var("CONSOLE_SQLITE_GROUP_COMMIT").as_deref() != Ok("off");
        if backend == Backend::Sqlite && grouped {
            store.group = Some(group::Group::start(store.writer.clone()));
        }
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// For reads.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// For writes (and transactions that write): on SQLite a single
    /// connection, on PostgreSQL the same pool as reads.
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Runs `write` in a transaction of its own on PostgreSQL; on SQLite in
    /// the next group commit (see `group`), answering once it is durable.
    /// A write must not wait for another write (it holds the writer).
    pub(crate) async fn write<T, F>(&self, write: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(
                &'c mut sqlx::AnyConnection,
            )
                -> futures_util::future::BoxFuture<'c, Result<T, sqlx::Error>>
            + Send
            + 'static,
    {
        let write: group::WriteFn<T> = Box::new(write);
        match &self.group {
            Some(group) => group.write(write).await,
            None => {
                let mut tx = self.writer.begin().await?;
                let value = write(&mut tx).await?;
                tx.commit().await?;
                Ok(value)
            }
        }
    }

    /// One statement (its binds owned): on SQLite in the next group
    /// commit, on PostgreSQL on its own, with no transaction around it (a
    /// caller cancelled between a BEGIN and its COMMIT would leave the
    /// row locked until that connection is used again).
    pub(crate) async fn execute(
        &self,
        query: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments<'static>>,
    ) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
        match &self.group {
            Some(_) => {
                self.write(move |conn| Box::pin(async move { query.execute(conn).await }))
                    .await
            }
            None => query.execute(&self.writer).await,
        }
    }

    /// Stops start-up, touching nothing, if the database was written by a
    /// newer console (a migration this binary does not know).
    async fn check_schema(&self, shown: &str) -> Result<(), String> {
        let applied =
            match sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations")
                .fetch_one(&self.pool)
                .await
            {
                Ok(version) => version.unwrap_or(0),
                Err(e) if is_missing_table(&e) => 0,
                Err(e) => return Err(format!("cannot read the database {shown}: {e}")),
            };
        let known = latest_version();
        if applied > known {
            return Err(format!(
                "the database {shown} has schema version {applied}, newer than this console knows ({known}); run a newer composition-admin. Nothing was changed."
            ));
        }
        Ok(())
    }

    /// The value sealed with the master key, if the vault was set up.
    pub async fn key_check(&self) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar::<_, String>("SELECT key_check FROM vault WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Records the master key's check value, on first start.
    pub async fn set_key_check(&self, sealed: &str) -> Result<(), StoreError> {
        // Two instances setting up one database: the first one's check stays.
        sqlx::query("INSERT INTO vault (id, key_check) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
            .bind(sealed)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}

/// A pool of at most `size` connections (refusing writes if `read_only`,
/// on SQLite).
async fn connect(
    backend: Backend,
    options: &AnyConnectOptions,
    size: u32,
    wait: std::time::Duration,
    read_only: bool,
) -> Result<AnyPool, sqlx::Error> {
    AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(wait)
        // A ping before each use checks that a server connection did not
        // drop. SQLite's are in-process; sqlx still pings them when they
        // are returned, which finds a dead worker thread, so the ping
        // before use would only be one more hop to that thread per query.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // Per connection: SQLite forgets these on close.
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    if read_only {
                        conn.execute("PRAGMA query_only = ON").await?;
                    }
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
}

fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ignore_missing: false,
        locking: true,
        no_tx: false,
    }
}

/// "no such table" on SQLite, 42P01 on PostgreSQL.
fn is_missing_table(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => {
            e.code().as_deref() == Some("42P01") || e.message().contains("no such table")
        }
        _ => false,
    }
}

/// The URL without its password (in the user part or the query), for
/// messages.
pub fn redacted(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "(unreadable URL)".to_owned();
    };
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query().is_some() {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let hidden = k.eq_ignore_ascii_case("password") || k.contains("key");
                (
                    k.into_owned(),
                    if hidden { "***".into() } else { v.into_owned() },
                )
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Seconds since 1970, the store's time unit.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The read pool refuses writes on SQLite, so a write sent to it by
    /// mistake fails here rather than slipping past the single writer.
    #[test]
    fn sqlite_writes_go_through_the_writer_only() {
        let dir = std::env::temp_dir().join(format!("store-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let store = Store::open(&url).await.unwrap();
            let write = "INSERT INTO vault (id, key_check) VALUES (1, 'x')";
            let refused = sqlx::query(write).execute(store.pool()).await;
            assert!(refused.is_err(), "the read pool took a write");
            assert_eq!(store.key_check().await.unwrap(), None);
            // Many writes at once all land, queued on the one connection.
            let writes: Vec<_> = (0..32)
                .map(|i| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        sqlx::query(
                            "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, '{}', 0)",
                        )
                        .bind(format!("s{i}"))
                        .execute(store.writer())
                        .await
                    })
                })
                .collect();
            for written in writes {
                written.await.unwrap().unwrap();
            }
            let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
                .fetch_one(store.pool())
                .await
                .unwrap();
            assert_eq!(count, 32);
            store.set_key_check("x").await.unwrap();
            assert_eq!(store.key_check().await.unwrap().as_deref(), Some("x"));
        });
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Writes that wait together commit together, yet each stands alone:
    /// one that fails (a duplicate key) is rolled back by itself and its
    /// caller told, while the writes queued beside it all land.
    #[test]
    fn group_commit_keeps_each_write_apart() {
        let dir = std::env::temp_dir().join(format!("group-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("console.db").display());
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let store = Store::open(&url).await.unwrap();
            let writes: Vec<_> = (0..100)
                .map(|i| {
                    let store = store.clone();
                    tokio::spawn(async move {
                        // Every tenth write takes a name an earlier one has.
                        let name = if i % 10 == 9 { i - 1 } else { i };
                        store
                            .write(move |conn| {
                                Box::pin(async move {
                                    sqlx::query("INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, 0)")
                                        .bind(format!("w{i}"))
                                        .bind(format!("{{\"n\": {i}}}"))
                                        .execute(&mut *conn)
                                        .await?;
                                    sqlx::query("INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, '{}', 0)")
                                        .bind(format!("name{name}"))
                                        .execute(&mut *conn)
                                        .await?;
                                    Ok(i)
                                })
                            })
                            .await
                    })
                })
                .collect();
            let mut failed = Vec::new();
            for (i, written) in writes.into_iter().enumerate() {
                match written.await.unwrap() {
                    Ok(n) => assert_eq!(n, i, "a write got another's answer"),
                    Err(_) => failed.push(i),
                }
            }
            // Of each pair taking one name, the one queued second failed.
            assert_eq!(failed.len(), 10, "failed: {failed:?}");
            for pair in 0..10 {
                let lost: Vec<_> = failed.iter().filter(|&&i| i / 10 == pair).collect();
                assert!(matches!(lost[..], [&i] if i % 10 >= 8), "failed: {failed:?}");
            }
            let kept: Vec<String> = sqlx::query_scalar(
                "SELECT id_hash FROM sessions WHERE id_hash LIKE 'w%' ORDER BY id_hash",
            )
            .fetch_all(store.pool())
            .await
            .unwrap();
            assert_eq!(kept.len(), 90, "a failed write's first row stayed, or a good one went");
            for i in failed {
                assert!(!kept.contains(&format!("w{i}")), "w{i} stayed");
            }
        });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
