//! The vault: Twilio secrets are sealed with XChaCha20-Poly1305 before they
//! reach the store, each bound to its project id (associated data), so a
//! sealed value copied to another row does not open. The master key comes
//! from `CONSOLE_MASTER_KEY` or a key file created on first start (0600).

use crate::domain::ProjectId;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::SecretString;
use std::fmt;
use std::path::{Path, PathBuf};

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
/// Sealed values start with this, so a later format can be told apart.
const PREFIX: &str = "v1.";
/// Associated data of the key check, which no project id can equal.
const KEY_CHECK_CONTEXT: &str = "composition-admin key check";
const KEY_CHECK_TEXT: &str = "composition-admin vault";

/// 32 random bytes. Debug never shows them.
#[derive(Clone)]
pub struct MasterKey([u8; KEY_BYTES]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl Drop for MasterKey {
    fn drop(&mut self) {
        self.0 = [0; KEY_BYTES];
    }
}

impl MasterKey {
    pub fn generate() -> Self {
        let mut key = [0; KEY_BYTES];
        getrandom::fill(&mut key).expect("the operating system's random source works");
        Self(key)
    }

    /// Standard base64 of 32 bytes, as the key file and env var hold it.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| "is not base64".to_owned())?;
        let key: [u8; KEY_BYTES] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| format!("is {} bytes; expected {KEY_BYTES}", b.len()))?;
        Ok(Self(key))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// The key in `path`, or `None` if there is no such file.
    pub fn read_file(path: &Path) -> Result<Option<Self>, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text)
                .map(Some)
                .map_err(|e| format!("the master key file {} {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!(
                "cannot read the master key file {}: {e}",
                path.display()
            )),
        }
    }

    /// Writes the key to a new file at `path`, readable by this user only;
    /// `None` (nothing written) if a file is there already. The data and
    /// the file's name reach the disk before this returns.
    pub fn create_file(self, path: &Path) -> Result<Option<Self>, String> {
        match self.write(path, true) {
            Ok(()) => Ok(Some(self)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
            Err(e) => Err(format!(
                "cannot write the master key file {}: {e}",
                path.display()
            )),
        }
    }

    /// Writes the key to `path`, readable by this user only, replacing a
    /// file there.
    pub fn write_file(&self, path: &Path) -> Result<(), String> {
        self.write(path, false)
            .map_err(|e| format!("cannot write the master key file {}: {e}", path.display()))
    }

    fn write(&self, path: &Path, exclusive: bool) -> std::io::Result<()> {
        use std::io::Write;
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        if exclusive {
            options.write(true).create_new(true);
        } else {
            options.write(true).create(true).truncate(true);
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        writeln!(file, "{}", self.to_base64())?;
        file.sync_all()?;
        // The new name must survive a crash too.
        #[cfg(unix)]
        if let Some(dir) = dir {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

/// Why a sealed value did not open.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("the sealed value is not in the vault's format")]
    Malformed,
    #[error("the sealed value does not open with this key for this project (wrong key, tampered, or copied from another project)")]
    WontOpen,
}

/// Seals and opens secrets with the master key.
pub struct Vault {
    cipher: XChaCha20Poly1305,
    /// Signs the outcome parameters of no-JavaScript redirects: derived
    /// from the master key, so every instance on one database shares it.
    link_key: [u8; KEY_BYTES],
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault { .. }")
    }
}

impl Vault {
    pub fn new(key: &MasterKey) -> Self {
        use hmac::{Hmac, Mac};
        let mut derive =
            <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key.0).expect("HMAC takes any key length");
        derive.update(b"composition-admin outcome links v1");
        Self {
            cipher: XChaCha20Poly1305::new((&key.0).into()),
            link_key: derive.finalize().into_bytes().into(),
        }
    }

    /// The key that signs outcome links (see `server::site`).
    pub fn link_key(&self) -> [u8; KEY_BYTES] {
        self.link_key
    }

    /// `secret`, sealed for project `id` (or for a note, see `SealedFor`).
    pub fn seal<'a>(&self, id: impl Into<SealedFor<'a>>, secret: &str) -> String {
        self.seal_for(&id.into().context(), secret)
    }

    pub fn open<'a>(
        &self,
        id: impl Into<SealedFor<'a>>,
        sealed: &str,
    ) -> Result<SecretString, VaultError> {
        let bytes = self.open_for(&id.into().context(), sealed)?;
        String::from_utf8(bytes)
            .map(SecretString::from)
            .map_err(|_| VaultError::Malformed)
    }

    /// `text` sealed for a purpose other than a project's secret (a
    /// parent's login carried between two forms, say): `context` names the
    /// purpose and whom it is for, and must start with "note ", which no
    /// project's context does.
    pub fn seal_note(&self, context: &str, text: &str) -> String {
        self.seal(SealedFor::Note(context), text)
    }

    /// What [`Vault::seal_note`] sealed with the same context.
    pub fn open_note(&self, context: &str, sealed: &str) -> Result<SecretString, VaultError> {
        self.open(SealedFor::Note(context), sealed)
    }

    /// A value only this key opens, kept in the store to recognise the key.
    pub fn key_check(&self) -> String {
        self.seal_for(KEY_CHECK_CONTEXT, KEY_CHECK_TEXT)
    }

    pub fn opens_check(&self, sealed: &str) -> bool {
        self.open_for(KEY_CHECK_CONTEXT, sealed)
            .is_ok_and(|text| text == KEY_CHECK_TEXT.as_bytes())
    }

    fn seal_for(&self, context: &str, secret: &str) -> String {
        let mut nonce = [0; NONCE_BYTES];
        getrandom::fill(&mut nonce).expect("the operating system's random source works");
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any message that fits in memory");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    fn open_for(&self, context: &str, sealed: &str) -> Result<Vec<u8>, VaultError> {
        let encoded = sealed.strip_prefix(PREFIX).ok_or(VaultError::Malformed)?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| VaultError::Malformed)?;
        if bytes.len() < NONCE_BYTES {
            return Err(VaultError::Malformed);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| VaultError::WontOpen)
    }
}

