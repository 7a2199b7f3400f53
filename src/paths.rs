//! Every page path, built in one place: links, redirects and tests use these,
//! never a hand-written string.

use crate::domain::{ProjectId, SettingsKind};

/// The list of projects, where the console starts.
pub const PROJECTS: &str = "/projects";

/// The sign-in form.
pub const SIGN_IN: &str = "/sign-in";

/// The audit trail.
pub const AUDIT: &str = "/audit";

/// Every project's settings at a glance.
pub const FLEET: &str = "/fleet";

/// Templates: desired states for the fleet.
pub const TEMPLATES: &str = "/templates";

/// Every template as a file.
pub const TEMPLATES_EXPORT: &str = "/templates/export.json";

/// A bulk change: its dry run, then each project's outcome.
pub fn bulk(job: &str) -> String {
    format!("/bulk/{job}")
}

/// Every project as a file, `?format=csv|json` (admins only).
pub const PROJECTS_EXPORT: &str = "/projects/export";

/// Importing a parent account's subaccounts (admins only).
pub const IMPORTS: &str = "/imports";

/// One import: what was found, then each subaccount's outcome.
pub fn import(id: &str) -> String {
    format!("{IMPORTS}/{id}")
}

/// A file of projects being imported: its preview, then what was stored.
pub fn file_import(id: &str) -> String {
    format!("{IMPORTS}/file/{id}")
}

/// Staff accounts (admins only).
pub const STAFF: &str = "/staff";

/// A page of the list, filtered by a search.
pub fn projects_search(search: &str, page: usize) -> String {
    let mut url = String::from(PROJECTS);
    let mut separator = '?';
    if !search.is_empty() {
        url.push_str("?q=");
        separator = '&';
        url.extend(search.chars().flat_map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' => vec![c],
            other => {
                let mut buf = [0u8; 4];
                other
                    .encode_utf8(&mut buf)
                    .bytes()
                    .flat_map(|b| format!("%{b:02X}").chars().collect::<Vec<_>>())
                    .collect()
            }
        }));
    }
    if page > 1 {
        url.push(separator);
        url.push_str(&format!("page={page}"));
    }
    url
}

/// A project's Composition or Recording settings.
pub fn settings(project: &ProjectId, kind: SettingsKind) -> String {
    match kind {
        SettingsKind::Composition => format!("{PROJECTS}/{project}"),
        SettingsKind::Recording => format!("{PROJECTS}/{project}/recording"),
    }
}

/// A project's keys and credentials.
pub fn credentials(project: &ProjectId) -> String {
    format!("{PROJECTS}/{project}/credentials")
}

/// The changes seen of a project's settings.
pub fn history(project: &ProjectId) -> String {
    format!("{PROJECTS}/{project}/history")
}

/// The templates a project follows and how far it is from them.
pub fn drift(project: &ProjectId) -> String {
    format!("{PROJECTS}/{project}/template")
}

/// Editing (or removing) a project.
pub fn edit_project(project: &ProjectId) -> String {
    format!("{PROJECTS}/{project}/edit")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_project() {
        let id: ProjectId = "abc".parse().unwrap();
        assert_eq!(settings(&id, SettingsKind::Composition), "/projects/abc");
        assert_eq!(
            settings(&id, SettingsKind::Recording),
            "/projects/abc/recording"
        );
        assert_eq!(credentials(&id), "/projects/abc/credentials");
        assert_eq!(edit_project(&id), "/projects/abc/edit");
        assert_eq!(projects_search("a b&c", 1), "/projects?q=a%20b%26c");
        assert_eq!(projects_search("", 1), "/projects");
        assert_eq!(projects_search("", 2), "/projects?page=2");
        assert_eq!(projects_search("x", 3), "/projects?q=x&page=3");
    }
}
