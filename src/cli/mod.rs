//! The command line: the arguments every command shares ([`Cli`]), the subcommands
//! ([`Command`]), one file each with its clap `Args` and its `run`, and what they share:
//! where the API is ([`api_target`]), the client the commands without a terminal use
//! ([`connect`]), the error reporter ([`problem`]), the `[y/N]` prompt ([`prompt`]) and
//! where the API key comes from ([`key`]). `main.rs` parses, installs the hooks, starts
//! the runtime and dispatches; the wizard itself starts in [`crate::wizard`].
//!
//! Nothing here imports the TUI's state machine (`state/`): what a setup is, the
//! commands take from [`crate::setup`], as the wizard does.

/// std's `eprintln!` panics when stderr is a closed pipe (`2>&1 | head`); this one, which
/// shadows it in this module and the subcommands' files, writes what it can and carries
/// on. stdout goes through [`output::print`], whose caller decides what a closed pipe
/// means.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::output::error_line(format_args!($($arg)*))
    };
}

pub mod accounts;
pub mod completions;
pub mod doctor;
pub mod inspect;
pub mod key;
pub mod man;
pub mod problem;
pub mod prompt;
pub mod sandbox;
pub mod setup;
pub mod status;
pub mod token;

use crate::api::{ApiBase, Client, DEFAULT_API_BASE, http_client_for};
use crate::config::{self, KeySource};
use crate::crash::Crash;
use crate::output;
use crate::sandbox::{FaultPlan, FaultRule, Sandbox, Seed};
use crate::secret::Secret;
use crate::signaling::SignalingUrl;
use clap::{CommandFactory, Parser, Subcommand};
use key::fallback_key;
use problem::Problem;
use std::process::ExitCode;
use std::sync::Arc;

/// The exit status of usage errors and API errors (1 is a failed check).
pub const USAGE_ERROR: u8 = 2;
/// Exit status after Ctrl-C: 128 + SIGINT, as shells report an interrupted command.
pub const INTERRUPTED: u8 = 130;

/// The key `--demo` fills in; the sandbox accepts any key starting with `KEY`.
pub const DEMO_KEY: &str = "KEY_DEMO_SANDBOX";

/// The `--help` heading of the options every command takes, listed after the command's
/// own (as gh lists its inherited flags), so `setup --help` shows setup's first.
pub const GLOBAL_OPTIONS: &str = "Global options";
/// The heading of the options only the embedded sandbox reads (`--demo`, `sandbox`):
/// apart, so nobody looks for them to change what Telnyx does.
pub const SANDBOX_OPTIONS: &str = "Sandbox options (with --demo or `sandbox`)";

