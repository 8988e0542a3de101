//! End-to-end tests of the real binary in a pseudo-terminal.
//!
//! Each test starts `telnyx-setup` on the slave side of a PTY (portable-pty), reads the
//! master on its own thread (a full PTY buffer would block the app under test) and feeds
//! the bytes to a vt100 parser: the test sees the screen a user would see. Keys are
//! written to the master as a terminal sends them (`\r` for Enter, `\x7f` for
//! Backspace, `\x03` for Ctrl-C).
//!
//! Nothing here sleeps for a fixed time: after every key the test waits for the screen
//! to show the expected state, with a deadline, and a failure prints the screen and the
//! app's log. The API is always the embedded sandbox on loopback, started in-process (so
//! the test can check the account through the API client afterwards) or by `--demo`.
//!
//! Every test ends by checking that the terminal was given back intact: the child exits
//! with status 0, the main screen is back (no alternate screen), the cursor is visible,
//! bracketed paste is off, and the line discipline is cooked again (ICANON and ECHO).
//!
//! Unix only: the line discipline checks read the PTY's termios, and resizing relies on
//! SIGWINCH.
#![cfg(unix)]

use portable_pty::{ChildKiller, CommandBuilder, ExitStatus, MasterPty, PtySize};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use telnyx_setup::api::{ApiBase, Client, PageRequest, http_client};
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;

const BIN: &str = env!("CARGO_BIN_EXE_telnyx-setup");

/// How long any one expected screen, exit or line of output may take. Generous, for
/// loaded machines: on an idle one the whole file runs in well under a second.
const DEADLINE: Duration = Duration::from_secs(20);

const ENTER: &str = "\r";
const SPACE: &str = " ";
const BACKSPACE: &str = "\x7f";
const CTRL_C: &str = "\x03";
const CTRL_R: &str = "\x12";

/// The wizard's busy status line ends with this while a request is in flight; keys
/// other than Esc are ignored then, so tests wait for it to go before pressing more.
const BUSY: &str = "(Esc cancels)";

// ---------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------

/// The terminal as the reader thread has parsed it so far.
struct Term {
    parser: vt100::Parser,
    /// The master read EOF: every holder of the slave (the app) has closed it.
    eof: bool,
}

struct Shared {
    term: Mutex<Term>,
    /// Notified after every chunk of output and at EOF.
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Term> {
        self.term.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The binary running in a PTY.
struct Pty {
    shared: Arc<Shared>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    killer: Box<dyn ChildKiller + Send + Sync>,
    /// The exit status, from a thread that waits on the child.
    exit: mpsc::Receiver<std::io::Result<ExitStatus>>,
    status: Option<ExitStatus>,
    log: PathBuf,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("terminal sizes are not zero")
}

/// A log file of its own for each child, so nothing is written under the user's home.
fn log_path(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "telnyx-setup-pty-{}-{}-{name}.log",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

impl Pty {
    /// Starts the binary with `args` in a `cols`x`rows` terminal.
    fn spawn(name: &str, args: &[&str], cols: u16, rows: u16) -> Self {
        let pair =
            portable_pty::native_pty_system().openpty(size(cols, rows)).expect("open a pseudo-terminal");
        let log = log_path(name);
        let mut command = CommandBuilder::new(BIN);
        command.args(args);
        command.cwd(std::env::temp_dir());
        command.env("TERM", "xterm-256color");
        command.env("TELNYX_SETUP_LOG", &log);
        command.env_remove("TELNYX_API_KEY");
        command.env_remove("TELNYX_API_BASE");
        command.env_remove("NO_COLOR");
        let mut child = pair
            .slave
            .spawn_command(command)
            .unwrap_or_else(|e| panic!("start {BIN} {args:?} in a PTY: {e}"));
        // Only the child holds the slave now, so the reader sees EOF when it exits.
        drop(pair.slave);
        let killer = child.clone_killer();
        let (exited, exit) = mpsc::channel();
        thread::spawn(move || {
            let _ = exited.send(child.wait());
        });

        let shared = Arc::new(Shared {
            term: Mutex::new(Term {
                parser: vt100::Parser::new(nonzero(rows), nonzero(cols), 0),
                eof: false,
            }),
            changed: Condvar::new(),
        });
        let mut reader = pair.master.try_clone_reader().expect("clone the PTY reader");
        let output = Arc::clone(&shared);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        output.lock().parser.process(&buf[..n]);
                        output.changed.notify_all();
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            output.lock().eof = true;
            output.changed.notify_all();
        });
        let writer = pair.master.take_writer().expect("take the PTY writer");
        Self { shared, master: pair.master, writer, killer, exit, status: None, log }
    }

    /// Types `keys` as a terminal would send them.
    fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .unwrap_or_else(|e| panic!("write {keys:?} to the PTY: {e}"));
    }

