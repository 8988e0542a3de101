//! The harness of the end-to-end tests (`pty`, `x11_clipboard` and the other PTY
//! modules): the real binary in a pseudo-terminal, its screen parsed by vt100.
//!
//! [`Pty::spawn`] starts `telnyx-setup` on the slave side of a PTY (portable-pty); a
//! thread reads the master (a full PTY buffer would block the app under test) and feeds
//! the bytes to a vt100 parser, so a test sees the screen a user would see. The parser's
//! callbacks record OSC 52 clipboard requests, and the raw output is kept too, for what
//! the app prints after it leaves the alternate screen.
//!
//! Nothing here sleeps for a fixed time: the `wait_*` helpers block on a condition
//! variable the reader notifies after every chunk of output, with a deadline, and a
//! failure prints the screen and the end of the app's log.

#[path = "../../../examples/common/isolate.rs"]
mod isolate;

use crate::support::{BIN, log_path};
use portable_pty::{ChildKiller, CommandBuilder, ExitStatus, MasterPty, PtySize};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, mpsc};
use std::thread;
use std::time::{Duration, Instant};
use telnyx_setup::sandbox::{Sandbox, Seed};

/// How long any one expected screen, exit or line of output may take before the test
/// fails. Generous, because a wait ends as soon as its condition holds: on an idle
/// machine each test runs in a second or two, but with several test suites building on
/// two cores a screen has been seen to take over 20 s.
pub const DEADLINE: Duration = Duration::from_secs(60);

pub const ENTER: &str = "\r";
pub const SPACE: &str = " ";
pub const DOWN: &str = "\x1b[B";
pub const BACKSPACE: &str = "\x7f";
pub const CTRL_C: &str = "\x03";
pub const CTRL_R: &str = "\x12";

/// The wizard's busy status line ends with this while a request is in flight; keys
/// other than Esc are ignored then, so tests wait for it to go before pressing more.
pub const BUSY: &str = "(Esc cancels)";

/// Leaves the alternate screen (DECSET 1049 reset): what the app prints after this is
/// on the main screen, where it stays after the app exits.
const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";

/// vt100's callbacks, recording the clipboard requests the app makes with OSC 52.
#[derive(Debug, Default)]
pub struct Osc52 {
    /// Each request's selection (`c` is the clipboard) and base64 data, in order.
    pub copies: Vec<(String, String)>,
}

impl vt100::Callbacks for Osc52 {
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, ty: &[u8], data: &[u8]) {
        self.copies
            .push((String::from_utf8_lossy(ty).into_owned(), String::from_utf8_lossy(data).into_owned()));
    }
}

/// The terminal as the reader thread has parsed it so far.
pub struct Term {
    pub parser: vt100::Parser<Osc52>,
    /// Every byte the app wrote, in order.
    pub output: Vec<u8>,
    /// The master read EOF: every holder of the slave (the app) has closed it.
    pub eof: bool,
}

impl Term {
    /// What the app wrote after it last left the alternate screen (the summary printed
    /// on exit), or `None` while it has not left it. ESC is shown as `␛`, so the text
    /// can go into a failure message without acting on the terminal that shows it.
    pub fn after_alternate_screen(&self) -> Option<String> {
        let at =
            self.output.windows(LEAVE_ALTERNATE_SCREEN.len()).rposition(|w| w == LEAVE_ALTERNATE_SCREEN)?;
        let text = String::from_utf8_lossy(&self.output[at + LEAVE_ALTERNATE_SCREEN.len()..]);
        Some(text.replace('\x1b', "␛"))
    }
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
pub struct Pty {
    shared: Arc<Shared>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    killer: Box<dyn ChildKiller + Send + Sync>,
    /// The exit status, from a thread that waits on the child.
    exit: mpsc::Receiver<std::io::Result<ExitStatus>>,
    status: Option<ExitStatus>,
    log: PathBuf,
    /// Its state directory (`TELNYX_SETUP_STATE_DIR`), where a finished setup's ids
    /// go: one per run, never the developer's own.
    state_dir: PathBuf,
    /// The child's process id, for [`Pty::signal`].
    pid: Option<u32>,
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("terminal sizes are not zero")
}

impl Pty {
    /// Starts the binary with `args` in a `cols`x`rows` terminal with no display: the
    /// app cannot reach a system clipboard, so a copy is an OSC 52 request (and the
    /// developer's own clipboard is left alone).
    pub fn spawn(name: &str, args: &[&str], cols: u16, rows: u16) -> Self {
        Self::spawn_with_env(name, args, cols, rows, &[])
    }

