//! Templates in the store, on SQLite and PostgreSQL (issue 24, first
//! part): saved and read back whole, names unique, a project follows one
//! template per kind (only of that kind), and removing a template or a
//! project removes what followed it.

use crate::common::*;
use composition_admin::domain::template::{CredentialRule, Encryption, Storage, Template};
use composition_admin::domain::{ProjectId, SettingsKind};
use composition_admin::store::{Store, TemplateRow};

fn encrypted(name: &str) -> Template {
    Template {
        name: name.into(),
        encryption: Some(Encryption::On(CredentialRule::Named("prod".into()))),
        storage: Some(Storage::S3 {
            url_pattern: "https://archive.s3.amazonaws.com/{account_sid}".into(),
            credential: CredentialRule::NewestStartingWith("writer".into()),
        }),
    }
}

fn row(id: &str, kind: SettingsKind, template: Template) -> TemplateRow {
    TemplateRow {
        id: id.into(),
        kind,
        template,
        updated_at: 100,
        updated_by: "ana".into(),
    }
}

#[test]
fn templates_are_kept_whole_and_followed_one_per_kind() {
    on_runtime(async {
        for url in test_databases().await {
            let store = Store::open(&url).await.unwrap();
            let acme: ProjectId = "acme".parse().unwrap();
            insert_plain_project(&store, "acme", "Acme", "AC00000000000000000000000000000aaa")
                .await;
            let composition = SettingsKind::Composition;
            let saved = row("t1", composition, encrypted("Encrypted archive"));
            assert!(store.save_template(&saved).await.unwrap(), "{url}");
            assert_eq!(
                store.template("t1").await.unwrap(),
                Some(saved.clone()),
                "{url}"
            );
            // A second template may not take the name.
            assert!(
                !store
                    .save_template(&row("t2", composition, encrypted("Encrypted archive")))
                    .await
                    .unwrap(),
                "{url}"
            );
            let plain = Template {
                name: "Plain".into(),
                encryption: Some(Encryption::Off),
                storage: None,
            };
            assert!(store
                .save_template(&row("t3", SettingsKind::Recording, plain))
                .await
                .unwrap());
            let names: Vec<String> = store
                .templates()
                .await
                .unwrap()
                .into_iter()
                .map(|t| t.template.name)
                .collect();
            assert_eq!(names, ["Encrypted archive", "Plain"], "{url}");

            // A Recording template cannot be followed for Compositions.
            assert!(
                !store
                    .assign_template(&acme, composition, Some("t3"))
                    .await
                    .unwrap(),
                "{url}"
            );
            assert!(
                store
                    .assign_template(&acme, composition, Some("t1"))
                    .await
                    .unwrap(),
                "{url}"
            );
            let followed = store.assigned_template(&acme, composition).await.unwrap();
            assert_eq!(followed.map(|t| t.id).as_deref(), Some("t1"), "{url}");
            // The refused assignment left the earlier one alone.
            assert!(!store
                .assign_template(&acme, composition, Some("nope"))
                .await
                .unwrap());
            assert!(
                store
                    .assigned_template(&acme, composition)
                    .await
                    .unwrap()
                    .is_some(),
                "{url}"
            );

            // Removing the template ends its following.
            assert!(store.delete_template("t1").await.unwrap(), "{url}");
            assert_eq!(
                store.assigned_template(&acme, composition).await.unwrap(),
                None,
                "{url}"
            );
            // Removing the project ends its following too.
            assert!(store
                .assign_template(&acme, SettingsKind::Recording, Some("t3"))
                .await
                .unwrap());
            assert!(store.delete_project(&acme, None).await.unwrap(), "{url}");
            assert_eq!(
                store
                    .assigned_template(&acme, SettingsKind::Recording)
                    .await
                    .unwrap(),
                None,
                "{url}"
            );
        }
    })
}
