//! The template form and the templates file: what a person types or
//! imports, checked with the settings form's rules before anything is
//! stored. Compiled for both sides, so the browser checks as it is typed.

use super::error::{clipped, Field, FieldErrors};
use super::s3_url::MAX_S3_URL;
use super::template::{expand, CredentialRule, Encryption, ProjectFacts, Storage, Template};
use super::{SettingsKind, MAX_FRIENDLY_NAME};
use serde::{Deserialize, Serialize};

/// Longest template name.
pub const MAX_TEMPLATE_NAME: usize = 64;
/// Most templates in one file, and its largest size in bytes (a form post
/// is capped at 64 KiB, and JSON grows when a form encodes it).
pub const MAX_TEMPLATES_IN_FILE: usize = 100;
pub const MAX_TEMPLATES_FILE: usize = 20 * 1024;
/// What a templates file says it is.
pub const TEMPLATES_FORMAT: &str = "composition-admin templates";

/// The template form, as posted. Every field is text, as a form sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TemplateInput {
    /// Empty for a new template.
    pub id: String,
    pub name: String,
    /// `composition` or `recording`.
    pub kind: String,
    /// `unmanaged`, `off` or `on`.
    pub encryption: String,
    /// `named` or `prefix`.
    pub key_match: String,
    pub key_name: String,
    /// `unmanaged`, `cloud` or `s3`.
    pub storage: String,
    pub url_pattern: String,
    pub aws_match: String,
    pub aws_name: String,
}

/// A stand-in project to try a pattern on: a pattern that fails for it
/// fails for nearly every project, so it is refused when saved.
const SAMPLE: ProjectFacts<'static> = ProjectFacts {
    id: "project",
    account_sid: "AC00000000000000000000000000000000",
    name: "project",
};

fn rule(how: &str, name: &str) -> CredentialRule {
    match how {
        "prefix" => CredentialRule::NewestStartingWith(name.trim().to_owned()),
        _ => CredentialRule::Named(name.trim().to_owned()),
    }
}

fn rule_parts(rule: &CredentialRule) -> (String, String) {
    match rule {
        CredentialRule::Named(name) => ("named".into(), name.clone()),
        CredentialRule::NewestStartingWith(prefix) => ("prefix".into(), prefix.clone()),
    }
}

impl TemplateInput {
    /// The form filled in from a stored template.
    pub fn of(id: &str, kind: SettingsKind, template: &Template) -> Self {
        let mut input = Self {
            id: id.to_owned(),
            name: template.name.clone(),
            kind: kind.slug().to_owned(),
            encryption: "unmanaged".into(),
            storage: "unmanaged".into(),
            key_match: "named".into(),
            aws_match: "named".into(),
            ..Self::default()
        };
        match &template.encryption {
            None => {}
            Some(Encryption::Off) => input.encryption = "off".into(),
            Some(Encryption::On(rule)) => {
                input.encryption = "on".into();
                (input.key_match, input.key_name) = rule_parts(rule);
            }
        }
        match &template.storage {
            None => {}
            Some(Storage::TwilioCloud) => input.storage = "cloud".into(),
            Some(Storage::S3 {
                url_pattern,
                credential,
            }) => {
                input.storage = "s3".into();
                input.url_pattern = url_pattern.clone();
                (input.aws_match, input.aws_name) = rule_parts(credential);
            }
        }
        input
    }

    /// The kind and template the form says, or every problem with it.
    pub fn parse(&self) -> Result<(SettingsKind, Template), FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = match self.kind.as_str() {
            "composition" => SettingsKind::Composition,
            "recording" => SettingsKind::Recording,
            _ => {
                errors.push(
                    Field::TemplateKind,
                    "must be Composition or Recording settings",
                );
                SettingsKind::Composition
            }
        };
        for (field, how) in [
            (Field::TemplateKeyName, &self.key_match),
            (Field::TemplateAwsName, &self.aws_match),
        ] {
            if !matches!(how.as_str(), "" | "named" | "prefix") {
                errors.push(
                    field,
                    "must be matched by its exact name or by how it starts",
                );
            }
        }
        let encryption = match self.encryption.as_str() {
            "" | "unmanaged" => None,
            "off" => Some(Encryption::Off),
            "on" => Some(Encryption::On(rule(&self.key_match, &self.key_name))),
            _ => {
                errors.push(Field::TemplateEncryption, "must be not managed, off or on");
                None
            }
        };
        let storage = match self.storage.as_str() {
            "" | "unmanaged" => None,
            "cloud" => Some(Storage::TwilioCloud),
            "s3" => Some(Storage::S3 {
                url_pattern: self.url_pattern.trim().to_owned(),
                credential: rule(&self.aws_match, &self.aws_name),
            }),
            _ => {
                errors.push(
                    Field::TemplateStorage,
                    "must be not managed, Twilio's cloud or S3",
                );
                None
            }
        };
        let template = Template {
            name: self.name.trim().to_owned(),
            encryption,
            storage,
        };
        for e in check_template(&template).iter() {
            errors.push(e.field, e.message.clone());
        }
        if errors.is_empty() {
            Ok((kind, template))
        } else {
            Err(errors)
        }
    }

    /// What a failed form shows again, each field cut to its cap.
    pub fn for_echo(&self) -> Self {
        Self {
            id: clipped(&self.id, 40),
            name: clipped(&self.name, MAX_TEMPLATE_NAME + 10),
            kind: clipped(&self.kind, 16),
            encryption: clipped(&self.encryption, 16),
            key_match: clipped(&self.key_match, 16),
            key_name: clipped(&self.key_name, MAX_FRIENDLY_NAME + 10),
            storage: clipped(&self.storage, 16),
            url_pattern: clipped(&self.url_pattern, MAX_S3_URL + 10),
            aws_match: clipped(&self.aws_match, 16),
            aws_name: clipped(&self.aws_name, MAX_FRIENDLY_NAME + 10),
        }
    }
}

