//! The vault with the store: sealed secrets in the database, the master key
//! at start, tampering, and key rotation (also interrupted), on SQLite and
//! on PostgreSQL.

use crate::common::*;
use composition_admin::domain::{AppError, Login, ProjectId, ProjectUpdate};
use composition_admin::services::master_key::{rotate, rotate_with, unlock, KeyRecords};
use composition_admin::services::Projects;
use composition_admin::store::{NewProject, ResealError, Store, StoreError};
use composition_admin::vault::{next_key_path, KeySource, MasterKey, Vault, VaultError};
use secrecy::ExposeSecret;
use std::path::PathBuf;
use std::time::Duration;

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vault-test-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn id(raw: &str) -> ProjectId {
    raw.parse().unwrap()
}

const SECRETS: [(&str, &str, &str); 3] = [
    (
        "p1",
        "AC00000000000000000000000000000001",
        "secret-number-one-0000000000001",
    ),
    (
        "p2",
        "AC00000000000000000000000000000002",
        "secret-number-two-0000000000002",
    ),
    (
        "p3",
        "AC00000000000000000000000000000003",
        "secret-number-three-00000000003",
    ),
];

/// Registers three projects (no Twilio: the fake is not running, so their
/// connection tests fail, which registering allows).
async fn with_projects(store: &Store, vault: Vault) -> Projects {
    let projects = Projects::new(
        store.clone(),
        vault,
        pool_with("http://127.0.0.1:9", Duration::from_millis(200), 0),
    );
    for (project, account, secret) in SECRETS {
        projects
            .register(
                &ProjectUpdate {
                    name: project.into(),
                    account_sid: account.parse().unwrap(),
                    login: Login::AuthToken,
                    secret: Some(secret.into()),
                },
                Some(id(project)),
            )
            .await
            .unwrap();
    }
    projects
}

/// Every secret as the vault opens it from the store.
async fn opened(store: &Store, vault: &Vault) -> Vec<Result<String, VaultError>> {
    let mut out = Vec::new();
    for row in store.list_projects().await.unwrap() {
        out.push(
            vault
                .open(&row.id, &row.sealed_secret)
                .map(|s| s.expose_secret().to_owned()),
        );
    }
    out
}

fn all_open(found: &[Result<String, VaultError>]) -> bool {
    found
        .iter()
        .zip(SECRETS)
        .all(|(f, (_, _, secret))| f.as_deref() == Ok(secret))
}

#[test]
fn secrets_are_sealed_in_the_database_and_open_only_in_their_row() {
    on_runtime(async {
        for url in test_databases().await {
            let dir = temp_dir();
            let store = Store::open(&url).await.unwrap();
            let source = KeySource::File(dir.join("master.key"));
            let vault = unlock(&store, &source).await.unwrap();
            let projects = with_projects(&store, vault).await;
            let rows = store.list_projects().await.unwrap();
            for (row, (_, _, secret)) in rows.iter().zip(SECRETS) {
                assert!(!row.sealed_secret.contains(secret), "{url}: sealed");
                assert!(!format!("{row:?}").contains(secret));
            }
            // Swap two rows' sealed secrets, as someone with database access might.
            raw_sql(&url, &format!(
                "UPDATE projects SET sealed_secret = '{}' WHERE id = 'p1'; UPDATE projects SET sealed_secret = '{}' WHERE id = 'p2'",
                rows[1].sealed_secret, rows[0].sealed_secret
            ))
            .await;
            for swapped in ["p1", "p2"] {
                let refused = projects.client(&id(swapped)).await.err();
                assert!(
                    matches!(refused, Some(AppError::Internal { .. })),
                    "{url}: a swapped secret does not open"
                );
            }
            // Tamper with one byte of the third.
            let mut tampered = rows[2].sealed_secret.clone();
            let last = tampered.pop().unwrap();
            tampered.push(if last == 'A' { 'B' } else { 'A' });
            raw_sql(
                &url,
                &format!("UPDATE projects SET sealed_secret = '{tampered}' WHERE id = 'p3'"),
            )
            .await;
            assert!(projects.client(&id("p3")).await.is_err(), "{url}: tampered");
            std::fs::remove_dir_all(dir).unwrap();
        }
    })
}

