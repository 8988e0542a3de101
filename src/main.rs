//! The binary: arguments, logging, the runtime, then the wizard or the sandbox.

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use telnyx_setup::api::{ApiBase, ApiError, Client, DEFAULT_API_BASE, http_client_for};
use telnyx_setup::crash::{self, Crash};
use telnyx_setup::sandbox::{FaultPlan, FaultRule, Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::signaling::SignalingUrl;
use telnyx_setup::state::{ApiTarget, KeySource, Mode, Start, State, Step};
use telnyx_setup::tty::Tty;
use telnyx_setup::{app, config, journal, output, summary};

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
/// Exit status after Ctrl-C: 128 + SIGINT, as shells report an interrupted command.
const INTERRUPTED: u8 = 130;

/// The key `--demo` fills in; the sandbox accepts any key starting with `KEY`.
const DEMO_KEY: &str = "KEY_DEMO_SANDBOX";

/// Set up Telnyx WebRTC calling from the terminal: API key to login token.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Cli {
    /// Telnyx API key: better in TELNYX_API_KEY than here. While the program runs, any user
    /// of this machine can read a command line in `ps`, and it stays in the shell's
    /// history; a variable is seen by you (and root) only. --api-key-file and
    /// --api-key-stdin keep the key out of both; with none, the first screen asks for it
    #[arg(long, global = true, env = "TELNYX_API_KEY", hide_env_values = true, value_name = "KEY")]
    api_key: Option<String>,

    /// Read the API key from this file (its text, trimmed), which only you may be able to
    /// read: the key stays out of `ps` and shell history
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "api_key_stdin")]
    api_key_file: Option<std::path::PathBuf>,

    /// Read the API key from standard input (one line), e.g. from a password manager:
    /// `pass show telnyx | telnyx-setup --api-key-stdin`
    #[arg(long, global = true)]
    api_key_stdin: bool,

    /// The key the command line gave, once read (see `given_key`).
    #[arg(skip)]
    given: Option<(Secret, KeySource)>,

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
    #[arg(long, global = true, value_name = "N", default_value_t = 0, value_parser = parse_count)]
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

    /// Where the login test (`t` on the token screen, `doctor --login-test`) logs in:
    /// Telnyx's WebRTC signaling server, or, when the API is on this machine (--demo, a
    /// `telnyx-setup sandbox`), its /rtc; ws:// is accepted for this machine only
    /// [default: wss://rtc.telnyx.com]
    #[arg(long, global = true, env = "TELNYX_SIGNALING_URL", value_name = "URL")]
    signaling_url: Option<String>,

    /// Allow an http:// --api-base on another machine, though the API key then
    /// travels unencrypted (loopback needs no flag)
    #[arg(long, global = true)]
    insecure_http: bool,

    /// Start a new setup: ignore the setup journal (which lets a second run continue the
    /// first instead of making everything twice) and what earlier runs made
    #[arg(long)]
    fresh: bool,

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
    /// Serve the Telnyx API sandbox (and its WebRTC signaling at /rtc) until interrupted;
    /// prints its base URL first
    Sandbox {
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
    },
    /// Browse the account read-only: connections, profiles, numbers, orders,
    /// credentials and balance, with their relations and the doctor
    Inspect,
    /// Check a credential connection for everything that stops WebRTC calls. Exits 0
    /// when no check fails, 1 when one does, 2 on usage or API errors
    // The usage line clap would make lists the global options given (`--api-key <KEY>
    // --api-base <URL>`) as if they were required.
    #[command(
        override_usage = "telnyx-setup doctor --connection <ID|NAME> [--destination <+E164>] [--login-test] [--json] [--verbose] [OPTIONS]"
    )]
    Doctor(DoctorArgs),
    /// Print a fresh login token (a JWT, valid 24 hours) for a telephony credential:
    /// stdout holds the token and a newline, and nothing else. Exits 2 on usage or API
    /// errors, with the reason on stderr
    #[command(
        override_usage = "telnyx-setup token [--credential <ID> | --connection <ID|NAME> [--create]] [--json | --env | --copy] [OPTIONS]"
    )]
    Token(TokenArgs),
    /// Set up WebRTC calling without the wizard: a connection, its codecs, a profile and
    /// its countries, numbers, a credential and a login token, from flags. Reuses what
    /// exists (by id or exact name), so running it again makes nothing new. Progress
    /// goes to stderr; exit 0 on success, 2 on usage or API errors
    #[command(
        override_usage = "telnyx-setup setup [--connection <NAME|ID>] [--profile <NAME|ID>] [--countries <LIST>] [--credential <NAME|ID>] [--yes | --dry-run] [--json] [OPTIONS]"
    )]
    Setup(SetupArgs),
    /// Print a shell completion script: bash, zsh, fish or powershell
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: telnyx_setup::cli::docs::Shell,
    },
    /// Print the man page (roff), or a subcommand's (`man token`)
    Man {
        /// A subcommand, for its own page (telnyx-setup-token(1))
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
struct SetupArgs {
    /// The credential connection: its id or exact name to reuse it, else the name of
    /// the one to create (with a generated SIP user name and password)
    #[arg(long, value_name = "NAME|ID", default_value = telnyx_setup::cli::setup::DEFAULT_CONNECTION)]
    connection: String,
    /// The inbound codecs, in order (default: the connection's codecs plus VP8; every
    /// offered codec for a new connection), e.g. OPUS,G722,VP8
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    codecs: Option<Vec<String>>,
    /// The outbound voice profile to reuse (id or exact name) or create, and attach
    #[arg(long, value_name = "NAME|ID", default_value = telnyx_setup::cli::setup::DEFAULT_PROFILE)]
    profile: String,
    /// The countries the profile may call, as ISO codes (default: as they are; US,CA
    /// for a new profile), e.g. US,CA,IE
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    countries: Option<Vec<String>>,
    /// Have at least N phone numbers on the connection, buying the missing ones (needs
    /// --yes; the total is printed first)
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = parse_number_count)]
    buy_numbers: u32,
    /// The country of the numbers to buy
    #[arg(long, value_name = "CODE", default_value = "US")]
    number_country: String,
    /// The area code of the numbers to buy (digits)
    #[arg(long, value_name = "DIGITS", default_value = "")]
    area_code: String,
    /// The city of the numbers to buy
    #[arg(long, value_name = "NAME", default_value = "")]
    city: String,
    /// The telephony credential to reuse (id or exact name) or create (default name:
    /// "WebRTC login for <connection>")
    #[arg(long, value_name = "NAME|ID")]
    credential: Option<String>,
    /// Make the changes without asking (needed without a terminal, and to buy numbers)
    #[arg(long, short = 'y', conflicts_with = "dry_run")]
    yes: bool,
    /// Send only GET requests and print the plan, with the curl command of each write
    #[arg(long)]
    dry_run: bool,
    /// Print one JSON report (ids, names, what was created or reused, the token's expiry)
    #[arg(long)]
    json: bool,
    /// Include the SIP password and the login token in the output (and in the dry
    /// run's curl)
    #[arg(long)]
    print_secrets: bool,
}

