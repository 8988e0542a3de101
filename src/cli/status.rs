//! `telnyx-setup status`: every account this machine knows ([`crate::accounts`]) checked
//! at once with `GET /balance`, as `gh auth status` checks its hosts: one line each, ✓
//! with the balance or ✗ with the reason; exit 1 when any key is refused or unreadable.
//! `--profile NAME` (or `TELNYX_PROFILE`) checks that one account only.

use super::problem::Problem;
use super::{Cli, api_target, print_or_fail};
use crate::accounts::{Accounts, Store};
use crate::api::{ApiBase, Balance, Client, http_client_for};
use crate::sanitize::Escaped;
use futures::StreamExt;
use serde_json::json;
use std::process::ExitCode;
use std::sync::Arc;

/// How many accounts are checked at the same time.
const AT_ONCE: usize = 8;

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// Print one JSON object: `{"ok", "accounts": [{"name", "store", "default", "ok",
    /// "balance", "currency", "error", "x_request_id"}]}`
    #[arg(long)]
    json: bool,
}

/// One account's check.
struct Checked {
    name: String,
    store: Store,
    default: bool,
    outcome: Result<Balance, Failure>,
}

/// Why an account's check failed: the message, and Telnyx's `x-request-id` when the
/// answer had one.
struct Failure {
    message: String,
    request_id: Option<String>,
    /// Telnyx refused the key (401): the account needs a new one.
    refused: bool,
}

impl StatusArgs {
    pub async fn run(&self, cli: &Cli) -> ExitCode {
        match self.check(cli).await {
            Ok(code) => code,
            Err(problem) => problem.of("status").report(self.json),
        }
    }

    async fn check(&self, cli: &Cli) -> Result<ExitCode, Problem> {
        let accounts = Accounts::of_user().map_err(Problem::usage)?;
        if let Some(why) = &accounts.cli_refused {
            eprintln!("telnyx-setup status: warning: Telnyx CLI's profiles were not read: {}", Escaped(why));
        }
        let mut listed = accounts.list();
        // `--profile NAME` (or TELNYX_PROFILE) checks that account only, as every command
        // uses that account's key.
        if let Some(name) = cli.profile.as_deref().map(str::trim).filter(|name| !name.is_empty()) {
            listed.retain(|account| account.name == name);
            if listed.is_empty() {
                return Err(Problem::usage(accounts.unknown(name)));
            }
        }
        if listed.is_empty() {
            if self.json {
                return Ok(print_or_fail(
                    &format!("{:#}\n", json!({"ok": true, "accounts": []})),
                    "the status",
                ));
            }
            eprintln!("No accounts yet: `telnyx-setup accounts add NAME` adds one.");
            return Ok(ExitCode::SUCCESS);
        }
        let (base, _sandbox) = api_target(cli).await.map_err(Problem::usage)?;
        // The keys first: up to the first in the keyring one by one, then the rest at once.
        let names: Vec<String> = listed.iter().map(|a| a.name.clone()).collect();
        let alone = listed.iter().position(|a| a.store == Store::Keyring).map_or(0, |first| first + 1);
        let accounts = Arc::new(accounts);
        let keys = read_each(names, alone, move |name| accounts.key_of(name).map(|(key, _)| key))
            .await
            .map_err(|e| Problem { kind: "internal", ..Problem::usage(e.to_string()) })?;
        let http = http_client_for(&base, cli.timeout);
        let checked: Vec<Checked> = futures::stream::iter(listed.into_iter().zip(keys))
            .map(|(account, key)| {
                let (http, base) = (http.clone(), base.clone());
                async move {
                    let outcome = match key {
                        Ok(key) => balance(http, base, key).await.map_err(|mut failure| {
                            if failure.refused {
                                failure.message.push_str(&format!(". {}", new_key_advice(&account)));
                            }
                            failure
                        }),
                        Err(message) => Err(Failure { message, request_id: None, refused: false }),
                    };
                    Checked { name: account.name, store: account.store, default: account.default, outcome }
                }
            })
            .buffered(AT_ONCE)
            .collect()
            .await;
        let broken = checked.iter().any(|c| c.outcome.is_err());
        let printed = if self.json { json_report(&checked, broken) } else { lines(&checked) };
        let printed = print_or_fail(&printed, "the status");
        Ok(if broken { ExitCode::FAILURE } else { printed })
    }
}

