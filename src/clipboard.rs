//! Copying to the clipboard: the system clipboard (arboard) where a display exists, and
//! an OSC 52 escape sequence otherwise (SSH, tmux, no display), so the terminal sets
//! its own clipboard. The result says which was used; "Copied" is shown only for a
//! copy that really happened. [`Recording`] stands in for tests.
//!
//! A secret (the login token, a SIP password) is cleared from the clipboard after a time if it is
//! still there, as password managers do ([`Clipboard::copy_secret`], [`clear_after`]):
//! on X11 its owner, `xclip`, is run under `timeout`, so it stops serving the token
//! then, whether this program still runs or not; if anything else was copied since,
//! xclip has already let go, and what was copied since stays.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a copy was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyMethod {
    /// The system clipboard. On X11 a clipboard owner (xclip) keeps the text after this
    /// program exits when `kept_after_exit`; otherwise it lasts while this program runs.
    System { kept_after_exit: bool },
    /// The system clipboard, kept after this program exits, and cleared after the
    /// time given if it still holds the text (a secret's copy on X11).
    SystemUntil { cleared_after: Duration },
    /// An OSC 52 escape sequence sent to the terminal, which sets its clipboard (most
    /// terminals do; tmux needs `set -g set-clipboard on`). Nothing comes back to say
    /// whether it did, so what is shown says so ([`OSC52_CHECK`]).
    Osc52,
}

/// What to say after an OSC 52 copy, which no terminal confirms: it may not have
/// arrived, and how to find out. tmux's default (`set-clipboard external`) drops an
/// application's request; some terminals ask first or refuse it.
pub const OSC52_CHECK: &str = "it may not have arrived (the terminal does not say): paste to check. \
     In tmux, `tmux show -g set-clipboard` must say on (`set -g set-clipboard on`).";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not copy: {0}")]
pub struct CopyError(pub String);

pub trait Clipboard {
    fn copy(&mut self, text: &str) -> Result<CopyMethod, CopyError>;

    /// Copies a secret: as [`Clipboard::copy`], and cleared after a time where the
    /// clipboard allows it ([`CopyMethod::SystemUntil`]).
    fn copy_secret(&mut self, text: &str) -> Result<CopyMethod, CopyError> {
        self.copy(text)
    }
}

/// How long a copied secret stays in the system clipboard: a minute, time to paste it,
/// unless `TELNYX_SETUP_CLIPBOARD_CLEAR` says otherwise (a duration such as `30s`, or
/// `0` to keep it); `None`: kept.
pub fn clear_after() -> Option<Duration> {
    const DEFAULT: Duration = Duration::from_secs(60);
    let Some(given) = std::env::var_os("TELNYX_SETUP_CLIPBOARD_CLEAR") else { return Some(DEFAULT) };
    let given = given.to_string_lossy();
    match given.trim() {
        "0" => None,
        text => match humantime::parse_duration(text) {
            Ok(after) if after.is_zero() => None,
            Ok(after) => Some(after),
            Err(error) => {
                tracing::warn!(%error, "TELNYX_SETUP_CLIPBOARD_CLEAR is not a duration; a minute it is");
                Some(DEFAULT)
            }
        },
    }
}

/// "the clipboard is cleared in 1m if it still holds it": how a clearing is said, on
/// screen and on stderr.
pub fn cleared_text(after: Duration) -> String {
    format!(
        "the clipboard is cleared in {} if it still holds it, as password managers do \
         (TELNYX_SETUP_CLIPBOARD_CLEAR=0 keeps it)",
        humantime::format_duration(after)
    )
}

/// The real clipboard: arboard first, OSC 52 as the fallback.
pub struct SystemClipboard {
    /// Opened on first use; `None` after a failed open, so it is not retried per copy.
    board: Option<Option<arboard::Clipboard>>,
    /// Where OSC 52 requests go: the terminal the UI draws on, not stdout, which may
    /// be a file or a pipe.
    terminal: Box<dyn Write + Send>,
}

impl SystemClipboard {
    /// A clipboard whose OSC 52 fallback writes to `terminal`.
    pub fn new(terminal: Box<dyn Write + Send>) -> Self {
        Self { board: None, terminal }
    }

    fn board(&mut self) -> Option<&mut arboard::Clipboard> {
        self.board
            .get_or_insert_with(|| {
                // Without a display arboard fails anyway, after an X11 connection
                // attempt; skip straight to OSC 52.
                if cfg!(target_os = "linux")
                    && std::env::var_os("DISPLAY").is_none()
                    && std::env::var_os("WAYLAND_DISPLAY").is_none()
                {
                    return None;
                }
                arboard::Clipboard::new().map_err(|e| tracing::info!(error = %e, "no system clipboard")).ok()
            })
            .as_mut()
    }
}

impl Clipboard for SystemClipboard {
    fn copy(&mut self, text: &str) -> Result<CopyMethod, CopyError> {
        self.copy_clearing(text, None)
    }

    fn copy_secret(&mut self, text: &str) -> Result<CopyMethod, CopyError> {
        self.copy_clearing(text, clear_after())
    }
}

