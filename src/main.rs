//! The binary: arguments, logging, the runtime, then the wizard or the sandbox.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use telnyx_setup::api::{ApiBase, Client, DEFAULT_API_BASE, http_client};
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{KeySource, Mode, Start, State};
use telnyx_setup::{app, config, summary};

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

    /// With --demo or `sandbox`: active phone numbers the sandbox account starts with
    #[arg(long, global = true, value_name = "N", default_value_t = 0)]
    seed_numbers: usize,

    /// Run against an embedded sandbox of the Telnyx API (overrides --api-base):
    /// nothing reaches Telnyx
    #[arg(long, global = true)]
    demo: bool,

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
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("telnyx-setup: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let log = config::init_logging();
    let result = match cli.command {
        Some(Command::Sandbox { host, port }) => {
            runtime.block_on(serve_sandbox(SocketAddr::new(host, port), cli.seed_numbers))
        }
        Some(Command::Doctor { ref connection, ref destination, json }) => {
            let outcome = runtime.block_on(doctor(&cli, connection, destination.as_deref(), json));
            runtime.shutdown_background();
            return outcome;
        }
        Some(Command::Inspect) => runtime.block_on(wizard(&cli, &matches, utc_offset, Mode::Inspector)),
        None => runtime.block_on(wizard(&cli, &matches, utc_offset, Mode::Wizard)),
    };
    // Requests still in flight are abandoned rather than awaited.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("telnyx-setup: {message}");
            if let Some(log) = log {
                eprintln!("The log is at {}", log.display());
            }
            ExitCode::FAILURE
        }
    }
}

/// The terminal app, as the setup wizard or the read-only inspector.
async fn wizard(
    cli: &Cli,
    matches: &ArgMatches,
    utc_offset: time::UtcOffset,
    mode: Mode,
) -> Result<(), String> {
    let mut key = cli.api_key.as_deref().map(Secret::from);
    let mut key_source = match matches.value_source("api_key") {
        Some(ValueSource::EnvVariable) => KeySource::Env,
        Some(_) if key.is_some() => KeySource::Flag,
        _ => KeySource::Typed,
    };
    let (base, sandbox) = api_target(cli).await?;
    if cli.demo && key.is_none() {
        key = Some(Secret::from(DEMO_KEY));
        key_source = KeySource::Demo;
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
    let result = app::run(base, State::new(start)).await.map_err(|e| e.to_string());
    drop(sandbox);
    // Printed after the terminal is restored, so it stays on screen.
    let state = result?;
    if mode == Mode::Wizard {
        print!("{}", summary::text(&state.ctx.setup, cli.print_secrets));
    }
    Ok(())
}

/// Where API calls go: a sandbox started here under `--demo` (it lives as long as the
/// returned handle), or `--api-base`.
async fn api_target(cli: &Cli) -> Result<(ApiBase, Option<Sandbox>), String> {
    if !cli.demo {
        return Ok((ApiBase::parse(&cli.api_base).map_err(|e| format!("--api-base: {e}"))?, None));
    }
    let seed = Seed { phone_numbers: cli.seed_numbers, ..Seed::default() };
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
    let key = cli.api_key.as_deref().or(cli.demo.then_some(DEMO_KEY)).map(Secret::from);
    let Some(key) = key else {
        eprintln!("telnyx-setup doctor: an API key is needed (--api-key or TELNYX_API_KEY)");
        return ExitCode::from(USAGE_OR_API_ERROR);
    };
    let client = Client::new(http_client(), base, key);
    let facts = match telnyx_setup::doctor::gather(&client, connection, destination, true).await {
        Ok(facts) => facts,
        Err(error) => {
            eprintln!("telnyx-setup doctor: {error}. {}", error.hint());
            return ExitCode::from(USAGE_OR_API_ERROR);
        }
    };
    let report = telnyx_setup::doctor::diagnose(&facts);
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprintln!("telnyx-setup doctor: {error}");
                return ExitCode::from(USAGE_OR_API_ERROR);
            }
        }
    } else {
        print!("{report}");
    }
    if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

async fn serve_sandbox(addr: SocketAddr, phone_numbers: usize) -> Result<(), String> {
    let seed = Seed { phone_numbers, ..Seed::default() };
    let sandbox = Sandbox::start(addr, &seed).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    // The first line on stdout is the base URL, for scripts and tests to read.
    println!("{}", sandbox.base_url());
    eprintln!("Telnyx API sandbox: keys starting with KEY are accepted. Ctrl-C stops it.");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
