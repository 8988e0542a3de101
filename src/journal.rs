//! The setup journal: what the wizard made and chose on each account, so a second run,
//! or one after a crash, continues that setup instead of making a second one.
//!
//! Telnyx itself is the first witness (what the wizard creates carries
//! [`MARK`](crate::api::MARK)); the journal adds what Telnyx cannot say: which of the
//! records belong to one setup, how far it got, and the reference of an order whose
//! answer never arrived. It holds ids, names, the step reached and that reference:
//! never a key, a password or a token. Accounts are told apart by [`account_id`], a
//! short digest from which no key can be recovered.
//!
//! One file (`setups.json` in the state directory, [`crate::config::state_dir`]) holds a
//! record per account, the [`KEPT`] most recent. It is written before each write the
//! wizard sends (the intent) and after its answer (the result), atomically: a temporary
//! file in the same directory, fsync, rename, mode 0600. A file that cannot be read or
//! trusted is ignored, never fatal: [`load`] says why, and the next save replaces it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file format's version; a file of another version is ignored.
const VERSION: u32 = 1;
/// How many accounts' records the file keeps (the most recently updated): each
/// `--demo` run is an account of its own.
pub const KEPT: usize = 20;
/// A journal larger than this is not read: the program writes a few KiB.
const MAX_BYTES: u64 = 1024 * 1024;
const FILE_NAME: &str = "setups.json";

/// The journal's path: `setups.json` in the state directory; `None` without a home
/// directory.
pub fn path() -> Option<PathBuf> {
    crate::config::state_dir().map(|dir| dir.join(FILE_NAME))
}

/// Names an account without holding its key: a digest of the API's base URL and the
/// key, cut to 64 bits. Enough to tell a user's accounts apart; a key cannot be
/// recovered from it, nor checked against it faster than by asking Telnyx.
pub fn account_id(api_base: &str, key: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"telnyx-setup journal v1\0");
    digest.update(api_base.trim_end_matches('/').as_bytes());
    digest.update(b"\0");
    digest.update(key.as_bytes());
    digest.finalize()[..8].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A record's id and name, as the screens show them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Named {
    pub id: String,
    pub name: String,
}

impl Named {
    pub fn new(id: &str, name: &str) -> Self {
        Self { id: id.to_owned(), name: name.to_owned() }
    }
}

/// A write that was sent and whose answer was not recorded (yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Intent {
    /// A connection with this name and SIP user name.
    CreateConnection {
        name: String,
        user_name: String,
    },
    CreateProfile {
        name: String,
    },
    /// A credential for the setup's connection, with this name (if any).
    CreateCredential {
        name: Option<String>,
    },
    /// Another write (a codec or country change, an attach, a token).
    Update {
        what: String,
    },
}

/// An order the setup placed, or sent and never heard back about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderNote {
    /// Its `customer_reference`, by which it is found.
    pub reference: String,
    /// When it was sent, Unix seconds.
    pub placed_at: i64,
    /// Its id once Telnyx answered.
    pub id: Option<String>,
    /// `pending`, `success` or `failure`, as last seen; `None` before an answer.
    pub status: Option<String>,
    pub numbers: Vec<String>,
}

/// One account's setup.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Record {
    /// Unix seconds.
    pub started_at: i64,
    pub updated_at: i64,
    pub connection: Option<Named>,
    pub codecs_saved: bool,
    pub profile: Option<Named>,
    pub countries_saved: bool,
    /// The numbers step was completed or skipped.
    pub numbers_done: bool,
    pub numbers_skipped: bool,
    pub order: Option<OrderNote>,
    pub credential: Option<Named>,
    /// A token was made: the setup is finished.
    pub finished: bool,
    /// The write in flight when this was saved.
    pub pending: Option<Intent>,
}

impl Record {
    /// The last of the wizard's steps (1-8) this setup completed.
    pub fn reached(&self) -> usize {
        let done = [
            true,
            self.connection.is_some(),
            self.codecs_saved,
            self.profile.is_some(),
            self.countries_saved,
            self.numbers_done,
            self.credential.is_some(),
            self.finished,
        ];
        done.iter().take_while(|done| **done).count()
    }

