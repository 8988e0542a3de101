//! Where the program keeps its files: the log under the platform's state directory
//! (`~/.local/state/telnyx-setup` on Linux), overridable with `TELNYX_SETUP_LOG`, and
//! the API key the user asked to remember, under the platform's config directory
//! (`~/.config/telnyx-setup/api-key` on Linux, honouring `XDG_CONFIG_HOME`).
//!
//! The key functions come in pairs: `save_key_in(dir, ..)` and friends work on any
//! directory (the tests use a temporary one), and thin wrappers (`save_key`, ..) use
//! the real config directory. Log lines name the key file's path, never the key.
//!
//! The saved key is trusted as ssh trusts a private key, on Unix: the directory is
//! opened without following a symlink and must belong to the effective user and not be
//! writable by group or others; the file is opened inside it without following a
//! symlink, and must be a regular file of the effective user that nobody else can read.
//! The checks are made on what was opened (fstat), not on the paths, so nothing can be
//! swapped in between. Anything else is refused with the reason and the fix.

use crate::secret::Secret;
use directories::ProjectDirs;
use std::fs::File;
#[cfg(not(unix))]
use std::fs::OpenOptions;
use std::io::Read;
#[cfg(not(unix))]
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The log file's path, or `None` when no home directory can be found.
pub fn log_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TELNYX_SETUP_LOG") {
        return Some(PathBuf::from(path));
    }
    default_log_dir().map(|dir| dir.join("telnyx-setup.log"))
}

/// The program's own log directory, used unless `TELNYX_SETUP_LOG` names a file.
fn default_log_dir() -> Option<PathBuf> {
    state_dir()
}

/// The platform state directory (`$XDG_STATE_HOME/telnyx-setup`, by default
/// `~/.local/state/telnyx-setup`, on Linux): the log, the setup journal and the ids
/// of the last finished setup; or wherever `TELNYX_SETUP_STATE_DIR` says (the tests
/// give each run its own). `None` when no home directory can be found.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("TELNYX_SETUP_STATE_DIR").filter(|dir| !dir.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let dirs = ProjectDirs::from("com", "telnyx", "telnyx-setup")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

/// Sends `tracing` output to the log file (appending). The terminal is in raw mode
/// while the app runs, so nothing may be printed to it. Returns the path in use.
///
/// The log names no secret, but it does record what the account holds and does, so it
/// is private: created with mode 0600 (an older, looser log of the user's is narrowed
/// to 0600), in a directory created with mode 0700 (the program's own directory is
/// narrowed to 0700 too), and opened without following a symlink, so a link planted at
/// its path cannot make the program append to another file. Every line is written
/// through [`escape_controls`](crate::sanitize::escape_controls): server text with a
/// newline cannot forge a line, nor an escape sequence act on whoever reads the log.
/// A log that cannot be opened is reported on stderr, and the program runs without.
pub fn init_logging() -> Option<PathBuf> {
    let path = log_file()?;
    let own_dir = std::env::var_os("TELNYX_SETUP_LOG").is_none();
    let file = match open_log(&path, own_dir) {
        Ok(file) => file,
        Err(reason) => {
            // Not eprintln!, which panics on a closed stderr (`2>&1 | head`).
            crate::output::error_line(format_args!(
                "telnyx-setup: warning: not logging to {}: {reason}",
                path.display()
            ));
            return None;
        }
    };
    // Only this program's own events: its log lines are written to name no secret,
    // while the HTTP stack's trace output can include headers (the bearer key).
    let levels = ["error", "warn", "info", "debug", "trace"];
    let level = std::env::var("TELNYX_SETUP_LOG_LEVEL").ok().filter(|l| levels.contains(&l.as_str()));
    let level = level.as_deref().unwrap_or("info");
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,telnyx_setup={level}"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(EscapingWriter(file)))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}

/// Opens the log for appending, privately (see [`init_logging`]). `own_dir`: the
/// directory is the program's own, which may be narrowed to 0700.
fn open_log(path: &Path, own_dir: bool) -> Result<File, String> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        create_private_dir(dir).map_err(|e| e.to_string())?;
        #[cfg(unix)]
        if own_dir {
            unix::narrow_own_dir(dir);
        }
    }
    #[cfg(not(unix))]
    let _ = own_dir;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options
            .mode(0o600)
            .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::CLOEXEC).bits() as i32);
    }
    let file = options.open(path).map_err(|error| {
        #[cfg(unix)]
        if error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
            return "it is a symbolic link; point TELNYX_SETUP_LOG at a file of its own".to_owned();
        }
        error.to_string()
    })?;
    #[cfg(unix)]
    unix::narrow_log(&file)?;
    Ok(file)
}

