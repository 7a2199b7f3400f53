//! Templates and drift as the pages show them.

use super::template::FieldDrift;
use super::template_form::TemplateInput;
use super::SettingsKind;
use serde::{Deserialize, Serialize};

/// One template in the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub id: String,
    pub name: String,
    pub kind: SettingsKind,
    /// What it says, one line per field.
    pub says: Vec<String>,
    /// How many projects follow it.
    pub followers: i64,
    pub updated_at: i64,
    pub updated_by: String,
    /// The form filled in with it, for editing.
    pub input: TemplateInput,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatesView {
    pub templates: Vec<TemplateView>,
    /// Whether the caller may create, edit, delete and import.
    pub can_edit: bool,
}

/// How an import went.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub added: usize,
    pub replaced: usize,
    pub unchanged: usize,
}

impl ImportSummary {
    pub fn words(&self) -> String {
        format!(
            "Imported: {} added, {} replaced, {} already as in the file.",
            self.added, self.replaced, self.unchanged
        )
    }
}

/// One kind of a project: the template it follows and how far it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindDrift {
    pub kind: SettingsKind,
    /// `None`: it follows no template.
    pub template: Option<(String, String)>,
    /// `None`: cannot be told yet (never read).
    pub fields: Option<Vec<FieldDrift>>,
    pub computed_at: Option<i64>,
}

/// A project's drift, both kinds, and what an admin may assign.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectDrift {
    pub kinds: Vec<KindDrift>,
    pub can_assign: bool,
    /// Templates (id, name, kind) an admin may pick from.
    pub choices: Vec<(String, String, SettingsKind)>,
}

/// "3 fields differ", "1 field differs", "As the template says".
pub fn differ_words(n: usize) -> String {
    match n {
        0 => "As the template says".into(),
        1 => "1 field differs".into(),
        n => format!("{n} fields differ"),
    }
}