/// Set up Telnyx WebRTC calling from the terminal: API key to login token.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Telnyx API key: better in TELNYX_API_KEY than here. While the program runs, any user
    /// of this machine can read a command line in `ps`, and it stays in the shell's
    /// history; a variable is seen by you (and root) only. --api-key-file and
    /// --api-key-stdin keep the key out of both. With none of them, --profile's key or
    /// the one saved with "Remember this key" is used, else the wizard asks for it
    #[arg(
        long,
        global = true,
        env = "TELNYX_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        help_heading = GLOBAL_OPTIONS
    )]
    pub api_key: Option<String>,

    /// Read the API key from this file (its text, trimmed), which only you may be able to
    /// read: the key stays out of `ps` and shell history
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "api_key_stdin", help_heading = GLOBAL_OPTIONS)]
    pub api_key_file: Option<std::path::PathBuf>,

    /// Read the API key from standard input (one line), e.g. from a password manager:
    /// `pass show telnyx | telnyx-setup --api-key-stdin`
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    pub api_key_stdin: bool,

    /// The account whose key to use: one added with `telnyx-setup accounts add` (kept in
    /// the OS keyring), or a profile of Telnyx's own CLI (~/.config/telnyx/config.json).
    /// `telnyx-setup accounts` lists them. The flag wins over TELNYX_API_KEY; the
    /// variable TELNYX_PROFILE does not
    #[arg(long, global = true, env = "TELNYX_PROFILE", value_name = "NAME", help_heading = GLOBAL_OPTIONS)]
    pub profile: Option<String>,

    /// The key the command line gave, once read (see `given_key`).
    #[arg(skip)]
    pub given: Option<(Secret, KeySource)>,

    /// Base URL of the Telnyx API
    #[arg(
        long,
        global = true,
        env = "TELNYX_API_BASE",
        value_name = "URL",
        default_value = DEFAULT_API_BASE,
        help_heading = GLOBAL_OPTIONS
    )]
    pub api_base: String,

    /// `api_base` came from `TELNYX_API_BASE`, not the flag (set from the matches), so
    /// the sign-in screen names where it came from.
    #[arg(skip)]
    pub api_base_from_env: bool,

    /// Include the SIP passwords and the login token in the summary printed on exit
    #[arg(long)]
    pub print_secrets: bool,

    /// How long one API request may take before it counts as failed (e.g. 10s, 1m);
    /// reads are then retried, and a create is looked up before it is tried again
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        default_value = "30s",
        value_parser = parse_timeout,
        help_heading = GLOBAL_OPTIONS
    )]
    pub timeout: std::time::Duration,

    /// With --demo or `sandbox`: active phone numbers the sandbox account starts with
    /// (at most 100000)
    #[arg(
        long,
        global = true,
        value_name = "N",
        default_value_t = 0,
        value_parser = parse_count,
        help_heading = SANDBOX_OPTIONS
    )]
    pub seed_numbers: usize,

    /// With --demo or `sandbox`: make the sandbox misbehave, as METHOD PATH=FAULT[:N|%N],
    /// e.g. 'POST /number_orders=timeout:1' or 'GET *=503:2' (repeatable; the README has
    /// the syntax)
    #[arg(
        long = "fault",
        global = true,
        value_name = "RULE",
        value_parser = <FaultRule as std::str::FromStr>::from_str,
        help_heading = SANDBOX_OPTIONS
    )]
    pub faults: Vec<FaultRule>,

    /// With --demo or `sandbox`: delay every answer of the sandbox by this much (e.g. 200ms)
    #[arg(
        long,
        global = true,
        value_name = "DURATION",
        value_parser = humantime::parse_duration,
        help_heading = SANDBOX_OPTIONS
    )]
    pub latency: Option<std::time::Duration>,

    /// Run against an embedded sandbox of the Telnyx API (overrides --api-base):
    /// nothing reaches Telnyx
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    pub demo: bool,

    /// Where the login test (`t` on the token screen, `doctor --login-test`) logs in:
    /// Telnyx's WebRTC signaling server, or, when the API is on this machine (--demo, a
    /// `telnyx-setup sandbox`), its /rtc; ws:// is accepted for this machine only
    /// [default: wss://rtc.telnyx.com]
    #[arg(long, global = true, env = "TELNYX_SIGNALING_URL", value_name = "URL", help_heading = GLOBAL_OPTIONS)]
    pub signaling_url: Option<String>,

    /// Allow an http:// --api-base on another machine, though the API key then
    /// travels unencrypted (loopback needs no flag)
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    pub insecure_http: bool,

    /// Start a new setup: ignore the setup journal (which lets a second run continue the
    /// first instead of making everything twice) and what earlier runs made
    #[arg(long)]
    pub fresh: bool,

    /// Remove the API key saved with "Remember this key", then exit
    #[arg(long)]
    pub forget_key: bool,

    /// Crash on purpose: panic in the UI on the first key press, or in the API worker
    /// on its first request. Exists for the tests that prove the terminal is restored
    /// however the program ends (tests/it/terminal_restore.rs)
    #[arg(long, hide = true, value_enum, value_name = "WHERE")]
    pub simulate_crash: Option<Crash>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the Telnyx API sandbox (and its WebRTC signaling at /rtc) until interrupted;
    /// prints its base URL first
    Sandbox(sandbox::SandboxArgs),
    /// Browse the account read-only: connections, profiles, numbers, orders,
    /// credentials and balance, with their relations and the doctor; given a TARGET, open
    /// on that record (or, with --json, print it and its relations)
    Inspect(inspect::InspectArgs),
    /// Check a credential connection for everything that stops WebRTC calls. Exits 0
    /// when no check fails, 1 when one does, 2 on usage or API errors
    // The usage line clap would make lists the global options given (`--api-key <KEY>
    // --api-base <URL>`) as if they were required.
    #[command(
        override_usage = "telnyx-setup doctor --connection <ID|NAME> [--destination <+E164>] [--login-test] [--report <FILE>] [--json] [--verbose] [OPTIONS]\n       telnyx-setup doctor --all [--destination <+E164>] [--json] [--verbose] [OPTIONS]"
    )]
    Doctor(doctor::DoctorArgs),
    /// Print a fresh login token (a JWT, valid 24 hours) for a telephony credential:
    /// stdout holds the token and a newline, and nothing else. Exits 2 on usage or API
    /// errors, with the reason on stderr
    #[command(
        override_usage = "telnyx-setup token [--credential <ID> | --connection <ID|NAME> [--create]] [--json | --env | --copy] [OPTIONS]"
    )]
    Token(token::TokenArgs),
    /// Set up WebRTC calling without the wizard: a connection, its codecs, a profile and
    /// its countries, numbers, a credential and a login token, from flags. Reuses what
    /// exists (by id or exact name), so running it again makes nothing new. Progress
    /// goes to stderr; exit 0 on success, 2 on usage or API errors
    #[command(
        override_usage = "telnyx-setup setup [--connection <NAME|ID>] [--voice-profile <NAME|ID>] [--countries <LIST>] [--credential <NAME|ID>] [--yes | --dry-run] [--json] [OPTIONS]"
    )]
    Setup(setup::SetupArgs),
    /// The accounts this machine knows (keys in the OS keyring, or Telnyx's CLI's
    /// profiles): list them, add, remove, choose the default; `--profile NAME` picks one
    Accounts(accounts::AccountsArgs),
    /// Check every account's key at once (GET /balance; --profile NAME: that account
    /// only): one line each, ✓ with the balance or ✗ with the reason. Exits 0 when every
    /// key works, 1 when one does not, 2 on usage errors
    Status(status::StatusArgs),
    /// Print a shell completion script: bash, zsh, fish or powershell
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff), or a subcommand's (`man token`)
    Man(man::ManArgs),
}

