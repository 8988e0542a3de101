//! The sandbox's fault injection (`--fault`, `--latency`, `Seed::faults`), seen from the
//! wire: status faults answer at once and change nothing, `timeout` and `reset` carry
//! the request out but never deliver the answer, body faults spoil what is sent, rules
//! count their own matches, and the binary takes the flags with `sandbox` and `--demo`.
//!
//! Requests go through a plain reqwest client, never the product's `api::Client`,
//! whose retries would hide the faults. Everything stays on loopback.

use crate::support::{BIN, log_path};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};

const KEY: &str = "KEYfaults";
/// The longest any step may take before the test counts it as hung.
const DEADLINE: Duration = Duration::from_secs(30);

/// A raw HTTP client that gives up after `timeout`, with no proxy in the way.
fn http(timeout: Duration) -> reqwest::Client {
    // reqwest is built without a default TLS provider; plain HTTP still needs one set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().timeout(timeout).build().expect("a plain HTTP client builds")
}

/// A sandbox on loopback with an empty account and the given faults.
struct Api {
    sandbox: Sandbox,
    http: reqwest::Client,
}

impl Api {
    async fn start(rules: &[&str]) -> Self {
        let faults = FaultPlan::parse(rules.iter().copied()).expect("the test's rules parse");
        Self::with(faults).await
    }

