//! Start-up: the account given by flags is registered as a project (or its
//! login updated), and demo mode registers the demo projects.

use crate::common::*;
use clap::Parser;
use composition_admin::config::Config;
use composition_admin::server::projects_from_config;

fn config(data_dir: &std::path::Path, args: &[&str]) -> Config {
    let data = data_dir.display().to_string();
    let mut all = vec!["composition-admin", "--data-dir", &data];
    all.extend_from_slice(args);
    Config::try_parse_from(all).unwrap()
}

fn temp_dir() -> TestDir {
    TestDir::new("startup-test")
}

#[test]
fn the_flags_register_their_account_and_a_later_start_updates_its_login() {
    on_runtime(async {
        let fake = start_fake().await;
        let base = fake.base_url();
        let dir = temp_dir();
        let flags = |token: &'static str| {
            [
                "--video-base-url",
                base.as_str(),
                "--accounts-base-url",
                base.as_str(),
                "--account-sid",
                ACCOUNT,
                "--auth-token",
                token,
                "--project-name",
                "Acme from flags",
            ]
        };
        let (projects, _) = projects_from_config(&config(&dir, &flags(TOKEN)))
            .await
            .unwrap();
        let listed = projects.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "Acme from flags");
        assert!(listed[0].check.as_ref().unwrap().worked);
        let id = listed[0].id.clone();
        drop(projects);

        // Started again with a token that does not work: the working login
        // stored before is kept, not replaced by it.
        let (projects, _) =
            projects_from_config(&config(&dir, &flags("rotated-token-rotated-token-0000")))
                .await
                .unwrap();
        let listed = projects.list().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, id);
        assert!(
            projects.check(&id).await.unwrap().worked,
            "the stored login still works"
        );
        // The key file was made once, owner-only.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("master.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The database and its write-ahead log hold no secret in plain text.
        drop(projects);
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            // SQLite removes its -shm and -wal files as the pool closes.
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            for secret in [TOKEN.as_bytes(), b"rotated-token-rotated-token-0000"] {
                assert!(
                    !bytes.windows(secret.len()).any(|w| w == secret),
                    "a secret in {}",
                    path.display()
                );
            }
        }
        std::fs::remove_dir_all(dir).unwrap();
    })
}

#[test]
fn demo_mode_registers_five_projects_one_with_a_failing_login() {
    on_runtime(async {
        let dir = temp_dir();
        let (projects, fake) =
            projects_from_config(&config(&dir, &["--demo", "--demo-projects", "0"]))
                .await
                .unwrap();
        assert!(fake.is_some(), "the demo fake runs");
        let listed = projects.list().await.unwrap();
        assert_eq!(listed.len(), 5);
        let failing: Vec<_> = listed
            .iter()
            .filter(|p| !p.check.as_ref().unwrap().worked)
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(failing, ["demo-tailspin"]);
        assert!(
            dir.join("demo.db").exists(),
            "demo projects stay apart from real ones"
        );
        assert!(!dir.join("console.db").exists());
        std::fs::remove_dir_all(&dir).unwrap();

        // By default 40 generated projects fill the fleet, five of them
        // with a wrong token.
        let dir = temp_dir();
        let (projects, _fake) = projects_from_config(&config(&dir, &["--demo"]))
            .await
            .unwrap();
        let listed = projects.list().await.unwrap();
        assert_eq!(listed.len(), 45);
        let failing = listed
            .iter()
            .filter(|p| !p.check.as_ref().unwrap().worked)
            .count();
        assert_eq!(failing, 1 + 5);
        std::fs::remove_dir_all(dir).unwrap();
    })
}
