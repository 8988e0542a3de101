//! The real binary in a pseudo-terminal, for the examples that drive it: the README's
//! recording (`record_demo.rs`) and the perf harness (`perf.rs`). Each includes this
//! file as `#[path = "common/pty.rs"] mod pty;` (cargo builds only `examples/*.rs` as
//! examples, so this directory is not one).
//!
//! [`Session::spawn`] starts the binary on the slave side of a PTY (portable-pty); a
//! thread reads the master (a full PTY buffer would block the app) and feeds each chunk
//! to a vt100 parser, keeping it with the moment it arrived, so a driver can both wait
//! for a screen and tell when its bytes came. Waits block on a condition variable the
//! reader notifies after every chunk, with a deadline; a screen that never comes ends
//! the program with the screen shown, as these are tools, not tests.
//!
//! The integration tests have their own harness (`tests/it/support/pty.rs`), which
//! panics where this exits and records OSC 52 copies rather than times.

// Each example uses the part it needs.
#![allow(dead_code)]

#[path = "isolate.rs"]
mod isolate;

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Shown while a request is in flight (the status line); keys wait for it to go.
pub const BUSY: &str = "(Esc cancels)";
pub const ENTER: &str = "\r";
pub const SPACE: &str = " ";
pub const BACKSPACE: &str = "\x7f";
pub const CTRL_C: &str = "\x03";

/// What happened, in the order it happened.
pub enum Event {
    /// The app wrote these bytes.
    Output(Instant, Vec<u8>),
    /// A pause the driver put in (seconds of a recording: see `record_demo.rs`).
    Pause(f64),
}

pub struct Recording {
    pub parser: vt100::Parser,
    pub events: Vec<Event>,
    /// The master read EOF: the app has exited and closed the terminal.
    pub eof: bool,
}

impl Recording {
    /// When the app last wrote something.
    pub fn last_output(&self) -> Option<Instant> {
        self.events.iter().rev().find_map(|event| match event {
            Event::Output(at, _) => Some(*at),
            Event::Pause(_) => None,
        })
    }
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

/// How to start the binary.
pub struct Launch<'a> {
    pub binary: &'a Path,
    pub args: &'a [&'a str],
    pub env: &'a [(&'a str, &'a str)],
    pub cols: u16,
    pub rows: u16,
}

/// The binary running in a PTY.
pub struct Session {
    shared: Arc<Shared>,
    writer: Box<dyn Write + Send>,
    /// Kept open for as long as the session: the reader's clone and the writer need it.
    _master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    log: PathBuf,
    /// How long one screen may take to appear before the program gives up.
    pub deadline: Duration,
}

fn nonzero(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("terminal sizes are not zero")
}

