//! Finding the master key at start, and rotating it. A rotation writes the
//! new key to `<key file>.next` (created exclusively: it is also the lock
//! against a second rotation), re-seals every secret in one transaction,
//! then keeps the old key as `<key file>.prev` and moves the new one in. A
//! start that finds the database switched but the file not yet moved
//! finishes the move. Stop every console instance before rotating.

use crate::store::{ResealError, Store, StoreError};
use crate::vault::{next_key_path, KeySource, MasterKey, SealedFor, Vault, VaultError};
use std::future::Future;
use std::path::{Path, PathBuf};

/// The vault for `store`, or one line saying why not; a wrong key changes
/// nothing. A key file is created (0600) only for a store with no secrets
/// sealed yet.
pub async fn unlock(store: &Store, source: &KeySource) -> Result<Vault, String> {
    let check = store.key_check().await.map_err(|e| e.to_string())?;
    let (vault, described) = match source {
        KeySource::Env(key) => (Vault::new(key), "the key in CONSOLE_MASTER_KEY".to_owned()),
        KeySource::File(path) => {
            let described = format!("the key in {}", path.display());
            match (MasterKey::read_file(path)?, &check) {
                (Some(key), _) => (Vault::new(&key), described),
                (None, None) => {
                    refuse_if_sealed_values(store).await?;
                    let key = match MasterKey::generate().create_file(path)? {
                        Some(created) => {
                            tracing::info!(file = %path.display(), "created a new master key file; back it up with the database");
                            created
                        }
                        // Another instance created it a moment ago.
                        None => MasterKey::read_file(path)?
                            .ok_or_else(|| format!("{} vanished while starting", path.display()))?,
                    };
                    (Vault::new(&key), described)
                }
                (None, Some(check)) => {
                    if let Some(vault) = finish_rotation(path, check)? {
                        return Ok(vault);
                    }
                    return Err(format!("the master key file {} is missing, and this database's secrets were sealed with a key: restore the file (or set CONSOLE_MASTER_KEY). Nothing was changed.", path.display()));
                }
            }
        }
    };
    match check {
        None => {
            refuse_if_sealed_values(store).await?;
            store
                .set_key_check(&vault.key_check())
                .await
                .map_err(|e| e.to_string())?;
            // Two instances starting at once: the first check stored wins.
            let stored = store.key_check().await.map_err(|e| e.to_string())?;
            if stored.as_deref().is_some_and(|c| vault.opens_check(c)) {
                Ok(vault)
            } else {
                Err(format!("{described} is not the key another instance just set up this database with. Nothing was changed."))
            }
        }
        Some(check) if vault.opens_check(&check) => Ok(vault),
        Some(check) => {
            if let KeySource::File(path) = source {
                if let Some(vault) = finish_rotation(path, &check)? {
                    return Ok(vault);
                }
            }
            Err(format!("{described} does not open this database's secrets: they were sealed with another master key. Start with the key they were sealed with. Nothing was changed."))
        }
    }
}

/// A database with projects but no key check lost its vault row (a partial
/// restore?): any key would be accepted and would not open them.
async fn refuse_if_sealed_values(store: &Store) -> Result<(), String> {
    let projects = store.list_projects().await.map_err(|e| e.to_string())?;
    if projects.is_empty() {
        Ok(())
    } else {
        Err(format!("the database holds {} project(s) but no record of the master key they were sealed with (was it restored in part?); restore it whole. Nothing was changed.", projects.len()))
    }
}

/// If `path.next` holds the key the store was switched to, keeps the old
/// key as `path.prev`, moves the new one into place and answers its vault.
fn finish_rotation(path: &Path, check: &str) -> Result<Option<Vault>, String> {
    let next = next_key_path(path);
    let Some(key) = MasterKey::read_file(&next)? else {
        return Ok(None);
    };
    let vault = Vault::new(&key);
    if !vault.opens_check(check) {
        return Ok(None);
    }
    move_into_place(&next, path)?;
    tracing::warn!(file = %path.display(), "finished a master key rotation that had stopped half-way");
    Ok(Some(vault))
}

