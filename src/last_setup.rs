//! The last setup finished on this machine, remembered as ids only, so that
//! `telnyx-setup token` with no flag knows which credential to use tomorrow.
//!
//! The wizard (when it quits with a credential) and `telnyx-setup setup` write it; it
//! holds the API base it was made against and the ids of the connection, the profile
//! and the credential, never a key, a password or a token. It lives in the state
//! directory ([`config::state_dir`]) as `last-setup.json`, written privately (0600 in a
//! 0700 directory) and replaced atomically, like the saved key.

use crate::config;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "last-setup.json";

/// The ids of a finished setup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSetup {
    /// The API base URL the ids belong to (`https://api.telnyx.com/v2`).
    pub api_base: String,
    pub connection_id: String,
    #[serde(default)]
    pub profile_id: Option<String>,
    pub credential_id: String,
}

/// Where the record lives in `dir`.
pub fn file_in(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// Remembers `setup` in the state directory; see [`save_in`].
pub fn save(setup: &LastSetup) -> Result<PathBuf, String> {
    let dir = config::state_dir().ok_or("no home directory was found; set TELNYX_SETUP_STATE_DIR")?;
    save_in(&dir, setup)
}

/// Writes `setup` to `dir/last-setup.json` through a temporary file renamed over the
/// old one, so a crash leaves the old record or the new one, never half of one.
pub fn save_in(dir: &Path, setup: &LastSetup) -> Result<PathBuf, String> {
    config::create_private_dir(dir).map_err(|e| e.to_string())?;
    let path = file_in(dir);
    let temp = dir.join(format!(".{FILE_NAME}.{}.tmp", std::process::id()));
    let text = serde_json::to_string_pretty(setup).map_err(|e| e.to_string())? + "\n";
    let written = (|| {
        let _ = std::fs::remove_file(&temp);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write {}: {error}", path.display()));
    }
    tracing::info!(path = %path.display(), "remembered the finished setup's ids");
    Ok(path)
}

/// The last finished setup, if one was remembered; see [`load_from`].
pub fn load() -> Result<Option<LastSetup>, String> {
    match config::state_dir() {
        Some(dir) => load_from(&dir),
        None => Ok(None),
    }
}

/// Reads `dir/last-setup.json`: `Ok(None)` when there is none, an error naming the
/// file when it cannot be read or is not a record of ids.
pub fn load_from(dir: &Path) -> Result<Option<LastSetup>, String> {
    let path = file_in(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| format!("{} is not a record of a setup ({error}); remove it", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setup_is_remembered_and_read_back_privately() {
        let dir = std::env::temp_dir().join(format!("telnyx-setup-last-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(load_from(&dir).unwrap(), None);
        let setup = LastSetup {
            api_base: "http://127.0.0.1:1/v2".into(),
            connection_id: "12".into(),
            profile_id: None,
            credential_id: "c-1".into(),
        };
        let path = save_in(&dir, &setup).unwrap();
        assert_eq!(load_from(&dir).unwrap(), Some(setup));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "not json").unwrap();
        let error = load_from(&dir).unwrap_err();
        assert!(error.contains("not a record"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
