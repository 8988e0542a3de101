//! One recogniser (`telnyx_setup::setup::recognise`): a name given to `setup`, `token`
//! and `doctor` means the same connection in all three, by the same rule (id, exact
//! name, telnyx-setup's mark, then the newest).

use crate::support::{BIN, TempDir, client, log_path, new_connection};
use serde_json::Value;
use std::process::{Command, Stdio};
use telnyx_setup::api::{Client, MARK};
use telnyx_setup::sandbox::{Sandbox, Seed};

const KEY: &str = "KEYrecognise";

/// `telnyx-setup <args> --json` against the sandbox: its JSON on stdout.
async fn json_of(sandbox: &Sandbox, state: &TempDir, args: &[&str]) -> Value {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .args(["--json", "--api-base", &sandbox.base_url(), "--api-key", KEY])
        .stdin(Stdio::null())
        .env_remove("TELNYX_API_KEY")
        .env("TELNYX_SETUP_STATE_DIR", state.path())
        .env("TELNYX_SETUP_LOG", log_path("recognise"));
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: {e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The connection `name` means to `setup --dry-run`, `token` and `doctor`, in that order.
async fn meant(sandbox: &Sandbox, name: &str) -> [String; 3] {
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
    [
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
async fn a_name_means_the_same_connection_to_setup_token_and_doctor() {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let api = client(&sandbox.base_url(), KEY);
    // The marked one is the older, and listed first: neither age nor order picks it.
    let marked = create(&api, "Twin", "twin0001", true).await;
    let _unmarked = create(&api, "Twin", "twin0002", false).await;
    assert_eq!(meant(&sandbox, "Twin").await, [marked.clone(), marked.clone(), marked], "the marked one");
    // Two that telnyx-setup made are two runs: the later one is meant.
    let newer = create(&api, "Twin", "twin0003", true).await;
    assert_eq!(meant(&sandbox, "Twin").await, [newer.clone(), newer.clone(), newer], "the newest marked");
}
