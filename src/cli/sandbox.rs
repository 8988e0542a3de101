//! `telnyx-setup sandbox`: serves the Telnyx API sandbox ([`crate::sandbox`]) until
//! interrupted.

use super::{Cli, sandbox_seed};
use crate::output;
use crate::sandbox::{Sandbox, Scenario, Seed};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;

/// `sandbox`'s own arguments (the seed and faults are global: `--demo` takes them too).
#[derive(clap::Args, Debug)]
pub struct SandboxArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1", value_parser = parse_host)]
    host: IpAddr,
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 0, value_parser = parse_port)]
    port: u16,
    /// Write each request served to stderr: method, path, status, time taken (never
    /// a key or a body)
    #[arg(long, short)]
    verbose: bool,
    /// Start the account in a known broken state, e.g. no-profile or revoked-key
    /// (--list-scenarios says what each does)
    #[arg(long, value_name = "NAME", value_parser = parse_scenario)]
    scenario: Option<Scenario>,
    /// Limit each key to N requests a second, as Telnyx does (off by default): every
    /// answer says x-ratelimit-limit, -remaining and -reset, and a request over the
    /// limit gets 429 with code 10011 and Retry-After
    #[arg(long, value_name = "N/s", value_parser = parse_rate)]
    rate_limit: Option<u32>,
    /// Print the scenarios --scenario takes, with what each does, and exit
    #[arg(long)]
    list_scenarios: bool,
    /// Keep the account in FILE across restarts (created when missing, rewritten
    /// after every write; it holds the sandbox's records, SIP passwords included,
    /// never an API key)
    #[arg(long, value_name = "FILE")]
    state: Option<std::path::PathBuf>,
}

impl SandboxArgs {
    /// Serves until interrupted: exit 0, or 1 with the reason (and the log's path).
    pub async fn run(&self, cli: &Cli, log: Option<&Path>) -> ExitCode {
        if self.list_scenarios {
            return match output::print(&Scenario::list(&sandbox_seed(cli))) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => {
                    super::problem::Failed::Other(format!("cannot print the scenarios: {e}")).report(log)
                }
            };
        }
        let seed = Seed {
            log_requests: self.verbose,
            scenario: self.scenario,
            rate_limit: self.rate_limit,
            state_file: self.state.clone(),
            ..sandbox_seed(cli)
        };
        let served = serve_sandbox(SocketAddr::new(self.host, self.port), seed).await;
        match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => super::problem::Failed::Other(message).report(log),
        }
    }
}

async fn serve_sandbox(addr: SocketAddr, seed: Seed) -> Result<(), String> {
    let sandbox = Sandbox::start(addr, &seed).await.map_err(|e| match e.kind() {
        // The state file's own sentence.
        std::io::ErrorKind::InvalidData => e.to_string(),
        _ => format!("cannot listen on {addr}: {e}"),
    })?;
    // Said once bound, so it names the port it listens on (`--port 0` picks one), and
    // before the URL, the first thing anyone can use it by.
    if let Some(warning) = crate::sandbox::exposure_warning(sandbox.addr()) {
        eprintln!("telnyx-setup sandbox: warning: {warning}");
    }
    // The first line on stdout is the base URL, for scripts and tests to read. Nobody
    // can have read it when stdout is a closed pipe: stop, quietly.
    let printed = output::print(&format!("{}\n", sandbox.base_url()))
        .map_err(|e| format!("cannot print the sandbox's URL: {e}"))?;
    if printed == output::Printed::ReaderGone {
        return Ok(());
    }
    eprintln!("Telnyx API sandbox: keys starting with KEY are accepted. Ctrl-C stops it.");
    eprintln!(
        "WebRTC signaling: {} (for the SDK's host option and --signaling-url)",
        sandbox.signaling_url()
    );
    if seed.faults.is_active() {
        eprintln!("Injecting faults: {}", seed.faults);
    }
    if let Some(scenario) = seed.scenario {
        eprintln!("Scenario {scenario}: {}.", scenario.describe(&seed));
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

/// `sandbox --port`: 0-65535.
fn parse_port(text: &str) -> Result<u16, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("expected a port number from 0 to 65535 (0 picks a free one), not {text:?}"))
}

/// `sandbox --host`: an IP address (a name would have to be resolved, and could mean
/// several addresses).
fn parse_host(text: &str) -> Result<IpAddr, String> {
    text.trim().parse().map_err(|_| {
        format!("expected an IP address such as 127.0.0.1, ::1 or 0.0.0.0 (all interfaces), not {text:?}")
    })
}

/// `sandbox --scenario`: one of [`Scenario::ALL`], by name.
fn parse_scenario(text: &str) -> Result<Scenario, String> {
    Scenario::parse(text.trim()).map_err(|e| e.to_string())
}

/// `sandbox --rate-limit`: `N/s` (or `N`), N from 1.
fn parse_rate(text: &str) -> Result<u32, String> {
    let number = text.trim().strip_suffix("/s").unwrap_or(text.trim());
    match number.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("expected requests per second such as 10/s, not {text:?}")),
    }
}
