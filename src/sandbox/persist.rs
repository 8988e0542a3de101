//! `sandbox --state FILE`: the account kept across restarts, as LocalStack's
//! persistence keeps its own.
//!
//! The file holds the sandbox's own data, as JSON: the balance, every connection,
//! profile, credential, number order, offered and owned number (SIP passwords
//! included: they are the sandbox's records, made up by it or by its clients), and the
//! key that signs login tokens, so tokens issued before a restart still log in. It
//! never holds an API key: the sandbox keeps none (any key starting with `KEY` is
//! accepted), and the rate limit and idempotency keys, which are kept per key, are not
//! saved. Live state is not saved either: signaling logins and calls end with the
//! process, and an order still pending settles the usual while after the restart.
//!
//! It is rewritten after every successful write and every reset, before the answer is
//! sent, as the journal is (a temporary file beside it, fsync, rename, mode 0600): a
//! client that got its answer finds the change after a restart, and a crash leaves the
//! old file or the new one, never half of one. A file that is not a sandbox's state is
//! a clear error at start, and is left as it was.

use super::numbers::{Inventory, SavedInventory};
use super::store::{Seed, Store, numeric_id};
use serde_json::Value;
use std::path::Path;

/// The file's format; another is refused rather than guessed at.
const VERSION: u32 = 1;

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    version: u32,
    balance: String,
    /// The last numeric id given out; new ones continue from it.
    next_id: u64,
    /// The login token signing key, hex.
    token_key: String,
    connections: Vec<Value>,
    profiles: Vec<Value>,
    credentials: Vec<Value>,
    numbers: SavedInventory,
}

/// The account as the file keeps it.
pub fn snapshot(store: &Store) -> Vec<u8> {
    let saved = Saved {
        version: VERSION,
        balance: store.balance.clone(),
        next_id: store.next_id,
        token_key: store.token_key.iter().map(|byte| format!("{byte:02x}")).collect(),
        connections: store.connections.values().cloned().collect(),
        profiles: store.profiles.values().cloned().collect(),
        credentials: store.credentials.clone(),
        numbers: store.numbers.save(),
    };
    serde_json::to_vec(&saved).unwrap_or_default()
}

/// The account `path` keeps, under `seed`'s settings (faults, limits, scenario):
/// `Ok(None)` when there is no such file yet, `Err` a sentence saying why it cannot be
/// used.
pub fn load(path: &Path, seed: &Seed) -> Result<Option<Store>, String> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(format!("cannot read the state file {}: {error}", path.display())),
    };
    let not_state = |why: String| {
        format!(
            "{} is not a sandbox state file ({why}); give another --state FILE, or remove it to start afresh",
            path.display()
        )
    };
    let saved: Saved = serde_json::from_slice(&text).map_err(|error| not_state(error.to_string()))?;
    if saved.version != VERSION {
        return Err(not_state(format!("format {}, this version reads {VERSION}", saved.version)));
    }
    restore(saved, seed).map(Some).map_err(not_state)
}

fn restore(saved: Saved, seed: &Seed) -> Result<Store, String> {
    let empty = Seed { sample_resources: false, phone_numbers: 0, scenario: None, ..seed.clone() };
    let mut store = Store::new(&empty);
    store.scenario = seed.scenario;
    store.balance = saved.balance;
    store.token_key = parse_key(&saved.token_key).ok_or("the token key is not 64 hex digits")?;
    let numeric = |record: &Value, kind: &str| {
        record["id"].as_str().and_then(numeric_id).ok_or_else(|| format!("a {kind} has no numeric id"))
    };
    for connection in saved.connections {
        store.connections.insert(numeric(&connection, "connection")?, connection);
    }
    for profile in saved.profiles {
        store.profiles.insert(numeric(&profile, "profile")?, profile);
    }
    if saved.credentials.iter().any(|credential| !credential["id"].is_string()) {
        return Err("a credential has no id".into());
    }
    store.credentials = saved.credentials;
    store.numbers = Inventory::restore(saved.numbers, seed.order_settles_after)?;
    let largest = [
        store.connections.keys().next_back().copied().unwrap_or(0),
        store.profiles.keys().next_back().copied().unwrap_or(0),
        store.numbers.largest_id(),
    ];
    store.next_id = saved.next_id.max(largest.into_iter().max().unwrap_or(0));
    Ok(store)
}

fn parse_key(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[index * 2..index * 2 + 2], 16).ok()?;
    }
    Some(key)
}

/// Writes `bytes` to `path` atomically, as the journal writes its file.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::journal::write_atomically(path, bytes)
}
