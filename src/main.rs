//! The binary: arguments, logging, the runtime, then the wizard or the sandbox.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use telnyx_setup::api::{ApiBase, Client, DEFAULT_API_BASE, http_client_with_timeout};
use telnyx_setup::crash::{self, Crash};
use telnyx_setup::sandbox::{FaultPlan, FaultRule, Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{KeySource, Mode, Start, State, Step};
use telnyx_setup::tty::Tty;
use telnyx_setup::{app, config, output, summary};

/// std's `eprintln!` panics when stderr is a closed pipe (`2>&1 | head`); this one, which
/// shadows it in this file, writes what it can and carries on. stdout goes through
/// [`output::print`], whose caller decides what a closed pipe means.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        output::error_line(format_args!($($arg)*))
    };
}

/// The exit status of usage errors and API errors (1 is a failed check).
const USAGE_ERROR: u8 = 2;

/// The key `--demo` fills in; the sandbox accepts any key starting with `KEY`.
const DEMO_KEY: &str = "KEY_DEMO_SANDBOX";

/// Set up Telnyx WebRTC calling from the terminal: API key to login token.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Telnyx API key (otherwise typed on the first screen)
    #[arg(long, global = true, env = "TELNYX_API_KEY", hide_env_values = true, value_name = "KEY")]
    api_key: Option<String>,

    /// Base URL of the Telnyx API
    #[arg(long, global = true, env = "TELNYX_API_BASE", value_name = "URL", default_value = DEFAULT_API_BASE)]
    api_base: String,

    /// Include the SIP passwords and the login token in the summary printed on exit
    #[arg(long)]
    print_secrets: bool,

    /// How long one API request may take before it counts as failed (e.g. 10s, 1m);
    /// reads are then retried, and a create is looked up before it is tried again
    #[arg(long, global = true, value_name = "DURATION", default_value = "30s", value_parser = parse_timeout)]
    timeout: std::time::Duration,

    /// With --demo or `sandbox`: active phone numbers the sandbox account starts with
    #[arg(long, global = true, value_name = "N", default_value_t = 0)]
    seed_numbers: usize,

    /// With --demo or `sandbox`: make the sandbox misbehave, as METHOD PATH=FAULT[:N|%N],
    /// e.g. 'POST /number_orders=timeout:1' or 'GET *=503:2' (repeatable; the README has
    /// the syntax)
    #[arg(
        long = "fault",
        global = true,
        value_name = "RULE",
        value_parser = <FaultRule as std::str::FromStr>::from_str
    )]
    faults: Vec<FaultRule>,

    /// With --demo or `sandbox`: delay every answer of the sandbox by this much (e.g. 200ms)
    #[arg(long, global = true, value_name = "DURATION", value_parser = humantime::parse_duration)]
    latency: Option<std::time::Duration>,

    /// Run against an embedded sandbox of the Telnyx API (overrides --api-base):
    /// nothing reaches Telnyx
    #[arg(long, global = true)]
    demo: bool,

    /// Allow an http:// --api-base on another machine, though the API key then
    /// travels unencrypted (loopback needs no flag)
    #[arg(long, global = true)]
    insecure_http: bool,

    /// Remove the API key saved with "Remember this key", then exit
    #[arg(long)]
    forget_key: bool,

    /// Crash on purpose: panic in the UI on the first key press, or in the API worker
    /// on its first request. Exists for the tests that prove the terminal is restored
    /// however the program ends (tests/it/terminal_restore.rs)
    #[arg(long, hide = true, value_enum, value_name = "WHERE")]
    simulate_crash: Option<Crash>,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the Telnyx API sandbox until interrupted; prints its base URL first
    Sandbox {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1")]
        host: IpAddr,
        /// Port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 0)]
        port: u16,
    },
    /// Browse the account read-only: connections, profiles, numbers, orders,
    /// credentials and balance, with their relations and the doctor
    Inspect,
    /// Check a credential connection for everything that stops WebRTC calls. Exits 0
    /// when no check fails, 1 when one does, 2 on usage or API errors
    Doctor {
        /// The credential connection's id
        #[arg(long, value_name = "ID")]
        connection: String,
        /// A number the client should be able to call, in E.164 (+14155550123)
        #[arg(long, value_name = "+E164")]
        destination: Option<String>,
        /// Print one JSON report instead of text
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    // Read while the process has one thread: the time crate refuses it later, since
    // reading the time zone is not thread-safe on Unix.
    let utc_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    if let Some(at) = cli.simulate_crash {
        crash::plan(at);
    }
    if cli.forget_key {
        return forget_key();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("telnyx-setup: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let log = config::init_logging();
    let result = match cli.command {
        Some(Command::Sandbox { host, port }) => runtime
            .block_on(serve_sandbox(SocketAddr::new(host, port), sandbox_seed(&cli)))
            .map_err(Failed::Other),
        Some(Command::Doctor { ref connection, ref destination, json }) => {
            let outcome = runtime.block_on(doctor(&cli, connection, destination.as_deref(), json));
            runtime.shutdown_background();
            return outcome;
        }
        Some(Command::Inspect) | None => {
            let mode = if cli.command.is_some() { Mode::Inspector } else { Mode::Wizard };
            runtime.block_on(async {
                // A mistake in the arguments is said first; then, before the worker
                // starts, the terminal: without one there is nothing to run.
                let target = api_target(&cli).await?;
                let tty = Tty::open().map_err(|error| no_terminal(mode, &error))?;
                wizard(&cli, &matches, utc_offset, mode, tty, target).await
            })
        }
    };
    // Requests still in flight are abandoned rather than awaited.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed::NoTerminal(message)) => {
            eprintln!("telnyx-setup: {message}");
            ExitCode::from(USAGE_ERROR)
        }
        Err(Failed::Other(message)) => {
            eprintln!("telnyx-setup: {message}");
            if let Some(log) = log {
                eprintln!("The log is at {}", log.display());
            }
            ExitCode::FAILURE
        }
    }
}