/// Where API calls go: a sandbox started here under `--demo` (it lives as long as the
/// returned handle), or `--api-base`.
pub async fn api_target(cli: &Cli) -> Result<(ApiBase, Option<Sandbox>), String> {
    if !cli.demo {
        // Faults are the sandbox's: ignoring them silently against Telnyx would mislead.
        if !cli.faults.is_empty() || cli.latency.is_some() {
            return Err("--fault and --latency apply only to the sandbox: add --demo, or run \
                        `telnyx-setup sandbox`"
                .to_owned());
        }
        let base = ApiBase::parse(&cli.api_base).map_err(|e| format!("--api-base: {e}"))?;
        // Refused before any request: the first one would carry the key in clear.
        if base.needs_insecure_flag() && !cli.insecure_http {
            return Err(format!(
                "--api-base {}: plain HTTP to {} would send the API key unencrypted; use https://, \
                 or pass --insecure-http to allow it",
                base.as_str(),
                base.host()
            ));
        }
        return Ok((base, None));
    }
    let seed = sandbox_seed(cli);
    let sandbox =
        Sandbox::start_local(&seed).await.map_err(|e| format!("cannot start the demo sandbox: {e}"))?;
    let base = ApiBase::parse(&sandbox.base_url()).map_err(|e| format!("sandbox URL: {e}"))?;
    Ok((base, Some(sandbox)))
}

