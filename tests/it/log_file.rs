//! The log file is private and cannot be steered or forged:
//!
//! - in its default place (`$XDG_STATE_HOME/telnyx-setup/telnyx-setup.log`) it is
//!   created with mode 0600 in a directory created with mode 0700, and an older log
//!   left 0644 in a 0755 directory is narrowed to 0600 and 0700;
//! - a symlink at `TELNYX_SETUP_LOG` is not followed: the file it points to is left
//!   untouched, and stderr says why nothing is logged;
//! - Telnyx's error detail, planted with escape sequences and a newline followed by a
//!   line in the log's own format (the sandbox's `escapes` fault), is logged on one
//!   line with every control character escaped.
//!
//! Each run is the doctor, as a plain process, against the sandbox on loopback.
#![cfg(unix)]

use crate::hostile_text::raw_controls;
use crate::support::{BIN, TempDir};
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Command, Output};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap_or_else(|e| panic!("stat {}: {e}", path.display())).permissions().mode()
        & 0o7777
}

/// Runs `doctor` against `sandbox` with `key`, `HOME` and `XDG_STATE_HOME` inside
/// `home`, and `TELNYX_SETUP_LOG` set to `log` if given.
async fn doctor(sandbox: &Sandbox, key: &str, home: &TempDir, log: Option<&Path>) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--connection", "1", "--api-base", &sandbox.base_url()])
        .env("TELNYX_API_KEY", key)
        .env("HOME", home.path().join("home"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env_remove("TELNYX_API_BASE")
        .env_remove("TELNYX_SETUP_LOG");
    if let Some(log) = log {
        command.env("TELNYX_SETUP_LOG", log);
    }
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_log_is_0600_in_a_0700_directory() {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let home = TempDir::new("log-default");
    let dir = home.path().join("state").join("telnyx-setup");
    let log = dir.join("telnyx-setup.log");
    let output = doctor(&sandbox, "KEYlog", &home, None).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(fs::read_to_string(&log).unwrap().contains("request"), "the run was logged");
    assert_eq!((mode(&dir), mode(&log)), (0o700, 0o600), "directory and log are private");

    // A log an older version left readable by all is narrowed on the next run.
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    fs::set_permissions(&log, fs::Permissions::from_mode(0o644)).unwrap();
    doctor(&sandbox, "KEYlog", &home, None).await;
    assert_eq!((mode(&dir), mode(&log)), (0o700, 0o600), "an old open log is narrowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symlinked_log_path_is_not_followed() {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let home = TempDir::new("log-link");
    let victim = home.path().join("victim");
    fs::write(&victim, "untouched\n").unwrap();
    let link = home.path().join("telnyx-setup.log");
    symlink(&victim, &link).unwrap();
    let output = doctor(&sandbox, "KEYlog", &home, Some(&link)).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(fs::read_to_string(&victim).unwrap(), "untouched\n", "the log went through the link");
    assert!(stderr.contains("not logging to") && stderr.contains("symbolic link"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "the doctor still ran: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_error_detail_is_logged_on_one_line_escaped() {
    let seed = Seed { faults: FaultPlan::parse(["* *=escapes"]).unwrap(), ..Seed::empty() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let home = TempDir::new("log-hostile");
    let log = home.path().join("hostile.log");
    // A refused key: the 401's errors[] (detail, title, code) are planted and logged.
    let output = doctor(&sandbox, "WRONGkey", &home, Some(&log)).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let bytes = fs::read(&log).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert_eq!(raw_controls(&bytes), Vec::<String>::new(), "raw control characters in the log:\n{text:?}");
    assert!(text.contains("\\u{1b}]0;PWNED"), "the planted detail was logged, escaped:\n{text}");
    let forged: Vec<&str> = text.lines().filter(|line| line.starts_with("2026-01-01T00:00:00")).collect();
    assert!(forged.is_empty(), "a planted newline forged log lines: {forged:?}");
    assert_eq!(mode(&log), 0o600, "a log at TELNYX_SETUP_LOG is created private too");
}
