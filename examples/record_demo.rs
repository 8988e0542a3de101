//! Records the wizard for the README, from a real run: starts the binary with `--demo`
//! in a pseudo-terminal, drives it with keys through all eight steps (searching the
//! countries and the numbers by name on the way), and writes what the terminal showed
//! as an asciinema v2 `.cast` file: one JSON header line, then `[seconds, "o", text]`
//! lines.
//!
//! `scripts/record-demo.sh` builds and runs it, then renders the animated
//! `assets/demo.svg` from the cast with npm's svg-term-cli:
//!
//! ```sh
//! record_demo target/debug/telnyx-setup assets/demo.cast
//! ```
//!
//! Each key waits for the screen it belongs to (parsed with vt100), so the recording
//! follows the screens as they are, whatever they say. Time in the recording is not
//! the run's: waits for the app are cut short, and pauses are added before keys, so
//! the result reads at a human pace however fast or slow the machine was.

#[path = "common/pty.rs"]
mod pty;

use pty::{BACKSPACE, ENTER, Event, Launch, SPACE, Session};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const COLS: u16 = 100;
const ROWS: u16 = 30;
/// How long the app must have written nothing before a key is pressed.
const QUIET: Duration = Duration::from_millis(50);
/// The longest stretch of the run's own time kept between two outputs.
const LONGEST_WAIT: f64 = 0.4;

/// The session, pressing keys at a recording's pace.
struct Driver(Session);

impl Driver {
    fn wait_for(&self, texts: &[&str]) -> String {
        self.0.wait_for(texts)
    }

    fn wait_for_any(&self, choices: &[&[&str]]) -> usize {
        self.0.wait_for_any(choices)
    }

    /// Presses `keys` after a pause of `pause` seconds (of the recording), once the
    /// app has finished writing its frame: the last bytes of a frame (where the cursor
    /// goes) may come after the text a wait looked for, and would otherwise be
    /// recorded after the pause, as if the cursor lagged.
    fn press(&mut self, keys: &str, pause: f64) {
        self.0.wait_quiet(QUIET);
        self.0.push(Event::Pause(pause));
        self.0.send(keys);
    }

    /// Types `text` a letter at a time, as a person would.
    fn type_text(&mut self, text: &str) {
        for (i, letter) in text.chars().enumerate() {
            self.press(&letter.to_string(), if i == 0 { 0.6 } else { 0.12 });
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
    if app.wait_for_any(&[&["Step 5 of 8: Countries"], &["Enter next"]]) == 1 {
        app.press(ENTER, 1.0);
    }
    app.wait_for(&["Step 5 of 8: Countries"]);
    app.press("/", 1.2);
    app.wait_for(&["Tab done searching"]);
    app.type_text("ire");
    app.wait_for(&["IE Ireland"]);
    // After a search, Enter ticks the highlighted match; Tab leaves the search.
    app.press(ENTER, 1.0);
    app.wait_for(&["[x] IE Ireland"]);
    app.press("\t", 1.0);
    app.wait_for(&["/ search"]);
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
}

fn main() {
    let mut args = std::env::args_os().skip(1);
    let (Some(binary), Some(out)) = (args.next().map(PathBuf::from), args.next().map(PathBuf::from)) else {
        eprintln!("usage: record_demo <telnyx-setup binary> <output.cast>");
        std::process::exit(2);
    };
    // What a shell would have shown: the prompt and the command, typed.
    let prompt = "$ telnyx-setup --demo";
    let launch = Launch { binary: &binary, args: &["--demo"], env: &[], cols: COLS, rows: ROWS };
    let session = Session::spawn(&launch, |recording| {
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
    });
    let mut app = Driver(session);
    drive(&mut app);
    if !app.0.wait_for_exit() {
        eprintln!("record_demo: the app did not exit with status 0");
        std::process::exit(1);
    }
    let cast = app.0.with_recording(|recording| cast(&recording.events));
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
