//! Accounts: API keys kept under a name, so one machine can serve many Telnyx accounts
//! (`--profile NAME`, `TELNYX_PROFILE`, `telnyx-setup accounts`).
//!
//! A key lives in the OS keyring (the `keyring` crate: the Secret Service on Linux, the
//! Keychain on macOS, the Credential Manager on Windows) under the service
//! [`KEYRING_SERVICE`] and the account's name, as gh and stripe keep theirs. Where no
//! keyring answers (a server without a session bus, a locked keyring that would prompt),
//! the key goes to a file only the user can read instead, with the saved key's checks
//! (`config`): `api-key` for the account named [`DEFAULT_ACCOUNT`] (the key "Remember
//! this key" saves, so the single saved key of earlier versions is that account) and
//! `api-key.NAME` for the others. The index, `accounts.json` beside them, names the
//! accounts, where each key lives and which one is the default; it holds no key.
//!
//! Telnyx's own CLI (`@telnyx/api-cli`) keeps its profiles in
//! `~/.config/telnyx/config.json` (`{"profiles": {NAME: {"apiKey": ..}}, "defaultProfile":
//! NAME}`): they are accounts here too, read-only, and trusted as the saved key is (the
//! user's own file in the user's own directory, which nobody else may read). A name of
//! ours hides the same name there.

use crate::config::{self, KeyFileError};
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The account the key saved by "Remember this key" (the `api-key` file) belongs to.
pub const DEFAULT_ACCOUNT: &str = "default";
/// The keyring's service name; the account's name is the keyring's user name.
pub const KEYRING_SERVICE: &str = "telnyx-setup";
/// The index of the accounts, in the config directory.
pub const INDEX_FILE: &str = "accounts.json";
/// How long a keyring may take to answer before it counts as absent: a keyring that
/// wants to show an unlock prompt nobody can see would otherwise hang the program.
const KEYRING_WAIT: Duration = Duration::from_secs(10);

/// Where an account's key lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    /// The OS keyring.
    Keyring,
    /// A file of ours that only the user can read (no keyring answered when it was saved).
    File(PathBuf),
    /// A profile of Telnyx's own CLI, in this file (read-only here).
    TelnyxCli(PathBuf),
}

impl Store {
    /// A word for scripts (`accounts --json`): `keyring`, `file` or `telnyx-cli`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Keyring => "keyring",
            Self::File(_) => "file",
            Self::TelnyxCli(_) => "telnyx-cli",
        }
    }

    /// The file the key is in, if it is in one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Keyring => None,
            Self::File(path) | Self::TelnyxCli(path) => Some(path),
        }
    }
}

impl std::fmt::Display for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Keyring => f.write_str(keyring_name()),
            Self::File(path) => write!(f, "{}", path.display()),
            Self::TelnyxCli(path) => write!(f, "{} (Telnyx CLI, read-only)", path.display()),
        }
    }
}

/// The OS keyring by its platform's name, for messages.
pub fn keyring_name() -> &'static str {
    if cfg!(target_os = "macos") {
        "the macOS Keychain"
    } else if cfg!(windows) {
        "the Windows Credential Manager"
    } else {
        "the OS keyring (Secret Service)"
    }
}

/// The account whose key is in use, as the screens and questions name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InUse {
    pub name: String,
    /// It is the default account (used when no key or profile is given).
    pub default: bool,
}

/// The account a question before a write names, so a change meant for one customer
/// does not land in another's: the account in use when it is not the default one and
/// the API is Telnyx's production (a sandbox's or a test server's records cost nothing).
pub fn named_in_question(account: Option<&InUse>, production: bool) -> Option<&str> {
    account.filter(|account| production && !account.default).map(|account| account.name.as_str())
}

/// Which account a key from `source` belongs to: the one named, or for the key saved
/// with "Remember this key", [`DEFAULT_ACCOUNT`]; `None` for a key given otherwise.
/// `default` is the default account's name.
pub fn in_use(source: &crate::config::KeySource, default: Option<&str>) -> Option<InUse> {
    let name = match source {
        crate::config::KeySource::Account { name, .. } => name.clone(),
        crate::config::KeySource::Saved(_) => DEFAULT_ACCOUNT.to_owned(),
        _ => return None,
    };
    Some(InUse { default: default == Some(name.as_str()), name })
}

