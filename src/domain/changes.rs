//! Comparing two versions of the settings: what differs, and which
//! switches need the user's explicit consent.

use super::settings::{SettingsInput, SettingsKind};

/// One field that differs between two versions of the settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub label: &'static str,
    pub mine: String,
    pub theirs: String,
}

fn on_off(enabled: bool) -> String {
    if enabled { "on" } else { "off" }.to_owned()
}

impl SettingsInput {
    /// The fields where `self` and `other` differ, labelled as on the form.
    pub fn differences(&self, other: &SettingsInput) -> Vec<Difference> {
        let fields = [
            (
                "Friendly name",
                self.friendly_name.clone(),
                other.friendly_name.clone(),
            ),
            (
                "Encryption",
                on_off(self.encryption_enabled),
                on_off(other.encryption_enabled),
            ),
            (
                "Encryption key",
                self.encryption_key_sid.clone(),
                other.encryption_key_sid.clone(),
            ),
            (
                "External storage",
                on_off(self.aws_storage_enabled),
                on_off(other.aws_storage_enabled),
            ),
            (
                "AWS credential",
                self.aws_credentials_sid.clone(),
                other.aws_credentials_sid.clone(),
            ),
            ("S3 URL", self.aws_s3_url.clone(), other.aws_s3_url.clone()),
        ];
        fields
            .into_iter()
            .filter(|(_, mine, theirs)| mine != theirs)
            .map(|(label, mine, theirs)| Difference {
                label,
                mine,
                theirs,
            })
            .collect()
    }

    /// What a person must knowingly accept before `self` replaces
    /// `original`: turning on external storage or encryption, and either on
    /// Recording settings. Empty when nothing risky is switched on.
    pub fn risks(&self, kind: SettingsKind, original: &SettingsInput) -> Vec<String> {
        let media = match kind {
            SettingsKind::Composition => "compositions",
            SettingsKind::Recording => "recordings",
        };
        let storage_on = self.aws_storage_enabled && !original.aws_storage_enabled;
        let encryption_on = self.encryption_enabled && !original.encryption_enabled;
        let mut risks = Vec::new();
        if storage_on {
            risks.push(format!(
                "External storage: Twilio will stop keeping new {media} in its cloud; they will exist only in your S3 bucket."
            ));
        }
        if encryption_on {
            risks.push(format!(
                "Encryption: new {media} can only be decrypted with the private key of this public key; if that key is lost, so are they. Twilio cannot decrypt them."
            ));
        }
        if kind == SettingsKind::Recording && (storage_on || encryption_on) {
            risks.push(
                "Compositions: recordings that are encrypted or stored in your own bucket cannot be composed; compositions of them will fail.".into(),
            );
        }
        risks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::tests::valid;

    #[test]
    fn differences_name_only_the_fields_that_differ() {
        let mine = valid();
        let mut theirs = valid();
        theirs.friendly_name = "Staging".into();
        theirs.aws_storage_enabled = false;
        let diff = mine.differences(&theirs);
        assert_eq!(
            diff,
            vec![
                Difference {
                    label: "Friendly name",
                    mine: "Production".into(),
                    theirs: "Staging".into()
                },
                Difference {
                    label: "External storage",
                    mine: "on".into(),
                    theirs: "off".into()
                },
            ]
        );
        assert!(mine.differences(&valid()).is_empty());
    }

    #[test]
    fn switching_storage_or_encryption_on_needs_consent() {
        let off = SettingsInput::default();
        let on = valid();
        let composition = on.risks(SettingsKind::Composition, &off);
        assert_eq!(composition.len(), 2);
        assert!(
            composition[0].starts_with("External storage")
                && composition[1].starts_with("Encryption")
        );
        let recording = on.risks(SettingsKind::Recording, &off);
        assert!(recording[2].contains("cannot be composed"));
        // Already on, or being switched off: nothing to confirm.
        assert!(on.risks(SettingsKind::Recording, &on).is_empty());
        assert!(off.risks(SettingsKind::Composition, &on).is_empty());
    }
}