/// Writes each log line with its control characters escaped (but its final newline),
/// so what the server sent can neither start a forged line nor reach a terminal that
/// shows the log. tracing-subscriber writes one whole line per call.
pub struct EscapingWriter<W>(pub W);

impl<W: std::io::Write> std::io::Write for EscapingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (line, newline) = match buf.strip_suffix(b"\n") {
            Some(line) => (line, true),
            None => (buf, false),
        };
        let text = String::from_utf8_lossy(line);
        self.0.write_all(crate::sanitize::escape_controls(&text).as_bytes())?;
        if newline {
            self.0.write_all(b"\n")?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Where the API key in use came from, so the sign-in screen can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Typed,
    Flag,
    Env,
    /// `--api-key-file`: read from this file.
    File(PathBuf),
    /// `--api-key-stdin`.
    Stdin,
    /// The key the user asked to remember on an earlier run, read from this file.
    Saved(PathBuf),
    /// `--demo`: a key the embedded sandbox accepts.
    Demo,
    /// An account's (`--profile`, `TELNYX_PROFILE`, or the default account): its name
    /// and where its key was read.
    Account {
        name: String,
        store: crate::accounts::Store,
    },
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
    /// The file is a symbolic link, which could point at anyone's file.
    #[error(
        "{path} is a symbolic link, so the saved API key is ignored: it must be a file of yours, not a \
         link to one. Run `telnyx-setup --forget-key` to remove the link, then save the key again"
    )]
    LinkedFile { path: PathBuf },
    /// The config directory is a symbolic link, which could lead to anyone's directory.
    #[error(
        "{path} is a symbolic link, so the saved API key in it is ignored: the directory must be your \
         own. Replace the link with a directory: `rm {path} && mkdir -m 700 {path}`"
    )]
    LinkedDir { path: PathBuf },
    /// The file belongs to another user, who chose the key in it.
    #[error(
        "{path} belongs to user {owner}, not to you (user {you}), so the saved API key is ignored. Run \
         `telnyx-setup --forget-key` to remove it, then save your own key again"
    )]
    ForeignFile { path: PathBuf, owner: u32, you: u32 },
    /// The config directory belongs to another user, who can replace what is in it.
    #[error(
        "{path} belongs to user {owner}, not to you (user {you}), so the saved API key in it is ignored. \
         Move it away and save the key again, which creates a directory of your own: \
         `mv {path} {path}.old`"
    )]
    ForeignDir { path: PathBuf, owner: u32, you: u32 },
    /// Group or others may write to the config directory, so they can replace the key.
    #[error(
        "permissions {mode:04o} for {path} are too open: others could replace the saved API key, so it \
         is ignored. Run `chmod 700 {path}`"
    )]
    DirTooOpen { path: PathBuf, mode: u32 },
    /// Not a regular file (a FIFO, a device, a directory).
    #[error("{path} is not a regular file, so it is ignored; `telnyx-setup --forget-key` removes it")]
    NotAFile { path: PathBuf },
    /// A key file named with `--api-key-file` that others can read, as ssh refuses `-i`.
    #[error(
        "permissions {mode:04o} for {path} are too open: an API key file must be readable by you only. \
         Run `chmod 600 {path}`"
    )]
    GivenTooOpen { path: PathBuf, mode: u32 },
    /// The file holds nothing but whitespace.
    #[error("{path} is empty, so it is ignored; `telnyx-setup --forget-key` removes it")]
    Empty { path: PathBuf },
    #[error("cannot {action} {path}: {source}")]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
}

