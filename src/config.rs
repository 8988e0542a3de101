//! Where the program keeps its files: the log under the platform's state directory
//! (`~/.local/state/telnyx-setup` on Linux), overridable with `TELNYX_SETUP_LOG`.

use directories::ProjectDirs;
use std::path::PathBuf;

/// The log file's path, or `None` when no home directory can be found.
pub fn log_file() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TELNYX_SETUP_LOG") {
        return Some(PathBuf::from(path));
    }
    let dirs = ProjectDirs::from("com", "telnyx", "telnyx-setup")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("telnyx-setup.log"))
}

/// Sends `tracing` output to the log file (appending). The terminal is in raw mode
/// while the app runs, so nothing may be printed to it. Returns the path in use.
pub fn init_logging() -> Option<PathBuf> {
    let path = log_file()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).ok()?;
    }
    let file = std::fs::OpenOptions::new().create(true).append(true).open(&path).ok()?;
    // Only this program's own events: its log lines are written to name no secret,
    // while the HTTP stack's trace output can include headers (the bearer key).
    let levels = ["error", "warn", "info", "debug", "trace"];
    let level = std::env::var("TELNYX_SETUP_LOG_LEVEL").ok().filter(|l| levels.contains(&l.as_str()));
    let level = level.as_deref().unwrap_or("info");
    let filter = tracing_subscriber::EnvFilter::new(format!("warn,telnyx_setup={level}"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(path)
}