/// Where the login test logs in: `--signaling-url` (or `TELNYX_SIGNALING_URL`) when
/// given, else the `/rtc` of an API on this machine (the sandbox of `--demo` or of
/// `telnyx-setup sandbox`), else Telnyx's server.
pub fn signaling_target(cli: &Cli, base: &ApiBase) -> Result<SignalingUrl, String> {
    match &cli.signaling_url {
        Some(url) => SignalingUrl::parse(url).map_err(|e| format!("--signaling-url: {e}")),
        None => Ok(SignalingUrl::for_api_base(base)),
    }
}

/// The command line, with the log file's path (which depends on the environment) in
/// `--help`, and examples in `doctor --help`.
pub fn command() -> clap::Command {
    let log = match config::log_file() {
        Some(path) => path.display().to_string(),
        None => "none: no home directory was found; set TELNYX_SETUP_LOG".to_owned(),
    };
    let log = format!(
        "Log file: {log}\n(TELNYX_SETUP_LOG=FILE writes it elsewhere, TELNYX_SETUP_LOG_LEVEL=debug writes more)"
    );
    let doctor = format!(
        "Examples:\n  \
         telnyx-setup doctor --connection 1293384261075731402 --destination +14155550123\n  \
         telnyx-setup doctor --connection \"Office softphones\" --json\n  \
         telnyx-setup doctor --demo --connection \"Office softphones\" --verbose\n  \
         telnyx-setup doctor --connection 1293384261075731402 --login-test\n  \
         telnyx-setup doctor --all\n  \
         telnyx-setup doctor --connection \"Office softphones\" --report ticket.json\n\n\
         The API key comes from --api-key, TELNYX_API_KEY, an account (--profile NAME, TELNYX_PROFILE,\n\
         the default account), or the key saved with \"Remember this key\"; --demo checks the embedded\n\
         sandbox instead.\n\n{log}"
    );
    let token = format!(
        "Examples:\n  \
         telnyx-setup token --credential c215ade3-0d39-418e-94be-c5f780760199\n  \
         telnyx-setup token --connection \"Office softphones\" --create --json\n  \
         telnyx-setup token --env >> .env.local\n  \
         telnyx-setup token --demo --connection \"Office softphones\" --create --copy\n\n\
         With neither --credential nor --connection, the credential of the last setup finished on\n\
         this machine with this key is used (the setup journal in {state}\n\
         holds its ids, never a secret).\n\
         The API key comes from TELNYX_API_KEY, --api-key-file, --api-key-stdin, an account\n\
         (--profile NAME, TELNYX_PROFILE, the default account), or the key saved with \"Remember this key\".\n\n{log}",
        state = config::state_dir()
            .map(|dir| dir.display().to_string())
            .unwrap_or_else(|| "the state directory: none was found; set TELNYX_SETUP_STATE_DIR".to_owned())
    );
    let sandbox = format!(
        "Examples:\n  \
         telnyx-setup sandbox                         # prints http://127.0.0.1:PORT/v2, then serves\n  \
         telnyx-setup sandbox --port 4010 --verbose --seed-numbers 100\n  \
         telnyx-setup sandbox --fault 'POST /number_orders=timeout:1'\n\n{log}"
    );
    let inspect = format!(
        "Examples:\n  \
         telnyx-setup inspect                         # the key from TELNYX_API_KEY or the saved key\n  \
         telnyx-setup inspect --demo --seed-numbers 10000\n  \
         telnyx-setup inspect +1 312 555 0199         # straight to a record pasted from a ticket\n  \
         telnyx-setup inspect gencredAbC123@sip.telnyx.com --json\n  \
         telnyx-setup --profile acme-prod inspect 1293384261075731402\n\n\
         TARGET is a connection or profile id, a credential or order UUID, a phone number (E.164\n\
         or digits) or a SIP user name; when it could be several records, you pick one.\n\n{log}"
    );
    let accounts = format!(
        "Examples:\n  \
         telnyx-setup accounts                        # the accounts, where each key lives, the default\n  \
         telnyx-setup accounts add acme-prod          # asks for the key (masked), checks it, keeps it\n  \
         pass show telnyx/acme | telnyx-setup accounts add acme-prod --default\n  \
         telnyx-setup --profile acme-prod doctor --all\n  \
         telnyx-setup accounts remove acme-prod\n\n\
         Keys go to the OS keyring (the Secret Service on Linux), or, where none answers, to a file\n\
         only you can read in {config}. Telnyx's own CLI's profiles\n\
         (~/.config/telnyx/config.json) are accounts too, read-only. The key saved with \"Remember\n\
         this key\" is the account \"default\".\n\n{log}",
        config = config::config_dir()
            .map(|dir| dir.display().to_string())
            .unwrap_or_else(|| "the config directory (none was found)".to_owned())
    );
    let status = format!(
        "Examples:\n  \
         telnyx-setup status                          # ✓ or ✗ for each account, with its balance\n  \
         telnyx-setup status --json | jq '.accounts[] | select(.ok | not) | .name'\n  \
         telnyx-setup --profile acme-prod status      # that account only\n\n\
         The accounts are those `telnyx-setup accounts` lists.\n\n{log}"
    );
    let completions = "Examples:\n  \
         telnyx-setup completions bash > ~/.local/share/bash-completion/completions/telnyx-setup\n  \
         telnyx-setup completions zsh > \"${fpath[1]}/_telnyx-setup\"\n  \
         telnyx-setup completions fish > ~/.config/fish/completions/telnyx-setup.fish\n  \
         telnyx-setup completions powershell >> $PROFILE";
    let man = "Examples:\n  \
         telnyx-setup man | man -l -\n  \
         telnyx-setup man token > ~/.local/share/man/man1/telnyx-setup-token.1";
    let root = format!(
        "Examples:\n  \
         telnyx-setup --demo                          # the wizard against the embedded sandbox\n  \
         TELNYX_API_KEY=KEY... telnyx-setup           # the wizard against your account\n  \
         telnyx-setup token                           # tomorrow's login token\n\n{log}"
    );
    let setup = format!(
        "Examples:\n  \
         telnyx-setup setup --dry-run                 # the plan, with the curl of each write; sends only GETs\n  \
         telnyx-setup setup --yes --connection \"Office softphones\" --countries US,CA,IE\n  \
         telnyx-setup setup --yes --buy-numbers 1 --number-country US --area-code 312 --json\n  \
         telnyx-setup setup --demo --yes --print-secrets\n\n\
         Without --yes it asks once [y/N] on a terminal, and changes nothing without one. Run\n\
         twice, it finds what the first run made and says \"nothing to change\".\n\n{log}"
    );
    Cli::command()
        .after_help(root)
        .mut_subcommand("setup", |command| command.after_help(setup))
        .mut_subcommand("inspect", |command| command.after_help(inspect))
        .mut_subcommand("accounts", |command| command.after_help(accounts))
        .mut_subcommand("status", |command| command.after_help(status))
        .mut_subcommand("completions", |command| command.after_help(completions))
        .mut_subcommand("man", |command| command.after_help(man))
        .mut_subcommand("doctor", |command| command.after_help(doctor))
        .mut_subcommand("token", |command| command.after_help(token))
        .mut_subcommand("sandbox", |command| command.after_help(sandbox))
}

