//! Records the wizard for the README, from a real run: starts the binary with `--demo`
//! in a pseudo-terminal, drives it with keys through all eight steps (searching the
//! countries and the numbers by name on the way), and writes what the terminal showed
//! as an asciinema v2 `.cast` file: one JSON header line, then `[seconds, "o", text]`
//! lines.
//!
//! `scripts/record-demo.sh` builds and runs it, then renders the GIF with `agg`:
//!
//! ```sh
//! record_demo target/debug/telnyx-setup docs/demo.cast
//! ```
//!
//! Each key waits for the screen it belongs to (parsed with vt100), so the recording
//! follows the screens as they are, whatever they say. Time in the recording is not
//! the run's: waits for the app are cut short, and pauses are added before keys, so
//! the result reads at a human pace however fast or slow the machine was.

use portable_pty::{CommandBuilder, PtySize};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

const COLS: u16 = 100;
const ROWS: u16 = 30;
/// How long one screen may take to appear before the recording is abandoned.
const DEADLINE: Duration = Duration::from_secs(30);
/// Shown while a request is in flight (the status line); keys wait for it to go.
const BUSY: &str = "(Esc cancels)";
/// How long the app must have written nothing before a key is pressed.
const QUIET: Duration = Duration::from_millis(50);
/// The longest stretch of the run's own time kept between two outputs.
const LONGEST_WAIT: f64 = 0.4;

const ENTER: &str = "\r";
const SPACE: &str = " ";
const BACKSPACE: &str = "\x7f";

/// What happened, in the order it happened.
enum Event {
    /// The app wrote these bytes.
    Output(Instant, Vec<u8>),
    /// The driver paused this long (seconds of recording) before a key.
    Pause(f64),
}

struct Recording {
    parser: vt100::Parser,
    events: Vec<Event>,
    eof: bool,
}

struct Shared {
    recording: Mutex<Recording>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Recording> {
        self.recording.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Driver {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
}

impl Driver {
    /// Waits until the screen shows every one of `texts` and no request is in flight;
    /// returns the screen's text.
    fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&[texts]).1
    }

    /// Waits for the first of `choices` the screen shows; returns its index.
    fn wait_for_any(&self, choices: &[&[&str]]) -> usize {
        self.wait_until(choices).0
    }