#[test]
fn the_key_file_is_created_once_and_a_wrong_key_changes_nothing() {
    on_runtime(async {
        for url in test_databases().await {
            let dir = temp_dir();
            let key_file = dir.join("keys").join("master.key");
            let store = Store::open(&url).await.unwrap();
            let vault = unlock(&store, &KeySource::File(key_file.clone()))
                .await
                .unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{url}");
            }
            with_projects(&store, vault).await;
            let check = store.key_check().await.unwrap();

            // Another key, from the environment.
            let wrong = unlock(&store, &KeySource::Env(MasterKey::generate()))
                .await
                .unwrap_err();
            assert!(wrong.contains("does not open"), "{wrong}");
            assert!(wrong.contains("Nothing was changed"), "{wrong}");
            assert!(!wrong.contains('\n'));
            // Another key file.
            let other_file = dir.join("other.key");
            MasterKey::generate().write_file(&other_file).unwrap();
            let wrong = unlock(&store, &KeySource::File(other_file))
                .await
                .unwrap_err();
            assert!(wrong.contains("does not open"), "{wrong}");
            // The key file gone: not replaced by a new one.
            let moved = dir.join("moved.key");
            std::fs::rename(&key_file, &moved).unwrap();
            let missing = unlock(&store, &KeySource::File(key_file.clone()))
                .await
                .unwrap_err();
            assert!(missing.contains("is missing"), "{missing}");
            assert!(!key_file.exists(), "no new key was made");
            assert_eq!(store.key_check().await.unwrap(), check, "{url}: unchanged");
            std::fs::rename(&moved, &key_file).unwrap();
            let vault = unlock(&store, &KeySource::File(key_file)).await.unwrap();
            assert!(all_open(&opened(&store, &vault).await), "{url}");
            std::fs::remove_dir_all(dir).unwrap();
        }
    })
}

#[test]
fn rotation_reseals_everything_or_nothing_and_can_be_run_again() {
    on_runtime(async {
        for url in test_databases().await {
            let dir = temp_dir();
            let key_file = dir.join("master.key");
            let source = KeySource::File(key_file.clone());
            let store = Store::open(&url).await.unwrap();
            let vault = unlock(&store, &source).await.unwrap();
            with_projects(&store, vault).await;
            let old_key = std::fs::read_to_string(&key_file).unwrap();

            // Interrupted half-way: the second secret fails to re-seal.
            let old = unlock(&store, &source).await.unwrap();
            let mut done = 0;
            let stopped = rotate_with(&store, &key_file, |project, sealed, new| {
                done += 1;
                if done == 2 {
                    return Err(VaultError::WontOpen);
                }
                let secret = old.open(project, sealed)?;
                Ok(new.seal(project, secret.expose_secret()))
            })
            .await
            .unwrap_err();
            assert!(stopped.contains("nothing was changed"), "{stopped}");
            assert_eq!(std::fs::read_to_string(&key_file).unwrap(), old_key);
            assert!(!next_key_path(&key_file).exists());
            let vault = unlock(&store, &source).await.unwrap();
            assert!(
                all_open(&opened(&store, &vault).await),
                "{url}: old key still opens all"
            );

            // Started again: every secret moves to the new key.
            let (count, path) = rotate(&store, &source, None).await.unwrap();
            assert_eq!((count, path.as_path()), (3, key_file.as_path()));
            assert_ne!(std::fs::read_to_string(&key_file).unwrap(), old_key);
            let vault = unlock(&store, &source).await.unwrap();
            assert!(
                all_open(&opened(&store, &vault).await),
                "{url}: new key opens all"
            );
            let old_vault = Vault::new(&MasterKey::from_base64(&old_key).unwrap());
            assert!(opened(&store, &old_vault).await.iter().all(Result::is_err));
            std::fs::remove_dir_all(dir).unwrap();
        }
    })
}

#[test]
fn a_rotation_stopped_before_the_key_file_moved_is_finished_at_start() {
    on_runtime(async {
        for url in test_databases().await {
            let dir = temp_dir();
            let key_file = dir.join("master.key");
            let source = KeySource::File(key_file.clone());
            let store = Store::open(&url).await.unwrap();
            let vault = unlock(&store, &source).await.unwrap();
            with_projects(&store, vault).await;
            // What rotate does up to its commit, without the final rename.
            let old = unlock(&store, &source).await.unwrap();
            let new_key = MasterKey::generate();
            new_key.write_file(&next_key_path(&key_file)).unwrap();
            let new = Vault::new(&new_key);
            store
                .reseal_all(
                    |project, sealed| {
                        old.open(project, sealed)
                            .map(|s| new.seal(project, s.expose_secret()))
                    },
                    &new.key_check(),
                )
                .await
                .unwrap();
            let vault = unlock(&store, &source).await.unwrap();
            assert!(all_open(&opened(&store, &vault).await), "{url}");
            assert_eq!(
                std::fs::read_to_string(&key_file).unwrap().trim(),
                new_key.to_base64()
            );
            assert!(!next_key_path(&key_file).exists());
            std::fs::remove_dir_all(dir).unwrap();
        }
    })
}