/// Why the sandbox, the wizard or the inspector stopped short.
enum Failed {
    /// No terminal to draw on: exit 2, with what to run instead.
    NoTerminal(String),
    /// Anything else: exit 1, with the message and where the log is.
    Other(String),
}

impl From<String> for Failed {
    fn from(message: String) -> Self {
        Self::Other(message)
    }
}

/// What to say when there is no terminal for the wizard or the inspector: which
/// commands work without one.
fn no_terminal(mode: Mode, error: &telnyx_setup::tty::NoTerminal) -> Failed {
    let what = if mode == Mode::Wizard { "the wizard" } else { "the inspector" };
    Failed::NoTerminal(format!(
        "{what} needs a terminal to draw on, and this process has none ({error}).\n\
         Without a terminal, use the commands that need none:\n  \
         telnyx-setup doctor --connection ID    check a connection for what stops WebRTC calls\n  \
         telnyx-setup sandbox                   serve the fake Telnyx API\n\
         `telnyx-setup --help` lists every option."
    ))
}

/// The terminal app, as the setup wizard or the read-only inspector, drawn on `tty`.
async fn wizard(
    cli: &Cli,
    matches: &ArgMatches,
    utc_offset: time::UtcOffset,
    mode: Mode,
    tty: Tty,
    (base, sandbox): (ApiBase, Option<Sandbox>),
) -> Result<(), Failed> {
    let mut key = cli.api_key.as_deref().map(Secret::from);
    let mut key_source = match matches.value_source("api_key") {
        Some(ValueSource::EnvVariable) => KeySource::Env,
        Some(_) if key.is_some() => KeySource::Flag,
        _ => KeySource::Typed,
    };
    // Printed now, and shown on the sign-in screen too: the full-screen UI hides stderr.
    let mut warnings: Vec<String> = plain_http_warning(&base).into_iter().collect();
    if key.is_none() {
        let (found, warning) = fallback_key(cli);
        warnings.extend(warning);
        if let Some((found, source)) = found {
            key = Some(found);
            key_source = source;
        }
    }
    for warning in &warnings {
        eprintln!("telnyx-setup: warning: {warning}");
    }
    let start = Start {
        key,
        key_source,
        seed: rand::random(),
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        now: std::time::SystemTime::now(),
        utc_offset,
        mode,
    };
    let http = http_client_with_timeout(cli.timeout);
    let mut state = State::new(start);
    if let Step::SignIn(sign_in) = &mut state.step {
        if cli.demo {
            sign_in.without_remember();
        }
        sign_in.warnings = warnings;
    }
    let result = app::run(tty, base, http, state).await.map_err(|e| e.to_string());
    drop(sandbox);
    // Printed after the terminal is restored, so it stays on screen.
    let state = result?;
    if mode == Mode::Wizard {
        // A closed pipe (`| head`) is not a failure: the setup is done all the same.
        output::print(&summary::text(&state.ctx.setup, cli.print_secrets))
            .map_err(|e| format!("cannot print the summary: {e}"))?;
    }
    Ok(())
}