/// The account and faults a sandbox started here (`sandbox` or `--demo`) begins with.
pub fn sandbox_seed(cli: &Cli) -> Seed {
    Seed {
        phone_numbers: cli.seed_numbers,
        faults: FaultPlan::new(cli.faults.clone(), cli.latency.unwrap_or_default()),
        ..Seed::default()
    }
}

/// What to say when `--insecure-http` let a plain HTTP base through.
pub fn plain_http_warning(base: &ApiBase) -> Option<String> {
    base.needs_insecure_flag()
        .then(|| format!("Plain HTTP to {}: the API key travels unencrypted", base.host()))
}

/// The client the commands without a terminal (`doctor`, `token`, `setup`) use: the
/// API `--demo` or `--api-base` names (a sandbox started here lives as long as the
/// returned handle), with the key from the command line, `TELNYX_API_KEY`, or the saved
/// key. `verbose` writes each request and retry to stderr.
pub async fn connect(
    cli: &Cli,
    who: &'static str,
    verbose: bool,
) -> Result<(Client, Option<Sandbox>), Problem> {
    let (base, sandbox) = api_target(cli).await.map_err(|e| Problem::usage(e).of(who))?;
    if let Some(warning) = plain_http_warning(&base) {
        eprintln!("telnyx-setup {who}: warning: {warning}");
    }
    let mut key = cli.given.clone();
    if key.is_none() {
        let (found, warning) = fallback_key(cli);
        if let Some(warning) = warning {
            eprintln!("telnyx-setup {who}: warning: {warning}");
        }
        key = found;
    }
    let Some((key, source)) = key else {
        return Err(Problem::usage(format!(
            "an API key is needed: TELNYX_API_KEY, --api-key-file, --api-key-stdin, an account \
             (--profile NAME, added with `telnyx-setup accounts add NAME`), or a key saved with \
             \"Remember this key\" (or --demo, to try the {who} on the sandbox)"
        ))
        .of(who));
    };
    // A refused key's fix then names the account it came from.
    if let KeySource::Account { name, .. } = &source {
        problem::key_of_account(name);
    }
    let mut client = Client::new(http_client_for(&base, cli.timeout), base, key);
    if verbose {
        client = client.on_request(Arc::new(|request| eprintln!("{request}"))).on_retry(Arc::new(|notice| {
            let wait = notice.wait.as_millis();
            eprintln!("retrying ({}/{}) after {}, in {wait} ms", notice.attempt, notice.of, notice.reason);
        }));
    }
    Ok((client, sandbox))
}