    /// The screen's text now.
    fn contents(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// Waits until `check` finds what it looks for in the terminal, and returns it.
    /// Panics with the screen and the log if the deadline passes, or if the app ends
    /// (the PTY reads EOF) before `check` is satisfied.
    fn wait_term<R>(&mut self, what: &str, check: impl Fn(&Term) -> Option<R>) -> R {
        let deadline = Instant::now() + DEADLINE;
        let mut term = self.shared.lock();
        loop {
            if let Some(found) = check(&term) {
                return found;
            }
            let now = Instant::now();
            if term.eof || now >= deadline {
                let screen = dump(term.parser.screen());
                let ended = term.eof;
                drop(term);
                let why = if ended {
                    format!("the app ended ({}) first", self.exit_description())
                } else {
                    format!("gave up after {DEADLINE:?}")
                };
                panic!("waiting for {what}: {why}.\n{screen}{}", log_tail(&self.log));
            }
            term = self
                .shared
                .changed
                .wait_timeout(term, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Waits until `ready` holds for the screen and returns the screen's text then.
    fn wait_for(&mut self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) -> String {
        self.wait_term(what, |term| {
            let screen = term.parser.screen();
            ready(screen).then(|| screen.contents())
        })
    }

    /// Waits until the screen shows every one of `texts`.
    fn wait_for_text(&mut self, texts: &[&str]) -> String {
        let what = format!("the screen to show {texts:?}");
        self.wait_for(&what, |screen| {
            let contents = screen.contents();
            texts.iter().all(|text| contents.contains(text))
        })
    }

    /// Waits until the screen shows every one of `texts` and no request is in flight,
    /// so the next key is acted on rather than ignored.
    fn wait_idle_with(&mut self, texts: &[&str]) -> String {
        let what = format!("the screen to show {texts:?} with no request in flight");
        self.wait_for(&what, |screen| {
            let contents = screen.contents();
            !contents.contains(BUSY) && texts.iter().all(|text| contents.contains(text))
        })
    }

    /// Resizes the terminal: the parser first, so the app's redraw for the new size is
    /// never parsed at the old one, then the PTY, which signals the app (SIGWINCH).
    fn resize(&mut self, cols: u16, rows: u16) {
        let mut term = self.shared.lock();
        term.parser.set_size(nonzero(rows), nonzero(cols));
        self.master.resize(size(cols, rows)).expect("resize the PTY");
        drop(term);
    }

    /// Whether the PTY's line discipline has (ICANON, ECHO) on.
    fn line_discipline(&self) -> (bool, bool) {
        let termios = self.master.get_termios().expect("portable-pty reads the termios of a Unix PTY");
        // Named through bitflags' own `iter_names`, so the test needs no direct
        // dependency on the nix version portable-pty's `Termios` comes from. A misspelt
        // name reads as "off", which fails the assertions below rather than passing them.
        let on = |flag: &str| termios.local_flags.iter_names().any(|(name, _)| name == flag);
        (on("ICANON"), on("ECHO"))
    }

    /// Asserts the app put the terminal in raw mode (ICANON and ECHO off): the proof that
    /// [`Pty::expect_restored`]'s termios check is not vacuous.
    fn expect_raw(&self) {
        assert_eq!(
            self.line_discipline(),
            (false, false),
            "while the wizard runs the terminal should be raw (ICANON, ECHO off)\n{}",
            dump_text(&self.contents())
        );
    }

    fn exit_description(&mut self) -> String {
        match self.collect_exit() {
            Ok(status) => format!("exit status {status}"),
            Err(error) => error,
        }
    }

    fn collect_exit(&mut self) -> Result<ExitStatus, String> {
        if let Some(status) = &self.status {
            return Ok(status.clone());
        }
        match self.exit.recv_timeout(DEADLINE) {
            Ok(Ok(status)) => {
                self.status = Some(status.clone());
                Ok(status)
            }
            Ok(Err(error)) => Err(format!("waiting for the child failed: {error}")),
            Err(_) => Err(format!("still running after {DEADLINE:?}")),
        }
    }

    /// Asserts the app exited with status 0 and gave the terminal back as it found it.
    fn expect_restored(&mut self) {
        // EOF on the master: the app has exited and everything it wrote has been parsed.
        let screen = self.wait_term("the app to exit and close the terminal", |term| {
            term.eof.then(|| term.parser.screen().clone())
        });
        let status = self.collect_exit().unwrap_or_else(|e| panic!("the app closed the terminal but: {e}"));
        let shown = format!("{}{}", dump(&screen), log_tail(&self.log));
        assert!(status.success(), "the app should exit with status 0, got {status}\n{shown}");
        assert!(!screen.alternate_screen(), "the app should leave the alternate screen on exit\n{shown}");
        assert!(!screen.hide_cursor(), "the app should show the cursor again on exit\n{shown}");
        assert!(!screen.bracketed_paste(), "the app should turn bracketed paste off on exit\n{shown}");
        assert_eq!(
            self.line_discipline(),
            (true, true),
            "the app should restore the line discipline (ICANON, ECHO) on exit\n{shown}"
        );
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.status.is_none() && self.exit.try_recv().is_err() {
            // A failed test: don't leave the wizard running.
            let _ = self.killer.kill();
        }
        if thread::panicking() {
            eprintln!("the app's log is kept at {}", self.log.display());
        } else {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// The screen framed for a failure message, trailing blank rows dropped.
fn dump(screen: &vt100::Screen) -> String {
    let (row, col) = screen.cursor_position();
    format!(
        "{}(cursor at row {row}, column {col}; alternate screen {}; cursor hidden {})\n",
        dump_text(&screen.contents()),
        screen.alternate_screen(),
        screen.hide_cursor()
    )
}

fn dump_text(contents: &str) -> String {
    let lines: Vec<&str> = contents.lines().collect();
    let used = lines.iter().rposition(|line| !line.trim().is_empty()).map_or(0, |last| last + 1);
    let mut out = String::from("---- screen ----\n");
    for line in &lines[..used] {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("---- end of screen ----\n");
    out
}

/// The end of the app's log, for failure messages (a panic or an API error is there).
fn log_tail(path: &Path) -> String {
    match std::fs::read_to_string(path) {
        Ok(log) if !log.trim().is_empty() => {
            let lines: Vec<&str> = log.lines().collect();
            let tail = &lines[lines.len().saturating_sub(30)..];
            format!("---- log {} ----\n{}\n", path.display(), tail.join("\n"))
        }
        _ => String::new(),
    }
}

/// The text inside the bordered field titled `label` (the row below `┌ label`).
fn field_text(contents: &str, label: &str) -> Option<String> {
    let title = format!("┌ {label} ");
    let mut lines = contents.lines();
    lines.find(|line| line.contains(&title))?;
    let row = lines.next()?.trim();
    let inner = row.strip_prefix('│')?.strip_suffix('│')?;
    Some(inner.trim().to_owned())
}

/// A multi-threaded runtime for the in-process sandbox and the API client; the test
/// itself stays synchronous and blocks on the PTY without stalling the server.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build a tokio runtime")
}

fn client(base_url: &str, key: &str) -> Client {
    let base = ApiBase::parse(base_url).expect("the sandbox's URL is a valid API base");
    Client::new(http_client(), base, Secret::new(key))
}

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

/// Steps 1 to 5 with the keyboard against an empty account, then the account checked
/// through the API: one connection with VP8, attached to the one profile, whose
/// whitelist holds the defaults plus the country picked through search.
#[test]
fn steps_one_to_five_set_up_the_account_and_restore_the_terminal() {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start_local(&Seed::empty())).expect("start the sandbox");
    let base_url = sandbox.base_url();
    let mut app = Pty::spawn("steps", &["--api-base", &base_url, "--api-key", "KEYpty"], 100, 30);

    // Step 1: the key from the flag is filled in.
    app.wait_idle_with(&["Step 1 of 8: Sign in", "The key came from --api-key."]);
    app.expect_raw();
    app.send(ENTER);

    // Step 2: the empty account's list; Enter on "Create new" opens the form.
    app.wait_idle_with(&[
        "Step 2 of 8: Connection",
        "balance 250.00 USD",
        "Credential connections (0)",
        "+ Create a new connection",
    ]);
    app.send(ENTER);
    let form = app.wait_idle_with(&["┌ SIP user name ", "Enter create"]);
    let user_name = field_text(&form, "SIP user name")
        .filter(|name| name.starts_with("webrtc"))
        .unwrap_or_else(|| panic!("a generated SIP user name\n{}", dump_text(&form)));
    app.send(ENTER);

    // Step 3: VP8 starts checked; Enter saves.
    app.wait_idle_with(&["Step 3 of 8: Codecs", "[x] VP8"]);
    app.send(ENTER);

    // Step 4: create a profile, which is attached to the connection.
    app.wait_idle_with(&[
        "Step 4 of 8: Voice profile",
        "Outbound voice profiles (0)",
        "+ Create a new profile",
    ]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ Profile name ", "Enter create"]);
    app.send(ENTER);

    // Step 5: search for Germany, add it to the default US and CA, save.
    app.wait_idle_with(&["Step 5 of 8: Countries", "Allowed: CA, US"]);
    app.send("/");
    app.wait_for_text(&["Enter done searching"]);
    app.send("germany");
    app.wait_for_text(&["(1 shown)", "[ ] DE Germany"]);
    app.send(ENTER);
    app.wait_for_text(&["/ search"]);
    app.send(SPACE);
    app.wait_for_text(&["[x] DE Germany", "Allowed: CA, DE, US"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8: Numbers", "Press Enter to search for numbers, or s to skip"]);

    // The account, as the API tells it.
    let api = client(&base_url, "KEYpty");
    let (connections, profiles) = runtime.block_on(async {
        let connections = api
            .list_credential_connections(PageRequest::first(250), None)
            .await
            .expect("list credential connections");
        let profiles = api
            .list_outbound_voice_profiles(PageRequest::first(250), None)
            .await
            .expect("list outbound voice profiles");
        (connections.data, profiles.data)
    });
    assert_eq!(connections.len(), 1, "exactly one credential connection should exist: {connections:#?}");
    assert_eq!(profiles.len(), 1, "exactly one outbound voice profile should exist: {profiles:#?}");
    let (connection, profile) = (&connections[0], &profiles[0]);
    assert_eq!(connection.user_name, user_name, "the connection should have the user name the form showed");
    assert!(
        connection.inbound.codecs.iter().any(|c| c == "VP8"),
        "VP8 should be among the inbound codecs: {:?}",
        connection.inbound.codecs
    );
    assert_eq!(
        connection.outbound.outbound_voice_profile_id.as_deref(),
        Some(profile.id.as_str()),
        "the connection should be attached to the profile"
    );
    let whitelist: BTreeSet<&str> = profile.whitelisted_destinations.iter().map(String::as_str).collect();
    assert_eq!(
        whitelist,
        BTreeSet::from(["CA", "DE", "US"]),
        "the profile should allow the default countries and the one picked"
    );

    app.send("q");
    app.expect_restored();
    drop(sandbox);
}

/// A key the API refuses: Telnyx's message and code on screen, still on step 1; the
/// field then edits normally and a good key goes through.
#[test]
fn a_rejected_key_is_explained_and_can_be_corrected() {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start_local(&Seed::empty())).expect("start the sandbox");
    let mut app =
        Pty::spawn("rejected", &["--api-base", &sandbox.base_url(), "--api-key", "badkey"], 100, 30);

    app.wait_idle_with(&["Step 1 of 8: Sign in", "The key came from --api-key."]);
    app.send(ENTER);
    let refused = app.wait_idle_with(&["Telnyx rejected the API key", "10009"]);
    assert!(
        refused.contains("Step 1 of 8: Sign in"),
        "a refused key should leave the wizard on step 1\n{}",
        dump_text(&refused)
    );

    // Reveal the key to watch the edits.
    app.send(CTRL_R);
    app.wait_for("the key shown in clear", |screen| {
        field_text(&screen.contents(), "API key").as_deref() == Some("badkey")
    });
    app.send(&BACKSPACE.repeat("badkey".len()));
    let cleared = app.wait_for("the key field emptied", |screen| {
        field_text(&screen.contents(), "API key").as_deref() == Some("")
    });
    assert!(
        !cleared.contains("Telnyx rejected the API key"),
        "editing the key should clear the old error\n{}",
        dump_text(&cleared)
    );
    app.send("KEYfixed");
    app.wait_for("the new key typed", |screen| {
        field_text(&screen.contents(), "API key").as_deref() == Some("KEYfixed")
    });
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "+ Create a new connection"]);

    app.send("q");
    app.expect_restored();
    drop(sandbox);
}

/// `--demo` alone: the demo key signs in to the seeded sandbox; Ctrl-C quits cleanly.
#[test]
fn demo_mode_signs_in_to_the_seeded_sandbox_and_ctrl_c_quits() {
    let mut app = Pty::spawn("demo", &["--demo"], 100, 30);
    app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Office softphones"]);
    app.send(CTRL_C);
    app.expect_restored();
}

/// `telnyx-setup sandbox --port 0` prints its base URL first and serves the API there.
#[test]
fn sandbox_subcommand_prints_its_url_and_serves_the_api() {
    /// Kills the server however the test ends.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let log = log_path("sandbox");
    let mut server = Server(
        Command::new(BIN)
            .args(["sandbox", "--port", "0"])
            .env("TELNYX_SETUP_LOG", &log)
            .env_remove("TELNYX_API_KEY")
            .env_remove("TELNYX_API_BASE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the sandbox subcommand"),
    );
    let stdout = server.0.stdout.take().expect("stdout is piped");
    let (sender, first_line) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
    });
    let line = match first_line.recv_timeout(DEADLINE) {
        Ok(Ok(line)) => line,
        Ok(Err(error)) => panic!("reading the sandbox's stdout failed: {error}"),
        Err(_) => panic!(
            "the sandbox printed no line within {DEADLINE:?}; exited: {:?}\n{}",
            server.0.try_wait(),
            log_tail(&log)
        ),
    };
    let url = line.trim_end();
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/v2"))
        .and_then(|port| port.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("the first line should be http://127.0.0.1:<port>/v2: {line:?}"));
    assert_ne!(port, 0, "the sandbox should report the port it got");

    let balance = runtime()
        .block_on(client(url, "KEYx").balance())
        .unwrap_or_else(|e| panic!("GET {url}/balance: {e}"));
    assert_eq!(balance.currency, "USD", "{balance:?}");

    server.0.kill().expect("stop the sandbox");
    server.0.wait().expect("reap the sandbox");
    let _ = std::fs::remove_file(&log);
}

/// A 20x5 terminal gets a notice instead of a squeezed layout; growing the terminal
/// brings the wizard up, and quitting restores the terminal.
#[test]
fn a_tiny_terminal_shows_a_notice_until_it_is_resized() {
    let mut app = Pty::spawn("tiny", &["--demo"], 20, 5);
    let notice = app.wait_for_text(&["Terminal too small", "20x5"]);
    assert!(!notice.contains("Step 1"), "no wizard screen should be drawn at 20x5\n{}", dump_text(&notice));

    app.resize(100, 30);
    let screen = app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    assert!(
        !screen.contains("Terminal too small"),
        "the notice should be gone at 100x30\n{}",
        dump_text(&screen)
    );

    app.send(CTRL_C);
    app.expect_restored();
}
