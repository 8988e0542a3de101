//! End-to-end tests of the real binary in a pseudo-terminal.
//!
//! Each test starts `telnyx-setup` on the slave side of a PTY (portable-pty), reads the
//! master on its own thread (a full PTY buffer would block the app under test) and feeds
//! the bytes to a vt100 parser: the test sees the screen a user would see. Keys are
//! written to the master as a terminal sends them (`\r` for Enter, `\x7f` for
//! Backspace, `\x03` for Ctrl-C). The harness is in `support/pty.rs`, shared with
//! `tests/it/x11_clipboard.rs`.
//!
//! Nothing here sleeps for a fixed time: after every key the test waits for the screen
//! to show the expected state, with a deadline, and a failure prints the screen and the
//! app's log. The API is always the embedded sandbox on loopback, started in-process (so
//! the test can check the account through the API client afterwards) or by `--demo`.
//!
//! The child gets no `DISPLAY` or `WAYLAND_DISPLAY`, so a copy goes to the terminal as
//! an OSC 52 sequence, which the parser's callbacks record; the developer's own
//! clipboard is never touched.
//!
//! Every test ends by checking that the terminal was given back intact: the child exits
//! with status 0, the main screen is back (no alternate screen), the cursor is visible,
//! bracketed paste is off, and the line discipline is cooked again (ICANON and ECHO).
//!
//! Unix only: the line discipline checks read the PTY's termios, and resizing relies on
//! SIGWINCH.
#![cfg(unix)]

use crate::support::pty::{
    BACKSPACE, CTRL_C, CTRL_R, DEADLINE, DOWN, ENTER, Pty, SPACE, credential_and_token, dump_text,
    enter_through_steps_one_to_five, field_text, log_tail, revealed_token, runtime, search_default_numbers,
    start_sandbox,
};
use crate::support::{BIN, client, log_path};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use telnyx_setup::api::{PageRequest, PhoneNumberFilter, TelephonyCredentialFilter};
use telnyx_setup::sandbox::Seed;

// ---------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------

