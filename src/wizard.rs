//! Starting the terminal app, as the setup wizard or the read-only inspector: the key
//! to begin with, the setup journal, the [`State`], [`app::run`], and the summary
//! printed once the terminal is restored.

use crate::api::{ApiBase, DEFAULT_API_BASE, http_client_for};
use crate::cli::key::fallback_key;
use crate::cli::problem::Failed;
use crate::cli::{Cli, api_target, plain_http_warning, signaling_target};
use crate::config::KeySource;
use crate::sandbox::Sandbox;
use crate::signaling::SignalingUrl;
use crate::state::{ApiTarget, Mode, Start, State, Step};
use crate::tty::Tty;
use crate::{app, journal, output, summary};
use std::path::Path;
use std::process::ExitCode;

/// std's `eprintln!` panics when stderr is a closed pipe; this one writes what it can.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        output::error_line(format_args!($($arg)*))
    };
}

/// What to say when there is no terminal for the wizard or the inspector: which
/// commands work without one.
/// Runs the app in `mode`: a mistake in the arguments is said first; then, before the
/// worker starts, the terminal: without one there is nothing to run. Exit 0, 2 without
/// a terminal, 1 on any other failure (with where the log is).
pub async fn run(cli: &Cli, mode: Mode, utc_offset: time::UtcOffset, log: Option<&Path>) -> ExitCode {
    let ran = async {
        let target = api_target(cli).await?;
        let signaling = signaling_target(cli, &target.0)?;
        let tty = Tty::open().map_err(|error| no_terminal(mode, &error))?;
        wizard(cli, utc_offset, mode, tty, target, signaling).await
    };
    match ran.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(failed) => failed.report(log),
    }
}

fn no_terminal(mode: Mode, error: &crate::tty::NoTerminal) -> Failed {
    let what = if mode == Mode::Wizard { "the wizard" } else { "the inspector" };
    Failed::NoTerminal(format!(
        "{what} needs a terminal to draw on, and this process has none ({error}).\n\
         Without a terminal, use the commands that need none:\n  \
         telnyx-setup setup --yes               the wizard's steps from flags (--dry-run shows the plan)\n  \
         telnyx-setup token                     print a login token for a connection's credential\n  \
         telnyx-setup doctor --connection ID    check a connection for what stops WebRTC calls\n  \
         telnyx-setup sandbox                   serve the fake Telnyx API\n\
         `telnyx-setup --help` lists every option."
    ))
}

/// The terminal app, as the setup wizard or the read-only inspector, drawn on `tty`.
async fn wizard(
    cli: &Cli,
    utc_offset: time::UtcOffset,
    mode: Mode,
    tty: Tty,
    (base, sandbox): (ApiBase, Option<Sandbox>),
    signaling: SignalingUrl,
) -> Result<(), Failed> {
    let (mut key, mut key_source) = match cli.given.clone() {
        Some((key, source)) => (Some(key), source),
        None => (None, KeySource::Typed),
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
    // The inspector changes nothing, so it keeps no journal; nor does `--demo`, whose
    // embedded sandbox forgets its records when the program ends.
    let journal_path = journal::path().filter(|_| mode == Mode::Wizard && sandbox.is_none());
    let api = match (&sandbox, base.as_str()) {
        (Some(_), url) => ApiTarget::Sandbox(url.to_owned()),
        (None, url) if url.trim_end_matches('/') == DEFAULT_API_BASE.trim_end_matches('/') => {
            ApiTarget::Production
        }
        (None, url) => {
            let from = if cli.api_base_from_env { "TELNYX_API_BASE" } else { "--api-base" };
            ApiTarget::Custom { url: url.to_owned(), from }
        }
    };
    let account = crate::accounts::in_use_of_user(&key_source);
    let start = Start {
        api,
        key,
        key_source,
        seed: rand::random(),
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        now: std::time::SystemTime::now(),
        utc_offset,
        mode,
    };
    let http = http_client_for(&base, cli.timeout);
    let mut state = State::new(start);
    state.log_file = crate::config::log_file();
    state.ctx.signaling = signaling;
    state.ctx.account = account;
    if let Some(crate::cli::Command::Inspect(args)) = &cli.command {
        state.ctx.inspect_target = args.target();
    }
    if let Some(path) = &journal_path {
        state.use_journal(journal::load(path), cli.fresh);
    } else if cli.fresh {
        state.use_journal(journal::Loaded::default(), true);
    }
    if let Step::SignIn(sign_in) = &mut state.step {
        if cli.demo {
            sign_in.without_remember();
        }
        sign_in.warnings = warnings;
    }
    let result = app::run(tty, base, http, journal_path, state).await.map_err(|e| e.to_string());
    drop(sandbox);
    // Printed after the terminal is restored, so it stays on screen.
    let state = result?;
    if mode == Mode::Wizard {
        if state.ctx.setup.connection.is_none() {
            // A message, not data: stdout stays empty for whatever reads it.
            eprintln!("{}", summary::NOTHING_SET_UP);
        } else {
            // A closed pipe (`| head`) is not a failure: the setup is done all the same.
            output::print(&summary::text(&state.ctx, cli.print_secrets))
                .map_err(|e| format!("cannot print the summary: {e}"))?;
        }
    }
    if state.interrupted {
        return Err(Failed::Interrupted);
    }
    Ok(())
}