#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("output").args(["json", "env", "copy"]))]
struct TokenArgs {
    /// The telephony credential's id (a UUID)
    #[arg(long, value_name = "ID", conflicts_with = "connection")]
    credential: Option<String>,
    /// A credential connection's id or exact name: its newest credential that has not
    /// expired is used
    #[arg(long, value_name = "ID|NAME")]
    connection: Option<String>,
    /// With --connection: make a credential (tagged telnyx-setup, like the wizard's)
    /// when the connection has none that has not expired
    #[arg(long, requires = "connection")]
    create: bool,
    /// Print {"token", "expires_at", "credential_id", "connection_id"} instead
    #[arg(long)]
    json: bool,
    /// Print TELNYX_LOGIN_TOKEN=<token>, for `eval` or an env file
    #[arg(long)]
    env: bool,
    /// Copy the token to the clipboard instead of printing it (stderr says so)
    #[arg(long)]
    copy: bool,
}

#[derive(clap::Args, Debug)]
struct DoctorArgs {
    /// The credential connection: its id, or its exact name
    #[arg(long, value_name = "ID|NAME")]
    connection: String,
    /// A number the client should be able to call, in E.164 (+14155550123)
    #[arg(long, value_name = "+E164")]
    destination: Option<String>,
    /// Print one JSON report instead of text; errors too, as {"error": {"kind", "message"}}
    #[arg(long)]
    json: bool,
    /// Write each API request to stderr: method, path, status, time taken (never the
    /// key or a body)
    #[arg(long, short)]
    verbose: bool,
    /// Also log in as the WebRTC SDK does, with a fresh token of the connection's newest
    /// valid credential (a device registers for a moment): the `login` check
    #[arg(long)]
    login_test: bool,
}