/// Steps 1 to 5 with the keyboard against an empty account, then the account checked
/// through the API: one connection with VP8, attached to the one profile, whose
/// whitelist holds the defaults plus the country picked through search.
#[test]
fn steps_one_to_five_set_up_the_account_and_restore_the_terminal() {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let base_url = sandbox.base_url();
    let mut app = Pty::spawn("steps", &["--api-base", &base_url, "--api-key", "KEYpty"], 100, 30);

    // Step 1: the key from the flag is filled in.
    app.wait_idle_with(&["Step 1 of 8: Sign in", "The key came from --api-key."]);
    app.expect_raw();
    app.send(ENTER);

    // Step 2: the empty account's list; Enter on "Create new" opens the form.
    app.wait_idle_with(&[
        "Step 2 of 8: Connection",
        "balance 250.00 USD",
        "Credential connections (0)",
        "+ Create a new credential connection",
    ]);
    app.send(ENTER);
    let form = app.wait_idle_with(&["┌ SIP user name ", "Enter next"]);
    let user_name = field_text(&form, "SIP user name")
        .filter(|name| name.starts_with("webrtc"))
        .unwrap_or_else(|| panic!("a generated SIP user name\n{}", dump_text(&form)));
    app.send(ENTER);

    // Step 3: VP8 starts checked; Enter saves.
    app.wait_idle_with(&["Step 3 of 8: Codecs", "[x] VP8"]);
    app.send(ENTER);

    // Step 4: create a profile, which is attached to the connection.
    app.wait_idle_with(&[
        "Step 4 of 8: Voice profile",
        "Outbound voice profiles (0)",
        "+ Create a new outbound voice profile",
    ]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ Profile name ", "Enter next"]);
    app.send(ENTER);

    // Step 5: search for Germany, Enter ticks it (added to the default US and CA), save.
    app.wait_idle_with(&["Step 5 of 8: Countries", "Allowed: CA, US"]);
    app.send("/");
    app.wait_for_text(&["Enter tick", "Tab done searching"]);
    app.send("germany");
    app.wait_for_text(&["(1 shown)", "[ ] DE Germany"]);
    app.send(ENTER);
    app.wait_for_text(&["/ search", "[x] DE Germany", "Allowed: CA, DE, US"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8: Numbers", "Press Enter to search for numbers, or s to skip"]);

    // The account, as the API tells it.
    let api = client(&base_url, "KEYpty");
    let (connections, profiles) = runtime.block_on(async {
        let connections = api
            .list_credential_connections(PageRequest::first(250), None)
            .await
            .expect("list credential connections");
        let profiles = api
            .list_outbound_voice_profiles(PageRequest::first(250), None)
            .await
            .expect("list outbound voice profiles");
        (connections.data, profiles.data)
    });
    assert_eq!(connections.len(), 1, "exactly one credential connection should exist: {connections:#?}");
    assert_eq!(profiles.len(), 1, "exactly one outbound voice profile should exist: {profiles:#?}");
    let (connection, profile) = (&connections[0], &profiles[0]);
    assert_eq!(connection.user_name, user_name, "the connection should have the user name the form showed");
    assert!(
        connection.inbound.codecs.iter().any(|c| c == "VP8"),
        "VP8 should be among the inbound codecs: {:?}",
        connection.inbound.codecs
    );
    assert_eq!(
        connection.outbound.outbound_voice_profile_id.as_deref(),
        Some(profile.id.as_str()),
        "the connection should be attached to the profile"
    );
    let whitelist: BTreeSet<&str> = profile.whitelisted_destinations.iter().map(String::as_str).collect();
    assert_eq!(
        whitelist,
        BTreeSet::from(["CA", "DE", "US"]),
        "the profile should allow the default countries and the one picked"
    );

    app.send("q");
    app.expect_restored();
    drop(sandbox);
}

/// The whole wizard with Enter, Space and `y` against an empty account whose number
/// orders settle after 300 ms: two numbers picked with Space are bought and assigned,
/// a credential and a login token are made, and `y` copies the token. Then, through the
/// API: one number order, both numbers active on the connection, one credential on the
/// connection; the OSC 52 request holds the token shown, a JWT valid for 24 hours; and
/// the summary printed on exit names the connection but holds no secret.
#[test]
fn the_whole_wizard_buys_numbers_and_copies_the_token_with_osc_52() {
    let seed = Seed { order_settles_after: Duration::from_millis(300), ..Seed::empty() };
    let (runtime, sandbox) = start_sandbox(&seed);
    let base_url = sandbox.base_url();
    let mut app = Pty::spawn("whole", &["--api-base", &base_url, "--api-key", "KEYpty"], 100, 30);
    enter_through_steps_one_to_five(&mut app);

    // Step 6: search the default country; Space puts the first and second results in
    // the cart.
    search_default_numbers(&mut app);
    app.send(SPACE);
    app.wait_for_text(&["· cart: 1", "▶ [x] +"]);
    app.send(DOWN);
    app.wait_for_text(&["[x] +", "▶ [ ] +"]);
    app.send(SPACE);
    let picked = app.wait_for_text(&["· cart: 2"]);
    let chosen: Vec<String> = picked
        .lines()
        .filter_map(|line| line.split("[x] ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    assert!(
        chosen.len() == 2 && chosen.iter().all(|n| n.starts_with('+')),
        "two numbers should be ticked, got {chosen:?}\n{}",
        dump_text(&picked)
    );
    app.send(ENTER);
    app.wait_idle_with(&["Cart: 2 numbers", &chosen[0], &chosen[1]]);
    app.send(ENTER);
    app.wait_idle_with(&["Buy 2 numbers for", "[y/N]"]);
    app.send("y");
    let done = app.wait_idle_with(&["2 numbers bought and assigned", "Enter continue"]);
    // Ordered with the connection's id, each number is on it as the order settled it.
    for number in &chosen {
        assert!(
            done.contains(&format!("{number}  success  on WebRTC (telnyx-setup)")),
            "{number} should be listed as bought onto the connection\n{}",
            dump_text(&done)
        );
    }

    // Steps 7 and 8: a credential with the form's defaults and its token; copy it (no
    // display: OSC 52), then reveal it.
    credential_and_token(&mut app, ENTER);
    app.send("y");
    app.wait_for_text(&["Sent to your terminal's clipboard (OSC 52"]);
    app.send("r");
    let revealed = app.wait_for("the token revealed", |screen| revealed_token(&screen.contents()).is_some());
    let shown = revealed_token(&revealed).expect("checked by the wait");
    let copies = app.osc52_copies();
    assert_eq!(copies.len(), 1, "one OSC 52 request should have been sent: {copies:?}");
    let (selection, data) = &copies[0];
    assert_eq!(selection, "c", "the token should go to the clipboard selection");
    let copied = STANDARD
        .decode(data)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| panic!("the OSC 52 data should be base64 of UTF-8 text: {data:?}"));
    assert_eq!(copied, shown, "the token copied should be the token shown");

    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "Enter or q to quit"]);
    app.send("q");
    let printed = app.expect_restored();

    // The account, as the API tells it.
    let api = client(&base_url, "KEYpty");
    let (connections, orders, numbers, credentials) = runtime.block_on(async {
        let connections = api
            .list_credential_connections(PageRequest::first(250), None)
            .await
            .expect("list credential connections");
        let orders = api.list_number_orders(PageRequest::first(250), None).await.expect("list number orders");
        let numbers = api
            .list_phone_numbers(PageRequest::first(250), &PhoneNumberFilter::default())
            .await
            .expect("list phone numbers");
        let credentials = api
            .list_telephony_credentials(PageRequest::first(250), &TelephonyCredentialFilter::default())
            .await
            .expect("list telephony credentials");
        (connections.data, orders.data, numbers.data, credentials.data)
    });
    assert_eq!(connections.len(), 1, "exactly one credential connection should exist: {connections:#?}");
    let connection = &connections[0];
    assert_eq!(orders.len(), 1, "exactly one number order should exist: {orders:#?}");
    let ordered: BTreeSet<&str> = orders[0].phone_numbers.iter().map(|n| n.phone_number.as_str()).collect();
    let wanted: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
    assert_eq!(ordered, wanted, "the order should hold the numbers picked: {orders:#?}");
    for number in &chosen {
        let owned = numbers
            .iter()
            .find(|n| &n.phone_number == number)
            .unwrap_or_else(|| panic!("{number} should be in /phone_numbers: {numbers:#?}"));
        assert_eq!(
            owned.connection_id.as_deref(),
            Some(connection.id.as_str()),
            "{number} should be assigned to the connection: {owned:#?}"
        );
        assert_eq!(owned.status, "active", "{number} should be active: {owned:#?}");
    }
    assert_eq!(credentials.len(), 1, "exactly one telephony credential should exist: {credentials:#?}");
    let credential = &credentials[0];
    assert_eq!(
        credential.resource_id.as_deref(),
        Some(format!("connection:{}", connection.id).as_str()),
        "the credential should belong to the connection: {credential:#?}"
    );

    // The copied token: a JWT for that credential, valid for 24 hours from now.
    let parts: Vec<&str> = copied.split('.').collect();
    assert_eq!(parts.len(), 3, "the token should be a JWT (header.payload.signature): {copied:?}");
    let claims: serde_json::Value = URL_SAFE_NO_PAD
        .decode(parts[1])
        .ok()
        .and_then(|payload| serde_json::from_slice(&payload).ok())
        .unwrap_or_else(|| panic!("the JWT's payload should be base64url JSON: {:?}", parts[1]));
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("the clock is after 1970").as_secs();
    let now = i64::try_from(now).expect("the time fits in i64");
    let exp = claims["exp"].as_i64().unwrap_or_else(|| panic!("the JWT should have an exp: {claims}"));
    assert!(
        (exp - (now + 24 * 3600)).abs() <= 120,
        "the token should expire about 24h from now ({now}), got exp {exp}: {claims}"
    );
    assert_eq!(
        claims["sub"].as_str(),
        Some(credential.id.as_str()),
        "the token should be for the credential: {claims}"
    );

    // The summary on the main screen: the connection, no secrets.
    assert!(
        printed.contains(&connection.id),
        "the summary should name the connection {}:\n{printed}",
        connection.id
    );
    for (secret, what) in [
        (copied.as_str(), "the login token"),
        (connection.password.expose(), "the connection's SIP password"),
        (credential.sip_password.expose(), "the credential's SIP password"),
    ] {
        assert!(!printed.contains(secret), "the summary should not print {what}:\n{printed}");
    }

    // The finished setup is remembered (the setup journal, ids only): `telnyx-setup
    // token` with no flag, with the same key and API, makes a token for its credential.
    let output = std::process::Command::new(crate::support::BIN)
        .args(["token", "--api-base", &base_url, "--api-key", "KEYpty"])
        .env("TELNYX_SETUP_STATE_DIR", app.state_dir())
        .env("TELNYX_SETUP_LOG", app.log_file())
        .output()
        .expect("run token");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let fresh = String::from_utf8(output.stdout).unwrap();
    let claims = fresh.trim_end().split('.').nth(1).and_then(|p| URL_SAFE_NO_PAD.decode(p).ok()).unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&claims).unwrap();
    assert_eq!(claims["sub"].as_str(), Some(credential.id.as_str()));
    drop(sandbox);
}

