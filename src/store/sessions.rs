//! Sessions for tower-sessions, kept in the console's own database (SQLite
//! or PostgreSQL through the same pool), so every instance on one database
//! sees a sign-in or sign-out at once. Ids are stored as SHA-256 hashes: a
//! copy of the table opens no session.

use super::Store;
use sha2::{Digest, Sha256};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};

#[derive(Clone, Debug)]
pub struct SessionTable {
    store: Store,
}

impl SessionTable {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Drops sessions past their expiry (run now and then).
    pub async fn delete_expired(&self) -> Result<u64> {
        let result = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(super::now())
            .execute(self.store.writer())
            .await
            .map_err(backend)?;
        Ok(result.rows_affected())
    }
}

impl SessionTable {
    /// Writes a session's data and expiry directly (not through
    /// tower-sessions' save after the handler). Only an existing session.
    pub async fn touch(
        &self,
        id: &Id,
        data: &serde_json::Value,
        expires_at: i64,
    ) -> std::result::Result<(), sqlx::Error> {
        let query =
            sqlx::query("UPDATE sessions SET data = $2, expires_at = $3 WHERE id_hash = $1")
                .bind(hash(id))
                .bind(data.to_string())
                .bind(expires_at);
        self.store.execute(query).await?;
        Ok(())
    }
}

fn hash(id: &Id) -> String {
    let digest = Sha256::digest(id.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A session's data as the table stores it.
fn encode(record: &Record) -> Result<String> {
    serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))
}

fn backend(e: sqlx::Error) -> Error {
    Error::Backend(e.to_string())
}

#[async_trait::async_trait]
impl tower_sessions::SessionStore for SessionTable {
    async fn create(&self, record: &mut Record) -> Result<()> {
        let data = encode(record)?;
        // A fresh random 128-bit id; on the rare clash, draw another.
        loop {
            let inserted = sqlx::query(
                "INSERT INTO sessions (id_hash, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id_hash) DO NOTHING",
            )
            .bind(hash(&record.id))
            .bind(data.clone())
            .bind(record.expiry_date.unix_timestamp());
            let inserted = self.store.execute(inserted).await.map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    /// Only an existing session is written: tower-sessions creates new ones
    /// with `create`, so a request that loaded a session before it was
    /// signed out (here or on another instance) cannot bring it back.
    async fn save(&self, record: &Record) -> Result<()> {
        let data = encode(record)?;
        let query =
            sqlx::query("UPDATE sessions SET data = $2, expires_at = $3 WHERE id_hash = $1")
                .bind(hash(&record.id))
                .bind(data)
                .bind(record.expiry_date.unix_timestamp());
        self.store.execute(query).await.map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT data, expires_at FROM sessions WHERE id_hash = $1 AND expires_at > $2",
        )
        .bind(hash(id))
        .bind(super::now())
        .fetch_optional(self.store.pool())
        .await
        .map_err(backend)?;
        let Some((data, expires_at)) = row else {
            return Ok(None);
        };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date: time::OffsetDateTime::from_unix_timestamp(expires_at)
                .map_err(|e| Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        let query = sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(hash(id));
        self.store.execute(query).await.map_err(backend)?;
        Ok(())
    }
}