impl Session {
    /// Starts `launch` with a log file and a setup journal of its own (so neither the
    /// user's files nor an earlier run's setup are touched or continued), no display
    /// (so no system clipboard is touched) and no key or API base from this
    /// environment. `before` may add
    /// events ahead of the app's first output (a recording's typed command line).
    pub fn spawn(launch: &Launch, before: impl FnOnce(&mut Recording)) -> Self {
        let pty = portable_pty::native_pty_system()
            .openpty(PtySize { rows: launch.rows, cols: launch.cols, pixel_width: 0, pixel_height: 0 })
            .expect("open a pseudo-terminal");
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let log = std::env::temp_dir().join(format!(
            "telnyx-setup-example-{}-{}.log",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        // Absolute: the run starts in another directory, where a relative path to the
        // binary would name nothing.
        let binary = std::path::absolute(launch.binary).unwrap_or_else(|_| launch.binary.to_path_buf());
        let mut command = CommandBuilder::new(binary);
        command.args(launch.args);
        isolate::isolate(&mut command, &log);
        for (variable, value) in launch.env {
            command.env(variable, value);
        }
        let shared = Arc::new(Shared {
            recording: Mutex::new(Recording {
                parser: vt100::Parser::new(nonzero(launch.rows), nonzero(launch.cols), 0),
                events: Vec::new(),
                eof: false,
            }),
            changed: Condvar::new(),
        });
        before(&mut shared.lock());
        let child = pty
            .slave
            .spawn_command(command)
            .unwrap_or_else(|e| panic!("start {}: {e}", launch.binary.display()));
        // Only the child holds the slave now, so the reader sees EOF when it exits.
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().expect("clone the PTY reader");
        let output = Arc::clone(&shared);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        let at = Instant::now();
                        let mut recording = output.lock();
                        recording.parser.process(&buf[..n]);
                        recording.events.push(Event::Output(at, buf[..n].to_vec()));
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
        let writer = pty.master.take_writer().expect("the PTY writer");
        Self { shared, writer, _master: pty.master, child, log, deadline: Duration::from_secs(30) }
    }

    /// The app's process id, for reading /proc.
    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("portable-pty knows the child's process id")
    }

    /// Waits until `done` holds for the recording, and returns what it returned.
    /// Exits the program, showing the screen, if the app ends or the deadline passes
    /// first.
    pub fn wait<R>(&self, what: &str, done: impl Fn(&Recording) -> Option<R>) -> R {
        let deadline = Instant::now() + self.deadline;
        let mut recording = self.shared.lock();
        loop {
            if let Some(found) = done(&recording) {
                return found;
            }
            let now = Instant::now();
            if recording.eof || now >= deadline {
                let why = if recording.eof { "the app ended" } else { "gave up" };
                eprintln!(
                    "waiting for {what}: {why}. The screen:\n{}\n(log: {})",
                    recording.parser.screen().contents(),
                    self.log.display()
                );
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

    /// Waits until the screen, with no request in flight, shows every text of one of
    /// `choices`: that choice's index, the screen, and when the output that made it
    /// so arrived.
    pub fn wait_until(&self, choices: &[&[&str]]) -> (usize, String, Instant) {
        self.wait(&format!("one of {choices:?}"), |recording| {
            let screen = recording.parser.screen().contents();
            if screen.contains(BUSY) {
                return None;
            }
            let found = choices.iter().position(|texts| texts.iter().all(|t| screen.contains(t)))?;
            Some((found, screen, recording.last_output()?))
        })
    }

    /// Waits until the screen shows every one of `texts` and no request is in flight;
    /// returns the screen's text.
    pub fn wait_for(&self, texts: &[&str]) -> String {
        self.wait_until(&[texts]).1
    }

    /// Waits for the first of `choices` the screen shows; returns its index.
    pub fn wait_for_any(&self, choices: &[&[&str]]) -> usize {
        self.wait_until(choices).0
    }

    /// Waits until the app has written nothing for `quiet` (the last bytes of a frame,
    /// where the cursor goes, may come after the text a wait looked for).
    pub fn wait_quiet(&self, quiet: Duration) {
        let mut recording = self.shared.lock();
        loop {
            let since = recording.last_output().map_or(quiet, |at| at.elapsed());
            if since >= quiet || recording.eof {
                return;
            }
            recording = self
                .shared
                .changed
                .wait_timeout(recording, quiet - since)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Adds an event of the driver's own (a recording's pause).
    pub fn push(&self, event: Event) {
        self.shared.lock().events.push(event);
    }

    /// Types `keys` as a terminal would send them; returns when the write began. (Not
    /// when it returned: the app, woken by the write, may preempt this thread and draw
    /// its answer before the write returns here.)
    pub fn send(&mut self, keys: &str) -> Instant {
        let at = Instant::now();
        self.writer.write_all(keys.as_bytes()).and_then(|()| self.writer.flush()).expect("write to the PTY");
        at
    }

    /// How many events there are so far: [`Session::first_output_since`] takes it.
    pub fn mark(&self) -> usize {
        self.shared.lock().events.len()
    }

    /// Waits for the first output after event `mark`, and returns when it arrived.
    pub fn first_output_since(&self, mark: usize) -> Instant {
        self.wait("output", |recording| {
            recording.events[mark..].iter().find_map(|event| match event {
                Event::Output(at, _) => Some(*at),
                Event::Pause(_) => None,
            })
        })
    }

    /// Waits for the app to exit (the PTY reads EOF, then the process is reaped) and
    /// returns whether it exited with status 0. The log and the journal are removed
    /// then.
    pub fn wait_for_exit(&mut self) -> bool {
        self.wait("the app to exit", |recording| recording.eof.then_some(()));
        let status = self.child.wait().expect("wait for the app");
        let _ = std::fs::remove_file(&self.log);
        let _ = std::fs::remove_dir_all(self.log.with_extension("state"));
        status.success()
    }

    /// Runs `f` over what has been recorded (a recording's events, to write a cast).
    pub fn with_recording<R>(&self, f: impl FnOnce(&Recording) -> R) -> R {
        f(&self.shared.lock())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // A session given up on (the harness exits on failure) must not leave the app
        // running; after wait_for_exit this finds it reaped.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