    async fn with(faults: FaultPlan) -> Self {
        let seed = Seed { faults, order_settles_after: Duration::ZERO, ..Seed::empty() };
        let sandbox = Sandbox::start_local(&seed).await.expect("the sandbox binds a loopback port");
        Self { sandbox, http: http(DEADLINE) }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    fn request(
        &self,
        http: &reqwest::Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::RequestBuilder {
        let request = http.request(method, self.url(path)).bearer_auth(KEY);
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
    }

    /// Sends a request that must get an answer (the faults may make it an error status).
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let response = self
            .request(&self.http, method.clone(), path, body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: no answer: {e}"));
        Answer::read(response).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    /// The `data` of a list that must be answered normally.
    async fn list(&self, path: &str) -> Vec<Value> {
        let answer = self.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "GET {path}: {answer:?}");
        answer.json()["data"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("GET {path}: no data[]: {answer:?}"))
    }

    /// Statuses of `times` GETs of `path`, one after the other.
    async fn statuses(&self, path: &str, times: usize) -> Vec<u16> {
        let mut statuses = Vec::new();
        for _ in 0..times {
            statuses.push(self.get(path).await.status.as_u16());
        }
        statuses
    }

    /// Waits until the journal holds an exchange `what` says is there.
    async fn journaled(&self, what: &str, found: impl Fn(&telnyx_setup::sandbox::Exchange) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        while !self.sandbox.journal().iter().any(&found) {
            assert!(
                Instant::now() < deadline,
                "the journal never showed {what}: {:#?}",
                self.sandbox.journal()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// An answer as it arrived.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    retry_after: Option<String>,
    body: Vec<u8>,
}

impl Answer {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let header = |name| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let content_type = header(header::CONTENT_TYPE);
        let retry_after = header(header::RETRY_AFTER);
        let body = response.bytes().await.unwrap_or_else(|e| panic!("reading a {status} body failed: {e}"));
        Self { status, content_type, retry_after, body: body.to_vec() }
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("the body should be JSON ({e}): {}", String::from_utf8_lossy(&self.body))
        })
    }
}

fn new_connection(user_name: &str) -> Value {
    json!({ "connection_name": "Faults", "user_name": user_name, "password": "correct-horse-battery" })
}

// ----- status faults -----

#[tokio::test]
async fn a_status_fault_answers_telnyx_style_errors_and_changes_nothing() {
    for status in [400, 401, 404, 422, 429, 500, 503, 599] {
        let rule = format!("POST /outbound_voice_profiles={status}");
        let api = Api::start(&[&rule]).await;
        let answer =
            api.send(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": "Faulted" }))).await;
        assert_eq!(answer.status.as_u16(), status, "{rule}: {answer:?}");
        assert_eq!(answer.content_type.as_deref(), Some("application/json"), "{rule}");
        let errors = answer.json()["errors"].as_array().cloned().unwrap_or_default();
        assert_eq!(errors.len(), 1, "{rule}: one error expected: {answer:?}");
        for field in ["code", "title", "detail"] {
            assert!(
                errors[0][field].as_str().is_some_and(|s| !s.is_empty()),
                "{rule}: no {field}: {errors:?}"
            );
        }
        assert!(errors[0]["detail"].as_str().unwrap_or_default().contains(&rule), "{rule}: {errors:?}");
        let expected_retry_after = (status == 429).then(|| "1".to_owned());
        assert_eq!(answer.retry_after, expected_retry_after, "{rule}");

        // The handler never ran: no profile, and the journal says why the answer was odd.
        assert_eq!(api.list("/outbound_voice_profiles").await, Vec::<Value>::new(), "{rule}");
        let journal = api.sandbox.journal();
        let faulted: Vec<_> = journal.iter().filter(|e| e.fault.is_some()).collect();
        assert_eq!(faulted.len(), 1, "{rule}: {journal:#?}");
        assert_eq!((faulted[0].status, faulted[0].fault.as_deref()), (status, Some(rule.as_str())));
        assert_eq!(journal.iter().filter(|e| e.fault.is_none()).count(), 1, "only the list is unfaulted");
    }
}

#[tokio::test]
async fn rate_limiting_the_balance_uses_telnyx_code_and_retry_after() {
    let api = Api::start(&["GET /balance=429"]).await;
    for _ in 0..2 {
        let answer = api.get("/balance").await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(answer.retry_after.as_deref(), Some("1"));
        let error = &answer.json()["errors"][0];
        assert_eq!(
            (error["code"].as_str(), error["title"].as_str()),
            (Some("10011"), Some("Too many requests"))
        );
    }
    // Other paths are untouched.
    assert_eq!(api.list("/credential_connections").await, Vec::<Value>::new());
}

#[tokio::test]
async fn faults_come_before_the_key_check_and_only_under_the_api_base() {
    let api = Api::start(&["GET *=503"]).await;
    let without_key = api.http.get(api.url("/balance")).send().await.expect("an answer");
    assert_eq!(without_key.status(), StatusCode::SERVICE_UNAVAILABLE);
    let outside =
        api.http.get(format!("http://{}/elsewhere", api.sandbox.addr())).send().await.expect("an answer");
    assert_eq!(outside.status(), StatusCode::NOT_FOUND, "paths outside /v2 are not the API's");
}

// ----- counting -----

#[tokio::test]
async fn colon_n_faults_the_first_n_matches() {
    let api = Api::start(&["GET /balance=503:2"]).await;
    // A request the rule does not match is not counted.
    assert_eq!(api.get("/phone_numbers").await.status, StatusCode::OK);
    assert_eq!(api.statuses("/balance", 4).await, [503, 503, 200, 200]);
}

#[tokio::test]
async fn percent_n_faults_every_nth_match() {
    let api = Api::start(&["GET /balance=503%3"]).await;
    assert_eq!(api.statuses("/balance", 7).await, [200, 200, 503, 200, 200, 503, 200]);
}

#[tokio::test]
async fn rules_count_their_own_matches_and_the_first_that_fires_applies() {
    let api = Api::start(&["GET /balance=500%2", "GET *=503:3"]).await;
    // 1: rule 1 (1st match) skips, rule 2 (1st) fires. 2: rule 1 (2nd) fires; rule 2 is
    // not tried, so not counted. 3: rule 2 (2nd). ... 7: rule 2 (4th) is past its 3.
    assert_eq!(api.statuses("/balance", 7).await, [503, 500, 503, 500, 503, 500, 200]);
    // Rule 2 is used up; rule 1 does not match this path.
    assert_eq!(api.statuses("/phone_numbers", 2).await, [200, 200]);
}

// ----- matching -----

#[tokio::test]
async fn the_method_must_match_unless_it_is_a_star() {
    let api = Api::start(&["DELETE /outbound_voice_profiles/*=500", "* /balance=502"]).await;
    let created = api.send(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": "Kept" }))).await;
    assert_eq!(created.status, StatusCode::OK, "{created:?}");
    let id = created.json()["data"]["id"].as_str().expect("the profile has an id").to_owned();
    let path = format!("/outbound_voice_profiles/{id}");
    assert_eq!(api.get(&path).await.status, StatusCode::OK);
    let patched = api.send(Method::PATCH, &path, Some(json!({ "name": "Renamed" }))).await;
    assert_eq!(patched.status, StatusCode::OK, "{patched:?}");
    assert_eq!(api.send(Method::DELETE, &path, None).await.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(api.get(&path).await.status, StatusCode::OK, "the faulted DELETE deleted nothing");

    for method in [Method::GET, Method::POST, Method::PATCH, Method::DELETE] {
        assert_eq!(
            api.send(method.clone(), "/balance", None).await.status,
            StatusCode::BAD_GATEWAY,
            "{method}"
        );
    }
}

#[tokio::test]
async fn a_star_segment_matches_exactly_one_segment() {
    let api = Api::start(&["* /credential_connections/*=503", "GET /*=504"]).await;
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let answer = api.send(method.clone(), "/credential_connections/999", Some(json!({}))).await;
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE, "{method}: {answer:?}");
    }
    // Deeper paths are not matched: the handler answers (the connection does not exist).
    let deeper =
        api.send(Method::POST, "/credential_connections/999/actions/check_registration_status", None).await;
    assert_eq!(deeper.status, StatusCode::NOT_FOUND, "{deeper:?}");
    // Shorter ones neither; `/*` takes any one-segment path, and only that.
    let created =
        api.send(Method::POST, "/credential_connections", Some(new_connection("starsegment1"))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{created:?}");
    assert_eq!(api.get("/credential_connections").await.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(api.get("/balance").await.status, StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(api.get("/outbound_voice_profiles/1").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_lone_star_matches_every_path() {
    let api = Api::start(&["GET *=503"]).await;
    for path in ["/balance", "/credential_connections/1", "/no/such/thing"] {
        assert_eq!(api.get(path).await.status, StatusCode::SERVICE_UNAVAILABLE, "{path}");
    }
    let created = api.send(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": "Made" }))).await;
    assert_eq!(created.status, StatusCode::OK, "POST is not matched: {created:?}");
}

// ----- timeout and reset -----

#[tokio::test]
async fn timeout_carries_the_order_out_but_never_answers() {
    let api = Api::start(&["POST /number_orders=timeout:1"]).await;
    let offers = api.list("/available_phone_numbers").await;
    let number = offers[0]["phone_number"].as_str().expect("an offered number").to_owned();
    let order = json!({ "phone_numbers": [{ "phone_number": number }] });

    let impatient = http(Duration::from_secs(1));
    let started = Instant::now();
    let outcome = api.request(&impatient, Method::POST, "/number_orders", Some(order.clone())).send().await;
    match outcome {
        Err(error) => assert!(error.is_timeout(), "expected a timeout, got {error:?}"),
        Ok(response) => panic!("expected no answer, got {}", response.status()),
    }
    assert!(started.elapsed() >= Duration::from_secs(1));

    // The order was placed all the same: what makes a blind retry buy twice.
    api.journaled("the held order", |e| e.fault.as_deref() == Some("POST /number_orders=timeout:1")).await;
    let orders = api.list("/number_orders").await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["phone_numbers"][0]["phone_number"].as_str(), Some(number.as_str()));
    let retry = api.send(Method::POST, "/number_orders", Some(order)).await;
    assert_eq!(retry.status, StatusCode::UNPROCESSABLE_ENTITY, "the rule is used up: {retry:?}");
    let held = api.sandbox.journal().into_iter().find(|e| e.fault.is_some()).expect("journaled");
    // The journal keeps what the handler produced, which the client never got.
    assert_eq!(held.status, 200, "{held:?}");
    assert!(String::from_utf8_lossy(&held.response_body).contains(&number), "{held:?}");
}

#[tokio::test]
async fn a_held_answer_ends_as_a_dropped_connection_when_the_sandbox_stops() {
    let api = Api::start(&["GET /balance=timeout"]).await;
    let patient = http(DEADLINE);
    let request = api.request(&patient, Method::GET, "/balance", None);
    let waiting = tokio::spawn(request.send());
    api.journaled("the held request", |e| e.fault.is_some()).await;
    drop(api);
    let outcome = waiting.await.expect("the request task ran");
    match outcome {
        Err(error) => assert!(!error.is_timeout(), "the stop should drop the connection: {error:?}"),
        Ok(response) => panic!("a held answer was sent: {}", response.status()),
    }
}

#[tokio::test]
async fn reset_carries_the_request_out_then_drops_the_connection() {
    let api = Api::start(&["POST /outbound_voice_profiles=reset"]).await;
    let body = json!({ "name": "Dropped" });
    let started = Instant::now();
    // Depending on timing the status line may or may not get out first; the body never does.
    let outcome =
        match api.request(&api.http, Method::POST, "/outbound_voice_profiles", Some(body)).send().await {
            Ok(response) => response.bytes().await.map(|body| body.to_vec()),
            Err(error) => Err(error),
        };
    match outcome {
        Err(error) => assert!(!error.is_timeout(), "expected a dropped connection, got {error:?}"),
        Ok(body) => panic!("expected a dropped connection, got a body: {}", String::from_utf8_lossy(&body)),
    }
    assert!(started.elapsed() < DEADLINE / 2, "the drop should be immediate");
    let profiles = api.list("/outbound_voice_profiles").await;
    assert_eq!(profiles.len(), 1, "the profile was created: {profiles:?}");
    assert_eq!(profiles[0]["name"], "Dropped");
}

// ----- spoiled bodies -----

#[tokio::test]
async fn malformed_keeps_status_and_content_type_but_the_body_is_not_json() {
    let api = Api::start(&["GET /balance=malformed"]).await;
    let answer = api.get("/balance").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    assert!(!answer.body.is_empty());
    assert!(serde_json::from_slice::<Value>(&answer.body).is_err(), "{answer:?}");
}

#[tokio::test]
async fn truncated_cuts_the_body_in_half() {
    let api = Api::start(&["GET /balance=truncated:1"]).await;
    let cut = api.get("/balance").await;
    let whole = api.get("/balance").await;
    assert_eq!((cut.status, whole.status), (StatusCode::OK, StatusCode::OK));
    assert_eq!(cut.content_type, whole.content_type);
    whole.json();
    assert_eq!(cut.body, whole.body[..whole.body.len() / 2], "{cut:?} vs {whole:?}");
    assert!(serde_json::from_slice::<Value>(&cut.body).is_err());
}

#[tokio::test]
async fn empty_sends_no_body_but_the_create_happened() {
    let api = Api::start(&["POST /credential_connections=empty"]).await;
    let answer = api.send(Method::POST, "/credential_connections", Some(new_connection("emptybody01"))).await;
    assert_eq!(answer.status, StatusCode::CREATED);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    assert_eq!(answer.body, b"");
    let connections = api.list("/credential_connections").await;
    assert_eq!(connections.len(), 1, "{connections:?}");
    let journal = api.sandbox.journal();
    let create = journal.iter().find(|e| e.method == "POST").expect("the create was journaled");
    assert_eq!(
        (create.fault.as_deref(), create.response_body.len()),
        (Some("POST /credential_connections=empty"), 0)
    );
}

// ----- latency -----

#[tokio::test]
async fn latency_delays_every_answer() {
    let latency = Duration::from_millis(200);
    let api = Api::with(FaultPlan::default().with_latency(latency)).await;
    for path in ["/balance", "/credential_connections", "/no/such/thing"] {
        let started = Instant::now();
        let answer = api.get(path).await;
        assert!(started.elapsed() >= latency, "{path} answered in {:?}", started.elapsed());
        assert!(answer.status == StatusCode::OK || answer.status == StatusCode::NOT_FOUND, "{answer:?}");
        assert!(api.sandbox.journal().iter().all(|e| e.fault.is_none()), "latency alone faults nothing");
    }
}

#[tokio::test]
async fn no_faults_leave_the_journal_unmarked() {
    let api = Api::with(FaultPlan::default()).await;
    assert_eq!(api.get("/balance").await.status, StatusCode::OK);
    assert_eq!(api.sandbox.journal().len(), 1);
    assert_eq!(api.sandbox.journal()[0].fault, None);
}

// ----- the binary -----

/// Kills the child however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary with `args`, logging to `log` (never to the developer's log).
fn command(log: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("TELNYX_SETUP_LOG", log)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs the binary to its exit, killing it if it outlives [`DEADLINE`] (a sandbox that
/// wrongly started would serve forever).
fn run(name: &str, args: &[&str]) -> Output {
    let log = log_path(name);
    let child = command(&log, args).spawn().expect("the binary starts");
    let (sender, exited) = mpsc::channel();
    let pid = child.id();
    thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    let output = match exited.recv_timeout(DEADLINE) {
        Ok(output) => output.expect("the binary's output is readable"),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("telnyx-setup {args:?} did not exit within {DEADLINE:?}");
        }
    };
    let _ = std::fs::remove_file(&log);
    output
}

#[test]
fn the_binary_refuses_a_bad_fault_rule_at_argument_parsing() {
    for (args, expected) in [
        (
            ["sandbox", "--fault", "GET /balance=teapot"],
            "'GET /balance=teapot': FAULT must be an HTTP status 400-599, timeout, reset, malformed, \
             truncated, empty or escapes",
        ),
        (["sandbox", "--fault", "GET balance=503"], "PATH must start with '/'"),
        (["sandbox", "--fault", "GET /v2/balance=503"], "PATH is relative to the API base /v2"),
        (["sandbox", "--fault", "GET /balance=503%0"], "N in '%N' must be a whole number of at least 1"),
        (["sandbox", "--latency", "soon"], "--latency"),
    ] {
        let output = run("bad-rule", &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?} should be a usage error; stderr:\n{stderr}");
        assert!(stderr.contains(expected), "{args:?}: expected {expected:?} in:\n{stderr}");
        assert!(output.stdout.is_empty(), "{args:?} should not have served: {:?}", output.stdout);
    }
}

#[test]
fn the_sandbox_subcommand_serves_with_faults_and_latency() {
    let log = log_path("serve");
    let mut server = Running(
        command(&log, &["sandbox", "--port", "0", "--fault", "GET /balance=429:1", "--latency", "150ms"])
            .spawn()
            .expect("start the sandbox subcommand"),
    );
    let first_line = |stream: Box<dyn std::io::Read + Send>, wanted: &'static str| {
        let (sender, line) = mpsc::channel();
        thread::spawn(move || {
            let found = BufReader::new(stream).lines().map_while(Result::ok).find(|l| l.contains(wanted));
            let _ = sender.send(found);
        });
        line
    };
    let url = first_line(Box::new(server.0.stdout.take().expect("stdout is piped")), "http://");
    let faults = first_line(Box::new(server.0.stderr.take().expect("stderr is piped")), "fault");
    let url = match url.recv_timeout(DEADLINE) {
        Ok(Some(line)) => line.trim_end().to_owned(),
        other => panic!("the sandbox printed no URL ({other:?}); exited: {:?}", server.0.try_wait()),
    };
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/v2"), "{url}");
    let faults = faults.recv_timeout(DEADLINE).ok().flatten().expect("a line listing the faults on stderr");
    assert!(faults.contains("'GET /balance=429:1'") && faults.contains("latency 150ms"), "{faults}");

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(async {
        let http = http(DEADLINE);
        let get = || http.get(format!("{url}/balance")).bearer_auth(KEY).send();
        let started = Instant::now();
        let first = Answer::read(get().await.expect("an answer")).await;
        assert!(started.elapsed() >= Duration::from_millis(150), "latency: {:?}", started.elapsed());
        assert_eq!(first.status, StatusCode::TOO_MANY_REQUESTS, "{first:?}");
        assert_eq!(first.retry_after.as_deref(), Some("1"));
        let second = Answer::read(get().await.expect("an answer")).await;
        assert_eq!(second.status, StatusCode::OK, "{second:?}");
        assert_eq!(second.json()["data"]["currency"], "USD");
    });
    drop(server);
    let _ = std::fs::remove_file(&log);
}

#[test]
fn demo_takes_the_faults_and_nothing_else_does() {
    // `doctor --demo` starts the embedded sandbox through the same path as the wizard.
    let demo =
        run("demo", &["doctor", "--demo", "--api-key", KEY, "--connection", "1", "--fault", "GET *=400"]);
    let stderr = String::from_utf8_lossy(&demo.stderr);
    assert_eq!(demo.status.code(), Some(2), "the faulted API call should fail the doctor:\n{stderr}");
    assert!(stderr.contains("fault rule 'GET *=400'"), "{stderr}");

    // Against a real API the flags would silently do nothing: refused before any request.
    let real = run(
        "real",
        &[
            "doctor",
            "--api-key",
            KEY,
            "--api-base",
            "http://127.0.0.1:9/v2",
            "--connection",
            "1",
            "--latency",
            "1s",
        ],
    );
    let stderr = String::from_utf8_lossy(&real.stderr);
    assert_eq!(real.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--fault and --latency apply only to the sandbox"), "{stderr}");
}
