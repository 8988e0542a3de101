//! One recogniser (`telnyx_setup::setup::recognise`): a name given to `setup`, `token`
//! and `doctor` means the same connection in all three, by the same rule (id, exact
//! name, telnyx-setup's mark, then the newest), and the wizard's step 2 highlights
//! that connection as it opens. Where the rule leaves two, the scripts exit 2 naming
//! both ids and the wizard highlights neither: it asks.

use crate::support::pty::{CTRL_C, ENTER, Pty};
use crate::support::{BIN, TempDir, client, log_path, new_connection};
use serde_json::Value;
use std::process::{Command, Output, Stdio};
use telnyx_setup::api::{Client, MARK};
use telnyx_setup::sandbox::{Sandbox, Seed};

const KEY: &str = "KEYrecognise";

/// `telnyx-setup <args>` against the sandbox, with the state kept in `state`.
async fn run(sandbox: &Sandbox, state: &TempDir, args: &[&str]) -> Output {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .args(["--api-base", &sandbox.base_url(), "--api-key", KEY])
        .stdin(Stdio::null())
        .env_remove("TELNYX_API_KEY")
        .env("TELNYX_SETUP_STATE_DIR", state.path())
        .env("TELNYX_SETUP_LOG", log_path("recognise"));
    tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap()
}

/// `telnyx-setup <args> --json` against the sandbox: its JSON on stdout.
async fn json_of(sandbox: &Sandbox, state: &TempDir, args: &[&str]) -> Value {
    let output = run(sandbox, state, &[args, &["--json"]].concat()).await;
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Step 2 of the wizard on the sandbox's account, as it opens (no journal: what
/// telnyx-setup made is recognised by its mark): the whole screen, and its
/// highlighted row.
fn wizard_step_2(base: &str) -> (String, String) {
    let mut app =
        Pty::spawn_with_env("recognise-wizard", &["--api-base", base], 120, 30, &[("TELNYX_API_KEY", KEY)]);
    app.wait_idle_with(&["Step 1 of 8: Sign in"]);
    app.send(ENTER);
    let screen = app.wait_idle_with(&["Step 2 of 8: Connection", "+ Create a new credential connection"]);
    app.send(CTRL_C);
    app.expect_restored_with(130);
    let highlighted = screen.lines().find(|line| line.contains('▶')).unwrap_or_default().to_owned();
    (screen, highlighted)
}

/// The connection `name` means to the wizard (the one its step 2 highlights, found
/// among `made` (id, SIP user name) by the user name its row shows), `setup --dry-run`,
/// `token` and `doctor`, in that order.
async fn meant(sandbox: &Sandbox, name: &str, made: &[(String, &str)]) -> [String; 4] {
    let state = TempDir::new("recognise-state");
    let setup = json_of(sandbox, &state, &["setup", "--dry-run", "--connection", name]).await;
    let token = json_of(sandbox, &state, &["token", "--connection", name, "--create"]).await;
    let doctor = json_of(sandbox, &state, &["doctor", "--connection", name]).await;
    let id = |value: &Value, what: &str| {
        value
            .as_str()
            .unwrap_or_else(|| panic!("{what}: no connection id in {setup:#} {token:#} {doctor:#}"))
            .to_owned()
    };
    let base = sandbox.base_url();
    let (screen, highlighted) = tokio::task::spawn_blocking(move || wizard_step_2(&base)).await.unwrap();
    let wizard = made
        .iter()
        .find(|(_, user_name)| highlighted.contains(&format!("user {user_name} ")))
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("the wizard highlights none of {made:?}: {highlighted:?}\n{screen}"));
    [
        wizard,
        id(&setup["connection"]["id"], "setup"),
        id(&token["connection_id"], "token"),
        id(&doctor["connection_id"], "doctor"),
    ]
}

async fn create(api: &Client, name: &str, user_name: &str, marked: bool) -> String {
    let mut body = new_connection(name, user_name);
    if marked {
        body.tags = vec![MARK.to_owned()];
    }
    api.create_credential_connection(&body).await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_means_the_same_connection_to_the_wizard_setup_token_and_doctor() {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    // The marked one is the older, and listed first: neither age nor order picks it.
    let marked = create(&api, "Twin", "twin0001", true).await;
    let unmarked = create(&api, "Twin", "twin0002", false).await;
    let mut made = vec![(marked.clone(), "twin0001"), (unmarked, "twin0002")];
    assert_eq!(meant(&sandbox, "Twin", &made).await, [(); 4].map(|_| marked.clone()), "the marked one");
    // Two that telnyx-setup made are two runs: the later one is meant.
    let newer = create(&api, "Twin", "twin0003", true).await;
    made.push((newer.clone(), "twin0003"));
    assert_eq!(meant(&sandbox, "Twin", &made).await, [(); 4].map(|_| newer.clone()), "the newest marked");
}

/// The rule cannot tell two connections of one name apart when telnyx-setup made both
/// at the same moment: `setup`, `token` and `doctor` exit 2 naming both ids, and the
/// wizard highlights neither and asks, naming both. (The sandbox stamps each record
/// with the nanosecond it was made; the two are given one time through its state file.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tie_is_the_wizards_question_and_the_scripts_exit_2_naming_both() {
    let dir = TempDir::new("recognise-tie");
    let file = dir.path().join("sandbox.json");
    let seed = Seed { state_file: Some(file.clone()), ..Seed::empty() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    let first = create(&api, "Twin", "twin0001", true).await;
    let second = create(&api, "Twin", "twin0002", true).await;
    drop(sandbox);
    let mut saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    for connection in saved["connections"].as_array_mut().unwrap() {
        connection["created_at"] = "2026-12-01T10:00:00Z".into();
    }
    std::fs::write(&file, serde_json::to_vec(&saved).unwrap()).unwrap();
    let sandbox = Sandbox::start_local(&seed).await.unwrap();

    let state = TempDir::new("recognise-state");
    for args in [
        &["setup", "--dry-run", "--connection", "Twin"][..],
        &["token", "--connection", "Twin", "--create"],
        &["doctor", "--connection", "Twin"],
    ] {
        let output = run(&sandbox, &state, args).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("2 credential connections have this name")
                && stderr.contains(&first)
                && stderr.contains(&second),
            "{args:?} names both: {stderr}"
        );
    }

    let base = sandbox.base_url();
    let (screen, highlighted) = tokio::task::spawn_blocking(move || wizard_step_2(&base)).await.unwrap();
    assert!(
        highlighted.contains("+ Create a new"),
        "neither is highlighted by guess: {highlighted:?}\n{screen}"
    );
    let question = format!(
        "2 connections telnyx-setup made look alike: “Twin” (id {first}) and “Twin” (id {second}) — pick one"
    );
    let words = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(&question), "{question}\n{screen}");
    let tied = screen.lines().filter(|line| line.contains("≈ Twin")).count();
    assert_eq!(tied, 2, "both marked:\n{screen}");
}