#[test]
fn a_second_rotation_waits_for_the_first_and_a_start_meanwhile_keeps_its_key() {
    on_runtime(async {
        let databases = test_databases().await;
        let url = databases.sqlite().to_owned();
        let dir = temp_dir();
        let key_file = dir.join("master.key");
        let source = KeySource::File(key_file.clone());
        let store = Store::open(&url).await.unwrap();
        let vault = unlock(&store, &source).await.unwrap();
        with_projects(&store, vault).await;
        // A rotation is under way: its new key is written, its commit not yet.
        let pending = MasterKey::generate();
        pending.write_file(&next_key_path(&key_file)).unwrap();
        // A start meanwhile works with the current key and leaves the new one.
        unlock(&store, &source).await.unwrap();
        assert!(
            next_key_path(&key_file).exists(),
            "the rotation's key is kept"
        );
        // A second rotation is refused, changing nothing.
        let refused = rotate(&store, &source, None).await.unwrap_err();
        assert!(refused.contains("another rotation is running"), "{refused}");
        let vault = unlock(&store, &source).await.unwrap();
        assert!(all_open(&opened(&store, &vault).await));
        std::fs::remove_dir_all(dir).unwrap();
    })
}

#[test]
fn projects_without_their_key_record_are_not_opened_with_a_new_key() {
    on_runtime(async {
        for url in test_databases().await {
            let dir = temp_dir();
            let store = Store::open(&url).await.unwrap();
            let vault = unlock(&store, &KeySource::File(dir.join("master.key")))
                .await
                .unwrap();
            with_projects(&store, vault).await;
            raw_sql(&url, "DELETE FROM vault").await;
            let refused = unlock(&store, &KeySource::File(dir.join("elsewhere.key")))
                .await
                .unwrap_err();
            assert!(
                refused.contains("no record of the master key"),
                "{url}: {refused}"
            );
            assert!(!dir.join("elsewhere.key").exists(), "no key was made");
            std::fs::remove_dir_all(dir).unwrap();
        }
    })
}

/// The store as a rotation sees it when its COMMIT answers with an error
/// (having landed or not), and the read after it fails or works.
struct FailingCommit {
    store: Store,
    lands: bool,
    read_after_fails: bool,
    reads: std::cell::Cell<usize>,
}

impl KeyRecords for FailingCommit {
    async fn key_check(&self) -> Result<Option<String>, StoreError> {
        self.reads.set(self.reads.get() + 1);
        if self.reads.get() > 1 && self.read_after_fails {
            return Err(StoreError::Database(sqlx::Error::PoolTimedOut));
        }
        self.store.key_check().await
    }
    async fn reseal_all<E>(
        &self,
        reseal: impl FnMut(composition_admin::vault::SealedFor<'_>, &str) -> Result<String, E>,
        key_check: &str,
    ) -> Result<usize, ResealError<E>> {
        if self.lands {
            self.store.reseal_all(reseal, key_check).await?;
        }
        Err(ResealError::Store(StoreError::Database(sqlx::Error::Io(
            std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "connection reset during COMMIT",
            ),
        ))))
    }
    async fn sealed_count(&self) -> Result<usize, StoreError> {
        Ok(self.store.list_projects().await?.len())
    }
}

#[test]
fn a_commit_error_deletes_the_new_key_only_when_the_database_shows_the_old_one() {
    on_runtime(async {
        for url in test_databases().await {
            // (the commit landed, the read after it fails, the new key is kept)
            for (lands, read_after_fails, next_kept) in [
                (true, true, true),
                (false, true, true),
                (false, false, false),
            ] {
                let dir = temp_dir();
                let key_file = dir.join("master.key");
                let source = KeySource::File(key_file.clone());
                let store = Store::open(&url).await.unwrap();
                raw_sql(&url, "DELETE FROM projects; DELETE FROM vault").await;
                let vault = unlock(&store, &source).await.unwrap();
                with_projects(&store, vault).await;
                let old_key = std::fs::read_to_string(&key_file).unwrap();
                let old = unlock(&store, &source).await.unwrap();
                let failing = FailingCommit {
                    store: store.clone(),
                    lands,
                    read_after_fails,
                    reads: Default::default(),
                };
                let said = rotate_with(&failing, &key_file, |project, sealed, new| {
                    let secret = old.open(project, sealed)?;
                    Ok(new.seal(project, secret.expose_secret()))
                })
                .await
                .unwrap_err();
                let case = format!("{url}: landed {lands}, read fails {read_after_fails}");
                let next = next_key_path(&key_file);
                assert_eq!(next.exists(), next_kept, "{case}: {said}");
                assert_eq!(
                    std::fs::read_to_string(&key_file).unwrap(),
                    old_key,
                    "{case}"
                );
                if next_kept {
                    assert!(said.contains("Both keys are kept"), "{case}: {said}");
                    assert!(said.contains(&next.display().to_string()), "{case}: {said}");
                    assert!(
                        said.contains(&key_file.display().to_string()),
                        "{case}: {said}"
                    );
                } else {
                    assert!(said.contains("nothing was changed"), "{case}: {said}");
                }
                // A start finds the key the secrets were sealed with.
                let vault = unlock(&store, &source).await.unwrap();
                assert!(all_open(&opened(&store, &vault).await), "{case}");
                assert_eq!(
                    std::fs::read_to_string(&key_file).unwrap() != old_key,
                    lands,
                    "{case}: the new key moved in only if it landed"
                );
                std::fs::remove_dir_all(dir).unwrap();
            }
        }
    })
}