/// Prints generated `what` on stdout: exit 0, also when the reader left early.
pub fn print_or_fail(text: &str, what: &str) -> ExitCode {
    match output::print(text) {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("telnyx-setup: cannot print {what}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A count (`--seed-numbers`): a whole number, 0 or more.
fn parse_count(text: &str) -> Result<usize, String> {
    let count: usize =
        text.trim().parse().map_err(|_| format!("expected a whole number such as 0 or 10, not {text:?}"))?;
    let max = crate::sandbox::MAX_SEED_NUMBERS;
    if count > max {
        return Err(format!("at most {max} numbers: the sandbox keeps every one in memory"));
    }
    Ok(count)
}

/// `--timeout`: a humantime duration (`500ms`, `10s`, `1m`), at least 100 ms.
fn parse_timeout(text: &str) -> Result<std::time::Duration, String> {
    let timeout = humantime::parse_duration(text).map_err(|e| format!("{e} (write e.g. 10s or 500ms)"))?;
    if timeout < std::time::Duration::from_millis(100) {
        return Err("must be at least 100ms".into());
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// `setup --voice-profile` is the outbound voice profile, never the account.
    #[test]
    fn the_account_and_the_voice_profile_are_two_flags() {
        let cli = Cli::try_parse_from(["telnyx-setup", "setup", "--voice-profile", "Lobby"]).unwrap();
        assert_eq!(cli.profile, None);
        let cli =
            Cli::try_parse_from(["telnyx-setup", "--profile", "acme", "setup", "--voice-profile", "Lobby"])
                .unwrap();
        assert_eq!(cli.profile.as_deref(), Some("acme"));
        let cli = Cli::try_parse_from(["telnyx-setup", "doctor", "--all", "--profile", "acme"]).unwrap();
        assert_eq!(cli.profile.as_deref(), Some("acme"));
    }
}
