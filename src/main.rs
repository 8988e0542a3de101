//! The binary: parses the command line ([`cli::Cli`]), installs the hooks (the planned
//! crash, the log, the process's protection), starts the runtime and hands over to the
//! subcommand's `run`, or to the wizard. Everything else is in the library.

use clap::FromArgMatches;
use std::process::ExitCode;
use telnyx_setup::cli::problem::{Problem, clap_message, json_requested};
use telnyx_setup::cli::{self, Cli, Command, USAGE_ERROR};
use telnyx_setup::state::Mode;
use telnyx_setup::{config, crash, output, wizard};

fn main() -> ExitCode {
    // Read while the process has one thread: the time crate refuses it later, since
    // reading the time zone is not thread-safe on Unix.
    let utc_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let matches = match cli::command().try_get_matches() {
        Ok(matches) => matches,
        // `--json` promised JSON: a usage error is one too (help and --version are not
        // errors, and print as usual).
        Err(error) => match json_requested() {
            Some(who) if error.use_stderr() => {
                return Problem::usage(clap_message(&error)).of(who).report(true);
            }
            _ => error.exit(),
        },
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    cli.api_base_from_env = matches.value_source("api_base") == Some(clap::parser::ValueSource::EnvVariable);
    if let Some(at) = cli.simulate_crash {
        crash::plan(at);
    }
    if cli.forget_key {
        return cli::key::forget_key();
    }
    // Generated from the command line itself: no key, no runtime, no log.
    match &cli.command {
        Some(Command::Completions(args)) => return args.run(),
        Some(Command::Man(args)) => return args.run(),
        _ => {}
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            output::error_line(format_args!("telnyx-setup: cannot start the async runtime: {error}"));
            return ExitCode::FAILURE;
        }
    };
    let log = config::init_logging();
    if !matches!(cli.command, Some(Command::Sandbox(_))) {
        // From here to the end the process holds the API key, and later SIP passwords
        // and tokens: no core dump, no ptrace or /proc/PID/mem by other processes.
        telnyx_setup::secret::protect_process();
    }
    // `accounts` and `status` read the keys they handle themselves.
    if !matches!(cli.command, Some(Command::Sandbox(_) | Command::Accounts(_) | Command::Status(_))) {
        match cli::key::given_key(&mut cli, &matches) {
            Ok(given) => cli.given = given,
            Err(message) => {
                output::error_line(format_args!("telnyx-setup: {message}"));
                return ExitCode::from(USAGE_ERROR);
            }
        }
    }
    let outcome = match &cli.command {
        Some(Command::Sandbox(args)) => runtime.block_on(args.run(&cli, log.as_deref())),
        Some(Command::Accounts(args)) => runtime.block_on(args.run(&cli)),
        Some(Command::Status(args)) => runtime.block_on(args.run(&cli)),
        Some(Command::Doctor(args)) => runtime.block_on(args.run(&cli)),
        Some(Command::Token(args)) => runtime.block_on(args.run(&cli)),
        Some(Command::Setup(args)) => runtime.block_on(args.run(&cli)),
        Some(Command::Completions(_) | Command::Man(_)) => unreachable!("printed above"),
        Some(Command::Inspect(args)) if args.json => runtime.block_on(args.run_json(&cli)),
        Some(Command::Inspect(_)) => {
            runtime.block_on(wizard::run(&cli, Mode::Inspector, utc_offset, log.as_deref()))
        }
        None => runtime.block_on(wizard::run(&cli, Mode::Wizard, utc_offset, log.as_deref())),
    };
    // Requests still in flight are abandoned rather than awaited.
    runtime.shutdown_background();
    outcome
}