#[test]
fn a_project_added_by_a_running_console_during_a_rotation_opens_after_it() {
    on_runtime(async {
        for url in test_databases().await {
            let dir = temp_dir();
            let key_file = dir.join("master.key");
            let source = KeySource::File(key_file.clone());
            let store = Store::open(&url).await.unwrap();
            let vault = unlock(&store, &source).await.unwrap();
            with_projects(&store, vault).await;
            // A console still running with the old key, on its own pool.
            let running_store = Store::open(&url).await.unwrap();
            let running_vault = unlock(&running_store, &source).await.unwrap();
            let stale_check = running_store.key_check().await.unwrap().unwrap();
            let running = Projects::new(
                running_store.clone(),
                running_vault,
                pool_with("http://127.0.0.1:9", Duration::from_millis(200), 0),
            );
            let adding = std::sync::Arc::new(std::sync::Mutex::new(None));
            let old = unlock(&store, &source).await.unwrap();
            let mut started = false;
            rotate_with(&store, &key_file, |project, sealed, new| {
                if !started {
                    started = true;
                    // Added while the rotation's transaction is open.
                    let running = running.clone();
                    let adding = adding.clone();
                    *adding.lock().unwrap() = Some(std::thread::spawn(move || {
                        tokio::runtime::Runtime::new()
                            .unwrap()
                            .block_on(async move {
                                running
                                    .register(
                                        &ProjectUpdate {
                                            name: "during".into(),
                                            account_sid: "AC00000000000000000000000000000009"
                                                .parse()
                                                .unwrap(),
                                            login: Login::AuthToken,
                                            secret: Some("secret-added-during-rotation-09".into()),
                                        },
                                        Some(id("p9")),
                                    )
                                    .await
                            })
                    }));
                    std::thread::sleep(Duration::from_millis(500));
                }
                let secret = old.open(project, sealed)?;
                Ok(new.seal(project, secret.expose_secret()))
            })
            .await
            .unwrap();
            let added = adding.lock().unwrap().take().unwrap().join().unwrap();
            let refused = added.unwrap_err();
            assert!(refused.contains("restart"), "{url}: {refused}");
            // A write that read the key check before the rotation is refused.
            let stale = running_store
                .insert_project(&NewProject {
                    id: &id("p8"),
                    name: "stale",
                    account_sid: &"AC00000000000000000000000000000008".parse().unwrap(),
                    login: composition_admin::domain::LoginKind::AuthToken,
                    api_key_sid: None,
                    sealed_secret: "v1.stale",
                    key_check: Some(&stale_check),
                    audit: None,
                })
                .await;
            assert!(
                matches!(stale, Err(StoreError::KeyRotated)),
                "{url}: {stale:?}"
            );
            let replaced = running_store
                .update_project(
                    &id("p1"),
                    "p1",
                    composition_admin::domain::LoginKind::AuthToken,
                    None,
                    Some(("v1.stale", &stale_check)),
                    None,
                )
                .await;
            assert!(
                matches!(replaced, Err(StoreError::KeyRotated)),
                "{url}: {replaced:?}"
            );
            // After a restart every stored secret opens with the new key.
            let vault = unlock(&store, &source).await.unwrap();
            let found = opened(&store, &vault).await;
            assert_eq!(found.len(), 3, "{url}: nothing was added with the old key");
            assert!(all_open(&found), "{url}");
            std::fs::remove_dir_all(dir).unwrap();
        }
    })
}