/// `n` at "Buy …? [y/N]" declines: the screen says nothing was bought, the wizard is
/// back on the cart, and the account has no number order and no number.
#[test]
fn declining_the_purchase_buys_nothing() {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let base_url = sandbox.base_url();
    let mut app = Pty::spawn("decline", &["--api-base", &base_url, "--api-key", "KEYpty"], 100, 30);
    enter_through_steps_one_to_five(&mut app);

    search_default_numbers(&mut app);
    // Enter with an empty cart adds the highlighted number and says so; Enter again
    // opens the cart.
    app.send(ENTER);
    app.wait_idle_with(&["Enter again to review it.", "· cart: 1"]);
    app.send(ENTER);
    app.wait_idle_with(&["Cart: 1 number", "Enter buy"]);
    app.send(ENTER);
    app.wait_idle_with(&["Buy 1 number for", "[y/N]"]);
    app.send("n");
    let declined = app.wait_idle_with(&["Nothing was bought.", "Cart: 1 number"]);
    assert!(!declined.contains("[y/N]"), "the question should be gone after n\n{}", dump_text(&declined));

    let api = client(&base_url, "KEYpty");
    let (orders, numbers) = runtime.block_on(async {
        let orders = api.list_number_orders(PageRequest::first(250), None).await.expect("list number orders");
        let numbers = api
            .list_phone_numbers(PageRequest::first(250), &PhoneNumberFilter::default())
            .await
            .expect("list phone numbers");
        (orders.data, numbers.data)
    });
    assert!(orders.is_empty(), "declining should place no number order: {orders:#?}");
    assert!(numbers.is_empty(), "declining should buy no number: {numbers:#?}");

    app.send("q");
    let printed = app.expect_restored();
    assert!(
        printed.lines().any(|line| line.starts_with("Numbers") && line.trim_end().ends_with("none")),
        "the summary should list no numbers:\n{printed}"
    );
    drop(sandbox);
}