/// `read` of each name, in the names' order, each on a blocking thread (a keyring's
/// call blocks, for up to its wait): the first `alone` one by one, so that a locked
/// keyring asks to be unlocked once (by the first keyring read) rather than once per
/// account at the same time; then the rest [`AT_ONCE`] at a time, so a slow keyring
/// costs one wait for them all rather than one per account.
async fn read_each<T: Send + 'static>(
    names: Vec<String>,
    alone: usize,
    read: impl Fn(&str) -> T + Send + Sync + 'static,
) -> Result<Vec<T>, tokio::task::JoinError> {
    let read = Arc::new(read);
    let on_its_thread = |name: String| {
        let read = Arc::clone(&read);
        tokio::task::spawn_blocking(move || read(&name))
    };
    let mut names = names.into_iter();
    let mut read_all = Vec::with_capacity(names.len());
    for name in names.by_ref().take(alone) {
        read_all.push(on_its_thread(name).await?);
    }
    let rest: Vec<_> = futures::stream::iter(names).map(on_its_thread).buffered(AT_ONCE).collect().await;
    for each in rest {
        read_all.push(each?);
    }
    Ok(read_all)
}

async fn balance(
    http: reqwest::Client,
    base: ApiBase,
    key: crate::secret::Secret,
) -> Result<Balance, Failure> {
    let client = Client::new(http, base, key);
    client.balance().await.map_err(|error| Failure {
        request_id: error.request_id().map(str::to_owned),
        message: error.to_string(),
        refused: matches!(error, crate::api::ApiError::Unauthorized(_)),
    })
}

/// What to do about an account whose key Telnyx refused: give it a new one (a profile
/// of Telnyx's CLI is that CLI's to change, or an account of ours by that name hides it).
fn new_key_advice(account: &crate::accounts::Account) -> String {
    let name = &account.name;
    match account.store {
        Store::TelnyxCli(_) => format!(
            "Give profile {name} a new key with Telnyx's CLI, or add one here with `telnyx-setup accounts add {name}`"
        ),
        _ => format!("Give the account a new key with `telnyx-setup accounts add {name}`"),
    }
}

/// `✓ NAME  balance 250.00 USD  (KEY IN)` or `✗ NAME  REASON`, names aligned.
fn lines(checked: &[Checked]) -> String {
    let width = checked.iter().map(|c| c.name.chars().count() + 1).max().unwrap_or(0);
    let mut text = String::new();
    for check in checked {
        // The default account's name ends with `*`, as in `accounts`'s list.
        let name = format!("{}{}", Escaped(&check.name), if check.default { "*" } else { "" });
        let line = match &check.outcome {
            Ok(balance) => format!(
                "✓ {name:width$} balance {} {}  ({})",
                Escaped(&balance.balance),
                Escaped(&balance.currency),
                Escaped(&check.store.to_string())
            ),
            Err(failure) => format!("✗ {name:width$} {}", Escaped(&failure.message)),
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

fn json_report(checked: &[Checked], broken: bool) -> String {
    let accounts: Vec<_> = checked
        .iter()
        .map(|check| {
            let mut entry = json!({
                "name": check.name,
                "store": check.store.kind(),
                "default": check.default,
                "ok": check.outcome.is_ok(),
            });
            match &check.outcome {
                Ok(balance) => {
                    entry["balance"] = json!(balance.balance);
                    entry["currency"] = json!(balance.currency);
                }
                Err(failure) => {
                    entry["error"] = json!(failure.message);
                    entry["x_request_id"] = json!(failure.request_id);
                }
            }
            entry
        })
        .collect();
    format!("{:#}\n", json!({"ok": !broken, "accounts": accounts}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Condvar, Mutex};
    use std::time::{Duration, Instant};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_are_read_at_once_after_the_first_keyring_read_and_kept_in_order() {
        // Reads under way now, and the most at once. A read after the first two waits
        // until all three of those have been under way at once: read in turn, they never
        // would be (it gives up after a while, so that case fails instead of hanging).
        let under_way = Arc::new((Mutex::new((0usize, 0usize)), Condvar::new()));
        let names: Vec<String> = ["file", "ring-1", "ring-2", "ring-3", "ring-4"].map(String::from).into();
        let shared = Arc::clone(&under_way);
        let read = move |name: &str| {
            let (lock, changed) = &*shared;
            let mut now = lock.lock().unwrap();
            now.0 += 1;
            now.1 = now.1.max(now.0);
            let alongside = now.0 - 1;
            changed.notify_all();
            if !matches!(name, "file" | "ring-1") {
                let deadline = Instant::now() + Duration::from_secs(10);
                while now.1 < 3 && Instant::now() < deadline {
                    now = changed.wait_timeout(now, Duration::from_millis(100)).unwrap().0;
                }
            }
            now.0 -= 1;
            changed.notify_all();
            (name.to_owned(), alongside)
        };
        let read = read_each(names.clone(), 2, read).await.unwrap();
        let order: Vec<&String> = read.iter().map(|(name, _)| name).collect();
        assert_eq!(order, names.iter().collect::<Vec<_>>(), "the output keeps the accounts' order");
        assert_eq!((read[0].1, read[1].1), (0, 0), "up to the first keyring read, one at a time");
        assert_eq!(under_way.0.lock().unwrap().1, 3, "the other three at once");
    }
}
