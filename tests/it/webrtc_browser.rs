//! Proof with software nobody here wrote: the unmodified official `@telnyx/webrtc`
//! 2.27.10 (its browser bundle) in Debian's Chromium, driven by puppeteer-core
//! (`tests/webrtc-sdk/calls.js`), with Chromium's fake microphone (a beep), calls
//! through the in-process sandbox:
//!
//! 1. a number: the sandbox's echo answers, and the page's `getStats()` shows inbound
//!    RTP packets and audio energy above silence;
//! 2. another page, logged in with another credential, which answers: both pages
//!    receive audio;
//! 3. a country the profile does not allow, and a connection without a profile: the
//!    SDK puts D13's and D38's cause, SIP code and reason on the call;
//! 4. the frames the page sent for the call, kept as `tests/fixtures/webrtc-call-
//!    frames.json`; [`our_call_frames_are_the_sdks`] holds the Rust call test's frames
//!    against them (that one needs no browser).
//!
//! Media stays on loopback: the sandbox, Node and Chromium run in a network namespace
//! of the test's own with only `lo` (a thread that called `unshare(CLONE_NEWNET)`, and
//! the processes it starts), so the pages can only pair `127.0.0.1` host candidates
//! and nothing can reach the internet. The page attaches the call's audio to an
//! `<audio>` element (the SDK's `remoteElement`): without one playing, Chromium counts
//! the packets but never decodes them, and the energy stays 0.
//!
//! Needs root (for the namespace), Node.js 18+, `npm ci` in `tests/webrtc-sdk` and
//! Chromium (`CHROMIUM`, else /usr/bin/chromium); `.ci/run` installs them. Without
//! them the test prints why to stderr and passes, unless `CI` is set, where it fails.
#![cfg(unix)]

use crate::support::{client, new_connection};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;
use telnyx_setup::api::{Client, NewTelephonyCredential};
use telnyx_setup::media::Gathering;
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::signaling::{Login, SignalingUrl};
use tokio_tungstenite::tungstenite::Message;

const KEY: &str = "KEYbrowser";
/// The sample connection's SIP login and a number of it (`Seed::phone_numbers`).
const OFFICE_USER: &str = "officephones01";
const OFFICE_PASSWORD: &str = "office-phones-password";
const OWNED: &str = "+15550000000";
/// A US number nobody on the sandbox owns: the echo answers it.
const ECHOED: &str = "+13129457420";
/// A UK number: the sample profile allows US, CA and MX only.
const NOT_ALLOWED: &str = "+442079460000";
/// Silence has no energy; Chromium's beep, echoed back for 3 s, has about 0.5.
const ABOVE_SILENCE: f64 = 0.01;
const FIXTURE: &str = "webrtc-call-frames.json";

fn sdk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("webrtc-sdk")
}

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures").join(FIXTURE)
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Why the browser cannot run here, if it cannot.
fn missing() -> Option<String> {
    let node = Command::new("node").arg("--version").stdin(Stdio::null()).output();
    let version = match node {
        Ok(output) if output.status.success() => String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        _ => return Some("Node.js is not installed (apt-get install nodejs npm)".to_owned()),
    };
    let major = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse::<u32>().ok());
    if major.is_none_or(|major| major < 18) {
        return Some(format!("Node.js {version} is too old: puppeteer-core needs 18 or later"));
    }
    for package in ["@telnyx/webrtc/lib/bundle.js", "puppeteer-core/package.json"] {
        if !sdk_dir().join("node_modules").join(package).is_file() {
            return Some(format!("{package} is not installed: run `npm ci` in {}", sdk_dir().display()));
        }
    }
    if !chromium().is_file() {
        return Some(format!("no Chromium at {} (apt-get install chromium)", chromium().display()));
    }
    None
}

/// Runs `work` on a thread of its own in a new network namespace where only `lo` is
/// up: the sockets it opens, the threads it starts (a tokio runtime's) and the
/// processes it spawns are all in there. `Err` if the namespace cannot be made (not
/// root).
fn in_private_network<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                // SAFETY: unshare(2) takes no pointers; with CLONE_NEWNET it moves only
                // the calling thread (this one, which ends with the test) to a new
                // network namespace.
                if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
                    return Err(format!("unshare(CLONE_NEWNET): {}", std::io::Error::last_os_error()));
                }
                let up = Command::new("ip").args(["link", "set", "lo", "up"]).status();
                if !up.as_ref().is_ok_and(|status| status.success()) {
                    return Err(format!("`ip link set lo up` failed: {up:?}"));
                }
                Ok(work())
            })
            .join()
            .expect("the namespaced thread does not panic")
    })
}