    /// Waits until the screen, with no request in flight, shows every text of one of
    /// `choices`: that choice's index and the screen. Exits the program if the app ends
    /// or the deadline passes first.
    fn wait_until(&self, choices: &[&[&str]]) -> (usize, String) {
        let deadline = Instant::now() + DEADLINE;
        let mut recording = self.shared.lock();
        loop {
            let screen = recording.parser.screen().contents();
            if !screen.contains(BUSY)
                && let Some(found) = choices.iter().position(|texts| texts.iter().all(|t| screen.contains(t)))
            {
                return (found, screen);
            }
            let now = Instant::now();
            if recording.eof || now >= deadline {
                let why = if recording.eof { "the app ended" } else { "gave up" };
                eprintln!("record_demo: waiting for one of {choices:?}: {why}. The screen:\n{screen}");
                std::process::exit(1);
            }
            recording = self
                .shared
                .changed
                .wait_timeout(recording, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Presses `keys` after a pause of `pause` seconds (of the recording), once the
    /// app has finished writing its frame: the last bytes of a frame (where the cursor
    /// goes) may come after the text a wait looked for, and would otherwise be
    /// recorded after the pause, as if the cursor lagged.
    fn press(&mut self, keys: &str, pause: f64) {
        let mut recording = self.shared.lock();
        loop {
            let last = recording.events.iter().rev().find_map(|event| match event {
                Event::Output(at, _) => Some(*at),
                Event::Pause(_) => None,
            });
            let quiet = last.map_or(QUIET, |at| at.elapsed());
            if quiet >= QUIET || recording.eof {
                break;
            }
            recording = self
                .shared
                .changed
                .wait_timeout(recording, QUIET - quiet)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        recording.events.push(Event::Pause(pause));
        drop(recording);
        self.writer.write_all(keys.as_bytes()).and_then(|()| self.writer.flush()).expect("write to the PTY");
    }

    /// Types `text` a letter at a time, as a person would.
    fn type_text(&mut self, text: &str) {
        for (i, letter) in text.chars().enumerate() {
            self.press(&letter.to_string(), if i == 0 { 0.6 } else { 0.12 });
        }
    }

    fn wait_for_exit(&self) {
        let deadline = Instant::now() + DEADLINE;
        let mut recording = self.shared.lock();
        while !recording.eof {
            let now = Instant::now();
            if now >= deadline {
                eprintln!("record_demo: the app did not exit");
                std::process::exit(1);
            }
            recording = self
                .shared
                .changed
                .wait_timeout(recording, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// The walk through the wizard: Enter on every screen, with a country found by name
/// in step 5, Irish numbers searched by name and one bought in step 6.
fn drive(app: &mut Driver) {
    app.wait_for(&["Step 1 of 8: Sign in", "Demo mode"]);
    app.press(ENTER, 1.5);
    app.wait_for(&["Step 2 of 8: Connection"]);
    app.press(ENTER, 1.5);
    if app.wait_for_any(&[&["Step 3 of 8: Codecs"], &["Enter create"]]) == 1 {
        app.press(ENTER, 1.0);
    }
    app.wait_for(&["Step 3 of 8: Codecs", "VP8"]);
    app.press(ENTER, 1.5);
    app.wait_for(&["Step 4 of 8: Voice profile"]);
    app.press(ENTER, 1.2);
    if app.wait_for_any(&[&["Step 5 of 8: Countries"], &["Enter create"]]) == 1 {
        app.press(ENTER, 1.0);
    }
    app.wait_for(&["Step 5 of 8: Countries"]);
    app.press("/", 1.2);
    app.wait_for(&["Enter done searching"]);
    app.type_text("ire");
    app.wait_for(&["IE Ireland"]);
    app.press(ENTER, 1.0);
    app.wait_for(&["/ search"]);
    app.press(SPACE, 0.6);
    app.wait_for(&["[x] IE Ireland"]);
    app.press(ENTER, 1.0);
    app.wait_for(&["Step 6 of 8: Numbers", "Press Enter to search for numbers"]);
    app.press(ENTER, 1.2);
    let form = app.wait_for(&["Search available numbers", "Enter search"]);
    // The country field has the focus, filled with the first allowed country's code.
    let prefilled = form
        .lines()
        .find_map(|line| line.split("Country or code").nth(1))
        .map_or(2, |rest| rest.split_whitespace().next().map_or(0, |code| code.chars().count()));
    for _ in 0..prefilled {
        app.press(BACKSPACE, 0.15);
    }
    app.type_text("Ireland");
    app.press(ENTER, 0.8);
    app.wait_for(&["· cart: 0", "Space add/remove"]);
    app.press(SPACE, 1.2);
    app.wait_for(&["· cart: 1"]);
    app.press(ENTER, 1.0);
    app.wait_for(&["Cart: 1 number", "Enter buy"]);
    app.press(ENTER, 1.2);
    app.wait_for(&["Buy 1 number for", "[y/N]"]);
    app.press("y", 1.5);
    app.wait_for(&["1 number bought and assigned", "Enter continue"]);
    app.press(ENTER, 1.5);
    app.wait_for(&["Step 7 of 8: Credential", "+ Create a new credential"]);
    app.press(ENTER, 1.2);
    app.wait_for(&["┌ Name (optional) ", "Enter create"]);
    app.press(ENTER, 1.0);
    app.wait_for(&["SIP user name:", "Press Enter to make a login token"]);
    app.press(ENTER, 1.8);
    app.wait_for(&["Step 8 of 8: Token", "Press Enter to generate a login token"]);
    app.press(ENTER, 1.2);
    app.wait_for(&["r reveals", "y copy"]);
    app.press(ENTER, 2.0);
    app.wait_for(&["Setup complete", "Enter or q to quit"]);
    app.press("q", 2.5);
    app.wait_for_exit();
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(binary), Some(out)) = (args.next().map(PathBuf::from), args.next().map(PathBuf::from)) else {
        eprintln!("usage: record_demo <telnyx-setup binary> <output.cast>");
        std::process::exit(2);
    };
    let pty = portable_pty::native_pty_system()
        .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
        .expect("open a pseudo-terminal");
    let log = std::env::temp_dir().join(format!("telnyx-setup-record-demo-{}.log", std::process::id()));
    let mut command = CommandBuilder::new(&binary);
    command.arg("--demo");
    command.cwd(std::env::temp_dir());
    command.env("TERM", "xterm-256color");
    command.env("TELNYX_SETUP_LOG", &log);
    for variable in ["TELNYX_API_KEY", "TELNYX_API_BASE", "NO_COLOR", "DISPLAY", "WAYLAND_DISPLAY"] {
        command.env_remove(variable);
    }

    let rows = NonZeroU16::new(ROWS).expect("not zero");
    let cols = NonZeroU16::new(COLS).expect("not zero");
    let shared = Arc::new(Shared {
        recording: Mutex::new(Recording {
            parser: vt100::Parser::new(rows, cols, 0),
            events: Vec::new(),
            eof: false,
        }),
        changed: Condvar::new(),
    });
    // What a shell would have shown: the prompt and the command, typed.
    let prompt = "$ telnyx-setup --demo";
    {
        let mut recording = shared.lock();
        recording.events.push(Event::Pause(0.5));
        for (i, letter) in prompt.char_indices() {
            recording.events.push(Event::Output(Instant::now(), letter.to_string().into_bytes()));
            if i >= 1 {
                recording.events.push(Event::Pause(0.06));
            }
        }
        recording.events.push(Event::Pause(0.6));
        recording.events.push(Event::Output(Instant::now(), b"\r\n".to_vec()));
        recording.parser.process(format!("{prompt}\r\n").as_bytes());
    }

    let mut child =
        pty.slave.spawn_command(command).unwrap_or_else(|e| panic!("start {}: {e}", binary.display()));
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().expect("clone the PTY reader");
    let output = Arc::clone(&shared);
    thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let mut recording = output.lock();
                    recording.parser.process(&buf[..n]);
                    recording.events.push(Event::Output(Instant::now(), buf[..n].to_vec()));
                    drop(recording);
                    output.changed.notify_all();
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        output.lock().eof = true;
        output.changed.notify_all();
    });
    let mut app =
        Driver { shared: Arc::clone(&shared), writer: pty.master.take_writer().expect("the PTY writer") };
    drive(&mut app);
    let status = child.wait().expect("wait for the app");
    let _ = std::fs::remove_file(&log);
    if !status.success() {
        eprintln!("record_demo: the app exited with {status}");
        std::process::exit(1);
    }

    let recording = shared.lock();
    let cast = cast(&recording.events);
    std::fs::write(&out, cast).unwrap_or_else(|e| panic!("write {}: {e}", out.display()));
    eprintln!("record_demo: wrote {}", out.display());
}

/// The asciinema v2 file: the header, then each output at its time in the recording.
fn cast(events: &[Event]) -> String {
    let header = serde_json::json!({
        "version": 2,
        "width": COLS,
        "height": ROWS,
        "title": "telnyx-setup --demo",
        "env": { "TERM": "xterm-256color", "SHELL": "/bin/sh" },
    });
    let mut out = format!("{header}\n");
    let mut at = 0.0_f64;
    let mut last: Option<Instant> = None;
    // Output is cut into chunks anywhere, a UTF-8 character included: carry the rest.
    let mut carry: Vec<u8> = Vec::new();
    for event in events {
        match event {
            Event::Pause(seconds) => {
                at += seconds;
                last = None;
            }
            Event::Output(when, bytes) => {
                if let Some(last) = last {
                    at += when.saturating_duration_since(last).as_secs_f64().min(LONGEST_WAIT);
                }
                last = Some(*when);
                carry.extend_from_slice(bytes);
                let valid = match std::str::from_utf8(&carry) {
                    Ok(text) => text.len(),
                    // Bytes that are no UTF-8 at all (not a character cut short) go
                    // out as replacement characters.
                    Err(error) if error.error_len().is_some() => carry.len(),
                    Err(error) => error.valid_up_to(),
                };
                if valid == 0 {
                    continue;
                }
                let text = String::from_utf8_lossy(&carry[..valid]).into_owned();
                carry.drain(..valid);
                out.push_str(&serde_json::json!([(at * 1000.0).round() / 1000.0, "o", text]).to_string());
                out.push('\n');
            }
        }
    }
    out
}
