//! Where the key and request bodies may travel: only to the API base, never through a
//! proxy when the base is loopback, never on after a redirect.
//!
//! - With `http_proxy`, `HTTPS_PROXY` and `ALL_PROXY` all naming a listener, the binary
//!   reaches a loopback sandbox directly, and the listener is never even connected to
//!   (before the fix the bearer key went to it in clear, four times with retries).
//! - A server answering 307 or 301 toward another listener: the create's body (a SIP
//!   password) and the key never reach that listener, and the error names where the
//!   redirect pointed, from the library client and from the binary.
//!
//! Every listener is on loopback and is a task of the test's own runtime, so it ends
//! with the test.

use crate::support::{BIN, client, log_path, new_connection};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use telnyx_setup::api::PageRequest;
use telnyx_setup::sandbox::{Sandbox, Seed};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A loopback listener that counts the connections made to it and closes each at once.
struct Counter {
    url: String,
    connections: Arc<AtomicUsize>,
}

impl Counter {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let count = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Self { url, connections }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Runs the binary with `args` and `env` to its exit, with a log file of its own.
async fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let log = log_path("transport");
    let mut command = Command::new(BIN);
    command.args(args).env("TELNYX_SETUP_LOG", &log).env_remove("TELNYX_API_BASE");
    for variable in ["NO_PROXY", "no_proxy", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"] {
        command.env_remove(variable);
    }
    command.envs(env.iter().copied());
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_base_never_goes_through_a_proxy() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let connection = client(&sandbox.base_url(), "KEYproxy")
        .list_credential_connections(PageRequest::first(1), None)
        .await
        .unwrap()
        .data[0]
        .id
        .clone();
    let proxy = Counter::start().await;
    let proxies: Vec<(&str, &str)> =
        ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
            .into_iter()
            .map(|variable| (variable, proxy.url.as_str()))
            .collect();
    let port = sandbox.addr().port();
    for base in [format!("http://127.0.0.1:{port}/v2"), format!("http://localhost:{port}/v2")] {
        let before = sandbox.journal().len();
        let mut env = proxies.clone();
        env.push(("TELNYX_API_KEY", "KEYproxy"));
        let output = run(&["doctor", "--connection", &connection, "--api-base", &base], &env).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(proxy.connections(), 0, "{base}: the proxy was connected to; stderr:\n{stderr}");
        assert!(
            sandbox.journal().len() > before,
            "{base}: the doctor reached the sandbox directly: {stderr}"
        );
        assert_ne!(output.status.code(), Some(2), "{base}: the doctor ran its checks: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_to_another_machine_through_a_proxy_still_needs_the_flag() {
    let proxy = Counter::start().await;
    let env =
        [("http_proxy", proxy.url.as_str()), ("HTTP_PROXY", proxy.url.as_str()), ("TELNYX_API_KEY", "KEYx")];
    let output =
        run(&["doctor", "--connection", "1", "--api-base", "http://api.example.invalid/v2"], &env).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--insecure-http"), "{stderr}");
    assert_eq!(proxy.connections(), 0, "nothing is sent before the flag is given");
}

/// A loopback server answering every request with `status` and `Location: location`,
/// having read the request's head (and nothing of its body).
async fn redirector(status: &'static str, location: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v2", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let location = location.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 {status}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_reported_and_never_followed() {
    let target = Counter::start().await;
    let location = format!("{}/v2/credential_connections", target.url);
    let base = redirector("307 Temporary Redirect", location.clone()).await;
    let api = client(&base, "KEYredirect");
    let error = api
        .create_credential_connection(&new_connection("Redirected", "redirect01"))
        .await
        .expect_err("a redirect is an error");
    let message = error.to_string();
    assert!(message.contains("redirect (HTTP 307)") && message.contains(&location), "{message}");
    let error = api.balance().await.expect_err("a redirected read is an error too");
    assert!(error.to_string().contains(&location), "{error}");
    assert_eq!(target.connections(), 0, "the create's body and the key went on to the redirect's target");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_names_the_redirect_and_sends_nothing_on() {
    let target = Counter::start().await;
    let location = format!("{}/v2/credential_connections/7", target.url);
    let base = redirector("301 Moved Permanently", location.clone()).await;
    let output =
        run(&["doctor", "--connection", "7", "--api-base", &base], &[("TELNYX_API_KEY", "KEYredirect")])
            .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(&format!("redirect (HTTP 301) to '{location}'")), "{stderr}");
    assert!(stderr.contains("--api-base"), "the advice names what to check: {stderr}");
    assert_eq!(target.connections(), 0, "the key went on to the redirect's target");
}