/// Where API calls go: a sandbox started here under `--demo` (it lives as long as the
/// returned handle), or `--api-base`.
async fn api_target(cli: &Cli) -> Result<(ApiBase, Option<Sandbox>), String> {
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

/// `doctor`: prints the report; exit 0 if nothing failed, 1 if a check failed, 2 when
/// the checks could not run.
async fn doctor(cli: &Cli, connection: &str, destination: Option<&str>, json: bool) -> ExitCode {
    const USAGE_OR_API_ERROR: u8 = 2;
    let (base, _sandbox) = match api_target(cli).await {
        Ok(target) => target,
        Err(message) => {
            eprintln!("telnyx-setup doctor: {message}");
            return ExitCode::from(USAGE_OR_API_ERROR);
        }
    };
    if let Some(warning) = plain_http_warning(&base) {
        eprintln!("telnyx-setup doctor: warning: {warning}");
    }
    let mut key = cli.api_key.as_deref().map(Secret::from);
    if key.is_none() {
        let (found, warning) = fallback_key(cli);
        if let Some(warning) = warning {
            eprintln!("telnyx-setup doctor: warning: {warning}");
        }
        key = found.map(|(key, _)| key);
    }
    let Some(key) = key else {
        eprintln!(
            "telnyx-setup doctor: an API key is needed (--api-key, TELNYX_API_KEY, or a key saved with \
             \"Remember this key\")"
        );
        return ExitCode::from(USAGE_OR_API_ERROR);
    };
    let client = Client::new(http_client_with_timeout(cli.timeout), base, key);
    let facts = match telnyx_setup::doctor::gather(&client, connection, destination, true).await {
        Ok(facts) => facts,
        Err(error) => {
            match error.advice() {
                Some(advice) => eprintln!("telnyx-setup doctor: {error}. {advice}."),
                None => eprintln!("telnyx-setup doctor: {error}. Run it again in a moment."),
            }
            return ExitCode::from(USAGE_OR_API_ERROR);
        }
    };
    let report = telnyx_setup::doctor::diagnose(&facts);
    let text = if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => text + "\n",
            Err(error) => {
                eprintln!("telnyx-setup doctor: {error}");
                return ExitCode::from(USAGE_OR_API_ERROR);
            }
        }
    } else {
        report.to_string()
    };
    // A closed pipe (`| head`) ends the output, not the verdict: the exit status still
    // says whether a check failed.
    if let Err(error) = output::print(&text) {
        eprintln!("telnyx-setup doctor: cannot print the report: {error}");
        return ExitCode::from(USAGE_OR_API_ERROR);
    }
    if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The key to start with when neither `--api-key` nor `TELNYX_API_KEY` gave one: the
/// sandbox's under `--demo` (the saved key is never read then), else the saved key, if
/// any. A saved key that cannot be used (readable by others, unreadable, empty) is not
/// used, and comes back as a warning instead.
fn fallback_key(cli: &Cli) -> (Option<(Secret, KeySource)>, Option<String>) {
    if cli.demo {
        return (Some((Secret::from(DEMO_KEY), KeySource::Demo)), None);
    }
    match config::load_key() {
        Ok(found) => (found.map(|(key, path)| (key, KeySource::Saved(path))), None),
        // No home directory: nothing can have been saved, so there is nothing to say.
        Err(config::KeyFileError::NoConfigDir) => (None, None),
        Err(error) => (None, Some(format!("the saved API key was not used: {error}"))),
    }
}

/// What to say when `--insecure-http` let a plain HTTP base through.
fn plain_http_warning(base: &ApiBase) -> Option<String> {
    base.needs_insecure_flag()
        .then(|| format!("Plain HTTP to {}: the API key travels unencrypted", base.host()))
}

/// `--forget-key`: removes the saved key and says what it did.
fn forget_key() -> ExitCode {
    match config::forget_key() {
        Ok(done) => match output::print(&format!("{done}\n")) {
            Ok(_) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("telnyx-setup: {done}, but it could not be printed: {error}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("telnyx-setup: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The account and faults a sandbox started here (`sandbox` or `--demo`) begins with.
fn sandbox_seed(cli: &Cli) -> Seed {
    Seed {
        phone_numbers: cli.seed_numbers,
        faults: FaultPlan::new(cli.faults.clone(), cli.latency.unwrap_or_default()),
        ..Seed::default()
    }
}

async fn serve_sandbox(addr: SocketAddr, seed: Seed) -> Result<(), String> {
    let sandbox = Sandbox::start(addr, &seed).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    // The first line on stdout is the base URL, for scripts and tests to read. Nobody
    // can have read it when stdout is a closed pipe: stop, quietly.
    let printed = output::print(&format!("{}\n", sandbox.base_url()))
        .map_err(|e| format!("cannot print the sandbox's URL: {e}"))?;
    if printed == output::Printed::ReaderGone {
        return Ok(());
    }
    eprintln!("Telnyx API sandbox: keys starting with KEY are accepted. Ctrl-C stops it.");
    if seed.faults.is_active() {
        eprintln!("Injecting faults: {}", seed.faults);
    }
    wait_for_interrupt().await;
    Ok(())
}

async fn wait_for_interrupt() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
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
}
