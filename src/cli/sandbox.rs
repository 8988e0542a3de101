//! `telnyx-setup sandbox`: serves the Telnyx API sandbox ([`crate::sandbox`]) until
//! interrupted.

use super::{Cli, sandbox_seed};
use crate::output;
use crate::sandbox::{Sandbox, Seed};
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
}

impl SandboxArgs {
    /// Serves until interrupted: exit 0, or 1 with the reason (and the log's path).
    pub async fn run(&self, cli: &Cli, log: Option<&Path>) -> ExitCode {
        let seed = Seed { log_requests: self.verbose, ..sandbox_seed(cli) };
        let served = serve_sandbox(SocketAddr::new(self.host, self.port), seed).await;
        match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => super::problem::Failed::Other(message).report(log),
        }
    }
}

async fn serve_sandbox(addr: SocketAddr, seed: Seed) -> Result<(), String> {
    if let Some(warning) = crate::sandbox::exposure_warning(addr) {
        eprintln!("telnyx-setup sandbox: warning: {warning}");
    }
    let sandbox = Sandbox::start(addr, &seed).await.map_err(|e| format!("cannot listen on {addr}: {e}"))?;
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
