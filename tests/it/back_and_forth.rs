//! Going back and forth through the wizard (issue 20): a screen returned to shows what
//! the account has now and what this setup already chose, and Enter on a choice that
//! is unchanged sends no write. The real binary in a PTY against the sandbox.
#![cfg(unix)]

use crate::support::pty::{DOWN, ENTER, Pty, in_flight, start_sandbox};
use telnyx_setup::sandbox::{Sandbox, Seed};

const ESC: &str = "\x1b";

/// The writes the sandbox has answered (or held).
fn writes(sandbox: &Sandbox) -> Vec<String> {
    sandbox.journal().iter().filter(|e| !e.is_read()).map(|e| format!("{} {}", e.method, e.path)).collect()
}

/// Presses Esc until the screen shows `target`, a whole step title ("Step 4 of 8: Voice
/// profile"), idle. An Esc can be taken by a request in flight (it cancels it, and the
/// screen stays): when nothing changed for a while, Esc is pressed again.
fn back_to(app: &mut Pty, target: &str) {
    for _ in 0..12 {
        let before = app.contents();
        app.send(ESC);
        for _ in 0..50 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let now = app.contents();
            if now.contains(target) && !in_flight(&now) {
                return;
            }
            if now != before {
                break;
            }
        }
        app.wait_for("no request in flight", |screen| !in_flight(&screen.contents()));
        // A frame may be half drawn: the screen once it holds still.
        let mut settled = app.contents();
        loop {
            std::thread::sleep(std::time::Duration::from_millis(300));
            let now = app.contents();
            if now == settled {
                break;
            }
            settled = now;
        }
        if settled.contains(target) && !in_flight(&settled) {
            return;
        }
    }
    panic!("Esc never led back to {target:?}:\n{}", app.contents());
}

/// The highlighted row of a list: the screen's line with `▶`.
fn highlighted(screen: &str) -> String {
    screen.lines().find(|line| line.contains('▶')).unwrap_or_default().to_owned()
}

/// Enter from sign-in through a new connection and its codecs, to step 4.
fn sign_in_and_make_a_connection(app: &mut Pty) {
    app.wait_idle_with(&["Step 1 of 8: Sign in"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "▶ + Create a new credential connection"]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ SIP user name ", "Enter next"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8: Codecs"]);
    app.send(ENTER);
}

/// From sign-in through a new connection, profile and countries, `s` on the numbers,
/// and a new credential, to its SIP details on step 7.
fn make_a_credential(app: &mut Pty) {
    sign_in_and_make_a_connection(app);
    app.wait_idle_with(&["Step 4 of 8: Voice profile", "▶ + Create a new outbound voice profile"]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ Profile name "]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8: Countries"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8"]);
    app.send("s");
    app.wait_idle_with(&["Step 7 of 8", "▶ + Create a new credential"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 7 of 8", "Enter create"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 7 of 8", "Press Enter to make a login token from it."]);
}

/// How many credentials the sandbox was asked to make.
fn credentials_made(sandbox: &Sandbox) -> usize {
    sandbox
        .journal()
        .iter()
        .filter(|e| e.method == "POST" && e.path.ends_with("/telephony_credentials"))
        .count()
}

/// Case 1: after an existing profile is attached, Esc back to the codecs and Enter:
/// the profile list highlights the attached profile, and Enter on it sends nothing
/// (before, it offered "+ Create a new" and made a second profile and moved the
/// connection, without asking).
#[test]
fn back_to_the_codecs_and_on_keeps_the_attached_profile() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let mut app =
        Pty::spawn("back-codecs", &["--api-base", &sandbox.base_url(), "--api-key", "KEYback"], 100, 32);
    sign_in_and_make_a_connection(&mut app);
    app.wait_idle_with(&["Step 4 of 8: Voice profile", "+ Create a new outbound voice profile"]);
    app.send(DOWN);
    app.wait_for("a profile highlighted", |screen| !highlighted(&screen.contents()).contains("+ Create"));
    let chosen = highlighted(&app.contents());
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8: Countries"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8"]);
    let made = writes(&sandbox);

    back_to(&mut app, "Step 5 of 8: Countries");
    back_to(&mut app, "Step 4 of 8: Voice profile");
    back_to(&mut app, "Step 3 of 8: Codecs");
    app.send(ENTER);
    let profiles = app.wait_idle_with(&["Step 4 of 8: Voice profile", "attached"]);
    let row = highlighted(&profiles);
    assert!(row.contains("attached"), "the attached profile is highlighted, not {row:?}:\n{profiles}");
    let name = |row: &str| row.split_whitespace().nth(1).unwrap_or_default().to_owned();
    assert_eq!(name(&row), name(&chosen), "the profile chosen before:\n{profiles}");
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8: Countries"]);
    assert_eq!(writes(&sandbox), made, "Enter on what is unchanged sends nothing");
}

