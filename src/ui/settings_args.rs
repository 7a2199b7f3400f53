//! Reading the settings form in the browser: the arguments a post of its
//! fields carries, as the server would read them.

use crate::api::settings::SaveSettings;
use crate::domain::{PastedSids, SettingsInput, SettingsKind};
use leptos::web_sys::{FormData, HtmlFormElement};

/// Top-level fields of `SaveSettings` that take one value, and those that
/// take named parts (`input[friendly_name]`).
const FLAT_FIELDS: [&str; 3] = ["project", "kind", "confirm"];
const GROUPS: [&str; 3] = ["input", "original", "pasted"];

/// The arguments a post of the form's fields carries, as the server reads
/// them (server_fn decodes `SaveSettings` with serde_qs 0.15): text as
/// typed, a missing box unticked, an empty or missing `confirm` none.
/// `None` where the server could refuse the post: a repeated key, a flag
/// other than "true" or "false", a group missing or given a single value.
/// The caller then lets the browser post the form itself, so the server
/// decides (`settings_args_match_the_servers_reading` holds the two
/// together). Read by hand because serde_qs's decoder, in the main bundle,
/// cost every first visit 17 KB of brotli-compressed wasm.
fn settings_args(pairs: &[(String, String)]) -> Option<SaveSettings> {
    for (at, (key, _)) in pairs.iter().enumerate() {
        // About twenty fields: comparing with the earlier keys will do.
        if pairs[..at].iter().any(|(earlier, _)| earlier == key) {
            return None;
        }
        match key.split_once('[') {
            None if GROUPS.contains(&key.as_str()) => return None,
            Some((head, _)) if FLAT_FIELDS.contains(&head) => return None,
            Some((head, part)) if GROUPS.contains(&head) => {
                let name = part.strip_suffix(']')?;
                if name.is_empty() || name.contains(['[', ']']) {
                    return None;
                }
            }
            _ => {}
        }
    }
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let has_group = |group: &str| {
        pairs.iter().any(|(key, _)| {
            key.strip_prefix(group)
                .is_some_and(|rest| rest.starts_with('['))
        })
    };
    let flag = |name: &str| match field(name) {
        None => Some(false),
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => None,
    };
    let text = |name: &str| field(name).unwrap_or_default().to_owned();
    let input = |group: &str| {
        has_group(group).then_some(())?;
        Some(SettingsInput {
            friendly_name: text(&format!("{group}[friendly_name]")),
            encryption_enabled: flag(&format!("{group}[encryption_enabled]"))?,
            encryption_key_sid: text(&format!("{group}[encryption_key_sid]")),
            aws_storage_enabled: flag(&format!("{group}[aws_storage_enabled]"))?,
            aws_credentials_sid: text(&format!("{group}[aws_credentials_sid]")),
            aws_s3_url: text(&format!("{group}[aws_s3_url]")),
        })
    };
    let kind = field("kind")?;
    Some(SaveSettings {
        project: field("project")?.parse().ok()?,
        kind: [SettingsKind::Composition, SettingsKind::Recording]
            .into_iter()
            .find(|k| k.form_value() == kind)?,
        input: input("input")?,
        original: input("original")?,
        confirm: match field("confirm") {
            None | Some("") => None,
            Some(_) => Some(flag("confirm")?),
        },
        pasted: has_group("pasted").then(|| PastedSids {
            encryption_key_sid: text("pasted[encryption_key_sid]"),
            aws_credentials_sid: text("pasted[aws_credentials_sid]"),
        }),
    })
}