/// The account of the key in use, from the command line's key source, with whether it
/// is the default (read from the user's accounts; unknown counts as not).
pub fn in_use_of_user(source: &crate::config::KeySource) -> Option<InUse> {
    let default = match source {
        crate::config::KeySource::Account { .. } => Accounts::of_user().ok().and_then(|a| a.default_name()),
        // The saved key is read only when it is the default account's.
        crate::config::KeySource::Saved(_) => Some(DEFAULT_ACCOUNT.to_owned()),
        _ => None,
    };
    in_use(source, default.as_deref())
}

/// One account, as `accounts` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub store: Store,
    /// The account used when no key, `--profile` or `TELNYX_PROFILE` is given.
    pub default: bool,
}

/// `accounts.json`: the accounts of ours and where each key lives; the default's name.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Index {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(default)]
    accounts: BTreeMap<String, IndexEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct IndexEntry {
    key: Where,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Where {
    Keyring,
    File,
}

/// Telnyx's CLI's `config.json`.
#[derive(Debug, Default, Deserialize)]
struct CliConfig {
    #[serde(default)]
    profiles: BTreeMap<String, CliProfile>,
    #[serde(default, rename = "defaultProfile")]
    default_profile: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CliProfile {
    #[serde(rename = "apiKey")]
    api_key: Secret,
}

/// Where the accounts are: our config directory, and Telnyx's CLI's config file. The
/// tests point both into a temporary directory.
#[derive(Debug, Clone)]
pub struct Places {
    pub dir: PathBuf,
    pub telnyx_cli: Option<PathBuf>,
}

impl Places {
    /// The real ones: the platform's config directory (`~/.config/telnyx-setup`), and
    /// `~/.config/telnyx/config.json`, where Telnyx's CLI keeps its profiles whatever
    /// the platform. `None` without a home directory.
    pub fn of_user() -> Option<Self> {
        let dir = config::config_dir()?;
        let telnyx_cli = directories::BaseDirs::new()
            .map(|dirs| dirs.home_dir().join(".config").join("telnyx").join("config.json"));
        Some(Self { dir, telnyx_cli })
    }
}

/// The accounts as they are on disk, read once.
#[derive(Debug)]
pub struct Accounts {
    places: Places,
    index: Index,
    /// Telnyx's CLI's profiles (empty when it has no config file).
    cli: CliConfig,
    /// Why Telnyx's CLI's profiles were not read, when they were not.
    pub cli_refused: Option<String>,
}

impl Accounts {
    /// Reads the index and Telnyx's CLI's profiles. A refused or unreadable index is an
    /// error (it would be overwritten otherwise); a refused Telnyx CLI file is said in
    /// [`Accounts::cli_refused`] and its profiles left out.
    pub fn load(places: Places) -> Result<Self, String> {
        let index = read_index(&places.dir)?;
        let (cli, cli_refused) = match places.telnyx_cli.as_deref().map(read_cli_config) {
            None | Some(Ok(None)) => (CliConfig::default(), None),
            Some(Ok(Some(cli))) => (cli, None),
            Some(Err(why)) => (CliConfig::default(), Some(why)),
        };
        Ok(Self { places, index, cli, cli_refused })
    }

    /// [`Accounts::load`] from the user's real places.
    pub fn of_user() -> Result<Self, String> {
        Self::load(Places::of_user().ok_or("no home directory, so there are no accounts")?)
    }

    /// Every account, ours by name first, then Telnyx's CLI's that no name of ours hides.
    pub fn list(&self) -> Vec<Account> {
        let default = self.default_name();
        let mut accounts: Vec<Account> = self
            .own_names()
            .into_iter()
            .map(|name| {
                let store = self.own_store(&name).expect("listed by own_names");
                Account { default: default.as_deref() == Some(name.as_str()), name, store }
            })
            .collect();
        if let Some(path) = &self.places.telnyx_cli {
            for name in self.cli.profiles.keys() {
                if !accounts.iter().any(|a| &a.name == name) {
                    accounts.push(Account {
                        name: name.clone(),
                        store: Store::TelnyxCli(path.clone()),
                        default: default.as_deref() == Some(name.as_str()),
                    });
                }
            }
        }
        accounts
    }

    /// The names of our own accounts: the index's, and [`DEFAULT_ACCOUNT`] when its
    /// file exists (a key saved with "Remember this key").
    fn own_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.index.accounts.keys().cloned().collect();
        if !names.iter().any(|n| n == DEFAULT_ACCOUNT) && self.places.dir.join(config::KEY_FILE_NAME).exists()
        {
            names.push(DEFAULT_ACCOUNT.to_owned());
            names.sort();
        }
        names
    }

    /// Where our own account `name`'s key is, if it is one of ours.
    fn own_store(&self, name: &str) -> Option<Store> {
        match self.index.accounts.get(name) {
            Some(IndexEntry { key: Where::Keyring }) => Some(Store::Keyring),
            Some(IndexEntry { key: Where::File }) => Some(Store::File(key_file(&self.places.dir, name))),
            None if name == DEFAULT_ACCOUNT => {
                let path = key_file(&self.places.dir, name);
                path.exists().then_some(Store::File(path))
            }
            None => None,
        }
    }

    /// The default account's name: the one `accounts default` chose, else
    /// [`DEFAULT_ACCOUNT`] when it exists, else Telnyx's CLI's default profile.
    pub fn default_name(&self) -> Option<String> {
        if let Some(name) = &self.index.default
            && self.exists(name)
        {
            return Some(name.clone());
        }
        if self.own_store(DEFAULT_ACCOUNT).is_some() {
            return Some(DEFAULT_ACCOUNT.to_owned());
        }
        let cli_default = self.cli.default_profile.as_deref().unwrap_or(DEFAULT_ACCOUNT);
        self.cli.profiles.contains_key(cli_default).then(|| cli_default.to_owned())
    }

    /// Whether an account of this name is known (ours or Telnyx's CLI's).
    pub fn exists(&self, name: &str) -> bool {
        self.own_store(name).is_some()
            || (self.places.telnyx_cli.is_some() && self.cli.profiles.contains_key(name))
    }

    /// The key of account `name`, and where it came from. The message of an error says
    /// what failed and what to do (it never holds a key).
    pub fn key_of(&self, name: &str) -> Result<(Secret, Store), String> {
        match self.own_store(name) {
            Some(Store::Keyring) => match keyring_get(name) {
                Ok(Some(key)) => Ok((key, Store::Keyring)),
                Ok(None) => Err(format!(
                    "account {name:?}: its key is missing from {}; add it again with `telnyx-setup accounts add \
                     {name}`",
                    keyring_name()
                )),
                Err(why) => Err(format!(
                    "account {name:?}: its key is in {}, which did not answer ({why})",
                    keyring_name()
                )),
            },
            Some(Store::File(path)) => {
                let file_name = file_name(name);
                let file = config::open_private_in(&self.places.dir, &file_name)
                    .map_err(|e| format!("account {name:?}: {}", own_file_error(e, name)))?
                    .ok_or_else(|| format!("account {name:?}: its key file {} is missing", path.display()))?;
                let key = config::read_key(file, &path).map_err(|e| format!("account {name:?}: {e}"))?;
                Ok((key, Store::File(path)))
            }
            Some(Store::TelnyxCli(_)) => unreachable!("own_store gives our own stores only"),
            None => match (self.cli.profiles.get(name), &self.places.telnyx_cli) {
                (Some(profile), Some(path)) if !profile.api_key.expose().trim().is_empty() => {
                    Ok((Secret::new(profile.api_key.expose().trim()), Store::TelnyxCli(path.clone())))
                }
                (Some(_), Some(path)) => {
                    Err(format!("account {name:?}: its apiKey in {} is empty", path.display()))
                }
                _ => Err(self.unknown(name)),
            },
        }
    }

    /// Where account `name`'s key is, if it is an account.
    pub fn store_of(&self, name: &str) -> Option<Store> {
        self.own_store(name).or_else(|| {
            let path = self.places.telnyx_cli.as_ref()?;
            self.cli.profiles.contains_key(name).then(|| Store::TelnyxCli(path.clone()))
        })
    }

    /// What to say about a name that is no account.
    pub fn unknown(&self, name: &str) -> String {
        let names: Vec<String> = self.list().into_iter().map(|a| a.name).collect();
        let known = if names.is_empty() {
            "there are none yet".to_owned()
        } else {
            format!("the accounts are {}", names.join(", "))
        };
        let refused =
            self.cli_refused.as_deref().map(|why| format!(" (Telnyx CLI's profiles were not read: {why})"));
        // A name no account can have (`--profile "Lobby outbound"`) is most likely an
        // outbound voice profile meant for `setup`: adding it as an account would fail.
        let add = match check_name(name) {
            Ok(()) => format!("add it with `telnyx-setup accounts add {name}`"),
            Err(_) => "--profile names an account (an API key); the outbound voice profile of `telnyx-setup \
                       setup` is --voice-profile"
                .to_owned(),
        };
        format!("no account is named {name:?}: {known}{}; {add}", refused.unwrap_or_default())
    }

    /// Saves `key` as account `name` (replacing its key if it has one): in the OS
    /// keyring, else in a file only the user can read, and says where. `default` also
    /// makes it the default account. The first account added becomes the default.
    pub fn add(&mut self, name: &str, key: &Secret, default: bool) -> Result<Saved, String> {
        check_name(name)?;
        let saved = match keyring_set(name, key) {
            Ok(()) => {
                // The keyring has it now: an older copy in a file would only go stale.
                let _ = std::fs::remove_file(key_file(&self.places.dir, name));
                Saved { store: Store::Keyring, keyring_refused: None }
            }
            Err(why) => {
                let text = zeroize::Zeroizing::new(format!("{}\n", key.expose()));
                let path = config::save_private_in(&self.places.dir, &file_name(name), text.as_bytes())
                    .map_err(|e| {
                        format!(
                            "{} did not answer ({why}), and the file fallback failed: {e}",
                            keyring_name()
                        )
                    })?;
                Saved { store: Store::File(path), keyring_refused: Some(why) }
            }
        };
        let first = self.own_names().is_empty() && self.index.default.is_none();
        let entry =
            IndexEntry { key: if saved.store == Store::Keyring { Where::Keyring } else { Where::File } };
        self.index.accounts.insert(name.to_owned(), entry);
        if default || first {
            self.index.default = Some(name.to_owned());
        }
        self.save_index()?;
        tracing::info!(account = name, store = saved.store.kind(), "saved an account's API key");
        Ok(saved)
    }

    /// Removes account `name`: its key (from the keyring and its file) and its line in
    /// the index. Telnyx's CLI's profiles are that CLI's to remove.
    pub fn remove(&mut self, name: &str) -> Result<Store, String> {
        let Some(store) = self.own_store(name) else {
            if let (Some(path), true) = (&self.places.telnyx_cli, self.cli.profiles.contains_key(name)) {
                return Err(format!(
                    "account {name:?} is a profile of Telnyx's CLI, in {}, which telnyx-setup only reads: remove \
                     it with that CLI",
                    path.display()
                ));
            }
            return Err(self.unknown(name));
        };
        if store == Store::Keyring {
            keyring_delete(name).map_err(|why| {
                format!(
                    "account {name:?}: its key is in {}, which did not answer ({why}); nothing was removed",
                    keyring_name()
                )
            })?;
        }
        let path = key_file(&self.places.dir, name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(format!("cannot remove {}: {error}", path.display())),
        }
        self.index.accounts.remove(name);
        if self.index.default.as_deref() == Some(name) {
            self.index.default = None;
        }
        self.save_index()?;
        tracing::info!(account = name, "removed an account");
        Ok(store)
    }

    /// Makes account `name` (ours or Telnyx's CLI's) the default.
    pub fn set_default(&mut self, name: &str) -> Result<(), String> {
        if !self.exists(name) {
            return Err(self.unknown(name));
        }
        self.index.default = Some(name.to_owned());
        self.save_index()
    }

    fn save_index(&self) -> Result<(), String> {
        let text = serde_json::to_string_pretty(&self.index).map_err(|e| e.to_string())? + "\n";
        config::save_private_in(&self.places.dir, INDEX_FILE, text.as_bytes())
            .map(|_| ())
            .map_err(|e| format!("cannot save the list of accounts: {e}"))
    }
}

/// "Remember this key" (the wizard's sign-in screen): saves `key` as the account
/// [`DEFAULT_ACCOUNT`]'s the way `accounts add` saves a key ([`Accounts::add`]): in the
/// OS keyring, else in the file only the user can read (`api-key`, the saved key of
/// earlier versions), and says which. The next run without a key uses it while that
/// account is the default.
pub fn remember(key: &Secret) -> Result<Saved, String> {
    let saved = Accounts::of_user()?.add(DEFAULT_ACCOUNT, key, false)?;
    tracing::info!(store = saved.store.kind(), "saved the API key (Remember this key)");
    Ok(saved)
}

/// Where [`Accounts::add`] put a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub store: Store,
    /// Why the keyring was not used, when the key went to a file.
    pub keyring_refused: Option<String>,
}

