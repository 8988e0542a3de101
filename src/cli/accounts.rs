//! `telnyx-setup accounts`: the accounts this machine knows ([`crate::accounts`]):
//! list them, add one (its key typed masked, or piped, and checked with Telnyx first),
//! remove one, choose the default.

use super::problem::Problem;
use super::{Cli, INTERRUPTED, api_target, print_or_fail};
use crate::accounts::{Account, Accounts, Store, check_name, keyring_name};
use crate::api::{Client, http_client_for};
use crate::sanitize::Escaped;
use crate::secret::Secret;
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AccountsArgs {
    #[command(subcommand)]
    action: Option<AccountsAction>,
    /// Print the list as JSON: `{"default": NAME, "accounts": [{"name", "store", "path", "default"}]}`
    #[arg(long)]
    json: bool,
}

#[derive(clap::Subcommand, Debug)]
enum AccountsAction {
    /// List the accounts, where each key lives, and which is the default (as `accounts`)
    List {
        /// Print the list as JSON
        #[arg(long)]
        json: bool,
    },
    /// Add an account, or give it a new key: the key is typed (masked) on a terminal, or
    /// read from standard input (one line); Telnyx checks it (GET /balance) before it is
    /// saved, in the OS keyring, else in a file only you can read
    Add {
        /// The account's name: letters, digits, '-', '_' or '.' (e.g. acme-prod)
        name: String,
        /// Make it the default account too (the first account added is the default)
        #[arg(long)]
        default: bool,
    },
    /// Remove an account and its key (a profile of Telnyx's CLI is that CLI's to remove)
    Remove {
        /// The account's name
        name: String,
    },
    /// Make an account the default: the one used when no key, --profile or
    /// TELNYX_PROFILE is given
    Default {
        /// The account's name (one of ours, or a profile of Telnyx's CLI)
        name: String,
    },
}

impl AccountsArgs {
    pub async fn run(&self, cli: &Cli) -> ExitCode {
        let outcome = match &self.action {
            None => list(self.json),
            Some(AccountsAction::List { json }) => list(*json || self.json),
            Some(AccountsAction::Add { name, default }) => add(cli, name, *default).await,
            Some(AccountsAction::Remove { name }) => remove(name),
            Some(AccountsAction::Default { name }) => set_default(name),
        };
        match outcome {
            Ok(code) => code,
            Err(problem) => problem.of("accounts").report(false),
        }
    }
}

fn load() -> Result<Accounts, Problem> {
    Accounts::of_user().map_err(Problem::usage)
}

/// The list: one line each, `*` marking the default; or JSON.
fn list(json: bool) -> Result<ExitCode, Problem> {
    let accounts = load()?;
    if let Some(why) = &accounts.cli_refused {
        eprintln!("telnyx-setup accounts: warning: Telnyx CLI's profiles were not read: {}", Escaped(why));
    }
    let listed = accounts.list();
    if json {
        let each: Vec<_> = listed
            .iter()
            .map(|a| json!({"name": a.name, "store": a.store.kind(), "path": a.store.path(), "default": a.default}))
            .collect();
        let text = format!("{:#}\n", json!({"default": accounts.default_name(), "accounts": each}));
        return Ok(print_or_fail(&text, "the accounts"));
    }
    if listed.is_empty() {
        eprintln!(
            "No accounts yet: `telnyx-setup accounts add NAME` adds one (the key saved with \"Remember this key\" \
             is the account \"default\")."
        );
        return Ok(ExitCode::SUCCESS);
    }
    Ok(print_or_fail(&table(&listed), "the accounts"))
}

/// `  NAME  KEY IN` lines, the default marked with `*`, and what the mark means.
pub fn table(accounts: &[Account]) -> String {
    let width = accounts.iter().map(|a| a.name.chars().count()).max().unwrap_or(0).max(4);
    let mut text = format!("  {:width$}  KEY IN\n", "NAME");
    for account in accounts {
        let mark = if account.default { '*' } else { ' ' };
        let name = Escaped(&account.name).to_string();
        let store = Escaped(&account.store.to_string()).to_string();
        text.push_str(&format!("{mark} {name:width$}  {store}\n"));
    }
    if accounts.iter().any(|a| a.default) {
        text.push_str("(* the default: used when no key, --profile or TELNYX_PROFILE is given)\n");
    }
    text
}