impl KeyFileError {
    pub(crate) fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Self {
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
/// On Unix the directory must pass the checks [`load_key_from`] makes, so the key is
/// never written where another user could take it or swap it; the temporary file and
/// the rename are made relative to the directory as checked.
pub fn save_key_in(dir: &Path, key: &Secret) -> Result<PathBuf, KeyFileError> {
    let mut text = Zeroizing::new(String::with_capacity(key.expose().len() + 1));
    text.push_str(key.expose());
    text.push('\n');
    let path = save_private_in(dir, KEY_FILE_NAME, text.as_bytes())?;
    tracing::info!(path = %path.display(), "saved the API key");
    Ok(path)
}

/// Writes `text` to the file `name` in `dir`, privately and atomically, as
/// [`save_key_in`] writes the key (the accounts' index and their key files use it too).
pub(crate) fn save_private_in(dir: &Path, name: &str, text: &[u8]) -> Result<PathBuf, KeyFileError> {
    create_private_dir(dir)?;
    let path = dir.join(name);
    let temp = format!(".{name}.{}.tmp", std::process::id());
    #[cfg(unix)]
    unix::save(dir, name, &temp, text)?;
    #[cfg(not(unix))]
    {
        let temp = dir.join(&temp);
        let written = write_private_file(&temp, text)
            .and_then(|()| std::fs::rename(&temp, &path).map_err(KeyFileError::io("replace", &path)));
        if let Err(error) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(error);
        }
        // Makes the rename itself durable; a failure here loses nothing already written.
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(path)
}

/// Reads the key saved in `dir`, trimmed: `Ok(None)` when none is saved. A file that
/// others could read is refused ([`KeyFileError::TooOpen`]) rather than used, and on
/// Unix so is a symlink, a file or directory of another user, or a directory others may
/// write to (see the module's documentation).
pub fn load_key_from(dir: &Path) -> Result<Option<Secret>, KeyFileError> {
    let path = key_file_in(dir);
    let Some(file) = open_private_in(dir, KEY_FILE_NAME)? else { return Ok(None) };
    let key = read_key(file, &path)?;
    tracing::info!(path = %path.display(), "read the saved API key");
    Ok(Some(key))
}

/// Opens the file `name` in `dir` with the checks [`load_key_from`] makes (on Unix: no
/// symlink, the user's own directory and file, nobody else may read it): `Ok(None)`
/// when it does not exist.
pub(crate) fn open_private_in(dir: &Path, name: &str) -> Result<Option<File>, KeyFileError> {
    let path = dir.join(name);
    #[cfg(unix)]
    return unix::open_saved(dir, name, &path);
    #[cfg(not(unix))]
    match File::open(&path) {
        Ok(file) => Ok(Some(file)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(KeyFileError::io("open", &path)(error)),
    }
}

/// The whole text of a file [`open_private_in`] opened; the buffer is wiped when dropped.
pub(crate) fn read_private(mut file: File, path: &Path) -> Result<Zeroizing<String>, KeyFileError> {
    let mut text = Zeroizing::new(String::new());
    file.read_to_string(&mut text).map_err(KeyFileError::io("read", path))?;
    Ok(text)
}

/// Reads the key in the file `--api-key-file` named: the file's text, trimmed. The path
/// is the user's own choice, so a symlink is followed and a file of another user (a
/// secret mounted by root) is accepted; but, as ssh refuses an identity file of yours
/// that others can read, a file of the user's that group or others can read is refused.
pub fn read_key_file(path: &Path) -> Result<Secret, KeyFileError> {
    #[cfg(unix)]
    let file = unix::open_given(path)?;
    #[cfg(not(unix))]
    let file = File::open(path).map_err(KeyFileError::io("open", path))?;
    let key = read_key(file, path)?;
    tracing::info!(path = %path.display(), "read the API key from --api-key-file");
    Ok(key)
}

/// The file's text, trimmed, as a secret; the buffer it was read into is wiped.
pub(crate) fn read_key(file: File, path: &Path) -> Result<Secret, KeyFileError> {
    let text = read_private(file, path)?;
    let key = text.trim();
    if key.is_empty() {
        return Err(KeyFileError::Empty { path: path.to_path_buf() });
    }
    Ok(Secret::new(key))
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
pub(crate) fn create_private_dir(dir: &Path) -> Result<(), KeyFileError> {
    create_private_dir_io(dir).map_err(KeyFileError::io("create", dir))
}

/// Creates `dir` and its parents, mode 0700 where it creates them.
pub(crate) fn create_private_dir_io(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates `path` afresh with mode 0600 from the start, writes the key and flushes it.
#[cfg(not(unix))]
fn write_private_file(path: &Path, text: &[u8]) -> Result<(), KeyFileError> {
    // A stale temporary file from a crashed run would make `create_new` fail.
    let _ = std::fs::remove_file(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(KeyFileError::io("create", path))?;
    file.write_all(text).and_then(|()| file.sync_all()).map_err(KeyFileError::io("write", path))
}

/// The Unix checks: what is opened is checked (fstat), and opened without following a
/// symlink at the last component.
#[cfg(unix)]
mod unix {
    use super::KeyFileError;
    use rustix::fs::{AtFlags, Mode, OFlags};
    use rustix::io::Errno;
    use std::fs::File;
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::path::Path;

    /// The effective user, whom files must belong to: as root, a file of another user is
    /// another user's, though root could read it.
    pub fn effective_uid() -> u32 {
        rustix::process::geteuid().as_raw()
    }

    fn io(action: &'static str, path: &Path, errno: Errno) -> KeyFileError {
        KeyFileError::io(action, path)(errno.into())
    }

    /// Opens the config directory without following a symlink and checks it: the
    /// effective user's, not writable by group or others. `Ok(None)` when it is missing.
    fn open_dir(dir: &Path) -> Result<Option<File>, KeyFileError> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::open(dir, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            // ELOOP (Linux) or ENOTDIR (some BSDs) for a symlink, with O_NOFOLLOW.
            Err(errno @ (Errno::LOOP | Errno::NOTDIR)) => {
                return Err(if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
                    KeyFileError::LinkedDir { path: dir.to_path_buf() }
                } else {
                    io("open", dir, errno)
                });
            }
            Err(errno) => return Err(io("open", dir, errno)),
        };
        let file = File::from(fd);
        let meta = file.metadata().map_err(KeyFileError::io("inspect", dir))?;
        let you = effective_uid();
        if meta.uid() != you {
            tracing::warn!(path = %dir.display(), owner = meta.uid(), "refused a config directory of another user");
            return Err(KeyFileError::ForeignDir { path: dir.to_path_buf(), owner: meta.uid(), you });
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o022 != 0 {
            tracing::warn!(path = %dir.display(), mode = format!("{mode:04o}"), "refused a config directory others may write to");
            return Err(KeyFileError::DirTooOpen { path: dir.to_path_buf(), mode });
        }
        Ok(Some(file))
    }

    /// The saved key file, opened inside the checked directory and checked itself.
    pub fn open_saved(dir: &Path, name: &str, path: &Path) -> Result<Option<File>, KeyFileError> {
        let Some(dir) = open_dir(dir)? else { return Ok(None) };
        // NONBLOCK: a FIFO planted here must not hang the program; NOCTTY: nor a tty.
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&dir, name, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) => return Ok(None),
            Err(Errno::LOOP) => return Err(KeyFileError::LinkedFile { path: path.to_path_buf() }),
            Err(errno) => return Err(io("open", path, errno)),
        };
        let file = File::from(fd);
        let meta = file.metadata().map_err(KeyFileError::io("inspect", path))?;
        if !meta.file_type().is_file() {
            return Err(KeyFileError::NotAFile { path: path.to_path_buf() });
        }
        let you = effective_uid();
        if meta.uid() != you {
            tracing::warn!(path = %path.display(), owner = meta.uid(), "refused a saved API key of another user");
            return Err(KeyFileError::ForeignFile { path: path.to_path_buf(), owner: meta.uid(), you });
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{mode:04o}"), "refused a saved API key readable by others");
            return Err(KeyFileError::TooOpen { path: path.to_path_buf(), mode });
        }
        Ok(Some(file))
    }

    /// The file `--api-key-file` named (symlinks followed: the user chose the path).
    pub fn open_given(path: &Path) -> Result<File, KeyFileError> {
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        let file = File::from(rustix::fs::open(path, flags, Mode::empty()).map_err(|e| io("open", path, e))?);
        let meta = file.metadata().map_err(KeyFileError::io("inspect", path))?;
        if !meta.file_type().is_file() {
            return Err(KeyFileError::NotAFile { path: path.to_path_buf() });
        }
        let mode = meta.permissions().mode() & 0o7777;
        if meta.uid() == effective_uid() && mode & 0o077 != 0 {
            return Err(KeyFileError::GivenTooOpen { path: path.to_path_buf(), mode });
        }
        Ok(file)
    }

    /// The program's own log directory, narrowed to 0700 if an older version left it
    /// open and it is the user's (not a symlink: that is left alone).
    pub fn narrow_own_dir(dir: &Path) {
        let Ok(meta) = std::fs::symlink_metadata(dir) else { return };
        if meta.is_dir() && meta.uid() == effective_uid() && meta.permissions().mode() & 0o077 != 0 {
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }

    /// Checks the opened log: a regular file must be the effective user's, and is made
    /// 0600 if it was looser; a device (`/dev/null`) is left as it is.
    pub fn narrow_log(file: &File) -> Result<(), String> {
        let meta = file.metadata().map_err(|e| e.to_string())?;
        if !meta.file_type().is_file() {
            return Ok(());
        }
        let you = effective_uid();
        if meta.uid() != you {
            return Err(format!("it belongs to user {}, not to you (user {you})", meta.uid()));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Writes `text` to `temp` in the checked directory, created with mode 0600 and
    /// never through a symlink, flushes it and renames it over the file `name`.
    pub fn save(dir_path: &Path, name: &str, temp: &str, text: &[u8]) -> Result<(), KeyFileError> {
        let Some(dir) = open_dir(dir_path)? else {
            return Err(KeyFileError::io("open", dir_path)(std::io::ErrorKind::NotFound.into()));
        };
        let temp_path = dir_path.join(temp);
        let path = dir_path.join(name);
        // A stale temporary file from a crashed run would make O_EXCL fail.
        let _ = rustix::fs::unlinkat(&dir, temp, AtFlags::empty());
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&dir, temp, flags, Mode::from_raw_mode(0o600))
            .map_err(|e| io("create", &temp_path, e))?;
        let mut file = File::from(fd);
        let written = (|| {
            // The umask can only take bits away from 0600; this makes it exactly 0600.
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(KeyFileError::io("protect", &temp_path))?;
            file.write_all(text)
                .and_then(|()| file.sync_all())
                .map_err(KeyFileError::io("write", &temp_path))?;
            rustix::fs::renameat(&dir, temp, &dir, name).map_err(|e| io("replace", &path, e))
        })();
        if let Err(error) = written {
            let _ = rustix::fs::unlinkat(&dir, temp, AtFlags::empty());
            return Err(error);
        }
        // Makes the rename itself durable; a failure here loses nothing already written.
        let _ = rustix::fs::fsync(&dir);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::EscapingWriter;
    use std::io::Write;

    #[test]
    fn log_lines_keep_their_newline_and_nothing_else_raw() {
        let mut out = EscapingWriter(Vec::new());
        write!(out, "INFO detail=\"a\u{1b}]0;x\u{7}\nFORGED\" done\n").unwrap();
        write!(out, "no newline \u{9b}").unwrap();
        assert_eq!(
            String::from_utf8(out.0).unwrap(),
            "INFO detail=\"a\\u{1b}]0;x\\u{7}\\nFORGED\" done\nno newline \\u{9b}"
        );
    }
}