/// An account's name: what a file name and a keyring entry can both hold, and a shell
/// needs no quotes for.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not an account name: use 1 to 64 letters, digits, '-', '_' or '.', starting with a letter \
             or digit (e.g. acme-prod)"
        ))
    }
}

/// The file an account's key goes to when no keyring answers.
fn file_name(name: &str) -> String {
    if name == DEFAULT_ACCOUNT {
        config::KEY_FILE_NAME.to_owned()
    } else {
        format!("{}.{name}", config::KEY_FILE_NAME)
    }
}

fn key_file(dir: &Path, name: &str) -> PathBuf {
    dir.join(file_name(name))
}

/// A refused key file of an account, with the remedy that fits it.
fn own_file_error(error: KeyFileError, name: &str) -> String {
    match error {
        KeyFileError::TooOpen { path, mode } => format!(
            "permissions {mode:04o} for {} are too open: an API key must be readable by you only, so it is \
             ignored. Run `chmod 600 {}`, or `telnyx-setup accounts remove {name}`",
            path.display(),
            path.display()
        ),
        // The saved key's own advice (`--forget-key`) removes the default account's
        // file, not this one.
        KeyFileError::LinkedFile { path } => format!(
            "{} is a symbolic link, so the key is ignored: it must be a file of yours, not a link to one. Run \
             `telnyx-setup accounts remove {name}`, then add the account again",
            path.display()
        ),
        KeyFileError::ForeignFile { path, owner, you } => format!(
            "{} belongs to user {owner}, not to you (user {you}), so the key is ignored. Run `telnyx-setup \
             accounts remove {name}`, then add the account again with your own key",
            path.display()
        ),
        other => other.to_string(),
    }
}

