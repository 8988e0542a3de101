//! What the test modules share, used as `crate::support::...`:
//!
//! - [`state`]: a fresh `State`, key presses, replies to the request in flight, sample
//!   API records, and the wizard and inspector walked to each screen;
//! - [`pty`]: the real binary in a pseudo-terminal, its screen parsed by vt100 (Unix);
//! - [`hostile`]: a hostile API on loopback, planting text in every string it answers;
//! - [`contract`]: the checker of HTTP exchanges against the OpenAPI contract in
//!   `tests/fixtures/openapi-subset.json`;
//! - here: the binary's path, a log file for each of its runs, a temporary directory,
//!   the API client every module reads and changes a sandbox's account with, and a new
//!   connection's body.

pub mod contract;
pub mod hostile;
#[cfg(unix)]
pub mod pty;
pub mod state;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use telnyx_setup::api::{
    ApiBase, Client, CredentialConnectionUpdate, NewCredentialConnection, NewNumberOrder, NumberOrder,
    NumberSearch, OrderedNumberRequest, OutboundUpdate, http_client,
};
use telnyx_setup::secret::Secret;

/// The binary under test, for the tests that run it as a child process.
pub const BIN: &str = env!("CARGO_BIN_EXE_telnyx-setup");

/// A log file (`TELNYX_SETUP_LOG`) of its own for each child, so nothing is written
/// under the user's home and no two children of this or another test run share one.
/// Whoever runs the child removes it.
pub fn log_path(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    std::env::temp_dir().join(format!(
        "telnyx-setup-test-{}-{}-{name}.log",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Runs the binary with `args`, `env` on top of an environment without the caller's
/// key, API base or profile, and `stdin` as its input (else none); its log file is
/// removed after.
pub fn run_bin<K, V>(
    args: &[&str],
    env: impl IntoIterator<Item = (K, V)>,
    stdin: Option<&str>,
) -> std::process::Output
where
    K: AsRef<std::ffi::OsStr>,
    V: AsRef<std::ffi::OsStr>,
{
    use std::io::Write;
    use std::process::{Command, Stdio};
    let log = log_path("run");
    let mut child = Command::new(BIN)
        .args(args)
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .env_remove("TELNYX_PROFILE")
        .envs(env)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {args:?}: {e}"));
    if let Some(text) = stdin {
        // The binary may refuse its arguments and exit before it reads: a broken pipe then.
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    }
    let output = child.wait_with_output().expect("the binary runs");
    let _ = std::fs::remove_file(&log);
    output
}

/// `telnyx-setup sandbox --port 0` as a process of its own, killed (and its log
/// removed) when dropped.
pub struct SandboxProcess {
    pub child: std::process::Child,
    /// Its API base, `http://127.0.0.1:PORT/v2`.
    pub base_url: String,
    log: PathBuf,
}

impl SandboxProcess {
    /// Starts it and waits for the first line it prints: the base URL, once the port is
    /// bound (blocking: call it from `spawn_blocking` in an async test).
    pub fn start() -> Self {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let log = log_path("sandbox-process");
        let mut child = Command::new(BIN)
            .args(["sandbox", "--port", "0"])
            .env("TELNYX_SETUP_LOG", &log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the sandbox's URL");
        let base_url = line.trim().to_owned();
        assert!(base_url.starts_with("http://127.0.0.1:") && base_url.ends_with("/v2"), "{base_url:?}");
        Self { child, base_url, log }
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// A directory of its own under the system temp dir (unique to this process and
/// call), removed with everything in it when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "telnyx-setup-test-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Self(path)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A path of its own in the temporary directory (named like [`log_path`]), for a
/// child's redirected output or a FIFO; removed on drop.
pub struct TempPath(pub PathBuf);

impl TempPath {
    pub fn new(name: &str) -> Self {
        let path = log_path(name).with_extension("out");
        let _ = std::fs::remove_file(&path);
        Self(path)
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The API base at `base_url` (a sandbox's `base_url()`), as the worker takes it.
pub fn api_base(base_url: &str) -> ApiBase {
    ApiBase::parse(base_url).expect("the sandbox's URL is a valid API base")
}

/// The product's API client for `base_url` (a sandbox's, or one the binary printed),
/// signing its requests with `key`.
pub fn client(base_url: &str, key: &str) -> Client {
    client_with(http_client(), base_url, key)
}

/// [`client`] over `http`, for a client with a timeout of the test's own.
pub fn client_with(http: reqwest::Client, base_url: &str, key: &str) -> Client {
    Client::new(http, api_base(base_url), Secret::new(key))
}

/// The body creating a credential connection `name` with SIP user `user_name` and the
/// password `correct-horse-battery`.
pub fn new_connection(name: &str, user_name: &str) -> NewCredentialConnection {
    NewCredentialConnection {
        connection_name: name.to_owned(),
        user_name: user_name.to_owned(),
        password: Secret::new("correct-horse-battery"),
        tags: Vec::new(),
        inbound: None,
        outbound: None,
        sip_uri_calling_preference: None,
    }
}

/// Attaches the outbound voice profile `profile` to `connection`, as step 4 does.
pub async fn attach_profile(api: &Client, connection: &str, profile: &str) {
    let attach = OutboundUpdate { outbound_voice_profile_id: profile.to_owned() };
    let update = CredentialConnectionUpdate { inbound: None, outbound: Some(attach) };
    api.update_credential_connection(connection, &update).await.unwrap();
}

/// Orders the first US number the sandbox offers for `connection`: the number and its
/// order.
pub async fn buy_us_number(api: &Client, connection: &str) -> (String, NumberOrder) {
    let offered = api
        .search_available_numbers(&NumberSearch { country_code: "US".into(), limit: 1, ..Default::default() })
        .await
        .unwrap();
    let number = offered[0].phone_number.clone();
    let order = api
        .create_number_order(&NewNumberOrder {
            phone_numbers: vec![OrderedNumberRequest { phone_number: number.clone() }],
            connection_id: Some(connection.to_owned()),
            customer_reference: None,
        })
        .await
        .unwrap();
    (number, order)
}

/// The worker's next message other than a request record (those go to the requests
/// pane and arrive beside every answer), within 10 s.
pub async fn next_answer(
    replies: &mut tokio::sync::mpsc::UnboundedReceiver<telnyx_setup::msg::Msg>,
) -> telnyx_setup::msg::Msg {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(10), replies.recv())
            .await
            .expect("the worker answers within 10s")
            .expect("the worker is alive");
        if !matches!(msg, telnyx_setup::msg::Msg::Requested(_)) {
            return msg;
        }
    }
}
