//! The environment of a telnyx-setup started in a pseudo-terminal by an example or an
//! integration test, shared by both drivers (`examples/common/pty.rs` includes it,
//! `tests/it/support/pty.rs` by path): whatever the caller's shell holds must not reach
//! the run, so a setting added to the product is scrubbed in one place.

use portable_pty::CommandBuilder;
use std::path::{Path, PathBuf};

/// The caller's settings a run must not inherit: a key or account, an API or signaling address,
/// colours turned off, a display for the clipboard.
const SCRUBBED: [&str; 7] = [
    "TELNYX_API_KEY",
    "TELNYX_PROFILE",
    "TELNYX_API_BASE",
    "TELNYX_SIGNALING_URL",
    "NO_COLOR",
    "DISPLAY",
    "WAYLAND_DISPLAY",
];

/// Sets `command` to run in the temp directory, as an xterm, logging to `log`, with a
/// state directory (journal included) of its own next to the log, which it returns; the
/// caller's [`SCRUBBED`] settings removed. Variables the caller sets after this win.
pub fn isolate(command: &mut CommandBuilder, log: &Path) -> PathBuf {
    let state_dir = log.with_extension("state");
    command.cwd(std::env::temp_dir());
    command.env("TERM", "xterm-256color");
    command.env("TELNYX_SETUP_LOG", log);
    command.env("TELNYX_SETUP_STATE_DIR", &state_dir);
    for variable in SCRUBBED {
        command.env_remove(variable);
    }
    state_dir
}