/// A telephony credential on `connection`, as a SIP login for a page.
async fn sip_login(api: &Client, connection: &str) -> Value {
    let body =
        NewTelephonyCredential { connection_id: connection.to_owned(), ..NewTelephonyCredential::default() };
    let credential = api.create_telephony_credential(&body).await.unwrap();
    json!({ "login": credential.sip_username, "password": credential.sip_password.expose() })
}

/// Sets up the account, runs the scenarios in one Chromium, and returns their results.
fn run_browser() -> Value {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox =
        runtime.block_on(Sandbox::start_local(&Seed { phone_numbers: 2, ..Seed::default() })).unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let scenarios = runtime.block_on(async {
        let page =
            api.list_credential_connections(telnyx_setup::api::PageRequest::first(10), None).await.unwrap();
        let office = page.data.iter().find(|c| c.user_name == OFFICE_USER).expect("the sample connection");
        let callee = sip_login(&api, &office.id).await;
        // D38: a connection with no outbound voice profile.
        let bare =
            api.create_credential_connection(&new_connection("No profile", "noprofile01")).await.unwrap();
        let unprofiled = sip_login(&api, &bare.id).await;
        let office_login = json!({ "login": OFFICE_USER, "password": OFFICE_PASSWORD });
        json!([
            { "name": "echo", "kind": "echo", "caller": office_login, "destination": ECHOED,
              "caller_number": OWNED, "listen_ms": 3000 },
            { "name": "pair", "kind": "pair", "caller": office_login, "callee": callee,
              "destination": callee["login"], "caller_number": OWNED, "listen_ms": 3000 },
            { "name": "d13", "kind": "refused", "caller": office_login, "destination": NOT_ALLOWED,
              "caller_number": OWNED },
            { "name": "d38", "kind": "refused", "caller": unprofiled, "destination": ECHOED,
              "caller_number": OWNED },
        ])
    });
    let output = Command::new("node")
        .arg("calls.js")
        .current_dir(sdk_dir())
        .env("SIGNALING_URL", sandbox.signaling_url())
        .env("SCENARIOS", scenarios.to_string())
        .env("CHROMIUM", chromium())
        .stdin(Stdio::null())
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let outcome: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("calls.js printed no outcome ({e}):\n{stdout}\n{stderr}"));
    assert!(outcome["error"].is_null(), "calls.js failed: {}\n{stderr}", outcome["error"]);
    let calls = sandbox.calls();
    assert!(calls.len() >= 4, "the sandbox saw the calls: {calls:?}");
    drop(sandbox);
    outcome
}

/// The scenario `name`'s result.
fn result<'a>(outcome: &'a Value, name: &str) -> &'a Value {
    outcome["results"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["name"] == name))
        .unwrap_or(&Value::Null)
}

fn assert_audio(audio: &Value, who: &str) {
    let packets = audio["packetsReceived"].as_u64().unwrap_or(0);
    let energy = audio["totalAudioEnergy"].as_f64().unwrap_or(0.0);
    assert!(packets > 50, "{who}: inbound RTP packets in 3 s: {audio}");
    assert!(energy > ABOVE_SILENCE, "{who}: audio energy above silence: {audio}");
    assert_eq!(audio["pair"], "127.0.0.1 host to 127.0.0.1 host", "{who}: {audio}");
}