    /// [`Pty::spawn`], with `env` set on top (`DISPLAY` for an X server).
    pub fn spawn_with_env(name: &str, args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Self {
        let mut command = CommandBuilder::new(BIN);
        command.args(args);
        Self::spawn_command(name, command, cols, rows, env)
    }

    /// [`Pty::spawn`] of `program` instead of the binary: a wrapper that runs it (as
    /// `dbus-run-session -- sh -c '…; "$BIN" …'`, for a D-Bus session of its own).
    pub fn spawn_program(
        name: &str,
        program: &str,
        args: &[&str],
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Self {
        let mut command = CommandBuilder::new(program);
        command.args(args);
        Self::spawn_command(name, command, cols, rows, env)
    }

    /// [`Pty::spawn`] with the binary's stdout sent to `stdout` (a file or a FIFO)
    /// instead of the terminal, as `telnyx-setup ... > stdout` in a shell would: the
    /// PTY stays its controlling terminal, stdin and stderr. The shell `exec`s the
    /// binary, so the process (and [`Pty::signal`]'s pid) is the binary's.
    pub fn spawn_with_stdout(name: &str, args: &[&str], cols: u16, rows: u16, stdout: &Path) -> Self {
        let mut command = CommandBuilder::new("/bin/sh");
        command.args(["-c", r#"out=$1; shift; exec "$@" > "$out""#, "sh"]);
        command.arg(stdout);
        command.arg(BIN);
        command.args(args);
        Self::spawn_command(name, command, cols, rows, &[])
    }

    fn spawn_command(
        name: &str,
        mut command: CommandBuilder,
        cols: u16,
        rows: u16,
        env: &[(&str, &str)],
    ) -> Self {
        let pair =
            portable_pty::native_pty_system().openpty(size(cols, rows)).expect("open a pseudo-terminal");
        let log = log_path(name);
        // Each run its own state directory (journal included), unless a test shares
        // one between runs (`env`).
        let state_dir = isolate::isolate(&mut command, &log);
        for (variable, value) in env {
            command.env(variable, value);
        }
        let argv = format!("{:?}", command.get_argv());
        let mut child =
            pair.slave.spawn_command(command).unwrap_or_else(|e| panic!("start {argv} in a PTY: {e}"));
        // Only the child holds the slave now, so the reader sees EOF when it exits.
        drop(pair.slave);
        let pid = child.process_id();
        let killer = child.clone_killer();
        let (exited, exit) = mpsc::channel();
        thread::spawn(move || {
            let _ = exited.send(child.wait());
        });

        let shared = Arc::new(Shared {
            term: Mutex::new(Term {
                parser: vt100::Parser::new_with_callbacks(nonzero(rows), nonzero(cols), 0, Osc52::default()),
                output: Vec::new(),
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
                        let mut term = output.lock();
                        term.parser.process(&buf[..n]);
                        term.output.extend_from_slice(&buf[..n]);
                        drop(term);
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
        Self { shared, master: pair.master, writer, killer, exit, status: None, log, state_dir, pid }
    }

    /// Types `keys` as a terminal would send them.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .unwrap_or_else(|e| panic!("write {keys:?} to the PTY: {e}"));
    }

    /// The screen's text now.
    pub fn contents(&self) -> String {
        self.shared.lock().parser.screen().contents()
    }

    /// The OSC 52 requests so far: (selection, base64 data).
    pub fn osc52_copies(&self) -> Vec<(String, String)> {
        self.shared.lock().parser.callbacks().copies.clone()
    }

    /// The end of the app's log, for failure messages.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }

    /// The app's log file (`TELNYX_SETUP_LOG`); removed when the test passes.
    pub fn log_file(&self) -> &Path {
        &self.log
    }

    /// The run's own state directory (its setup journal).
    pub fn state_dir(&self) -> &Path {
        &self.state_dir
    }

    /// Every byte the app has written to the terminal so far.
    pub fn output(&self) -> Vec<u8> {
        self.shared.lock().output.clone()
    }

    /// Sends the app `signal`, named as `kill -s` takes it (`TERM`, `HUP`).
    pub fn signal(&self, signal: &str) {
        let pid = self.pid.expect("portable-pty knows the child's process id");
        let status = std::process::Command::new("kill")
            .args(["-s", signal, &pid.to_string()])
            .status()
            .unwrap_or_else(|e| panic!("run kill -s {signal} {pid}: {e}"));
        assert!(status.success(), "kill -s {signal} {pid} failed: {status}");
    }

    /// Waits until `check` finds what it looks for in the terminal, and returns it.
    /// Panics with the screen and the log if the deadline passes, or if the app ends
    /// (the PTY reads EOF) before `check` is satisfied.
    pub fn wait_term<R>(&mut self, what: &str, check: impl Fn(&Term) -> Option<R>) -> R {
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
    pub fn wait_for(&mut self, what: &str, ready: impl Fn(&vt100::Screen) -> bool) -> String {
        self.wait_term(what, |term| {
            let screen = term.parser.screen();
            ready(screen).then(|| screen.contents())
        })
    }

    /// Waits until the screen shows every one of `texts`.
    pub fn wait_for_text(&mut self, texts: &[&str]) -> String {
        let what = format!("the screen to show {texts:?}");
        self.wait_for(&what, |screen| {
            let contents = screen.contents();
            texts.iter().all(|text| contents.contains(text))
        })
    }

    /// Waits until the screen shows every one of `texts` and no request is in flight,
    /// so the next key is acted on rather than ignored.
    pub fn wait_idle_with(&mut self, texts: &[&str]) -> String {
        let what = format!("the screen to show {texts:?} with no request in flight");
        self.wait_for(&what, |screen| {
            let contents = screen.contents();
            !in_flight(&contents) && texts.iter().all(|text| contents.contains(text))
        })
    }

    /// Resizes the terminal: the parser first, so the app's redraw for the new size is
    /// never parsed at the old one, then the PTY, which signals the app (SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
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
    pub fn expect_raw(&self) {
        assert_eq!(
            self.line_discipline(),
            (false, false),
            "while the wizard runs the terminal should be raw (ICANON, ECHO off)\n{}",
            dump_text(&self.contents())
        );
    }

    /// Kills the app with SIGKILL, as a closed laptop lid or an OOM killer would, and
    /// waits until it is gone: nothing of it runs, no handler, no restore.
    pub fn kill_hard(&mut self) {
        self.signal("KILL");
        let status = self.collect_exit().unwrap_or_else(|e| panic!("after SIGKILL: {e}"));
        assert!(status.signal().is_some(), "the app should have died by the signal, got {status}");
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

    /// Asserts the app exited with status 0 and gave the terminal back as it found it,
    /// and returns what it printed after leaving the alternate screen.
    pub fn expect_restored(&mut self) -> String {
        self.expect_restored_with(0)
    }

    /// [`Pty::expect_restored`] for an app that exits with status `code` (101 after a
    /// panic, 1 after an error): it must still exit on its own, not by a signal.
    pub fn expect_restored_with(&mut self, code: u32) -> String {
        // EOF on the master: the app has exited and everything it wrote has been parsed.
        let (screen, printed) = self.wait_term("the app to exit and close the terminal", |term| {
            term.eof.then(|| (term.parser.screen().clone(), term.after_alternate_screen()))
        });
        let status = self.collect_exit().unwrap_or_else(|e| panic!("the app closed the terminal but: {e}"));
        let shown = format!("{}{}", dump(&screen), log_tail(&self.log));
        assert!(
            status.signal().is_none() && status.exit_code() == code,
            "the app should exit with status {code}, got {status}\n{shown}"
        );
        assert!(!screen.alternate_screen(), "the app should leave the alternate screen on exit\n{shown}");
        assert!(!screen.hide_cursor(), "the app should show the cursor again on exit\n{shown}");
        assert!(!screen.bracketed_paste(), "the app should turn bracketed paste off on exit\n{shown}");
        assert_eq!(
            self.line_discipline(),
            (true, true),
            "the app should restore the line discipline (ICANON, ECHO) on exit\n{shown}"
        );
        printed.unwrap_or_else(|| panic!("the app never left the alternate screen\n{shown}"))
    }

    /// For a command that asks on the terminal without a full screen (`accounts add`):
    /// it exits on its own with status `code` and leaves the line discipline cooked
    /// (ICANON, ECHO). Returns the screen.
    pub fn expect_exit_cooked(&mut self, code: u32) -> String {
        let screen = self.wait_term("the app to exit and close the terminal", |term| {
            term.eof.then(|| term.parser.screen().clone())
        });
        let status = self.collect_exit().unwrap_or_else(|e| panic!("the app closed the terminal but: {e}"));
        let shown = format!("{}{}", dump(&screen), log_tail(&self.log));
        assert!(
            status.signal().is_none() && status.exit_code() == code,
            "the app should exit with status {code}, got {status}\n{shown}"
        );
        assert_eq!(self.line_discipline(), (true, true), "the app should leave raw mode on exit\n{shown}");
        shown
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
        let _ = std::fs::remove_dir_all(&self.state_dir);
    }
}

/// The screen framed for a failure message, trailing blank rows dropped.
/// A request is in flight: the status line's spinner turns (an order in flight, which
/// cannot be cancelled, shows no [`BUSY`]).
pub fn in_flight(contents: &str) -> bool {
    contents.contains(BUSY) || telnyx_setup::ui::theme::SPINNER.iter().any(|frame| contents.contains(frame))
}

pub fn dump(screen: &vt100::Screen) -> String {
    let (row, col) = screen.cursor_position();
    format!(
        "{}(cursor at row {row}, column {col}; alternate screen {}; cursor hidden {})\n",
        dump_text(&screen.contents()),
        screen.alternate_screen(),
        screen.hide_cursor()
    )
}

pub fn dump_text(contents: &str) -> String {
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
pub fn log_tail(path: &Path) -> String {
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
pub fn field_text(contents: &str, label: &str) -> Option<String> {
    let title = format!("┌ {label} ");
    let mut lines = contents.lines();
    lines.find(|line| line.contains(&title))?;
    let row = lines.next()?.trim();
    let inner = row.strip_prefix('│')?.strip_suffix('│')?;
    Some(inner.trim().to_owned())
}

/// The login token as step 8 shows it revealed (`r`): the rows between `Token (r hides
/// it):` and `Expires:`, which wrap the token at the screen's width, joined.
pub fn revealed_token(contents: &str) -> Option<String> {
    let mut lines = contents.lines().map(str::trim).skip_while(|line| *line != "Token (r hides it):").skip(1);
    let mut token = String::new();
    for line in lines.by_ref() {
        if line.starts_with("Expires:") {
            return (!token.is_empty()).then_some(token);
        }
        token.push_str(line);
    }
    None
}

/// A multi-threaded runtime for the in-process sandbox and the API client; the test
/// itself stays synchronous and blocks on the PTY without stalling the server.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("build a tokio runtime")
}

/// A sandbox with `seed` on loopback, and the [`runtime`] that serves it: its threads
/// answer the app while the test blocks on the PTY, and run the test's own API calls.
pub fn start_sandbox(seed: &Seed) -> (tokio::runtime::Runtime, Sandbox) {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start_local(seed)).expect("start the sandbox");
    (runtime, sandbox)
}

/// From the Numbers intro: opens the search form and searches with its defaults.
/// Leaves the wizard idle on the results, with an empty cart.
pub fn search_default_numbers(app: &mut Pty) {
    app.send(ENTER);
    app.wait_idle_with(&["Search available numbers", "Enter search"]);
    app.send(ENTER);
    app.wait_idle_with(&["· cart: 0", "Space add/remove"]);
}

/// From step 6's end (Enter) or intro (`s`), with `key`: create a credential with the
/// form's defaults, then generate the token. Leaves the wizard idle on the token.
pub fn credential_and_token(app: &mut Pty, key: &str) {
    app.send(key);
    app.wait_idle_with(&["Step 7 of 8: Credential", "Credentials (0)", "+ Create a new credential"]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ Name (optional) ", "Enter create"]);
    app.send(ENTER);
    app.wait_idle_with(&["SIP user name:", "Press Enter to make a login token"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 8 of 8: Token", "Press Enter to generate a login token"]);
    app.send(ENTER);
    app.wait_idle_with(&["r reveals", "y copy"]);
}

/// The wizard in a PTY against the sandbox at `base_url` with the key `key`, its login
/// test pointed at `signaling` (none when empty), walked with Enter (numbers skipped) to a generated
/// token. Leaves it idle on the token screen.
pub fn wizard_at_token(name: &str, base_url: &str, key: &str, signaling: &str) -> Pty {
    let mut args = vec!["--api-base", base_url, "--api-key", key];
    // An empty one is none: the run picks its own.
    if !signaling.is_empty() {
        args.extend(["--signaling-url", signaling]);
    }
    let mut app = Pty::spawn(name, &args, 100, 30);
    enter_through_steps_one_to_five(&mut app);
    credential_and_token(&mut app, "s");
    app
}

/// Steps 1 to 5 with Enter only, against an empty account: sign in, create a connection,
/// keep the codecs, create a profile, keep the default countries. Leaves the wizard idle
/// on the Numbers intro.
pub fn enter_through_steps_one_to_five(app: &mut Pty) {
    enter_through_steps_one_to_five_from(app, "The key came from --api-key.");
}

/// [`enter_through_steps_one_to_five`] for a key from elsewhere: step 1 shows `key_note`
/// (where the key came from) before Enter is pressed.
pub fn enter_through_steps_one_to_five_from(app: &mut Pty, key_note: &str) {
    enter_through_steps_one_to_four_from(app, key_note);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8: Numbers", "Press Enter to search for numbers, or s to skip"]);
}

/// Enter through steps 1-4, to the countries of the new profile (CA and US).
pub fn enter_through_steps_one_to_four_from(app: &mut Pty, key_note: &str) {
    app.wait_idle_with(&["Step 1 of 8: Sign in", key_note]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "+ Create a new credential connection"]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ SIP user name ", "Enter next"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8: Codecs", "[x] VP8"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 4 of 8: Voice profile", "+ Create a new outbound voice profile"]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ Profile name ", "Enter next"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8: Countries", "Allowed: CA, US"]);
}