/// A key the API refuses: Telnyx's message and code on screen, still on step 1; the
/// field then edits normally and a good key goes through.
#[test]
fn a_rejected_key_is_explained_and_can_be_corrected() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let mut app =
        Pty::spawn("rejected", &["--api-base", &sandbox.base_url(), "--api-key", "badkey"], 100, 30);

    app.wait_idle_with(&["Step 1 of 8: Sign in", "The key came from --api-key."]);
    app.send(ENTER);
    let refused = app.wait_idle_with(&["Telnyx rejected the API key", "10009"]);
    assert!(
        refused.contains("Step 1 of 8: Sign in"),
        "a refused key should leave the wizard on step 1\n{}",
        dump_text(&refused)
    );

    // Reveal the key to watch the edits.
    app.send(CTRL_R);
    app.wait_for("the key shown in clear", |screen| {
        field_text(&screen.contents(), "API key").as_deref() == Some("badkey")
    });
    app.send(&BACKSPACE.repeat("badkey".len()));
    let cleared = app.wait_for("the key field emptied", |screen| {
        field_text(&screen.contents(), "API key").as_deref() == Some("")
    });
    assert!(
        !cleared.contains("Telnyx rejected the API key"),
        "editing the key should clear the old error\n{}",
        dump_text(&cleared)
    );
    app.send("KEYfixed");
    app.wait_for("the new key typed", |screen| {
        field_text(&screen.contents(), "API key").as_deref() == Some("KEYfixed")
    });
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "+ Create a new credential connection"]);

    app.send("q");
    app.expect_restored();
    drop(sandbox);
}

