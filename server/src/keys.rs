//! The server's keys: one master secret, and the keys derived from it with HKDF-SHA256 (RFC
//! 5869), one per purpose, so that a key of one kind can never stand in for another: a
//! candidate token does not verify as a staff token, and neither key computes a candidate
//! code's keyed hash.
//!
//! The master secret comes from `THITUYEN_MASTER_SECRET` or, when that is unset, from the file
//! `master.key` in the data directory, created on first start with mode 0600. A master file
//! that others can read is refused: whoever reads it can sign staff tokens. Rotating the master
//! secret (README, "Keys and rotation") changes every derived key at once.

use std::fmt;
use std::path::{Path, PathBuf};

use hkdf::Hkdf;
use sha2::Sha256;

use crate::error::{AppError, AppResult};
use crate::secrets::random_bytes;

/// The file holding the master secret (hex) inside the data directory.
pub const MASTER_FILE: &str = "master.key";

/// Shortest master secret accepted, in bytes.
pub const MIN_MASTER_LEN: usize = 32;

/// Salt of the extraction step: fixed, it only separates this scheme from any other use of
/// the same secret.
const SALT: &[u8] = b"thituyen-keys-v1";

/// A derived key, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl Key {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(***)")
    }
}

impl std::ops::Deref for Key {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// Every key the server uses, each derived from the master secret under its own label.
#[derive(Clone, Debug)]
pub struct Keys {
    /// Signs and verifies staff tokens.
    pub staff_jwt: Key,
    /// Signs and verifies candidate tokens.
    pub candidate_jwt: Key,
    /// Keys the hash of candidate codes (PINs) stored with each sitting.
    pub candidate_codes: Key,
}

impl Keys {
    /// Derives the three keys from `master`. Same master, same keys: tokens and stored PIN
    /// hashes survive a restart.
    pub fn derive(master: &[u8]) -> Keys {
        let hk = Hkdf::<Sha256>::new(Some(SALT), master);
        let expand = |label: &str| {
            let mut okm = [0u8; 32];
            // 32 bytes is far below HKDF-SHA256's limit of 255 × 32, so this cannot fail.
            if hk.expand(label.as_bytes(), &mut okm).is_err() {
                unreachable!("HKDF-SHA256 output of 32 bytes is always valid");
            }
            Key(okm)
        };
        Keys {
            staff_jwt: expand("staff-token"),
            candidate_jwt: expand("candidate-token"),
            candidate_codes: expand("candidate-code"),
        }
    }

    /// Fresh random keys, for tests.
    pub fn random() -> Keys {
        Keys::derive(&random_bytes())
    }
}

/// Where the master secret lives in `data_dir`.
pub fn master_path(data_dir: &Path) -> PathBuf {
    data_dir.join(MASTER_FILE)
}

/// The master secret from `master.key` in `data_dir`, generated (mode 0600) when missing.
pub fn load_or_create_master(data_dir: &Path) -> AppResult<Vec<u8>> {
    let path = master_path(data_dir);
    if path.exists() {
        return read_master(&path);
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AppError::internal(format!("cannot create {}: {e}", data_dir.display())))?;
    let key = random_bytes().to_vec();
    write_private(&path, &hex::encode(&key), false)?;
    Ok(key)
}

/// Replaces the master secret in `data_dir` with a new random one. Every token signed before
/// and every candidate code issued before stop working (README, "Keys and rotation").
pub fn rotate_master(data_dir: &Path) -> AppResult<PathBuf> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| AppError::internal(format!("cannot create {}: {e}", data_dir.display())))?;
    let path = master_path(data_dir);
    write_private(&path, &hex::encode(random_bytes()), true)?;
    Ok(path)
}

fn read_master(path: &Path) -> AppResult<Vec<u8>> {
    refuse_if_shared(path)?;
    let text = std::fs::read_to_string(path)
        .map_err(|e| AppError::internal(format!("cannot read {}: {e}", path.display())))?;
    match hex::decode(text.trim()) {
        Ok(key) if key.len() >= MIN_MASTER_LEN => Ok(key),
        _ => Err(AppError::internal(format!(
            "{} must hold at least {MIN_MASTER_LEN} bytes as hex; delete it to generate a new one \
             (this signs everyone out and invalidates issued candidate codes)",
            path.display()
        ))),
    }
}

/// Refuses a master file that its group or others can read or write.
#[cfg(unix)]
fn refuse_if_shared(path: &Path) -> AppResult<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| AppError::internal(format!("cannot read {}: {e}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(AppError::internal(format!(
            "{} is readable by other accounts (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_shared(_path: &Path) -> AppResult<()> {
    Ok(())
}

/// Writes `text` to `path` readable by the owner only. With `replace`, the new content goes to
/// a temporary file first and is renamed over the old one, so a crash leaves one whole key.
fn write_private(path: &Path, text: &str, replace: bool) -> AppResult<()> {
    use std::io::Write;
    let target = if replace {
        path.with_extension("key.new")
    } else {
        path.to_path_buf()
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let fail =
        |e: std::io::Error| AppError::internal(format!("cannot write {}: {e}", target.display()));
    let mut file = options.open(&target).map_err(fail)?;
    // `mode` applies only when the file is created: tighten a leftover temporary file too.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    file.write_all(text.as_bytes()).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    if replace {
        std::fs::rename(&target, path)
            .map_err(|e| AppError::internal(format!("cannot replace {}: {e}", path.display())))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key_and_the_same_master_gives_the_same_keys() {
        let keys = Keys::derive(&[7u8; 32]);
        assert_ne!(keys.staff_jwt, keys.candidate_jwt);
        assert_ne!(keys.staff_jwt, keys.candidate_codes);
        assert_ne!(keys.candidate_jwt, keys.candidate_codes);
        assert_eq!(keys.staff_jwt, Keys::derive(&[7u8; 32]).staff_jwt);
        assert_ne!(keys.staff_jwt, Keys::derive(&[8u8; 32]).staff_jwt);
        assert_eq!(format!("{keys:?}").matches("***").count(), 3);
    }

    #[test]
    fn hkdf_sha256_matches_the_rfc_5869_test_vector() {
        // RFC 5869, appendix A.1: proves the derivation is standard HKDF-SHA256.
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0x00..=0x0c).collect();
        let info: Vec<u8> = (0xf0..=0xf9).collect();
        let mut okm = [0u8; 42];
        Hkdf::<Sha256>::new(Some(&salt), &ikm)
            .expand(&info, &mut okm)
            .unwrap();
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_master_file_is_created_owner_only_and_kept_across_starts() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_master(dir.path()).unwrap();
        let mode = std::fs::metadata(master_path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_or_create_master(dir.path()).unwrap(), first);
    }

    #[cfg(unix)]
    #[test]
    fn a_master_file_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        load_or_create_master(dir.path()).unwrap();
        let path = master_path(dir.path());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_or_create_master(dir.path()).unwrap_err().to_string();
        assert!(err.contains("chmod 600"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn rotation_writes_a_new_owner_only_master_and_changes_every_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let old = Keys::derive(&load_or_create_master(dir.path()).unwrap());
        let path = rotate_master(dir.path()).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let new = Keys::derive(&load_or_create_master(dir.path()).unwrap());
        assert_ne!(old.staff_jwt, new.staff_jwt);
        assert_ne!(old.candidate_jwt, new.candidate_jwt);
        assert_ne!(old.candidate_codes, new.candidate_codes);
    }
}