fn check_text(errors: &mut FieldErrors, field: Field, value: &str, cap: usize, what: &str) {
    let length = value.chars().count();
    if value.trim().is_empty() {
        errors.push(field, format!("is required: {what}"));
    } else if length > cap {
        errors.push(
            field,
            format!("is {length} characters long; at most {cap} are allowed"),
        );
    } else if value.chars().any(char::is_control) {
        errors.push(field, "must not contain control characters");
    }
}

fn check_rule(errors: &mut FieldErrors, field: Field, rule: &CredentialRule, noun: &str) {
    let (CredentialRule::Named(name) | CredentialRule::NewestStartingWith(name)) = rule;
    check_text(
        errors,
        field,
        name,
        MAX_FRIENDLY_NAME,
        &format!("the name (or start of the name) of the {noun} in each account"),
    );
}

/// Every problem with a template, whichever way it came (form or file).
/// A bucket pattern is checked for its placeholders and shape here; what it
/// yields for each project is checked per project, in its drift.
pub fn check_template(template: &Template) -> FieldErrors {
    let mut errors = FieldErrors::default();
    check_text(
        &mut errors,
        Field::TemplateName,
        &template.name,
        MAX_TEMPLATE_NAME,
        "a name to tell the template by",
    );
    if let Some(Encryption::On(rule)) = &template.encryption {
        check_rule(&mut errors, Field::TemplateKeyName, rule, "public key");
    }
    if let Some(Storage::S3 {
        url_pattern,
        credential,
    }) = &template.storage
    {
        if url_pattern.is_empty() {
            errors.push(
                Field::TemplatePattern,
                "is required when storage is S3, e.g. https://media-archive.s3.amazonaws.com/{account_sid}/compositions",
            );
        } else if url_pattern.chars().count() > MAX_S3_URL {
            errors.push(
                Field::TemplatePattern,
                format!("is longer than {MAX_S3_URL} characters"),
            );
        } else if let Err(why) = expand(url_pattern, &SAMPLE) {
            errors.push(Field::TemplatePattern, format!("cannot work: {why}"));
        }
        check_rule(
            &mut errors,
            Field::TemplateAwsName,
            credential,
            "AWS credential",
        );
    }
    errors
}

/// One template in a templates file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateEntry {
    #[serde(with = "kind_slug")]
    pub kind: SettingsKind,
    #[serde(flatten)]
    pub template: Template,
}

/// A kind as files write it: `composition` or `recording`.
mod kind_slug {
    use super::SettingsKind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &SettingsKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.slug())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SettingsKind, D::Error> {
        match String::deserialize(d)?.as_str() {
            "composition" => Ok(SettingsKind::Composition),
            "recording" => Ok(SettingsKind::Recording),
            other => Err(serde::de::Error::custom(format!(
                "kind {other:?} is neither \"composition\" nor \"recording\""
            ))),
        }
    }
}

/// A templates file, as exported and imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplatesFile {
    pub format: String,
    pub version: u32,
    pub templates: Vec<TemplateEntry>,
}