/// Case 2: after the credential is made, back to the profile and forward again: step 7
/// lists the credential made (it did show "Credentials (0)", and Enter made another).
#[test]
fn back_four_screens_and_on_keeps_the_credential_made() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let mut app =
        Pty::spawn("back-credential", &["--api-base", &sandbox.base_url(), "--api-key", "KEYback"], 100, 32);
    make_a_credential(&mut app);
    app.send(ENTER);
    app.wait_idle_with(&["Step 8 of 8"]);
    let created = || credentials_made(&sandbox);
    assert_eq!(created(), 1);

    // Back to the profile, and on again with Enter (and `s` on the numbers, as before).
    back_to(&mut app, "Step 4 of 8: Voice profile");
    // The list read again, with the profile made a moment ago attached.
    app.wait_idle_with(&["Step 4 of 8: Voice profile", "▶ WebRTC outbound", "attached"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8: Countries"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8"]);
    app.send("s");
    let credentials = app.wait_idle_with(&["Step 7 of 8"]);
    assert!(credentials.contains("Credentials (1)"), "the credential made is listed:\n{credentials}");
    let row = highlighted(&credentials);
    assert!(!row.contains("+ Create"), "the credential made is highlighted, not {row:?}:\n{credentials}");
    app.send(ENTER);
    app.wait_for("on from the credential", |screen| {
        !screen.contents().contains("Credentials (1)") || screen.contents().contains("SIP user name")
    });
    assert_eq!(created(), 1, "no second credential");
}

/// Found by the model test (tests/it/setup_model.rs): a credential made and then
/// backed out of before it was chosen (Esc from its SIP details, Esc to the numbers,
/// `s`) is still the connection's: step 7 lists it and highlights it, and Enter sends
/// no second `POST /telephony_credentials` (it offered "+ Create" on an empty list).
#[test]
fn back_past_the_numbers_before_choosing_the_credential_made_keeps_it() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let mut app =
        Pty::spawn("back-unchosen", &["--api-base", &sandbox.base_url(), "--api-key", "KEYback"], 100, 32);
    make_a_credential(&mut app);
    let created = || credentials_made(&sandbox);
    assert_eq!(created(), 1);

    // Not chosen: back to its list, back to the numbers, and on with `s`.
    app.send(ESC);
    app.wait_idle_with(&["Step 7 of 8", "Credentials (1)"]);
    back_to(&mut app, "Step 6 of 8");
    app.send("s");
    let credentials = app.wait_idle_with(&["Step 7 of 8"]);
    assert!(credentials.contains("Credentials (1)"), "the credential made is listed:\n{credentials}");
    let row = highlighted(&credentials);
    assert!(!row.contains("+ Create"), "the credential made is highlighted, not {row:?}:\n{credentials}");
    app.send(ENTER);
    app.wait_idle_with(&["Step 7 of 8", "Press Enter to make a login token from it."]);
    assert_eq!(created(), 1, "no second credential");
}

/// Case 5: two numbers bought, then back to the countries and on, and `s` on the
/// numbers: the connection has the two numbers, so the header marks the step done
/// (it showed `– Numbers`, skipped) as the summary, which lists them, says.
#[test]
fn back_and_skip_after_buying_keeps_the_numbers_in_the_header_and_the_summary() {
    use crate::support::pty::{
        SPACE, credential_and_token, enter_through_steps_one_to_five, search_default_numbers,
    };
    let seed = Seed { order_settles_after: std::time::Duration::ZERO, ..Seed::empty() };
    let (_runtime, sandbox) = start_sandbox(&seed);
    let mut app =
        Pty::spawn("back-numbers", &["--api-base", &sandbox.base_url(), "--api-key", "KEYback"], 100, 32);
    enter_through_steps_one_to_five(&mut app);
    search_default_numbers(&mut app);
    app.send(SPACE);
    app.wait_for_text(&["· cart: 1", "▶ [x] +"]);
    app.send(DOWN);
    app.wait_for_text(&["[x] +", "▶ [ ] +"]);
    app.send(SPACE);
    app.wait_for_text(&["· cart: 2"]);
    app.send(ENTER);
    app.wait_idle_with(&["Cart: 2 numbers"]);
    app.send(ENTER);
    app.wait_idle_with(&["Buy 2 numbers for", "[y/N]"]);
    app.send("y");
    app.wait_idle_with(&["2 numbers bought and assigned", "Enter continue"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 7 of 8: Credential"]);
    let bought = writes(&sandbox);

    back_to(&mut app, "Step 5 of 8: Countries");
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8: Numbers"]);
    // `s`: no more numbers are bought; the two stay on the connection.
    credential_and_token(&mut app, "s");
    let summary = {
        app.send(ENTER);
        app.wait_idle_with(&["Setup complete", "Enter or q to quit"])
    };
    let header: Vec<&str> = summary.lines().take(4).collect();
    let header = header.join("\n");
    assert!(header.contains("✓ Numbers") && !header.contains("– Numbers"), "{summary}");
    let listed =
        summary.lines().find(|line| line.contains("Numbers") && line.contains('+')).unwrap_or_default();
    assert_eq!(listed.matches('+').count(), 2, "the summary lists the two numbers:\n{summary}");
    let orders = writes(&sandbox).iter().filter(|w| w.ends_with("/number_orders")).count();
    assert_eq!(
        orders,
        bought.iter().filter(|w| w.ends_with("/number_orders")).count(),
        "nothing bought again"
    );
}
