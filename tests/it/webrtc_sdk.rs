//! The official SDK as the client: the whole wizard runs in a pseudo-terminal against
//! the in-process sandbox and makes a login token, its `t` test passes, and then the
//! unmodified `@telnyx/webrtc` 2.27.10, under Node (`tests/webrtc-sdk/login.js`, with
//! the shims WEBRTC-LOGIN.md lists), logs in to the sandbox's signaling with that token
//! and reaches `telnyx.ready`. A changed token and a wrong SIP password give
//! `telnyx.error` 46001, as on Telnyx; the credential's own SIP login is ready too.
//!
//! Needs Node.js 18 or later and `npm ci` run in `tests/webrtc-sdk` (`.ci/run` does
//! both). Without them the test prints a notice to stderr and passes, so `cargo test`
//! works on machines without Node; when `CI` is set it fails instead, saying what to
//! do (the rule of `tests/it/x11_clipboard.rs`).
//!
//! Secrets reach the SDK through its environment, never its command line.
#![cfg(unix)]

use crate::support::client;
use crate::support::pty::{ENTER, revealed_token, start_sandbox, wizard_at_token};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use telnyx_setup::api::{PageRequest, TelephonyCredentialFilter};
use telnyx_setup::sandbox::Seed;

/// The SDK's test directory: package.json, package-lock.json, login.js.
fn sdk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("webrtc-sdk")
}

/// Why the SDK cannot run here, if it cannot: no Node, too old a Node, or no packages.
fn missing() -> Option<String> {
    let version = match Command::new("node").arg("--version").stdin(Stdio::null()).output() {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        _ => return Some("Node.js is not installed (apt-get install nodejs npm, or nodejs.org)".to_owned()),
    };
    let major = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse::<u32>().ok());
    if major.is_none_or(|major| major < 18) {
        return Some(format!("Node.js {version} is too old: the SDK test needs 18 or later"));
    }
    if !sdk_dir().join("node_modules/@telnyx/webrtc/package.json").is_file() {
        return Some(format!("the SDK is not installed: run `npm ci` in {}", sdk_dir().display()));
    }
    None
}

/// What the SDK reported for one login: `{"event":"ready"}` or `{"event":"error",...}`.
fn sdk_login(signaling: &str, credentials: &[(&str, &str)]) -> Value {
    let mut command = Command::new("node");
    command
        .arg("login.js")
        .current_dir(sdk_dir())
        .env("SIGNALING_URL", signaling)
        .env_remove("LOGIN_TOKEN")
        .env_remove("SIP_USER")
        .env_remove("SIP_PASSWORD")
        .stdin(Stdio::null());
    for (name, value) in credentials {
        command.env(name, value);
    }
    let output = command.output().expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| {
        panic!("login.js printed no outcome ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr))
    })
}

#[test]
fn the_official_sdk_logs_in_with_the_token_the_wizard_made() {
    if let Some(reason) = missing() {
        let advice = format!("The official SDK's login test cannot run: {reason}");
        assert!(std::env::var_os("CI").is_none(), "{advice}. CI is set, so this is a failure, not a skip.");
        eprintln!("{advice}; skipped.");
        return;
    }
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let (base_url, signaling) = (sandbox.base_url(), sandbox.signaling_url());
    let mut app = wizard_at_token("webrtc-sdk", &base_url, "KEYsdk", &signaling);
    app.send("t");
    app.wait_idle_with(&["✓ Login test: Logged in to", "Place a test call?"]);
    // No call: this test is about the login.
    app.send("n");
    app.wait_idle_with(&["No call was placed"]);
    app.send("r");
    let revealed = app.wait_for("the token revealed", |screen| revealed_token(&screen.contents()).is_some());
    let token = revealed_token(&revealed).expect("checked by the wait");
    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "✓ Your WebRTC client can log in"]);
    app.send("q");
    let printed = app.expect_restored();
    // The login test is logged, and neither the token nor anything of it is, nor printed.
    let log = std::fs::read_to_string(app.log_file()).expect("the app wrote its log");
    assert!(log.contains("login test"), "the login test is logged:\n{log}");
    let (_, signature) = token.rsplit_once('.').expect("a JWT");
    for (text, what) in [(&log, "the log"), (&printed, "the printed summary")] {
        assert!(!text.contains(signature), "{what} holds the token:\n{text}");
    }

    let ready = sdk_login(&signaling, &[("LOGIN_TOKEN", &token)]);
    assert_eq!(ready["event"], "ready", "the SDK should log in with the wizard's token: {ready}");

    // One character of the signature changed: refused as on Telnyx.
    let mut tampered = token.clone();
    let last = if tampered.pop() == Some('A') { 'B' } else { 'A' };
    tampered.push(last);
    let refused = sdk_login(&signaling, &[("LOGIN_TOKEN", &tampered)]);
    assert_eq!(
        (refused["event"].as_str(), refused["code"].as_i64()),
        (Some("error"), Some(46001)),
        "{refused}"
    );

    let api = client(&base_url, "KEYsdk");
    let filter = TelephonyCredentialFilter::default();
    let credentials =
        runtime.block_on(api.list_telephony_credentials(PageRequest::first(10), &filter)).unwrap();
    let credential = &credentials.data[0];
    let wrong =
        sdk_login(&signaling, &[("SIP_USER", &credential.sip_username), ("SIP_PASSWORD", "wrong-password")]);
    assert_eq!((wrong["event"].as_str(), wrong["code"].as_i64()), (Some("error"), Some(46001)), "{wrong}");
    let sip =
        [("SIP_USER", credential.sip_username.as_str()), ("SIP_PASSWORD", credential.sip_password.expose())];
    assert_eq!(sdk_login(&signaling, &sip)["event"], "ready");
    drop(sandbox);
}
