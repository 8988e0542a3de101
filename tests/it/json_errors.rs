//! One error convention for every `--json`: `setup`, `token`, `doctor` and `inspect`
//! print the same object on stdout when they fail (exit 2), whether the command line,
//! the records named or the API is at fault.

use crate::support::{BIN, TempDir, log_path};
use serde_json::Value;
use std::process::Command;

/// Runs the binary with `args`, away from the user's home, key and journal; its exit
/// code, stdout and stderr.
fn run(home: &TempDir, args: &[&str]) -> (Option<i32>, String, String) {
    let log = log_path("json-errors");
    let output = Command::new(BIN)
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .env_remove("TELNYX_SIGNALING_URL")
        .output()
        .expect("run the binary");
    let _ = std::fs::remove_file(&log);
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (output.status.code(), text(&output.stdout), text(&output.stderr))
}

/// The error object of a failed `--json` run, checked for the shape every command shares.
fn error_of(home: &TempDir, args: &[&str]) -> Value {
    let (code, stdout, stderr) = run(home, args);
    assert_eq!(code, Some(2), "{args:?}: exit 2 for an error\nstdout: {stdout}\nstderr: {stderr}");
    let json: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{args:?}: stdout is one JSON object ({e}):\n{stdout}\nstderr: {stderr}"));
    let object = json.as_object().unwrap_or_else(|| panic!("{args:?}: an object: {json:#}"));
    assert_eq!(object.keys().collect::<Vec<_>>(), ["error"], "{args:?}: {json:#}");
    let error = &json["error"];
    for field in ["code", "title", "detail"] {
        let value = error[field].as_str().unwrap_or_else(|| panic!("{args:?}: {field} is text: {json:#}"));
        assert!(!value.is_empty(), "{args:?}: {field} says something: {json:#}");
    }
    assert!(
        error["request_id"].is_null() || error["request_id"].is_string(),
        "{args:?}: request_id is there, text or null: {json:#}"
    );
    assert!(!error["detail"].as_str().unwrap().starts_with("error: "), "{args:?}: clap's prefix: {json:#}");
    json["error"].clone()
}

#[test]
fn a_usage_error_of_every_command_is_the_same_json_object() {
    let home = TempDir::new("json-errors-usage");
    for (command, args) in [
        ("setup", &["setup", "--demo", "--json", "--countries", "Atlantis"][..]),
        ("setup", &["setup", "--json", "--no-such-flag"]),
        ("token", &["token", "--json", "--no-such-flag"]),
        ("token", &["--api-base", "http://example.com/v2", "--api-key", "KEYx", "token", "--json"]),
        ("doctor", &["doctor", "--json"]),
        ("doctor", &["doctor", "--demo", "--json", "--connection", "1", "--destination", "49151"]),
        ("inspect", &["inspect", "--json", "--no-such-flag"]),
    ] {
        let error = error_of(&home, args);
        assert_eq!(error["code"], "usage", "{command} {args:?}: {error:#}");
        assert_eq!(error["title"], "Usage error", "{command} {args:?}: {error:#}");
    }
}

/// (The doctor reports a connection that is not there as its failed `connection` check,
/// exit 1, not as an error: tests/it/doctor.rs; `setup` makes what a name does not find.)
#[test]
fn records_that_are_not_there_are_said_as_json_by_every_command() {
    let home = TempDir::new("json-errors-records");
    let missing = "00000000-0000-4000-8000-000000000000";
    for (args, codes) in [
        (&["inspect", "--demo", "--json", missing][..], &["not_found"][..]),
        (&["token", "--demo", "--json", "--credential", missing], &["not_found"]),
        (&["token", "--demo", "--json", "--connection", "No such connection"], &["not_found"]),
    ] {
        let error = error_of(&home, args);
        assert!(codes.contains(&error["code"].as_str().unwrap()), "{args:?}: one of {codes:?}: {error:#}");
    }
}

#[test]
fn an_api_that_cannot_be_reached_is_the_same_json_error_for_every_command() {
    let home = TempDir::new("json-errors-api");
    // Nothing listens on port 1 of loopback: every request fails at once.
    let base = ["--api-base", "http://127.0.0.1:1/v2", "--api-key", "KEYx", "--timeout", "2s"];
    for tail in [
        &["setup", "--json", "--yes"][..],
        &["token", "--json", "--credential", "00000000-0000-4000-8000-000000000000"],
        &["doctor", "--json", "--connection", "1293384261075731402"],
        &["inspect", "--json", "1293384261075731402"],
    ] {
        let args: Vec<&str> = base.iter().chain(tail).copied().collect();
        let error = error_of(&home, &args);
        assert_eq!(error["code"], "api", "{args:?}: {error:#}");
        assert_eq!(error["title"], "Telnyx API error", "{args:?}: {error:#}");
    }
}

#[test]
fn without_json_the_same_errors_are_one_line_on_stderr_and_nothing_on_stdout() {
    let home = TempDir::new("json-errors-plain");
    for args in [
        &["token", "--demo", "--credential", "00000000-0000-4000-8000-000000000000"][..],
        &["setup", "--demo", "--countries", "Atlantis"],
    ] {
        let (code, stdout, stderr) = run(&home, args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert!(stderr.starts_with(&format!("telnyx-setup {}: ", args[0])), "{args:?}: {stderr}");
    }
}