/// The form's current values, as a post of it would carry them. (The one
/// submit button has no name, so the submitter adds nothing.)
pub fn read_form(form: &HtmlFormElement) -> Option<SaveSettings> {
    let data = FormData::new_with_form(form).ok()?;
    let mut pairs = Vec::new();
    for entry in data.entries() {
        let entry = leptos::web_sys::js_sys::Array::from(&entry.ok()?);
        // A file would make `as_string` fail: this form has none.
        pairs.push((entry.get(0).as_string()?, entry.get(1).as_string()?));
    }
    settings_args(&pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// What the server makes of the same post: server_fn decodes a form
    /// post's body into `SaveSettings` with serde_qs 0.15 in this mode.
    fn servers_reading(list: &[(&str, &str)]) -> Result<SaveSettings, String> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(list)
            .finish();
        serde_qs::Config::new(5, false)
            .deserialize_str::<SaveSettings>(&body)
            .map_err(|e| e.to_string())
    }

    const FORM: [(&str, &str); 15] = [
        ("project", "demo-acme"),
        ("kind", "Recording"),
        ("original[friendly_name]", "Old"),
        ("original[encryption_enabled]", "false"),
        ("original[encryption_key_sid]", ""),
        ("original[aws_storage_enabled]", "true"),
        (
            "original[aws_credentials_sid]",
            "CR00000000000000000000000000000001",
        ),
        ("original[aws_s3_url]", "https://b.s3.amazonaws.com/r"),
        ("input[friendly_name]", " New name + more & 100% "),
        ("input[encryption_enabled]", "true"),
        (
            "input[encryption_key_sid]",
            "CR00000000000000000000000000000002",
        ),
        ("input[aws_credentials_sid]", ""),
        ("input[aws_s3_url]", ""),
        ("pasted[encryption_key_sid]", ""),
        (
            "pasted[aws_credentials_sid]",
            "CR00000000000000000000000000000003",
        ),
    ];

    /// The form with `changes`: a value replaced (or added), or with `None`
    /// the key left out.
    fn form_with(
        changes: &[(&'static str, Option<&'static str>)],
    ) -> Vec<(&'static str, &'static str)> {
        let mut form: Vec<_> = FORM
            .iter()
            .copied()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .collect();
        form.extend(changes.iter().filter_map(|(k, v)| v.map(|v| (*k, v))));
        form
    }

    #[test]
    fn the_form_reads_as_the_server_reads_it() {
        let args = settings_args(&pairs(&FORM)).expect("the form reads");
        assert_eq!(args.project.to_string(), "demo-acme");
        assert_eq!(args.kind, SettingsKind::Recording);
        // Typed text is kept as typed; an unticked box is not posted.
        assert_eq!(args.input.friendly_name, " New name + more & 100% ");
        assert!(args.input.encryption_enabled);
        assert!(!args.input.aws_storage_enabled);
        assert!(!args.original.encryption_enabled);
        assert!(args.original.aws_storage_enabled);
        assert_eq!(args.confirm, None);
        let pasted = args.pasted.expect("pasted fields are posted");
        assert_eq!(pasted.encryption_key_sid, "");
        assert_eq!(
            pasted.aws_credentials_sid,
            "CR00000000000000000000000000000003"
        );
    }

    #[test]
    fn settings_args_match_the_servers_reading() {
        let mut repeated = FORM.to_vec();
        repeated.push(("input[friendly_name]", "Another"));
        let mut repeated_unknown = FORM.to_vec();
        repeated_unknown.extend([("other", "1"), ("other", "2")]);
        let only_pasted: Vec<_> = FORM
            .iter()
            .copied()
            .filter(|(k, _)| !k.starts_with("input"))
            .collect();
        let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("the whole form", FORM.to_vec()),
            ("consent given", form_with(&[("confirm", Some("true"))])),
            ("consent refused", form_with(&[("confirm", Some("false"))])),
            ("consent empty", form_with(&[("confirm", Some(""))])),
            ("consent garbled", form_with(&[("confirm", Some("yes"))])),
            (
                "no paste boxes",
                form_with(&[
                    ("pasted[encryption_key_sid]", None),
                    ("pasted[aws_credentials_sid]", None),
                ]),
            ),
            (
                "one paste box",
                form_with(&[("pasted[encryption_key_sid]", None)]),
            ),
            (
                "a box ticked oddly",
                form_with(&[("input[encryption_enabled]", Some("on"))]),
            ),
            (
                "a box ticked empty",
                form_with(&[("input[encryption_enabled]", Some(""))]),
            ),
            ("an unknown kind", form_with(&[("kind", Some("Video"))])),
            ("no kind", form_with(&[("kind", None)])),
            (
                "a malformed project",
                form_with(&[("project", Some("no spaces"))]),
            ),
            ("no project", form_with(&[("project", None)])),
            ("a repeated key", repeated),
            ("a repeated unknown key", repeated_unknown),
            ("no input fields", only_pasted),
            ("paste as one value", form_with(&[("pasted", Some("x"))])),
            ("input as one value", form_with(&[("input", Some("x"))])),
            ("kind in parts", form_with(&[("kind[a]", Some("x"))])),
            (
                "a part nested twice",
                form_with(&[("input[friendly_name][x]", Some("x"))]),
            ),
            ("an unknown field", form_with(&[("colour", Some("blue"))])),
            (
                "an unknown part",
                form_with(&[("input[colour]", Some("blue"))]),
            ),
        ];
        for (case, form) in cases {
            let ours = settings_args(&pairs(&form));
            match (ours, servers_reading(&form)) {
                (Some(ours), Ok(theirs)) => {
                    assert_eq!(ours.project, theirs.project, "{case}");
                    assert_eq!(ours.kind, theirs.kind, "{case}");
                    assert_eq!(ours.input, theirs.input, "{case}");
                    assert_eq!(ours.original, theirs.original, "{case}");
                    assert_eq!(ours.confirm, theirs.confirm, "{case}");
                    assert_eq!(ours.pasted, theirs.pasted, "{case}");
                }
                (None, Err(_)) => {}
                (Some(_), Err(e)) => panic!("{case}: read here, refused by the server ({e})"),
                (None, Ok(_)) => panic!("{case}: refused here, read by the server"),
            }
        }
    }
}