    /// Nothing was made or chosen yet: not worth keeping or offering.
    pub fn is_empty(&self) -> bool {
        self.connection.is_none() && self.pending.is_none() && self.order.is_none()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    accounts: BTreeMap<String, Record>,
}

/// What [`load`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub accounts: BTreeMap<String, Record>,
    /// Why the file was ignored, for the screen and the log; `None` when it was read or
    /// does not exist.
    pub ignored: Option<String>,
}

/// Reads the journal at `path`. A missing file is an empty journal; one that is not
/// ours to trust (a link, another user's, readable by others), too large, truncated,
/// not JSON or of another version is ignored, with the reason in [`Loaded::ignored`].
pub fn load(path: &Path) -> Loaded {
    match read(path) {
        Ok(Some(file)) => Loaded { accounts: file.accounts, ignored: None },
        Ok(None) => Loaded::default(),
        Err(reason) => {
            let reason = format!("The setup journal {} was ignored: {reason}.", path.display());
            tracing::warn!("{reason}");
            Loaded { accounts: BTreeMap::new(), ignored: Some(reason) }
        }
    }
}

fn read(path: &Path) -> Result<Option<File>, String> {
    let file = match open_private(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error.to_string()),
    };
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_BYTES + 1), &mut text)
        .map_err(|error| format!("it could not be read ({error})"))?;
    if text.len() as u64 > MAX_BYTES {
        return Err("it is larger than a journal can be".to_owned());
    }
    let file: File = serde_json::from_str(&text)
        .map_err(|error| format!("it is not a journal this program wrote ({error})"))?;
    if file.version != VERSION {
        return Err(format!("it is of version {}, and this program reads version {VERSION}", file.version));
    }
    Ok(Some(file))
}

/// Opens `path` for reading if it is a regular file of this user that nobody else can
/// read or write, without following a symbolic link.
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::CLOEXEC).bits() as i32)
            .open(path)
            .map_err(|error| {
                if error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
                    std::io::Error::other("it is a symbolic link")
                } else {
                    error
                }
            })?;
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(std::io::Error::other("it is not a regular file"));
        }
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return Err(std::io::Error::other(format!("it belongs to user {}, not to you", meta.uid())));
        }
        if meta.mode() & 0o077 != 0 {
            return Err(std::io::Error::other(format!(
                "its permissions {:04o} let others read or change it (it should be 0600)",
                meta.mode() & 0o7777
            )));
        }
        Ok(file)
    }
    #[cfg(not(unix))]
    std::fs::File::open(path)
}

/// Saves `record` as `account`'s, keeping the other accounts' records that the file
/// holds (the [`KEPT`] newest), atomically.
pub fn save(path: &Path, account: &str, record: &Record) -> Result<(), String> {
    let mut accounts = read(path).ok().flatten().map(|file| file.accounts).unwrap_or_default();
    accounts.insert(account.to_owned(), record.clone());
    while accounts.len() > KEPT {
        let oldest = accounts.iter().min_by_key(|(_, record)| record.updated_at).map(|(id, _)| id.clone());
        let Some(oldest) = oldest else { break };
        accounts.remove(&oldest);
    }
    let text = serde_json::to_string_pretty(&File { version: VERSION, accounts })
        .map_err(|error| error.to_string())?;
    write_atomically(path, text.as_bytes())
        .map_err(|error| format!("cannot save {}: {error}", path.display()))
}

/// Writes `bytes` to a temporary file beside `path` (mode 0600), syncs it, and renames
/// it over `path`: a crash leaves the old file or the new one, never half of one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    crate::config::create_private_dir_io(dir)?;
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or(FILE_NAME);
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let _ = std::fs::remove_file(&temp);
    let result = (|| {
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        // The directory is not synced too: that second fsync would double the wait
        // before each write, and only a power loss, not a crash, could lose the rename.
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
