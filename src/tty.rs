//! The terminal the UI draws on: the controlling terminal (`/dev/tty` on Unix), never
//! stdout. stdout carries data (the summary the wizard prints on exit), so
//! `telnyx-setup --demo > summary.txt` shows the wizard on the screen and leaves only
//! the summary in the file. Keys are read from the same terminal (crossterm opens
//! `/dev/tty` when stdin is not one).
//!
//! Without a controlling terminal (cron, CI, `setsid`, a service) [`Tty::open`] fails,
//! and the caller says what to run instead.

use std::fs::{File, OpenOptions};
use std::io;

/// The controlling terminal's device: `/dev/tty` on Unix, the console on Windows.
#[cfg(unix)]
pub const DEVICE: &str = "/dev/tty";
#[cfg(windows)]
pub const DEVICE: &str = "CONOUT$";

/// The controlling terminal, opened for writing.
#[derive(Debug)]
pub struct Tty(File);

/// There is no terminal to draw on.
#[derive(Debug, thiserror::Error)]
#[error("cannot open {DEVICE}: {0}")]
pub struct NoTerminal(#[source] pub io::Error);

impl Tty {
    /// Opens the controlling terminal. Fails when the process has none, whatever its
    /// stdin and stdout are.
    pub fn open() -> Result<Self, NoTerminal> {
        OpenOptions::new().read(true).write(true).open(DEVICE).map(Self).map_err(NoTerminal)
    }

    /// Another handle on the same terminal, for a writer that lives elsewhere (the
    /// panic hook, OSC 52 copies).
    pub fn try_clone(&self) -> io::Result<Self> {
        self.0.try_clone().map(Self)
    }
}

impl io::Write for Tty {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl io::Write for &Tty {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        (&self.0).write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        (&self.0).flush()
    }
}