impl SystemClipboard {
    /// Copies `text`, to be cleared after `clear` where xclip keeps it.
    fn copy_clearing(&mut self, text: &str, clear: Option<Duration>) -> Result<CopyMethod, CopyError> {
        if let Some(board) = self.board() {
            match board.set_text(text) {
                Ok(()) => {
                    if !cfg!(target_os = "linux") {
                        return Ok(CopyMethod::System { kept_after_exit: true });
                    }
                    return Ok(match hand_to_xclip(text, clear) {
                        Handed::Until(cleared_after) => CopyMethod::SystemUntil { cleared_after },
                        Handed::Kept => CopyMethod::System { kept_after_exit: true },
                        Handed::Not => CopyMethod::System { kept_after_exit: false },
                    });
                }
                Err(error) => tracing::info!(%error, "system clipboard refused the text; using OSC 52"),
            }
        }
        let terminal = &mut self.terminal;
        crossterm::execute!(terminal, crossterm::clipboard::CopyToClipboard::to_clipboard_from(text))
            .and_then(|()| terminal.flush())
            .map_err(|e| CopyError(e.to_string()))?;
        Ok(CopyMethod::Osc52)
    }
}

/// What became of a text handed to xclip.
enum Handed {
    /// xclip serves it, until `timeout` stops it after this long.
    Until(Duration),
    /// xclip serves it, for good.
    Kept,
    /// No xclip: it lasts while this program runs.
    Not,
}

/// On X11 the clipboard's content is served by its owner, which arboard is only while
/// this program runs. xclip forks a background owner that keeps serving after we exit.
/// With `clear`, and coreutils' `timeout` found as xclip is, xclip runs in the
/// foreground (`-quiet`) under `timeout`, which stops it after that long: the X
/// server then has no owner for the clipboard, which is empty. Had anything else been
/// copied meanwhile, xclip would have exited on losing the clipboard, and the new
/// text stays.
///
/// That owner lives on with whatever it was given, so it gets a clean environment: the
/// X display and its authority, the home directory (where Xlib finds `.Xauthority`) and
/// the locale, never the rest (`TELNYX_API_KEY` above all). It is started by absolute
/// path, the first `xclip` in an absolute directory of `PATH` (a relative entry such as
/// `.` is skipped), and the log says which one.
fn hand_to_xclip(text: &str, clear: Option<Duration>) -> Handed {
    let Some(program) = find_program("xclip") else {
        tracing::info!("no xclip on PATH; the copy lasts while this program runs");
        return Handed::Not;
    };
    let timed = clear.and_then(|after| Some((after, find_program("timeout")?)));
    tracing::info!(program = %program.display(), timed = timed.is_some(), "handing the copied text to xclip");
    let mut command = match &timed {
        Some((after, timeout)) => {
            let mut command = Command::new(timeout);
            // Whole seconds, rounded up: coreutils' timeout takes a number of them.
            let seconds = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            command.arg(seconds.to_string()).arg(&program).arg("-quiet");
            command
        }
        None => Command::new(&program),
    };
    command
        .args(["-selection", "clipboard", "-in"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for variable in XCLIP_ENVIRONMENT {
        if let Some(value) = std::env::var_os(variable) {
            command.env(variable, value);
        }
    }
    // A process group of its own: when this program is the terminal's controlling process
    // (`exec telnyx-setup`, `xterm -e`, a tmux pane running it), its exit sends SIGHUP to
    // the terminal's foreground process group, which would end xclip's owner with it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let spawned = command.spawn();
    let Ok(mut child) = spawned else { return Handed::Not };
    let written = child.stdin.take().is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
    if let Some((after, _)) = timed {
        // It serves in the foreground until the time is up (or something else is
        // copied): reaped by a thread while this program runs, by init after.
        std::thread::spawn(move || child.wait());
        return if written { Handed::Until(after) } else { Handed::Not };
    }
    let handed = |ok: bool| if ok { Handed::Kept } else { Handed::Not };
    // xclip's foreground process exits once its background owner has forked; wait a
    // little for it so it is reaped, without holding the screen up.
    let deadline = Instant::now() + Duration::from_secs(1);
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) => return handed(written && status.success()),
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => return Handed::Not,
        }
    }
    handed(written)
}

/// What xclip's long-lived owner may see of this program's environment.
const XCLIP_ENVIRONMENT: [&str; 6] = ["DISPLAY", "XAUTHORITY", "HOME", "LANG", "LC_ALL", "LC_CTYPE"];

/// The first executable `program` in an absolute directory of `PATH`.
fn find_program(program: &str) -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).filter(|dir| dir.is_absolute()).map(|dir| dir.join(program)).find(|path| {
        std::fs::metadata(path).is_ok_and(|meta| {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                meta.is_file() && meta.permissions().mode() & 0o111 != 0
            }
            #[cfg(not(unix))]
            meta.is_file()
        })
    })
}

/// Records copies instead of making them, answering as configured. Clones share the
/// record, so a test keeps one while the loop owns another.
#[derive(Debug, Clone)]
pub struct Recording {
    copies: Arc<Mutex<Vec<String>>>,
    answer: Result<CopyMethod, CopyError>,
}

impl Recording {
    pub fn answering(answer: Result<CopyMethod, CopyError>) -> Self {
        Self { copies: Arc::default(), answer }
    }

    /// Everything copied so far, oldest first.
    pub fn copies(&self) -> Vec<String> {
        self.copies.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl Clipboard for Recording {
    fn copy(&mut self, text: &str) -> Result<CopyMethod, CopyError> {
        if let Ok(mut copies) = self.copies.lock() {
            copies.push(text.to_owned());
        }
        self.answer.clone()
    }
}