fn read_index(dir: &Path) -> Result<Index, String> {
    let file = match config::open_private_in(dir, INDEX_FILE) {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(Index::default()),
        Err(KeyFileError::TooOpen { path, mode }) => {
            return Err(format!(
                "permissions {mode:04o} for {} are too open: only you may read the list of accounts. Run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
        Err(error) => return Err(error.to_string()),
    };
    let path = dir.join(INDEX_FILE);
    let text = config::read_private(file, &path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a list of accounts ({e}); move it away", path.display()))
}

/// Telnyx's CLI's profiles from its `config.json`, trusted as the saved key is:
/// `Ok(None)` when there is no such file; a file or directory others could read or
/// change is refused with the reason and the fix.
fn read_cli_config(path: &Path) -> Result<Option<CliConfig>, String> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return Ok(None);
    };
    let file = match config::open_private_in(dir, name) {
        Ok(Some(file)) => file,
        Ok(None) => return Ok(None),
        Err(KeyFileError::TooOpen { path, mode }) => {
            return Err(format!(
                "permissions {mode:04o} for {} are too open: it holds API keys, so it must be readable by you only, \
                 and it is ignored. Run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
        // Not the saved key's advice (`--forget-key`): that file is Telnyx's CLI's.
        Err(KeyFileError::LinkedFile { path }) => {
            return Err(format!(
                "{} is a symbolic link, so its profiles are ignored: it must be a file of yours, not a link to \
                 one. Replace the link with the file it points to: `cp --remove-destination \"$(readlink -f {})\" {}`",
                path.display(),
                path.display(),
                path.display()
            ));
        }
        Err(KeyFileError::ForeignFile { path, owner, you }) => {
            return Err(format!(
                "{} belongs to user {owner}, not to you (user {you}), so its profiles are ignored: sign in \
                 with Telnyx's CLI as yourself",
                path.display()
            ));
        }
        Err(error) => return Err(format!("{} is ignored: {error}", path.display())),
    };
    let text = config::read_private(file, path).map_err(|e| e.to_string())?;
    let parsed: CliConfig = serde_json::from_str(&text).map_err(|e| {
        format!("{} is not Telnyx CLI's config ({e}), so its profiles are ignored", path.display())
    })?;
    tracing::info!(path = %path.display(), profiles = parsed.profiles.len(), "read Telnyx CLI's profiles");
    Ok(Some(parsed))
}

/// Runs a keyring operation on a thread of its own, and waits for it at most
/// [`KEYRING_WAIT`]. Its own thread: the Secret Service client blocks on a runtime of
/// its own, which cannot start inside the program's tokio runtime; and a keyring that
/// never answers (an unlock prompt on a screen nobody sees) must not hang the program.
fn keyring_call<T: Send + 'static>(
    name: &str,
    op: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Result<Option<T>, String> {
    let name = name.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let result = keyring::Entry::new(KEYRING_SERVICE, &name).and_then(|entry| op(&entry));
            let _ = tx.send(result);
        })
        .map_err(|e| format!("cannot start a thread: {e}"))?;
    match rx.recv_timeout(KEYRING_WAIT) {
        Ok(Ok(value)) => Ok(Some(value)),
        Ok(Err(keyring::Error::NoEntry)) => Ok(None),
        Ok(Err(error)) => Err(keyring_error(&error)),
        Err(_) => Err(format!("no answer within {} s", KEYRING_WAIT.as_secs())),
    }
}

/// A keyring error in a line (the crate's own Display of a platform failure is long).
fn keyring_error(error: &keyring::Error) -> String {
    match error {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => inner.to_string(),
        other => other.to_string(),
    }
}

/// Stores `key` in the keyring as account `name`.
pub fn keyring_set(name: &str, key: &Secret) -> Result<(), String> {
    let key = key.clone();
    keyring_call(name, move |entry| entry.set_password(key.expose())).map(|_| ())
}

/// Account `name`'s key in the keyring: `Ok(None)` when it has none.
pub fn keyring_get(name: &str) -> Result<Option<Secret>, String> {
    keyring_call(name, |entry| entry.get_password().map(Secret::new))
}

/// Removes account `name`'s key from the keyring (none there is fine).
pub fn keyring_delete(name: &str) -> Result<(), String> {
    keyring_call(name, |entry| entry.delete_credential()).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        for good in ["acme", "acme-prod", "a", "v2.eu_west", DEFAULT_ACCOUNT] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        for bad in ["", "-x", ".hidden", "a/b", "a b", "ümlaut", &"x".repeat(65), "../api-key"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_write_names_a_production_account_that_is_not_the_default() {
        let other = InUse { name: "acme".into(), default: false };
        let default = InUse { name: "mine".into(), default: true };
        assert_eq!(named_in_question(Some(&other), true), Some("acme"));
        assert_eq!(named_in_question(Some(&other), false), None, "not on a sandbox");
        assert_eq!(named_in_question(Some(&default), true), None);
        assert_eq!(named_in_question(None, true), None, "a key given directly names no account");
    }

    #[test]
    fn the_key_source_says_the_account() {
        use crate::config::KeySource;
        let source = KeySource::Account { name: "acme".into(), store: Store::Keyring };
        assert_eq!(in_use(&source, Some("acme")), Some(InUse { name: "acme".into(), default: true }));
        assert_eq!(in_use(&source, Some("other")), Some(InUse { name: "acme".into(), default: false }));
        let saved = KeySource::Saved("/k".into());
        assert_eq!(in_use(&saved, Some(DEFAULT_ACCOUNT)).map(|a| a.name), Some(DEFAULT_ACCOUNT.to_owned()));
        assert_eq!(in_use(&KeySource::Env, Some("acme")), None);
        assert_eq!(in_use(&KeySource::Typed, None), None);
    }

    #[test]
    fn the_default_accounts_file_is_the_saved_key() {
        assert_eq!(file_name(DEFAULT_ACCOUNT), "api-key");
        assert_eq!(file_name("acme"), "api-key.acme");
    }
}