/// What a sealed value is bound to: a project's secret, or a note (see
/// `Vault::seal_note`). A key rotation re-seals both kinds.
#[derive(Clone, Copy, Debug)]
pub enum SealedFor<'a> {
    Project(&'a ProjectId),
    Note(&'a str),
}

impl<'a> From<&'a ProjectId> for SealedFor<'a> {
    fn from(id: &'a ProjectId) -> Self {
        Self::Project(id)
    }
}

impl SealedFor<'_> {
    fn context(self) -> String {
        match self {
            Self::Project(id) => format!("composition-admin project {id}"),
            Self::Note(context) => format!("composition-admin note {context}"),
        }
    }
}

/// Where the master key comes from.
#[derive(Debug)]
pub enum KeySource {
    /// `CONSOLE_MASTER_KEY`: nothing is written.
    Env(MasterKey),
    /// A key file, created on first start.
    File(PathBuf),
}

/// Where a key rotation writes the new key before the store switches to it:
/// if the process stops between the two, the next start finishes the job.
pub fn next_key_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".next");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn id(raw: &str) -> ProjectId {
        raw.parse().unwrap()
    }

    fn opened(vault: &Vault, project: &str, sealed: &str) -> Result<String, VaultError> {
        vault
            .open(&id(project), sealed)
            .map(|s| s.expose_secret().to_owned())
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_project_and_key() {
        let vault = Vault::new(&MasterKey::generate());
        let sealed = vault.seal(&id("a"), "token-a");
        assert!(sealed.starts_with("v1.") && !sealed.contains("token-a"));
        assert_eq!(opened(&vault, "a", &sealed).as_deref(), Ok("token-a"));
        // Copied to another project's row.
        assert_eq!(opened(&vault, "b", &sealed), Err(VaultError::WontOpen));
        // Another key.
        let other = Vault::new(&MasterKey::generate());
        assert_eq!(opened(&other, "a", &sealed), Err(VaultError::WontOpen));
        // The same secret seals differently each time (fresh nonce).
        assert_ne!(vault.seal(&id("a"), "token-a"), sealed);
    }

    #[test]
    fn tampered_or_malformed_values_do_not_open() {
        let vault = Vault::new(&MasterKey::generate());
        let sealed = vault.seal(&id("a"), "token-a");
        let mut bytes = STANDARD.decode(&sealed[3..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("v1.{}", STANDARD.encode(&bytes));
        assert_eq!(opened(&vault, "a", &tampered), Err(VaultError::WontOpen));
        for bad in ["", "token-a", "v1.", "v1.!!!", "v2.AAAA", "v1.AAAA"] {
            assert_eq!(
                opened(&vault, "a", bad),
                Err(VaultError::Malformed),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_note_opens_only_in_its_context() {
        use secrecy::ExposeSecret;
        let vault = Vault::new(&MasterKey::generate());
        let sealed = vault.seal_note("parent for staff-1", "the text");
        let opened = vault.open_note("parent for staff-1", &sealed).unwrap();
        assert_eq!(opened.expose_secret(), "the text");
        assert!(vault.open_note("parent for staff-2", &sealed).is_err());
        assert!(!sealed.contains("the text"));
        // Nor does a project's sealed secret open as a note, or the reverse.
        let secret = vault.seal(&id("p1"), "token");
        assert!(vault.open_note("p1", &secret).is_err());
        assert!(vault.open(&id("note"), &sealed).is_err());
    }

    #[test]
    fn the_key_check_recognises_its_key() {
        let key = MasterKey::generate();
        let check = Vault::new(&key).key_check();
        assert!(Vault::new(&key).opens_check(&check));
        assert!(!Vault::new(&MasterKey::generate()).opens_check(&check));
        // A project's sealed value is not a key check.
        let vault = Vault::new(&key);
        assert!(!vault.opens_check(&vault.seal(&id("a"), KEY_CHECK_TEXT)));
    }

    #[test]
    fn key_files_round_trip_with_owner_only_permissions() {
        let dir = std::env::temp_dir().join(format!("vault-test-{}", std::process::id()));
        let path = dir.join("master.key");
        assert!(MasterKey::read_file(&path).unwrap().is_none());
        let key = MasterKey::generate();
        key.write_file(&path).unwrap();
        let read = MasterKey::read_file(&path).unwrap().unwrap();
        assert_eq!(read.to_base64(), key.to_base64());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{key:?}").contains(&key.to_base64()));
        std::fs::write(&path, "short").unwrap();
        assert!(MasterKey::read_file(&path).unwrap_err().contains("base64"));
        std::fs::remove_dir_all(dir).unwrap();
    }
}
