//! A file of projects being imported: each row as the preview shows it,
//! with what stops it, before anything is stored. Never a secret.

use super::LoginKind;
use serde::{Deserialize, Serialize};

/// Largest file read, and most rows in one. The form is posted URL-encoded
/// under the console's 64 KiB body limit: 32 KiB of CSV (about 300
/// projects as the export writes them) fits with room for the encoding.
pub const MAX_FILE_BYTES: usize = 32 * 1024;
pub const MAX_ROWS: usize = 500;

/// Why a row will not be stored, or that it will.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowCheck {
    /// Its fields are right and its login works.
    Valid,
    /// A field is wrong: which, and why, as the add form says it.
    Malformed { field: String, message: String },
    /// The account is already a project here.
    Duplicate { project: String },
    /// An earlier row of the file has the same account.
    DuplicateInFile { line: usize },
    /// Twilio refused the login, or did not answer.
    LoginFails { message: String },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// The row's line in the file (1: the first after a CSV's header).
    pub line: usize,
    pub name: String,
    pub account_sid: String,
    pub login: Option<LoginKind>,
    pub api_key_sid: String,
    pub check: RowCheck,
}

/// A previewed file: its rows, and once confirmed how many were stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePreview {
    pub id: String,
    pub rows: Vec<PreviewRow>,
    /// Projects stored by the confirmation, once it is done.
    pub stored: Option<usize>,
    /// The secrets are still held, so it can be confirmed.
    pub can_confirm: bool,
}

impl FilePreview {
    pub fn valid(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.check == RowCheck::Valid)
            .count()
    }
}