/// `path` becomes `path.prev` (if there), then `next` becomes `path`.
fn move_into_place(next: &Path, path: &Path) -> Result<(), String> {
    if path.exists() {
        let prev = with_suffix(path, ".prev");
        std::fs::rename(path, &prev)
            .map_err(|e| format!("cannot move {} to {}: {e}", path.display(), prev.display()))?;
    }
    std::fs::rename(next, path).map_err(|e| {
        format!(
            "the secrets are sealed with the new key in {}, but it could not be moved to {}: {e}; the next start moves it",
            next.display(),
            path.display()
        )
    })
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Re-seals every secret with a new key in one transaction, then puts the
/// new key where the old one was (or in `new_key_file`). Answers how many
/// secrets were re-sealed and where the new key is.
pub async fn rotate(
    store: &Store,
    source: &KeySource,
    new_key_file: Option<&Path>,
) -> Result<(usize, PathBuf), String> {
    let old = unlock(store, source).await?;
    let target = match (new_key_file, source) {
        (Some(path), _) => path.to_owned(),
        (None, KeySource::File(path)) => path.clone(),
        (None, KeySource::Env(_)) => {
            return Err("the master key comes from CONSOLE_MASTER_KEY: give --new-key-file for the new key, then set CONSOLE_MASTER_KEY to its contents".into())
        }
    };
    rotate_with(store, &target, |id, sealed, new| {
        let secret = old.open(id, sealed)?;
        Ok(new.seal(id, secrecy::ExposeSecret::expose_secret(&secret)))
    })
    .await
}

/// What a rotation needs of the store; tests wrap it to fail on cue.
pub trait KeyRecords {
    fn key_check(&self) -> impl Future<Output = Result<Option<String>, StoreError>>;
    fn reseal_all<E>(
        &self,
        reseal: impl FnMut(SealedFor<'_>, &str) -> Result<String, E>,
        key_check: &str,
    ) -> impl Future<Output = Result<usize, ResealError<E>>>;
    fn sealed_count(&self) -> impl Future<Output = Result<usize, StoreError>>;
}

impl KeyRecords for Store {
    fn key_check(&self) -> impl Future<Output = Result<Option<String>, StoreError>> {
        Store::key_check(self)
    }
    fn reseal_all<E>(
        &self,
        reseal: impl FnMut(SealedFor<'_>, &str) -> Result<String, E>,
        key_check: &str,
    ) -> impl Future<Output = Result<usize, ResealError<E>>> {
        Store::reseal_all(self, reseal, key_check)
    }
    async fn sealed_count(&self) -> Result<usize, StoreError> {
        Ok(self.list_projects().await?.len() + self.kept_parents().await?.len())
    }
}

/// `rotate`, with the re-sealing of each secret given (tests interrupt it).
/// The new key file is deleted only when the database is known not to use
/// it: the re-sealing failed before its commit, or the database positively
/// still holds the old key's check. On any doubt every key file is kept.
pub async fn rotate_with(
    store: &impl KeyRecords,
    target: &Path,
    mut reseal: impl FnMut(SealedFor<'_>, &str, &Vault) -> Result<String, VaultError>,
) -> Result<(usize, PathBuf), String> {
    let next = next_key_path(target);
    let before = store
        .key_check()
        .await
        .map_err(|e| format!("nothing was changed: {e}"))?
        .ok_or("nothing was changed: the database has no record of its master key yet")?;
    let Some(key) = MasterKey::generate().create_file(&next)? else {
        return Err(format!("{} exists: another rotation is running, or one stopped half-way. If none is running, start the console once (it finishes a rotation whose database part is done), then delete {} if it is still there.", next.display(), next.display()));
    };
    let new = Vault::new(&key);
    let count = match store
        .reseal_all(|id, sealed| reseal(id, sealed, &new), &new.key_check())
        .await
    {
        Ok(count) => count,
        // Stopped before the commit: the transaction was rolled back.
        Err(ResealError::Seal(e)) => {
            let _ = std::fs::remove_file(&next);
            return Err(format!("nothing was changed: {e}"));
        }
        // A failed COMMIT may still have landed: look before deleting.
        Err(ResealError::Store(e)) => match store.key_check().await {
            Ok(Some(check)) if check == before => {
                let _ = std::fs::remove_file(&next);
                return Err(format!("nothing was changed: {e}"));
            }
            Ok(Some(check)) if new.opens_check(&check) => store.sealed_count().await.unwrap_or(0),
            found => {
                let why = match found {
                    Err(read) => format!("the database could not be read to find out: {read}"),
                    _ => "the database holds neither key's check".to_owned(),
                };
                return Err(unknown_outcome(&e, &why, target, &next));
            }
        },
    };
    move_into_place(&next, target)?;
    Ok((count, target.to_owned()))
}

/// What to do when nobody knows which key the database's secrets use.
fn unknown_outcome(error: &StoreError, why: &str, target: &Path, next: &Path) -> String {
    format!(
        "the rotation may or may not have been saved ({error}; {why}). Both keys are kept: do not delete either. The secrets are sealed with the old key in {old} or with the new key in {new}. To find out which, start the console (or run this command again) once the database answers: a start with the old key opens the database if it still uses it, and otherwise finds the new key in {new}, moves it into {old} and keeps the old one as {old}.prev. If the console starts and {new} is still there afterwards, the database kept the old key: delete {new}, then rotate again.",
        old = target.display(),
        new = next.display(),
    )
}
