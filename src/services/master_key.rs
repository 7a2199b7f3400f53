//! Finding the master key at start, and rotating it.

use crate::store::{ResealError, Store};
use crate::vault::{next_key_path, KeySource, MasterKey, Vault, VaultError};
use std::path::{Path, PathBuf};

/// The vault for `store`, or one line saying why not; a wrong key changes
/// nothing. A key file is created (0600) only for a store with no secrets
/// sealed yet. A rotation that stopped after the store switched keys but
/// before the new key file took the old one's place is finished here.
pub async fn unlock(store: &Store, source: &KeySource) -> Result<Vault, String> {
    let check = store.key_check().await.map_err(|e| e.to_string())?;
    let (vault, described) = match source {
        KeySource::Env(key) => (Vault::new(key), "the key in CONSOLE_MASTER_KEY".to_owned()),
        KeySource::File(path) => match (MasterKey::read_file(path)?, &check) {
            (Some(key), _) => (Vault::new(&key), format!("the key in {}", path.display())),
            (None, None) => {
                let key = MasterKey::generate();
                key.write_file(path)?;
                tracing::info!(file = %path.display(), "created a new master key file; back it up with the database");
                (Vault::new(&key), format!("the key in {}", path.display()))
            }
            (None, Some(_)) => {
                if let Some(vault) = finish_rotation(path, check.as_deref())? {
                    return Ok(vault);
                }
                return Err(format!("the master key file {} is missing, and this database's secrets were sealed with a key: restore the file (or set CONSOLE_MASTER_KEY). Nothing was changed.", path.display()));
            }
        },
    };
    match check {
        None => {
            store
                .set_key_check(&vault.key_check())
                .await
                .map_err(|e| e.to_string())?;
            Ok(vault)
        }
        Some(check) if vault.opens_check(&check) => {
            if let KeySource::File(path) = source {
                // A rotation that stopped before its commit left a key
                // nothing was sealed with.
                let _ = std::fs::remove_file(next_key_path(path));
            }
            Ok(vault)
        }
        Some(check) => {
            if let KeySource::File(path) = source {
                if let Some(vault) = finish_rotation(path, Some(&check))? {
                    return Ok(vault);
                }
            }
            Err(format!("{described} does not open this database's secrets: they were sealed with another master key. Start with the key they were sealed with. Nothing was changed."))
        }
    }
}

/// If `path.next` holds the key the store was switched to, moves it into
/// place and answers its vault.
fn finish_rotation(path: &Path, check: Option<&str>) -> Result<Option<Vault>, String> {
    let next = next_key_path(path);
    let (Some(key), Some(check)) = (MasterKey::read_file(&next)?, check) else {
        return Ok(None);
    };
    let vault = Vault::new(&key);
    if !vault.opens_check(check) {
        return Ok(None);
    }
    std::fs::rename(&next, path)
        .map_err(|e| format!("cannot move {} to {}: {e}", next.display(), path.display()))?;
    tracing::warn!(file = %path.display(), "finished a master key rotation that had stopped half-way");
    Ok(Some(vault))
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

/// `rotate`, with the re-sealing of each secret given (tests interrupt it).
pub async fn rotate_with(
    store: &Store,
    target: &Path,
    mut reseal: impl FnMut(&crate::domain::ProjectId, &str, &Vault) -> Result<String, VaultError>,
) -> Result<(usize, PathBuf), String> {
    let key = MasterKey::generate();
    let next = next_key_path(target);
    key.write_file(&next)?;
    let new = Vault::new(&key);
    let count = store
        .reseal_all(|id, sealed| reseal(id, sealed, &new), &new.key_check())
        .await
        .map_err(|e| match e {
            ResealError::Store(e) => format!("nothing was changed: {e}"),
            ResealError::Seal(e) => format!("nothing was changed: {e}"),
        });
    let count = match count {
        Ok(count) => count,
        Err(e) => {
            let _ = std::fs::remove_file(&next);
            return Err(e);
        }
    };
    std::fs::rename(&next, target).map_err(|e| {
        format!(
            "the secrets are sealed with the new key in {}, but it could not be moved to {}: {e}; the next start moves it",
            next.display(),
            target.display()
        )
    })?;
    Ok((count, target.to_owned()))
}