fn main() -> ExitCode {
    // Read while the process has one thread: the time crate refuses it later, since
    // reading the time zone is not thread-safe on Unix.
    let utc_offset = time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC);
    let matches = match command().try_get_matches() {
        Ok(matches) => matches,
        // `doctor --json` promised JSON: a usage error is one too (help and --version
        // are not errors, and print as usual).
        Err(error) if error.use_stderr() && doctor_json_requested() => {
            return Problem::usage(clap_message(&error)).report(true);
        }
        Err(error) => error.exit(),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    if let Some(at) = cli.simulate_crash {
        crash::plan(at);
    }
    if cli.forget_key {
        return forget_key();
    }
    // Generated from the command line itself: no key, no runtime, no log.
    match &cli.command {
        Some(Command::Completions { shell }) => {
            let script = telnyx_setup::cli::docs::completions(command(), *shell, "telnyx-setup");
            return print_or_fail(&script, "the completion script");
        }
        Some(Command::Man { subcommand }) => {
            return match telnyx_setup::cli::docs::man_page(command(), subcommand.as_deref()) {
                Some(Ok(page)) => print_or_fail(&page, "the man page"),
                Some(Err(error)) => {
                    eprintln!("telnyx-setup man: cannot write the man page: {error}");
                    ExitCode::FAILURE
                }
                None => {
                    let names: Vec<String> = command()
                        .get_subcommands()
                        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
                        .map(|s| s.get_name().to_owned())
                        .collect();
                    eprintln!(
                        "telnyx-setup man: no subcommand {:?}; expected one of: {}",
                        subcommand.as_deref().unwrap_or_default(),
                        names.join(", ")
                    );
                    ExitCode::from(USAGE_ERROR)
                }
            };
        }
        _ => {}
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("telnyx-setup: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let log = config::init_logging();
    if !matches!(cli.command, Some(Command::Sandbox { .. })) {
        // From here to the end the process holds the API key, and later SIP passwords
        // and tokens: no core dump, no ptrace or /proc/PID/mem by other processes.
        telnyx_setup::secret::protect_process();
        match given_key(&mut cli, &matches) {
            Ok(given) => cli.given = given,
            Err(message) => {
                eprintln!("telnyx-setup: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let result = match cli.command {
        Some(Command::Sandbox { host, port, verbose }) => {
            let seed = Seed { log_requests: verbose, ..sandbox_seed(&cli) };
            runtime.block_on(serve_sandbox(SocketAddr::new(host, port), seed)).map_err(Failed::Other)
        }
        Some(Command::Doctor(ref args)) => {
            let outcome = runtime.block_on(doctor(&cli, args));
            runtime.shutdown_background();
            return outcome;
        }
        Some(Command::Token(ref args)) => {
            let outcome = runtime.block_on(token(&cli, args));
            runtime.shutdown_background();
            return outcome;
        }
        Some(Command::Setup(ref args)) => {
            let outcome = runtime.block_on(setup(&cli, args));
            runtime.shutdown_background();
            return outcome;
        }
        Some(Command::Completions { .. } | Command::Man { .. }) => unreachable!("printed above"),
        Some(Command::Inspect) | None => {
            let mode = if cli.command.is_some() { Mode::Inspector } else { Mode::Wizard };
            runtime.block_on(async {
                // A mistake in the arguments is said first; then, before the worker
                // starts, the terminal: without one there is nothing to run.
                let target = api_target(&cli).await?;
                let signaling = signaling_target(&cli, &target.0)?;
                let tty = Tty::open().map_err(|error| no_terminal(mode, &error))?;
                wizard(&cli, utc_offset, mode, tty, target, signaling).await
            })
        }
    };
    // Requests still in flight are abandoned rather than awaited.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failed::Interrupted) => ExitCode::from(INTERRUPTED),
        Err(Failed::NoTerminal(message)) => {
            eprintln!("telnyx-setup: {message}");
            ExitCode::from(USAGE_ERROR)
        }
        Err(Failed::Other(message)) => {
            eprintln!("telnyx-setup: {}", telnyx_setup::sanitize::Escaped(&message));
            if let Some(log) = log {
                eprintln!("The log is at {}", log.display());
            }
            ExitCode::FAILURE
        }
    }
}

/// Why the sandbox, the wizard or the inspector stopped short.
enum Failed {
    /// Ctrl-C: exit 130 (128 + SIGINT), as an interrupted command does; what was made is
    /// printed all the same.
    Interrupted,
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
        (None, url) => ApiTarget::Custom(url.to_owned()),
    };
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
    state.log_file = telnyx_setup::config::log_file();
    state.ctx.signaling = signaling;
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
            output::print(&summary::text(&state.ctx.setup, cli.print_secrets))
                .map_err(|e| format!("cannot print the summary: {e}"))?;
        }
    }
    if state.interrupted {
        return Err(Failed::Interrupted);
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

/// Where the login test logs in: `--signaling-url` (or `TELNYX_SIGNALING_URL`) when
/// given, else the `/rtc` of an API on this machine (the sandbox of `--demo` or of
/// `telnyx-setup sandbox`), else Telnyx's server.
fn signaling_target(cli: &Cli, base: &ApiBase) -> Result<SignalingUrl, String> {
    match &cli.signaling_url {
        Some(url) => SignalingUrl::parse(url).map_err(|e| format!("--signaling-url: {e}")),
        None => Ok(SignalingUrl::for_api_base(base)),
    }
}

/// The command line, with the log file's path (which depends on the environment) in
/// `--help`, and examples in `doctor --help`.
fn command() -> clap::Command {
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
         telnyx-setup doctor --connection 1293384261075731402 --login-test\n\n\
         The API key comes from --api-key, TELNYX_API_KEY, or the key saved with \"Remember this key\";\n\
         --demo checks the embedded sandbox instead.\n\n{log}"
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
         The API key comes from TELNYX_API_KEY, --api-key-file, --api-key-stdin, or the key saved\n\
         with \"Remember this key\".\n\n{log}",
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
         telnyx-setup inspect --demo --seed-numbers 10000\n\n{log}"
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
        .mut_subcommand("completions", |command| command.after_help(completions))
        .mut_subcommand("man", |command| command.after_help(man))
        .mut_subcommand("doctor", |command| command.after_help(doctor))
        .mut_subcommand("token", |command| command.after_help(token))
        .mut_subcommand("sandbox", |command| command.after_help(sandbox))
}

/// Whether the command line asks for `doctor --json`, read from the raw arguments for
/// when clap could not parse them.
fn doctor_json_requested() -> bool {
    let mut args = std::env::args_os().skip(1);
    args.any(|arg| arg == "doctor") && args.any(|arg| arg == "--json")
}

/// A clap error as one line: what is wrong, and the usage.
fn clap_message(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let mut paragraphs = text.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
    let what = paragraphs.next().unwrap_or_default();
    let what = what.strip_prefix("error: ").unwrap_or(&what).to_owned();
    match paragraphs.find(|p| p.starts_with("Usage:")) {
        Some(usage) => format!("{what}. {usage}"),
        None => what,
    }
}

/// Why the doctor could not run its checks: exit 2, with a message on stderr, or under
/// `--json` an object on stdout: `{"error": {"kind": ..., "message": ...}}`.
struct Problem {
    /// The command, for the message's prefix (`doctor`, `token`).
    who: &'static str,
    /// `usage` (the command line is wrong), `ambiguous_connection` (a name several
    /// connections have; `ids` lists them), `api` (Telnyx or the network failed), or
    /// `internal` (a bug).
    kind: &'static str,
    message: String,
    ids: Vec<String>,
}

impl Problem {
    fn usage(message: impl Into<String>) -> Self {
        Self { who: "doctor", kind: "usage", message: message.into(), ids: Vec::new() }
    }

    /// The same problem, said by another command.
    fn of(self, who: &'static str) -> Self {
        Self { who, ..self }
    }

    /// An API failure, with what to do about it from a command line.
    fn api(error: &ApiError) -> Self {
        let message = match (error, error.advice()) {
            (ApiError::Unauthorized(_), Some(advice)) => {
                format!(
                    "{error}. {advice}, then give it in TELNYX_API_KEY, --api-key-file or --api-key-stdin."
                )
            }
            (_, Some(advice)) => format!("{error}. {advice}."),
            // Its message already says when to try again.
            (ApiError::RateLimited { .. }, None) => format!("{error}."),
            (_, None) => format!("{error}. Run the doctor again in a moment."),
        };
        Self { who: "doctor", kind: "api", message, ids: Vec::new() }
    }

    fn report(self, json: bool) -> ExitCode {
        if json {
            let mut error = serde_json::json!({ "kind": self.kind, "message": self.message });
            if !self.ids.is_empty() {
                error["ids"] = serde_json::json!(self.ids);
            }
            // Nothing more can be said if stdout fails too.
            let _ = output::print(&format!("{:#}\n", serde_json::json!({ "error": error })));
        } else {
            eprintln!("telnyx-setup {}: {}", self.who, telnyx_setup::sanitize::Escaped(&self.message));
        }
        ExitCode::from(USAGE_ERROR)
    }
}

/// `doctor`: prints the report; exit 0 if nothing failed, 1 if a check failed, 2 when
/// the checks could not run ([`Problem`]). The command line is checked before anything
/// is sent.
async fn doctor(cli: &Cli, args: &DoctorArgs) -> ExitCode {
    match doctor_report(cli, args).await {
        Ok(report) => {
            let text = if args.json {
                match serde_json::to_string_pretty(&report) {
                    Ok(text) => text + "\n",
                    Err(error) => {
                        let message = format!("cannot write the report as JSON: {error}");
                        return Problem { who: "doctor", kind: "internal", message, ids: Vec::new() }
                            .report(true);
                    }
                }
            } else {
                report.to_string()
            };
            // A closed pipe (`| head`) ends the output, not the verdict: the exit status
            // still says whether a check failed.
            if let Err(error) = output::print(&text) {
                eprintln!("telnyx-setup doctor: cannot print the report: {error}");
                return ExitCode::from(USAGE_ERROR);
            }
            if report.ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(problem) => problem.report(args.json),
    }
}

async fn doctor_report(cli: &Cli, args: &DoctorArgs) -> Result<telnyx_setup::doctor::Report, Problem> {
    use telnyx_setup::doctor::{self, DESTINATION_EXAMPLE, Resolved};
    let given = args.connection.trim();
    if given.is_empty() {
        return Err(Problem::usage(
            "--connection needs a connection's id or exact name, e.g. --connection 1293384261075731402 \
             or --connection \"Office softphones\"",
        ));
    }
    let destination = match args.destination.as_deref().map(doctor::parse_destination).transpose() {
        Ok(destination) => destination,
        Err(bad) => return Err(Problem::usage(format!("--destination: {bad}. {DESTINATION_EXAMPLE}."))),
    };
    let (client, _sandbox) = connect(cli, "doctor", args.verbose).await?;
    let signaling = signaling_target(cli, client.base()).map_err(Problem::usage)?;
    let connection = match doctor::resolve_connection(&client, given).await {
        Ok(Resolved::Found(connection)) => Some(connection),
        Ok(Resolved::Missing) => None,
        Ok(Resolved::Ambiguous(named)) => {
            let ids: Vec<String> = named.iter().map(|c| c.id.clone()).collect();
            let message = format!(
                "--connection {given:?}: {} credential connections have this name ({}); give one of their \
                 ids, e.g. --connection {}",
                ids.len(),
                ids.join(", "),
                ids[0]
            );
            return Err(Problem { who: "doctor", kind: "ambiguous_connection", message, ids });
        }
        Err(error) => return Err(Problem::api(&error)),
    };
    let mut facts = doctor::gather_for(&client, given, connection, destination.as_deref(), true)
        .await
        .map_err(|error| Problem::api(&error))?;
    if args.login_test {
        doctor::test_login(&client, &mut facts, &signaling, telnyx_setup::signaling::LOGIN_TIMEOUT).await;
    }
    Ok(doctor::diagnose(&facts))
}

/// The client the commands without a terminal (`doctor`, `token`, `setup`) use: the
/// API `--demo` or `--api-base` names (a sandbox started here lives as long as the
/// returned handle), with the key from the command line, `TELNYX_API_KEY`, or the saved
/// key. `verbose` writes each request and retry to stderr.
async fn connect(cli: &Cli, who: &'static str, verbose: bool) -> Result<(Client, Option<Sandbox>), Problem> {
    let (base, sandbox) = api_target(cli).await.map_err(|e| Problem::usage(e).of(who))?;
    if let Some(warning) = plain_http_warning(&base) {
        eprintln!("telnyx-setup {who}: warning: {warning}");
    }
    let mut key = cli.given.clone().map(|(key, _)| key);
    if key.is_none() {
        let (found, warning) = fallback_key(cli);
        if let Some(warning) = warning {
            eprintln!("telnyx-setup {who}: warning: {warning}");
        }
        key = found.map(|(key, _)| key);
    }
    let Some(key) = key else {
        return Err(Problem::usage(format!(
            "an API key is needed: TELNYX_API_KEY, --api-key-file, --api-key-stdin, or a key saved \
             with \"Remember this key\" (or --demo, to try the {who} on the sandbox)"
        ))
        .of(who));
    };
    let mut client = Client::new(http_client_for(&base, cli.timeout), base, key);
    if verbose {
        client = client.on_request(Arc::new(|request| eprintln!("{request}"))).on_retry(Arc::new(|notice| {
            let wait = notice.wait.as_millis();
            eprintln!("retrying ({}/{}) after {}, in {wait} ms", notice.attempt, notice.of, notice.reason);
        }));
    }
    Ok((client, sandbox))
}

/// `setup`: the wizard's steps from flags ([`telnyx_setup::cli::setup`]). A dry run
/// prints the plan; otherwise the changes are made with `--yes`, or after `[y/N]` on a
/// terminal, and refused without either. Exit 0, or 2 with the reason on stderr.
async fn setup(cli: &Cli, args: &SetupArgs) -> ExitCode {
    use std::io::IsTerminal;
    use telnyx_setup::cli::setup::{self, Mode, SetupError, Wanted};
    let wanted = Wanted {
        connection: args.connection.clone(),
        codecs: args.codecs.clone(),
        profile: args.profile.clone(),
        countries: args.countries.clone(),
        buy_numbers: args.buy_numbers,
        number_country: args.number_country.clone(),
        area_code: args.area_code.clone(),
        city: args.city.clone(),
        credential: args.credential.clone(),
    };
    let problem = |error: SetupError| match error {
        SetupError::Usage(message) => Problem::usage(message).of("setup"),
        SetupError::Api(error) => Problem::api(&error).of("setup"),
    };
    let progress = |line: &str| eprintln!("{}", telnyx_setup::sanitize::Escaped(line));
    let quiet = |_: &str| {};
    let done = async {
        let wanted = wanted.parse().map_err(|e| Problem::usage(e).of("setup"))?;
        let (client, _sandbox) = connect(cli, "setup", false).await?;
        let now = std::time::SystemTime::now();
        if args.dry_run {
            let plan =
                setup::run(&client, &wanted, Mode::DryRun, now, &progress, None).await.map_err(problem)?;
            return Ok((plan, true, client));
        }
        // Planned first, with reads only, even under --yes: whatever the flags name
        // wrongly (an unknown id, an ambiguous name) is said before anything changes,
        // and a run with nothing to change needs no answer.
        let plan = setup::run(&client, &wanted, Mode::DryRun, now, &quiet, None).await.map_err(problem)?;
        if !args.yes && plan.changes_anything() {
            let changes: Vec<String> = plan
                .steps
                .iter()
                .filter(|s| {
                    s.step != "token"
                        && s.action != setup::Action::Reuse
                        && s.action != setup::Action::Nothing
                })
                .map(|s| format!("{} {} ({})", s.action.as_str(), s.step, s.detail))
                .collect();
            let changes = changes.join("; ");
            if plan.buys() {
                return Err(Problem::usage(format!(
                    "buying numbers needs --yes; nothing was changed. The setup would: {changes}"
                ))
                .of("setup"));
            }
            if !std::io::stdin().is_terminal() {
                return Err(Problem::usage(format!(
                    "nothing was changed: without a terminal to ask on, pass --yes to make these changes \
                     (or --dry-run to see their curl commands): {changes}"
                ))
                .of("setup"));
            }
            eprintln!("The setup will: {changes}");
            eprint_prompt("Go ahead? [y/N] ");
            let mut answer = String::new();
            let _ = std::io::stdin().read_line(&mut answer);
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                return Err(Problem::usage("nothing was changed (the answer was not y)").of("setup"));
            }
        }
        // Under --yes the plan's reads are a moment old and stand for the apply's; after
        // the question, they are read again.
        let looked_up = args.yes.then(|| plan.lookups.clone());
        let done = setup::run(&client, &wanted, Mode::Apply { buy: args.yes }, now, &progress, looked_up)
            .await
            .map_err(problem)?;
        // Not under --demo, as for the wizard: its sandbox forgets everything on exit.
        if let Some(path) = telnyx_setup::journal::path().filter(|_| !cli.demo)
            && let Err(error) = done.remember(&path, &client.account_id(), now)
        {
            eprintln!("telnyx-setup setup: warning: the setup was not remembered for `token`: {error}");
        }
        Ok((done, false, client))
    };
    let (outcome, dry_run, client) = match done.await {
        Ok(done) => done,
        Err(problem) => return problem.report(false),
    };
    let base = client.base().as_str();
    let text = if args.json {
        format!("{:#}\n", outcome.to_json(dry_run, args.print_secrets, base))
    } else if dry_run {
        outcome.plan(base, args.print_secrets)
    } else {
        outcome.summary(args.print_secrets)
    };
    // What Telnyx named (a connection's name) is text, never terminal control.
    let text: String =
        text.lines().map(|line| telnyx_setup::sanitize::escape_controls(line) + "\n").collect();
    match output::print(&text) {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("telnyx-setup setup: cannot print the report: {error}");
            ExitCode::from(USAGE_ERROR)
        }
    }
}

/// Where an OSC 52 copy would go when the process has no terminal: every write fails.
struct NoTerminalWriter(String);

impl std::io::Write for NoTerminalWriter {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other(format!("no terminal to send the copy to ({})", self.0)))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A question on stderr, without a newline, flushed so it shows before the answer.
fn eprint_prompt(text: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
}

/// `setup --buy-numbers`: a whole number.
fn parse_number_count(text: &str) -> Result<u32, String> {
    text.trim().parse().map_err(|_| format!("expected a whole number such as 1 or 3, not {text:?}"))
}

/// `token`: prints a fresh login token (or copies it); exit 0, or 2 with the reason
/// on stderr and nothing on stdout.
async fn token(cli: &Cli, args: &TokenArgs) -> ExitCode {
    use telnyx_setup::cli::token::{self, Choice, TokenError};
    let issued = async {
        let choice = match (&args.credential, &args.connection) {
            (Some(id), _) => Choice::Credential(id.clone()),
            (None, Some(given)) => Choice::Connection { given: given.clone(), create: args.create },
            (None, None) => Choice::Last(telnyx_setup::journal::path()),
        };
        let (client, _sandbox) = connect(cli, "token", false).await?;
        token::issue(&client, choice, std::time::SystemTime::now()).await.map_err(|error| match error {
            TokenError::Usage(message) => Problem::usage(message).of("token"),
            TokenError::Api(error) => Problem::api(&error).of("token"),
        })
    };
    let issued = match issued.await {
        Ok(issued) => issued,
        // Failures go to stderr even under --json: stdout is the token's alone.
        Err(problem) => return problem.report(false),
    };
    if args.copy {
        // OSC 52 goes to the controlling terminal, never to stderr, which may be a
        // file: without a terminal (and a system clipboard) the copy fails instead.
        let terminal: Box<dyn std::io::Write + Send> =
            match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
                Ok(tty) => Box::new(tty),
                Err(error) => Box::new(NoTerminalWriter(error.to_string())),
            };
        use telnyx_setup::clipboard::{Clipboard, CopyMethod, SystemClipboard};
        return match SystemClipboard::new(terminal).copy(issued.token.expose()) {
            Ok(method) => {
                let how = match method {
                    CopyMethod::System { kept_after_exit: true } => "the system clipboard",
                    CopyMethod::System { kept_after_exit: false } => {
                        "the system clipboard (it lasted only while this command ran: install xclip to keep it)"
                    }
                    CopyMethod::Osc52 => {
                        "the terminal's clipboard (an OSC 52 request, which most terminals honour)"
                    }
                };
                eprintln!("telnyx-setup token: copied the login token to {how}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("telnyx-setup token: {error}; run it without --copy to print the token");
                ExitCode::from(USAGE_ERROR)
            }
        };
    }
    let text = if args.json {
        format!("{:#}\n", issued.to_json())
    } else if args.env {
        format!("TELNYX_LOGIN_TOKEN={}\n", issued.token.expose())
    } else {
        format!("{}\n", issued.token.expose())
    };
    match output::print(&text) {
        Ok(_) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("telnyx-setup token: cannot print the token: {error}");
            ExitCode::from(USAGE_ERROR)
        }
    }
}

/// The key the command line gave, and from where: `--api-key-file`, `--api-key-stdin` or
/// `--api-key`, else `TELNYX_API_KEY` (a flag wins over the variable); `None` when none
/// did. The text clap parsed is wiped once it is in a [`Secret`].
fn given_key(cli: &mut Cli, matches: &ArgMatches) -> Result<Option<(Secret, KeySource)>, String> {
    let on_command_line = matches.value_source("api_key") == Some(ValueSource::CommandLine);
    let text = cli.api_key.take().map(zeroize::Zeroizing::new);
    if on_command_line && (cli.api_key_file.is_some() || cli.api_key_stdin) {
        return Err("give the key one way: --api-key, --api-key-file or --api-key-stdin".to_owned());
    }
    if let Some(path) = &cli.api_key_file {
        let key = config::read_key_file(path).map_err(|e| format!("--api-key-file: {e}"))?;
        return Ok(Some((key, KeySource::File(path.clone()))));
    }
    if cli.api_key_stdin {
        return read_key_from_stdin().map(|key| Some((key, KeySource::Stdin)));
    }
    let source = if on_command_line { KeySource::Flag } else { KeySource::Env };
    Ok(text.filter(|text| !text.trim().is_empty()).map(|text| (Secret::new(text.trim()), source)))
}

/// `--api-key-stdin`: the first line of standard input, trimmed. Refused on a terminal,
/// where the key would be echoed: the first screen asks for it, masked, instead.
fn read_key_from_stdin() -> Result<Secret, String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err("--api-key-stdin reads the key from a pipe (`pass show telnyx | telnyx-setup \
                    --api-key-stdin`); to type it, leave the flag out and the first screen asks for it, \
                    masked"
            .to_owned());
    }
    let mut line = zeroize::Zeroizing::new(String::with_capacity(256));
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("--api-key-stdin: cannot read standard input: {e}"))?;
    let key = line.trim();
    if key.is_empty() {
        return Err("--api-key-stdin: standard input held no key".to_owned());
    }
    Ok(Secret::new(key))
}

/// The key to start with when the command line gave none: the
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
    if let Some(warning) = telnyx_setup::sandbox::exposure_warning(addr) {
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

/// Prints generated `what` on stdout: exit 0, also when the reader left early.
fn print_or_fail(text: &str, what: &str) -> ExitCode {
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
    text.trim().parse().map_err(|_| format!("expected a whole number such as 0 or 10, not {text:?}"))
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
