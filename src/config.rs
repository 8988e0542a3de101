//! Where the program keeps its files: the log under the platform's state directory
//! (`~/.local/state/telnyx-setup` on Linux), overridable with `TELNYX_SETUP_LOG`, and
//! the API key the user asked to remember, under the platform's config directory
//! (`~/.config/telnyx-setup/api-key` on Linux, honouring `XDG_CONFIG_HOME`).
//!
//! The key functions come in pairs: `save_key_in(dir, ..)` and friends work on any
//! directory (the tests use a temporary one), and thin wrappers (`save_key`, ..) use
//! the real config directory. Log lines name the key file's path, never the key.

use crate::secret::Secret;
use directories::ProjectDirs;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The log file's path, or `None` when no home directory can be found.
pub fn log_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TELNYX_SETUP_LOG") {
        return Some(PathBuf::from(path));
    }
    let dirs = ProjectDirs::from("com", "telnyx", "telnyx-setup")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("telnyx-setup.log"))
}

/// Sends `tracing` output to the log file (appending). The terminal is in raw mode
/// while the app runs, so nothing may be printed to it. Returns the path in use.
pub fn init_logging() -> Option<PathBuf> {
    let path = log_file()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).ok()?;
    // Only this program's own events: its log lines are written to name no secret,
    // while the HTTP stack's trace output can include headers (the bearer key).
    let levels = ["error", "warn", "info", "debug", "trace"];
    let level = std::env::var("TELNYX_SETUP_LOG_LEVEL").ok().filter(|l| levels.contains(&l.as_str()));
    let level = level.as_deref().unwrap_or("info");
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,telnyx_setup={level}"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}

/// The saved API key's file name inside the config directory.
pub const KEY_FILE_NAME: &str = "api-key";

/// Why a saved key could not be saved, read or removed.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// No home directory, so no platform config directory either.
    #[error("no home directory, so there is no config directory to keep the key in")]
    NoConfigDir,
    /// The file can be read by other users: refused, as ssh refuses such private keys.
    #[error(
        "permissions {mode:04o} for {path} are too open: a saved API key must be readable by you only, \
         so it is ignored. Run `chmod 600 {path}`, or `telnyx-setup --forget-key` to remove it"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    /// The file holds nothing but whitespace.
    #[error("{path} is empty, so it is ignored; `telnyx-setup --forget-key` removes it")]
    Empty { path: PathBuf },
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
}

impl KeyFileError {
    fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.to_path_buf();
        move |source| Self::Io { action, path, source }
    }
}

/// What `--forget-key` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forgotten {
    Removed(PathBuf),
    NothingSaved(PathBuf),
}

impl std::fmt::Display for Forgotten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Removed(path) => write!(f, "Removed {}", path.display()),
            Self::NothingSaved(path) => write!(f, "No saved key at {}", path.display()),
        }
    }
}

/// The platform config directory (`$XDG_CONFIG_HOME/telnyx-setup`, by default
/// `~/.config/telnyx-setup`, on Linux), or `None` when no home directory can be found.
pub fn config_dir() -> Option<PathBuf> {
    ProjectDirs::from("com", "telnyx", "telnyx-setup").map(|dirs| dirs.config_dir().to_path_buf())
}

/// Where a key saved in `dir` lives.
pub fn key_file_in(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE_NAME)
}

/// Saves `key` in the config directory; see [`save_key_in`].
pub fn save_key(key: &Secret) -> Result<PathBuf, KeyFileError> {
    let saved = config_dir().ok_or(KeyFileError::NoConfigDir).and_then(|dir| save_key_in(&dir, key));
    if let Err(error) = &saved {
        // The message names the path and the OS error, never the key.
        tracing::warn!(%error, "could not save the API key");
    }
    saved
}

/// The saved key and its path, if one is saved; see [`load_key_from`].
pub fn load_key() -> Result<Option<(Secret, PathBuf)>, KeyFileError> {
    let dir = config_dir().ok_or(KeyFileError::NoConfigDir)?;
    Ok(load_key_from(&dir)?.map(|key| (key, key_file_in(&dir))))
}

/// Removes the saved key; see [`forget_key_in`].
pub fn forget_key() -> Result<Forgotten, KeyFileError> {
    forget_key_in(&config_dir().ok_or(KeyFileError::NoConfigDir)?)
}

/// Writes `key` to `dir/api-key`, replacing an earlier key, and returns the file's path.
///
/// The key is never readable by anyone else, not even for an instant: `dir` is created
/// with mode 0700 when missing, and the key goes to a temporary file created with mode
/// 0600 in the same directory, is flushed to disk, then renamed over the old file (an
/// atomic replace, so a crash leaves the old key or the new one, never half of one).
pub fn save_key_in(dir: &Path, key: &Secret) -> Result<PathBuf, KeyFileError> {
    create_private_dir(dir)?;
    let path = key_file_in(dir);
    let temp = dir.join(format!(".{KEY_FILE_NAME}.{}.tmp", std::process::id()));
    let written = write_private_file(&temp, key)
        .and_then(|()| std::fs::rename(&temp, &path).map_err(KeyFileError::io("replace", &path)));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(error);
    }
    // Makes the rename itself durable; a failure here loses nothing already written.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    tracing::info!(path = %path.display(), "saved the API key");
    Ok(path)
}

/// Reads the key saved in `dir`, trimmed: `Ok(None)` when none is saved. A file that
/// others could read is refused ([`KeyFileError::TooOpen`]) rather than used.
pub fn load_key_from(dir: &Path) -> Result<Option<Secret>, KeyFileError> {
    let path = key_file_in(dir);
    let mut file = match File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(KeyFileError::io("open", &path)(error)),
    };
    // The mode of the file opened (fstat), not of whatever the path names a moment later.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().map_err(KeyFileError::io("inspect", &path))?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:04o}", mode & 0o7777), "refused a saved API key readable by others");
            return Err(KeyFileError::TooOpen { path, mode: mode & 0o7777 });
        }
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(KeyFileError::io("read", &path))?;
    let key = text.trim();
    if key.is_empty() {
        return Err(KeyFileError::Empty { path });
    }
    tracing::info!(path = %path.display(), "read the saved API key");
    Ok(Some(Secret::new(key)))
}

/// Removes the key saved in `dir`, saying whether there was one.
pub fn forget_key_in(dir: &Path) -> Result<Forgotten, KeyFileError> {
    let path = key_file_in(dir);
    match std::fs::remove_file(&path) {
        Ok(()) => {
            tracing::info!(path = %path.display(), "removed the saved API key");
            Ok(Forgotten::Removed(path))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Forgotten::NothingSaved(path)),
        Err(error) => Err(KeyFileError::io("remove", &path)(error)),
    }
}

/// Creates `dir` (and missing parents) with mode 0700. An existing directory is left as
/// it is: it may be shared with other files the user set up on purpose.
fn create_private_dir(dir: &Path) -> Result<(), KeyFileError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(KeyFileError::io("create", dir))
}

/// Creates `path` afresh with mode 0600 from the start, writes the key and flushes it.
fn write_private_file(path: &Path, key: &Secret) -> Result<(), KeyFileError> {
    // A stale temporary file from a crashed run would make `create_new` fail.
    let _ = std::fs::remove_file(path);
    let mut options = OpenOptions::new();
    // `create_new` never follows a symlink someone left at the temporary name.
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(KeyFileError::io("create", path))?;
    // The umask can only take bits away from 0600; setting it on the open file makes
    // the mode exactly 0600 whatever the umask.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(KeyFileError::io("protect", path))?;
    }
    file.write_all(key.expose().as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .map_err(KeyFileError::io("write", path))
}