/// `--demo` alone: the demo key signs in to the seeded sandbox; Ctrl-C quits cleanly.
#[test]
fn demo_mode_signs_in_to_the_seeded_sandbox_and_ctrl_c_quits() {
    let mut app = Pty::spawn("demo", &["--demo"], 100, 30);
    app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Office softphones"]);
    app.send(CTRL_C);
    app.expect_restored_with(130);
}

/// `telnyx-setup sandbox --port 0` prints its base URL first and serves the API there.
#[test]
fn sandbox_subcommand_prints_its_url_and_serves_the_api() {
    /// Kills the server however the test ends.
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let log = log_path("sandbox");
    let mut server = Server(
        Command::new(BIN)
            .args(["sandbox", "--port", "0"])
            .env("TELNYX_SETUP_LOG", &log)
            .env_remove("TELNYX_API_KEY")
            .env_remove("TELNYX_API_BASE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the sandbox subcommand"),
    );
    let stdout = server.0.stdout.take().expect("stdout is piped");
    let (sender, first_line) = mpsc::channel();
    thread::spawn(move || {
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line).map(|_| line);
        let _ = sender.send(read);
    });
    let line = match first_line.recv_timeout(DEADLINE) {
        Ok(Ok(line)) => line,
        Ok(Err(error)) => panic!("reading the sandbox's stdout failed: {error}"),
        Err(_) => panic!(
            "the sandbox printed no line within {DEADLINE:?}; exited: {:?}\n{}",
            server.0.try_wait(),
            log_tail(&log)
        ),
    };
    let url = line.trim_end();
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/v2"))
        .and_then(|port| port.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("the first line should be http://127.0.0.1:<port>/v2: {line:?}"));
    assert_ne!(port, 0, "the sandbox should report the port it got");

    let balance = runtime()
        .block_on(client(url, "KEYx").balance())
        .unwrap_or_else(|e| panic!("GET {url}/balance: {e}"));
    assert_eq!(balance.currency, "USD", "{balance:?}");

    server.0.kill().expect("stop the sandbox");
    server.0.wait().expect("reap the sandbox");
    let _ = std::fs::remove_file(&log);
}

/// A 20x5 terminal gets a notice instead of a squeezed layout; growing the terminal
/// brings the wizard up, and quitting restores the terminal.
#[test]
fn a_tiny_terminal_shows_a_notice_until_it_is_resized() {
    let mut app = Pty::spawn("tiny", &["--demo"], 20, 5);
    let notice = app.wait_for_text(&["Terminal too small", "20x5"]);
    assert!(!notice.contains("Step 1"), "no wizard screen should be drawn at 20x5\n{}", dump_text(&notice));

    app.resize(100, 30);
    let screen = app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    assert!(
        !screen.contains("Terminal too small"),
        "the notice should be gone at 100x30\n{}",
        dump_text(&screen)
    );

    app.send(CTRL_C);
    app.expect_restored_with(130);
}

/// The sign-in screen names where a custom API base came from: `TELNYX_API_BASE`, or
/// the flag, which wins over the variable.
#[test]
fn the_sign_in_screen_names_where_the_api_base_came_from() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let base = sandbox.base_url();
    let env = [("TELNYX_API_BASE", base.as_str())];
    for (args, from) in [(vec![], "TELNYX_API_BASE"), (vec!["--api-base", base.as_str()], "--api-base")] {
        let mut app = Pty::spawn_with_env("api-base-source", &args, 160, 30, &env);
        app.wait_for_text(&["Step 1 of 8: Sign in", &format!("API: {base}, a custom base URL ({from}).")]);
        app.send(CTRL_C);
        app.expect_restored_with(130);
    }
}
