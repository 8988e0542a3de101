//! Printing that never panics. `print!` and `eprintln!` panic when a write fails, and
//! a write to a pipe whose reader has gone (`telnyx-setup doctor ... | head -c 10`)
//! fails with EPIPE: Rust ignores SIGPIPE, so instead of dying quietly as C programs
//! do, the program panicked with "failed printing to stdout: Broken pipe" (exit 101).
//!
//! [`print`] tells a closed pipe (the reader has all it wanted: stop, quietly) from a
//! real failure such as a full disk (say so). [`error_line`] is for messages on
//! stderr, where a failure cannot be reported (and `cli::prompt` asks its question
//! there with the same escaping).
//!
//! They are also the one way out to a terminal: every byte written to stdout or
//! stderr outside the full-screen UI goes through one of them, and each escapes every
//! control character but the newline ([`escape_controls_but_newlines`]), so no text,
//! wherever it came from, can retitle, clear or write the clipboard of the terminal
//! that shows it. Text from the server is escaped or quoted where it is put into a
//! line as well: here, a newline it holds would still start a line.

use crate::sanitize::escape_controls_but_newlines;
use std::fmt;
use std::io::{self, Write};

/// How far a [`print`] got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    /// Everything was written.
    All,
    /// stdout is a pipe whose reader has gone (EPIPE): what was not written is not
    /// wanted, so this is not an error, but nothing more should be printed.
    ReaderGone,
}

/// Writes `text` to stdout and flushes it. A closed pipe is [`Printed::ReaderGone`];
/// any other failure is an error.
pub fn print(text: &str) -> io::Result<Printed> {
    written(io::stdout().lock(), text)
}

fn written(mut out: impl Write, text: &str) -> io::Result<Printed> {
    let text = escape_controls_but_newlines(text);
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(Printed::All),
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(Printed::ReaderGone),
        Err(error) => Err(error),
    }
}

/// Writes one line to stderr, ignoring failure: there is nowhere left to report it.
pub fn error_line(args: fmt::Arguments<'_>) {
    let text = match args.as_str() {
        Some(text) => escape_controls_but_newlines(text).into_owned(),
        None => escape_controls_but_newlines(&args.to_string()).into_owned(),
    };
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.write_all(b"\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that fails with `kind`.
    struct Failing(io::ErrorKind);

    impl Write for Failing {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_the_output_and_other_failures_are_errors() {
        assert_eq!(written(Vec::new(), "text").ok(), Some(Printed::All));
        assert_eq!(written(Failing(io::ErrorKind::BrokenPipe), "text").ok(), Some(Printed::ReaderGone));
        let mut out = Vec::new();
        assert_eq!(written(&mut out, "a\u{1b}]0;x\u{7}\nb\n").ok(), Some(Printed::All));
        assert_eq!(out, b"a\\u{1b}]0;x\\u{7}\nb\n", "controls are escaped, newlines kept");
        let full = written(Failing(io::ErrorKind::StorageFull), "text");
        assert_eq!(full.map_err(|e| e.kind()), Err(io::ErrorKind::StorageFull));
    }
}
