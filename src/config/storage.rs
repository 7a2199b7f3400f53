//! Where the console keeps its projects, and the key that seals their secrets.

use crate::vault::{KeySource, MasterKey};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Storage {
    /// Folder for the SQLite database and the master key file
    #[arg(
        long,
        env = "CONSOLE_DATA_DIR",
        default_value = "data",
        value_name = "DIR"
    )]
    pub data_dir: PathBuf,

    /// A PostgreSQL database instead of SQLite, for several console
    /// instances (postgres://user:password@host/db) [default: SQLite in --data-dir]
    #[arg(
        long,
        env = "CONSOLE_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: Option<SecretString>,

    /// Seconds a request waits for a database connection before answering
    /// that the database is unavailable (503)
    #[arg(
        long,
        env = "CONSOLE_DATABASE_TIMEOUT",
        default_value_t = 3,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=60)
    )]
    pub database_timeout: u64,

    /// The master key file, created with mode 0600 on first start
    /// [default: master.key in --data-dir]
    #[arg(long, env = "CONSOLE_MASTER_KEY_FILE", value_name = "PATH")]
    pub master_key_file: Option<PathBuf>,

    /// The master key itself (base64 of 32 bytes), instead of a file
    #[arg(
        long = "master-key",
        env = "CONSOLE_MASTER_KEY",
        hide_env_values = true,
        hide = true,
        value_name = "BASE64"
    )]
    pub master_key: Option<SecretString>,
}

impl Storage {
    /// The database URL: the PostgreSQL one, or the SQLite file (`demo.db`
    /// in demo mode, so demo projects stay apart from real ones).
    pub fn database_url(&self, demo: bool) -> Result<String, String> {
        if let Some(url) = &self.database_url {
            return Ok(url.expose_secret().to_owned());
        }
        std::fs::create_dir_all(&self.data_dir).map_err(|e| {
            format!(
                "cannot create the data directory {}: {e}",
                self.data_dir.display()
            )
        })?;
        let file = self
            .data_dir
            .join(if demo { "demo.db" } else { "console.db" });
        Ok(format!("sqlite://{}?mode=rwc", file.display()))
    }

    pub fn key_source(&self) -> Result<KeySource, String> {
        match &self.master_key {
            Some(text) => MasterKey::from_base64(text.expose_secret())
                .map(KeySource::Env)
                .map_err(|e| format!("CONSOLE_MASTER_KEY {e}")),
            None => Ok(KeySource::File(
                self.master_key_file
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join("master.key")),
            )),
        }
    }
}