#[test]
fn the_official_sdk_in_chromium_calls_through_the_sandbox_and_hears_audio() {
    if let Some(reason) = missing() {
        let advice = format!("The browser call test cannot run: {reason}");
        assert!(std::env::var_os("CI").is_none(), "{advice}. CI is set, so this is a failure, not a skip.");
        eprintln!("{advice}; skipped.");
        return;
    }
    let outcome = match in_private_network(run_browser) {
        Ok(outcome) => outcome,
        Err(why) => {
            let advice = format!("The browser call test needs a network namespace of its own: {why}");
            assert!(std::env::var_os("CI").is_none(), "{advice}. CI is set (and runs as root): a failure.");
            eprintln!("{advice}; skipped.");
            return;
        }
    };

    // 1. A number, answered by the echo: audio comes back.
    let echo = result(&outcome, "echo");
    assert!(echo["error"].is_null(), "{}", echo["error"]);
    assert_eq!(echo["settled"], "active", "{echo}");
    assert_audio(&echo["caller_audio"], "the caller of the echo");

    // 2. Page to page: both hear the other.
    let pair = result(&outcome, "pair");
    assert!(pair["error"].is_null(), "{}", pair["error"]);
    assert_eq!(pair["settled"], "active", "{pair}");
    assert_eq!(pair["callee_states"], json!(["new", "ringing", "answering", "active"]), "{pair}");
    assert_audio(&pair["caller_audio"], "the calling page");
    assert_audio(&pair["callee_audio"], "the answering page");

    // 3. Refused as Telnyx refuses: the SDK copies the bye's cause onto the call.
    for (name, code) in [("d13", "D13"), ("d38", "D38")] {
        let ending = &result(&outcome, name)["ending"];
        assert_eq!(ending["state"], "destroy", "{name}: {ending}");
        assert_eq!(ending["cause"], "CALL_REJECTED", "{name}: {ending}");
        assert_eq!(
            (ending["causeCode"].as_u64(), ending["sipCode"].as_u64()),
            (Some(21), Some(403)),
            "{ending}"
        );
        assert!(ending["sipReason"].as_str().is_some_and(|r| r.ends_with(code)), "{name}: {ending}");
    }

    // 4. The frames the SDK sent for the echo call, as kept in the fixture.
    let sent = call_frames(echo["caller_frames"].as_array().expect("the page's frames"));
    let expected = fixture_frames();
    if std::env::var_os("UPDATE_CALL_FRAMES").is_some() {
        let source = "@telnyx/webrtc 2.27.10's browser bundle in Chromium (tests/it/webrtc_browser.rs), a call to a \
                      number answered by the sandbox's echo, then hung up: the first frame the page sent of each \
                      method, values that change from call to call (ids, SDP, logins, numbers) as <placeholders>. \
                      Rewrite with UPDATE_CALL_FRAMES=1.";
        let text = serde_json::to_string_pretty(&json!({ "source": source, "frames": sent })).unwrap() + "\n";
        std::fs::write(fixture_path(), text).unwrap();
    } else {
        assert_eq!(
            sent, expected,
            "the SDK's call frames changed: rerun with UPDATE_CALL_FRAMES=1 and review"
        );
    }
}

fn fixture_frames() -> Value {
    let text = std::fs::read_to_string(fixture_path()).expect("the call frames fixture");
    let fixture: Value = serde_json::from_str(&text).expect("the fixture is JSON");
    fixture["frames"].clone()
}

/// The first frame sent of each method (`ack <method>` for the answers to server
/// requests), masked ([`mask`]); the SDK's telemetry (`telnyx_rtc.debug_report_*`)
/// left out.
fn call_frames(frames: &[Value]) -> Value {
    let mut kept = serde_json::Map::new();
    for frame in frames.iter().filter(|f| f["dir"] == "out") {
        let Ok(sent) = serde_json::from_str::<Value>(frame["text"].as_str().unwrap_or_default()) else {
            continue;
        };
        let name = match (sent["method"].as_str(), sent["result"]["method"].as_str()) {
            (Some(method), _) => method.to_owned(),
            (None, Some(acked)) => format!("ack {acked}"),
            _ => continue,
        };
        if name.starts_with("telnyx_rtc.debug_report") || kept.contains_key(&name) {
            continue;
        }
        kept.insert(name, mask(&sent, ""));
    }
    Value::Object(kept)
}

/// The frame with the values that change from call to call (ids, SDP, logins,
/// numbers, the browser's user agent and microphone) replaced by `<key>`.
fn mask(value: &Value, key: &str) -> Value {
    const CHANGING: &[&str] = &[
        "id",
        "sessid",
        "sdp",
        "callID",
        "login",
        "passwd",
        "login_token",
        "data",
        "microphoneLabel",
        "destination_number",
        "caller_id_number",
        "caller_id_name",
        "remote_caller_id_number",
        "User-Agent",
        "sdkVersion",
    ];
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), mask(v, k))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(|v| mask(v, key)).collect()),
        Value::String(_) | Value::Number(_) if CHANGING.contains(&key) => json!(format!("<{key}>")),
        other => other.clone(),
    }
}

/// Whether `ours` says nothing the SDK's `theirs` does not: every key of ours is one
/// of theirs, with a value of the same kind (a placeholder matches a placeholder; other
/// values must be equal). Keys of theirs that ours leaves out are listed in `left_out`.
fn within(ours: &Value, theirs: &Value, at: &str, left_out: &mut Vec<String>) -> Result<(), String> {
    match (ours, theirs) {
        (Value::Object(ours), Value::Object(theirs)) => {
            for key in theirs.keys().filter(|key| !ours.contains_key(*key)) {
                left_out.push(format!("{at}.{key}"));
            }
            for (key, value) in ours {
                let Some(their) = theirs.get(key) else {
                    return Err(format!("{at}.{key} is not in the SDK's frame"));
                };
                within(value, their, &format!("{at}.{key}"), left_out)?;
            }
            Ok(())
        }
        (ours, theirs) if ours == theirs => Ok(()),
        (ours, theirs) => Err(format!("{at}: ours is {ours}, the SDK's is {theirs}")),
    }
}