/// Reads the key, has Telnyx check it, saves it, and says where.
async fn add(cli: &Cli, name: &str, default: bool) -> Result<ExitCode, Problem> {
    check_name(name).map_err(Problem::usage)?;
    let mut accounts = load()?;
    let key = match read_key(name) {
        Ok(Some(key)) => key,
        Ok(None) => return Ok(ExitCode::from(INTERRUPTED)),
        Err(message) => return Err(Problem::usage(message)),
    };
    // Checked before anything is written: a key Telnyx refuses is never saved.
    let (base, _sandbox) = api_target(cli).await.map_err(Problem::usage)?;
    let client = Client::new(http_client_for(&base, cli.timeout), base, key.clone());
    let balance = client.balance().await.map_err(|error| {
        let mut problem = Problem::api_of("accounts", &error);
        problem.message = match (&error, error.advice()) {
            // The fix is this same command with the right key, not another way to give one.
            (crate::api::ApiError::Unauthorized(_), Some(advice)) => format!(
                "the key was not saved: {error}. {advice}, then run `telnyx-setup accounts add {name}` again."
            ),
            _ => format!("the key was not saved: {}", problem.message),
        };
        problem
    })?;
    eprintln!(
        "Telnyx accepted the key (balance {} {}).",
        Escaped(&balance.balance),
        Escaped(&balance.currency)
    );
    let saved = accounts
        .add(name, &key, default)
        .map_err(|message| Problem { kind: "internal", ..Problem::usage(message) })?;
    let where_ = match (&saved.store, &saved.keyring_refused) {
        (Store::File(path), Some(why)) => format!(
            "in {} (only you can read it): {} did not answer ({})",
            path.display(),
            keyring_name(),
            why
        ),
        (store, _) => format!("in {store}"),
    };
    let is_default = accounts.default_name().as_deref() == Some(name);
    let default_note = if is_default { " (the default account)" } else { "" };
    Ok(print_or_fail(&format!("Saved account {name}{default_note} {}\n", Escaped(&where_)), "what was saved"))
}

/// The key to add: the first line of standard input when it is not a terminal, else
/// typed on the terminal, masked. `Ok(None)`: the typing was cancelled.
fn read_key(name: &str) -> Result<Option<Secret>, String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return super::key::key_from_line(&mut std::io::stdin().lock())
            .map(Some)
            .map_err(|e| e.replace("--api-key-stdin", "accounts add"));
    }
    super::prompt::masked(&format!("API key for account {name} (masked; Enter to save, Esc to cancel): "))
}

fn remove(name: &str) -> Result<ExitCode, Problem> {
    let mut accounts = load()?;
    let was_default = accounts.default_name().as_deref() == Some(name);
    let store = accounts.remove(name).map_err(Problem::usage)?;
    let from = match &store {
        Store::File(path) => path.display().to_string(),
        other => other.to_string(),
    };
    // Removing the default leaves a command without a key to fall back on: say which
    // account is the default now, or how to choose one.
    let now = match accounts.default_name() {
        _ if !was_default => String::new(),
        Some(other) => format!("The default account is now {}.\n", Escaped(&other)),
        None if accounts.list().is_empty() => String::new(),
        None => {
            "There is no default account now: `telnyx-setup accounts default NAME` chooses one.\n".to_owned()
        }
    };
    Ok(print_or_fail(
        &format!("Removed account {name} and its key from {}\n{now}", Escaped(&from)),
        "what was removed",
    ))
}

fn set_default(name: &str) -> Result<ExitCode, Problem> {
    let mut accounts = load()?;
    accounts.set_default(name).map_err(Problem::usage)?;
    Ok(print_or_fail(&format!("The default account is now {}\n", Escaped(name)), "the default"))
}