/// The templates a file holds, or the first thing wrong with it (which
/// template, which field).
pub fn read_templates_file(text: &str) -> Result<Vec<TemplateEntry>, String> {
    if text.len() > MAX_TEMPLATES_FILE {
        return Err(format!(
            "The file is {} KiB; at most {} KiB are read.",
            text.len() / 1024,
            MAX_TEMPLATES_FILE / 1024
        ));
    }
    let file: TemplatesFile = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("The file is not a templates file this console exported: {e}."))?;
    if file.format != TEMPLATES_FORMAT || file.version != 1 {
        return Err(format!(
            "The file says it is \u{201c}{}\u{201d} version {}; expected \u{201c}{TEMPLATES_FORMAT}\u{201d} version 1.",
            clipped(&file.format, 60),
            file.version
        ));
    }
    if file.templates.len() > MAX_TEMPLATES_IN_FILE {
        return Err(format!(
            "The file holds {} templates; at most {MAX_TEMPLATES_IN_FILE} are read at once.",
            file.templates.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, entry) in file.templates.iter().enumerate() {
        let errors = check_template(&entry.template);
        if let Some(e) = errors.iter().next() {
            return Err(format!(
                "Template {} (\u{201c}{}\u{201d}): {} {}.",
                i + 1,
                clipped(&entry.template.name, MAX_TEMPLATE_NAME),
                e.field.label(),
                e.message
            ));
        }
        if !seen.insert(entry.template.name.clone()) {
            return Err(format!(
                "Template {}: the name \u{201c}{}\u{201d} is used twice in the file.",
                i + 1,
                entry.template.name
            ));
        }
    }
    Ok(file.templates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed() -> TemplateInput {
        TemplateInput {
            name: "Encrypted archive".into(),
            kind: "composition".into(),
            encryption: "on".into(),
            key_match: "prefix".into(),
            key_name: "prod".into(),
            storage: "s3".into(),
            url_pattern: "https://media-archive.s3.amazonaws.com/{account_sid}/compositions".into(),
            aws_match: "named".into(),
            aws_name: "archive".into(),
            ..TemplateInput::default()
        }
    }

    #[test]
    fn a_form_becomes_a_template_and_back() {
        let (kind, template) = typed().parse().unwrap();
        assert_eq!(kind, SettingsKind::Composition);
        assert_eq!(
            template.encryption,
            Some(Encryption::On(CredentialRule::NewestStartingWith(
                "prod".into()
            )))
        );
        assert_eq!(TemplateInput::of("", kind, &template), typed());
    }

    #[test]
    fn each_bad_field_is_named_with_what_is_expected() {
        let bad = TemplateInput {
            name: " ".into(),
            key_name: "k".repeat(65),
            url_pattern: "https://a.s3.amazonaws.com/{region}".into(),
            aws_name: String::new(),
            ..typed()
        };
        let errors = bad.parse().unwrap_err();
        assert!(errors
            .message_for(Field::TemplateName)
            .unwrap()
            .contains("required"));
        assert!(errors
            .message_for(Field::TemplateKeyName)
            .unwrap()
            .contains("at most 64"));
        assert!(errors
            .message_for(Field::TemplatePattern)
            .unwrap()
            .contains("{region}"));
        assert!(errors.message_for(Field::TemplateAwsName).is_some());
        let http = TemplateInput {
            url_pattern: "http://a.s3.amazonaws.com/x".into(),
            ..typed()
        };
        assert!(http
            .parse()
            .unwrap_err()
            .message_for(Field::TemplatePattern)
            .unwrap()
            .contains("https://"));
        // A field only checked when it is used.
        let unmanaged = TemplateInput {
            storage: "unmanaged".into(),
            url_pattern: "junk".into(),
            ..typed()
        };
        assert!(unmanaged.parse().is_ok());
    }

    #[test]
    fn a_file_round_trips_and_a_wrong_one_says_where() {
        let (kind, template) = typed().parse().unwrap();
        let file = TemplatesFile {
            format: TEMPLATES_FORMAT.into(),
            version: 1,
            templates: vec![TemplateEntry { kind, template }],
        };
        let text = serde_json::to_string_pretty(&file).unwrap();
        assert_eq!(read_templates_file(&text).unwrap(), file.templates);
        let with_bom = format!("\u{feff}{text}");
        assert!(read_templates_file(&with_bom).is_ok());
        let doubled = text.replace(
            "\"templates\": [",
            &format!(
                "\"templates\": [{},",
                serde_json::to_string(&file.templates[0]).unwrap()
            ),
        );
        assert!(read_templates_file(&doubled)
            .unwrap_err()
            .contains("used twice"));
        let bad = text.replace("{account_sid}", "{nope}");
        let why = read_templates_file(&bad).unwrap_err();
        assert!(
            why.starts_with("Template 1 (\u{201c}Encrypted archive\u{201d})"),
            "{why}"
        );
        assert!(read_templates_file("[1, 2]")
            .unwrap_err()
            .contains("not a templates file"));
        assert!(read_templates_file(&" ".repeat(MAX_TEMPLATES_FILE + 1))
            .unwrap_err()
            .contains("KiB"));
    }

    #[test]
    fn the_readme_example_file_is_read_as_it_says() {
        let readme = include_str!("../../README.md");
        let section = &readme[readme.find("### Templates and drift").unwrap()..];
        let start = section.find("```json").unwrap() + "```json".len();
        let example = &section[start..start + section[start..].find("```").unwrap()];
        let read = read_templates_file(example).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[1].template.storage, Some(Storage::TwilioCloud));
        assert_eq!(read[1].kind, SettingsKind::Recording);
    }
}