/// A WebSocket relay in front of `upstream` that records what clients send.
async fn recording_relay(upstream: String) -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/rtc", listener.local_addr().unwrap());
    let recorded = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = recorded.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (upstream, kept) = (upstream.clone(), kept.clone());
            tokio::spawn(async move {
                let Ok(client) = tokio_tungstenite::accept_async(stream).await else { return };
                let Ok((server, _)) = tokio_tungstenite::connect_async(upstream).await else { return };
                let (mut to_client, mut from_client) = client.split();
                let (mut to_server, mut from_server) = server.split();
                let up = async {
                    while let Some(Ok(message)) = from_client.next().await {
                        if let Message::Text(text) = &message
                            && let Ok(frame) = serde_json::from_str::<Value>(text)
                        {
                            kept.lock().unwrap().push(json!({ "dir": "out", "text": frame.to_string() }));
                        }
                        if to_server.send(message).await.is_err() {
                            break;
                        }
                    }
                };
                let down = async {
                    while let Some(Ok(message)) = from_server.next().await {
                        if to_client.send(message).await.is_err() {
                            break;
                        }
                    }
                };
                tokio::select! { () = up => {}, () = down => {} }
            });
        }
    });
    (url, recorded)
}

/// The Rust call test's frames for the same call as the page's (a SIP login of the
/// sample connection calls a number, the echo answers, it hangs up) say nothing the
/// SDK's do not, and it sends no method the SDK does not send.
#[tokio::test]
async fn our_call_frames_are_the_sdks() {
    let sandbox = Sandbox::start_local(&Seed { phone_numbers: 2, ..Seed::default() }).await.unwrap();
    let (relay, recorded) = recording_relay(sandbox.signaling_url()).await;
    let login = Login::Sip { user: OFFICE_USER.to_owned(), password: Secret::new(OFFICE_PASSWORD) };
    let url = SignalingUrl::parse(&relay).unwrap();
    let loopback = Gathering::Host(std::net::IpAddr::from([127, 0, 0, 1]));
    let outcome = tokio::time::timeout(
        Duration::from_secs(30),
        telnyx_setup::calltest::place_call(&url, &login, ECHOED, OWNED, &loopback),
    )
    .await
    .expect("the call test ends");
    assert!(outcome.passed(), "{outcome:?}");
    let ours = call_frames(&recorded.lock().unwrap());
    let theirs = fixture_frames();
    let mut left_out = Vec::new();
    let ours = ours.as_object().unwrap();
    for method in ["login", "telnyx_rtc.gatewayState", "telnyx_rtc.invite", "telnyx_rtc.bye"] {
        assert!(ours.contains_key(method), "our call test sends {method}: {ours:?}");
    }
    for (method, frame) in ours {
        let Some(their) = theirs.get(method) else { panic!("the SDK sends no {method}: {theirs}") };
        within(frame, their, method, &mut left_out)
            .unwrap_or_else(|why| panic!("{why}\nours: {frame}\nSDK: {their}"));
    }
    // What the SDK says and the call test does not, on purpose: the browser's media
    // options (stereo, bandwidth, ICE servers, prefetching), its microphone's name, and
    // the bye's `sipCode` and `sip_call_id`, null in the SDK's (the bye's dialogParams
    // repeat the invite's in the SDK's; the callID is what the server reads).
    let expected: Vec<String> = [
        "telnyx_rtc.bye.params.sipCode",
        "telnyx_rtc.bye.params.sip_call_id",
        "telnyx_rtc.invite.params.dialogParams.iceServers",
        "telnyx_rtc.invite.params.dialogParams.mediaSettings",
        "telnyx_rtc.invite.params.dialogParams.prefetchIceCandidates",
        "telnyx_rtc.invite.params.dialogParams.useStereo",
        "telnyx_rtc.invite.params.dialogParams.userVariables.microphoneLabel",
    ]
    .map(str::to_owned)
    .into();
    left_out
        .retain(|key| !key.starts_with("ack ") && !key.starts_with("telnyx_rtc.bye.params.dialogParams."));
    left_out.sort();
    assert_eq!(left_out, expected, "keys of the SDK's frames the call test leaves out");
}
