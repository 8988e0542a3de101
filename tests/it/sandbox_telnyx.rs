//! The sandbox as a local Telnyx (issue 24): the fields Telnyx's official libraries
//! declare, with Telnyx's defaults and PATCH setting the writable ones; every exchange
//! checked against the contract.
//!
//! Requests go through a plain reqwest client, as another program's tests would send
//! them. Everything stays on loopback.

use crate::support::contract::Contract;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use telnyx_setup::sandbox::{Sandbox, Scenario, Seed};

const KEY: &str = "KEYtelnyx";

/// A sandbox on loopback and a plain client for it.
pub struct Api {
    pub sandbox: Sandbox,
    http: reqwest::Client,
}

impl Api {
    pub async fn start(seed: Seed) -> Self {
        // reqwest is built without a default TLS provider; plain HTTP still needs one set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let sandbox = Sandbox::start_local(&seed).await.expect("the sandbox binds a loopback port");
        let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
        Self { sandbox, http }
    }

    /// Sends `method path` with the test key (or `key`) and a JSON body; the status and
    /// the parsed answer (`Value::Null` when it is not JSON).
    pub async fn send_as(
        &self,
        key: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request =
            self.http.request(method, format!("{}{path}", self.sandbox.base_url())).bearer_auth(key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.send_as(KEY, method, path, body).await
    }

    /// The plain client, for requests outside the API (`/_sandbox/...`).
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub async fn ok(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let (status, answer) = self.send(method.clone(), path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        answer["data"].clone()
    }
}

#[tokio::test]
async fn records_carry_the_fields_the_official_libraries_declare() {
    let api = Api::start(Seed { order_settles_after: Duration::ZERO, ..Seed::empty() }).await;

    let profile = api.ok(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": "Office" }))).await;
    let profile_id = profile["id"].as_str().unwrap().to_owned();
    let connection = api
        .ok(
            Method::POST,
            "/credential_connections",
            Some(json!({ "connection_name": "Desk", "user_name": "desk0001", "password": "desk-password" })),
        )
        .await;
    assert_eq!(connection["android_push_credential_id"], Value::Null);
    assert_eq!(connection["ios_push_credential_id"], Value::Null);
    assert_eq!(connection["noise_suppression"], "disabled");
    assert_eq!(connection["conversation_persistence"], false);
    let connection_id = connection["id"].as_str().unwrap().to_owned();

    // PATCH sets the writable ones.
    let patched = api
        .ok(
            Method::PATCH,
            &format!("/credential_connections/{connection_id}"),
            Some(json!({
                "android_push_credential_id": "06b09dfd-7154-4980-8b75-cebf7a9d4f8e",
                "noise_suppression": "both",
                "conversation_persistence": true,
            })),
        )
        .await;
    assert_eq!(patched["android_push_credential_id"], "06b09dfd-7154-4980-8b75-cebf7a9d4f8e");
    assert_eq!(patched["noise_suppression"], "both");
    assert_eq!(patched["conversation_persistence"], true);
    let patched = api
        .ok(
            Method::PATCH,
            &format!("/outbound_voice_profiles/{profile_id}"),
            Some(json!({
                "name": "Office",
                "daily_spend_limit": "25.00",
                "daily_spend_limit_enabled": true,
                "max_destination_rate": 0.5,
                "calling_window": { "start_time": "08:00:00.00Z", "end_time": "20:00:00.00Z", "calls_per_cld": 5 },
            })),
        )
        .await;
    assert_eq!(patched["daily_spend_limit"], "25.00");
    assert_eq!(patched["max_destination_rate"], 0.5);
    assert_eq!(patched["calling_window"]["calls_per_cld"], 5);

    let credential = api
        .ok(
            Method::POST,
            "/telephony_credentials",
            Some(json!({ "connection_id": connection_id, "expires_at": "2040-01-01T00:00:00Z" })),
        )
        .await;
    assert_eq!(credential["expires_at"], "2040-01-01T00:00:00Z");
    assert_eq!(credential["expired"], false);

    let found = api.send(Method::GET, "/available_phone_numbers?filter[limit]=1", None).await.1;
    let e164 = found["data"][0]["phone_number"].as_str().unwrap().to_owned();
    let order = api
        .ok(
            Method::POST,
            "/number_orders",
            Some(json!({
                "phone_numbers": [{ "phone_number": e164 }],
                "connection_id": connection_id,
                "billing_group_id": "abc85f64-5717-4562-b3fc-2c9600",
                "messaging_profile_id": "abc85f64-5717-4562-b3fc-2c9601",
                "customer_reference": "MY REF 001",
            })),
        )
        .await;
    assert_eq!(order["billing_group_id"], "abc85f64-5717-4562-b3fc-2c9600");
    assert_eq!(order["messaging_profile_id"], "abc85f64-5717-4562-b3fc-2c9601");
    assert_eq!(order["customer_reference"], "MY REF 001");

    let numbers = api.ok(Method::GET, "/phone_numbers", None).await;
    let number = &numbers[0];
    assert_eq!(number["emergency_status"], "disabled");
    assert!(number["activated_at"].is_string(), "an active number says when it became so: {number}");

    Contract::load().check_all(&api.sandbox.journal()).assert_clean();
}

/// Runs `telnyx-setup doctor --json` for the scenarios' connection against `sandbox`,
/// with `args`: the exit code, the JSON report (`Null` when there is none) and stderr.
async fn doctor(sandbox: &Sandbox, args: &[&str]) -> (i32, Value, String) {
    let mut command = std::process::Command::new(crate::support::BIN);
    command
        .args(["doctor", "--api-base", &sandbox.base_url(), "--api-key", KEY])
        .args(["--connection", "Office softphones", "--json"])
        .args(args)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE");
    let log = crate::support::log_path("scenario-doctor");
    command.env("TELNYX_SETUP_LOG", &log);
    // The sandbox runs on this test's runtime: wait for the child on another thread.
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    (
        output.status.code().expect("exited"),
        serde_json::from_slice(&output.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The verdict of check `id` in a doctor's report.
fn verdict(report: &Value, id: &str) -> String {
    report["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == id))
        .map(|check| check["verdict"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}

fn scenario(scenario: Scenario) -> Seed {
    Seed { scenario: Some(scenario), ..Seed::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scenario_starts_the_account_broken_and_the_doctor_says_so() {
    // Every scenario is listed, by the name --scenario takes, with what it does.
    let list = Scenario::list(&Seed::default());
    for each in Scenario::ALL {
        assert_eq!(Scenario::parse(each.name()), Ok(each));
        assert!(
            list.lines().any(|l| l.starts_with(each.name()) && l.len() > each.name().len() + 20),
            "{list}"
        );
    }
    let unknown = Scenario::parse("broken\u{1b}[2J").unwrap_err().to_string();
    assert!(unknown.contains("no-profile") && !unknown.contains('\u{1b}'), "{unknown}");

    // Without a scenario's fault, its working account passes where the doctor looks.
    let healthy = Api::start(scenario(Scenario::NoPushCredential)).await;
    let (code, report, _) = doctor(&healthy.sandbox, &["--destination", "+14155550123"]).await;
    for id in ["connection", "outbound_profile", "destinations", "numbers", "credentials", "token"] {
        assert_eq!(verdict(&report, id), "pass", "{id}: {report:#}");
    }
    assert_eq!(code, 0, "{report:#}");

    let cases: [(Scenario, &[&str], &str); 3] = [
        (Scenario::NoProfile, &[], "outbound_profile"),
        (Scenario::CountryBlocked, &["--destination", "+442079460000"], "destinations"),
        (Scenario::ExpiredCredential, &[], "credentials"),
    ];
    for (each, args, failing) in cases {
        let api = Api::start(scenario(each)).await;
        let (code, report, _) = doctor(&api.sandbox, args).await;
        assert_eq!(verdict(&report, failing), "fail", "{each}: {report:#}");
        assert_eq!((code, &report["ok"]), (1, &json!(false)), "{each}: {report:#}");
    }

    // A refused key and a rate limit stop the doctor before any check: exit 2, and why.
    let api = Api::start(scenario(Scenario::RevokedKey)).await;
    let (status, answer) = api.send(Method::GET, "/balance", None).await;
    assert_eq!((status.as_u16(), &answer["errors"][0]["code"]), (401, &json!("10009")), "{answer}");
    let (code, report, stderr) = doctor(&api.sandbox, &[]).await;
    assert_eq!(code, 2, "{report} {stderr}");
    assert!(report.to_string().contains("rejected the API key"), "{report} {stderr}");

    let api = Api::start(scenario(Scenario::RateLimited)).await;
    let response =
        api.http.get(format!("{}/balance", api.sandbox.base_url())).bearer_auth(KEY).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "60");
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["errors"][0]["code"], "10011", "{answer}");
    let (code, report, stderr) = doctor(&api.sandbox, &[]).await;
    assert_eq!(code, 2, "{report} {stderr}");
    assert!(report.to_string().contains("rate limiting"), "{report} {stderr}");

    // A new credential's tokens are refused at first (for 3 s here, 20 s by default):
    // the doctor's login test tries again, says so, and passes once it is honoured.
    let seed = Seed { propagation: Duration::from_secs(3), ..scenario(Scenario::CredentialPropagation) };
    let api = Api::start(seed).await;
    let signaling = api.sandbox.signaling_url();
    let (code, report, stderr) = doctor(&api.sandbox, &["--login-test", "--signaling-url", &signaling]).await;
    assert_eq!(verdict(&report, "login"), "pass", "{report:#} {stderr}");
    assert!(stderr.contains("Telnyx refused the new credential; new credentials can take a few seconds to work — trying again (2 of 5)…"), "{stderr}");
    assert!(report.to_string().contains("Telnyx refused the new credential at first"), "{report:#}");
    assert_eq!(code, 0, "{report:#}");

    // The account is as described; the doctor's checks of these (balance, push and the
    // scenarios added with them) are tests/it/doctor_causes.rs's.
    let api = Api::start(scenario(Scenario::ZeroBalance)).await;
    assert_eq!(api.ok(Method::GET, "/balance", None).await["balance"], "0.00");
    let api = Api::start(scenario(Scenario::NoPushCredential)).await;
    let connections = api.ok(Method::GET, "/credential_connections", None).await;
    assert_eq!(connections[0]["ios_push_credential_id"], Value::Null);
    assert_eq!(connections[0]["android_push_credential_id"], Value::Null);
}

/// The token's header and claims, decoded.
fn decode_jwt(jwt: &str) -> (Value, Value) {
    use base64::Engine;
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT is header.payload.signature: {jwt}");
    let decode = |part: &str| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (decode(parts[0]), decode(parts[1]))
}

async fn token(api: &Api, credential: &str) -> String {
    let response = api
        .http
        .post(format!("{}/telephony_credentials/{credential}/token", api.sandbox.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    response.text().await.unwrap()
}

/// The answer to a signaling `login` with `jwt` as its `login_token`.
async fn token_login(api: &Api, jwt: String) -> Value {
    use futures::{SinkExt, StreamExt};
    let (mut socket, _) = tokio_tungstenite::connect_async(api.sandbox.signaling_url()).await.unwrap();
    let frame = json!({ "jsonrpc": "2.0", "id": 1, "method": "login", "params": { "login_token": jwt } });
    socket.send(tokio_tungstenite::tungstenite::Message::Text(frame.to_string().into())).await.unwrap();
    let reply = socket.next().await.unwrap().unwrap();
    serde_json::from_str::<Value>(reply.to_text().unwrap()).unwrap()
}

#[tokio::test]
async fn the_login_token_is_telnyx_s_claim_by_claim() {
    let api = Api::start(Seed::default()).await;
    let connection = api.ok(Method::GET, "/credential_connections", None).await[0]["id"].clone();
    let credential =
        api.ok(Method::POST, "/telephony_credentials", Some(json!({ "connection_id": connection }))).await;
    let id = credential["id"].as_str().unwrap();
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let jwt = token(&api, id).await;
    let after = time::OffsetDateTime::now_utc().unix_timestamp();

    // shared/telnyx-api/WEBRTC-LOGIN.md, "Real tokens": every claim of Telnyx's, no other.
    let (header, claims) = decode_jwt(&jwt);
    assert_eq!(header, json!({ "alg": "HS512", "typ": "JWT" }));
    let mut names: Vec<&str> = claims.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(names, ["aud", "exp", "iat", "iss", "jti", "nbf", "sub", "tel_token", "typ"], "{claims}");
    assert_eq!(claims["aud"], "telnyx_telephony");
    assert_eq!(claims["iss"], "telnyx_telephony");
    assert_eq!(claims["typ"], "access");
    assert_eq!(claims["sub"], id, "the subject is the credential (a UUID)");
    assert!(uuid::Uuid::parse_str(claims["sub"].as_str().unwrap()).is_ok());
    assert!(claims["tel_token"].as_str().is_some_and(|t| t.len() >= 16), "an opaque tel_token: {claims}");
    assert!(uuid::Uuid::parse_str(claims["jti"].as_str().unwrap()).is_ok(), "jti is unique: {claims}");
    let iat = claims["iat"].as_i64().unwrap();
    assert!((before..=after).contains(&iat));
    assert_eq!(claims["nbf"].as_i64(), Some(iat - 1), "nbf is iat - 1, as Telnyx's");
    assert_eq!(claims["exp"].as_i64(), Some(iat + 86_400), "24 hours");
    // Each token is its own.
    let (_, again) = decode_jwt(&token(&api, id).await);
    assert_ne!(again["jti"], claims["jti"]);
    assert_ne!(again["tel_token"], claims["tel_token"]);

    // Signed with HS512 by the sandbox's key: the SDK's login accepts it, and refuses
    // the same claims with a changed signature.
    let login = |jwt: String| token_login(&api, jwt);
    assert!(login(jwt.clone()).await["result"]["sessid"].is_string());
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{signed}.{flipped}{}", &signature[1..]);
    assert_eq!(login(forged).await["error"]["code"], -32001);

    // A credential that expires within the day: the token lives until then, no longer.
    let soon = time::OffsetDateTime::now_utc() + time::Duration::hours(2);
    let soon_text = soon.format(&time::format_description::well_known::Rfc3339).unwrap();
    let short = api
        .ok(
            Method::POST,
            "/telephony_credentials",
            Some(json!({ "connection_id": connection, "expires_at": soon_text })),
        )
        .await;
    let (_, claims) = decode_jwt(&token(&api, short["id"].as_str().unwrap()).await);
    assert_eq!(claims["exp"].as_i64(), Some(soon.unix_timestamp()), "{claims}");
}

#[test]
fn the_scenarios_are_listed_and_chosen_on_the_command_line() {
    let bin = crate::support::BIN;
    let output = std::process::Command::new(bin).args(["sandbox", "--list-scenarios"]).output().unwrap();
    assert!(output.status.success());
    let listed = String::from_utf8(output.stdout).unwrap();
    assert_eq!(listed, Scenario::list(&Seed::default()));
    assert_eq!(listed.lines().count(), Scenario::ALL.len());

    let output = std::process::Command::new(bin).args(["sandbox", "--scenario", "nope"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a usage error");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("no scenario is called") && said.contains("revoked-key"), "{said}");

    // --seed-numbers is bounded, with a clear error, before anything is made.
    let output =
        std::process::Command::new(bin).args(["sandbox", "--seed-numbers", "100000000"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("at most 100000 numbers"), "{said}");

    // The served account is the scenario's: every key refused under revoked-key.
    let log = crate::support::log_path("scenario-sandbox");
    let mut child = std::process::Command::new(bin)
        .args(["sandbox", "--scenario", "revoked-key"])
        .env("TELNYX_SETUP_LOG", &log)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line)
        .unwrap();
    let base = line.trim().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = runtime.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        http.get(format!("{base}/balance")).bearer_auth(KEY).send().await.unwrap().status().as_u16()
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&log);
    assert_eq!(status, 401, "{base}");
}

/// A query parameter the sandbox cannot use is named in `source.parameter`, as Telnyx
/// names parameters, never as the body pointer `/`; a body that is not JSON at all is
/// the whole body, `/`, as in Telnyx's own example of that answer.
#[tokio::test]
async fn a_refused_query_parameter_is_named_where_telnyx_names_it() {
    let api = Api::start(Seed::default()).await;
    let cases = [
        ("/credential_connections?sort=nope", 400, "sort"),
        ("/phone_numbers?sort=nope", 400, "sort"),
        ("/outbound_voice_profiles?sort=nope", 422, "sort"),
        ("/phone_numbers?filter[phone_number]=12", 400, "filter[phone_number]"),
        ("/available_phone_numbers?filter[country_code]=ZZ", 400, "filter[country_code]"),
        (
            "/available_phone_numbers?filter[national_destination_code]=31a",
            400,
            "filter[national_destination_code]",
        ),
        ("/credential_connections?page[size]=0", 400, "page[size]"),
    ];
    for (path, status, parameter) in cases {
        let (got, answer) = api.send(Method::GET, path, None).await;
        assert_eq!(got.as_u16(), status, "{path}: {answer}");
        let error = &answer["errors"][0];
        assert_eq!(error["code"], "10015", "{path}: {answer}");
        assert_eq!(error["source"], json!({ "parameter": parameter }), "{path}: {answer}");
    }

    let url = format!("{}/credential_connections", api.sandbox.base_url());
    let response = api
        .http()
        .post(url)
        .bearer_auth(KEY)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["errors"][0]["source"], json!({ "pointer": "/" }), "{answer}");
}

/// The `source.pointer`s of a 422's errors, each checked for Telnyx's shape.
fn refused_at(status: StatusCode, answer: &Value) -> Vec<String> {
    assert_eq!(status.as_u16(), 422, "{answer}");
    let errors = answer["errors"].as_array().expect("errors[]");
    for error in errors {
        assert_eq!(error["code"], "10015", "{error}");
        assert!(error["title"].is_string() && error["detail"].is_string(), "{error}");
        assert_eq!(error["meta"]["url"], "https://developers.telnyx.com/docs/overview/errors/10015");
    }
    errors.iter().map(|e| e["source"]["pointer"].as_str().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn writes_are_checked_against_the_contract_and_what_is_stored_is_bounded() {
    use telnyx_setup::sandbox::Limits;
    let limits = Limits { records: 3, ..Limits::default() };
    let api = Api::start(Seed { limits, ..Seed::default() }).await;
    let connection = api.ok(Method::GET, "/credential_connections", None).await[0].clone();
    let id = connection["id"].as_str().unwrap().to_owned();
    let path = format!("/credential_connections/{id}");

    // Read-only fields, wrong types, values outside an enum or a range: one 422 names each.
    let (status, answer) = api
        .send(
            Method::PATCH,
            &path,
            Some(json!({
                "id": "1", "record_type": "phone_number", "created_at": "1970-01-01T00:00:00Z",
                "tags": "notalist", "noise_suppression": "loud", "webhook_timeout_secs": 99,
                "inbound": { "timeout_1xx_secs": "soon" }, "conversation_persistence": "yes",
            })),
        )
        .await;
    let mut pointers = refused_at(status, &answer);
    pointers.sort_unstable();
    assert_eq!(
        pointers,
        [
            "/conversation_persistence",
            "/created_at",
            "/id",
            "/inbound/timeout_1xx_secs",
            "/noise_suppression",
            "/record_type",
            "/tags",
            "/webhook_timeout_secs",
        ],
        "{answer:#}"
    );
    // Nothing changed, and the record still answers at its own path only.
    let after = api.ok(Method::GET, &path, None).await;
    assert_eq!(after, connection);
    assert_eq!(api.send(Method::GET, "/credential_connections/1", None).await.0.as_u16(), 404);

    // A field the contract does not know is not stored; one it declares is.
    let patched =
        api.ok(Method::PATCH, &path, Some(json!({ "planted": "x".repeat(900), "tags": ["a"] }))).await;
    assert!(patched.get("planted").is_none(), "{patched}");
    assert_eq!(patched["tags"], json!(["a"]));

    // Strings and lists are bounded where the contract sets no limit.
    let (status, answer) =
        api.send(Method::PATCH, &path, Some(json!({ "connection_name": "n".repeat(200 * 1024) }))).await;
    assert_eq!(refused_at(status, &answer), ["/connection_name"]);
    let (status, answer) = api.send(Method::PATCH, &path, Some(json!({ "tags": vec!["t"; 1001] }))).await;
    assert_eq!(refused_at(status, &answer), ["/tags"]);

    // Records per account: the sample has one profile; two more fit, the next is refused.
    for name in ["Second", "Third"] {
        api.ok(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": name }))).await;
    }
    let (status, answer) =
        api.send(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": "Fourth" }))).await;
    assert_eq!(refused_at(status, &answer), ["/"]);
    assert!(
        answer["errors"][0]["detail"].as_str().unwrap().contains("the most this sandbox keeps"),
        "{answer}"
    );
    assert_eq!(api.ok(Method::GET, "/outbound_voice_profiles", None).await.as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_creates_leave_the_sandbox_s_memory_bounded() {
    // 200 creates with 200 KB names (issue 21, item 7: 11 → 92 MB before): all refused,
    // so the account holds nothing of them; the journal is capped on its own.
    let api = Api::start(Seed::empty()).await;
    for index in 0..200 {
        let body = json!({
            "connection_name": "n".repeat(200 * 1000),
            "user_name": format!("user{index:04}"),
            "password": "long-enough-password",
        });
        let (status, _) = api.send(Method::POST, "/credential_connections", Some(body)).await;
        assert_eq!(status.as_u16(), 422);
    }
    assert_eq!(api.ok(Method::GET, "/credential_connections", None).await, json!([]));
}

#[tokio::test]
async fn a_rate_limit_per_key_answers_as_telnyx_does() {
    let api = Api::start(Seed { rate_limit: Some(3), ..Seed::default() }).await;
    let get = |key: &'static str| {
        let request = api.http.get(format!("{}/balance", api.sandbox.base_url())).bearer_auth(key);
        async move { request.send().await.unwrap() }
    };
    // Within one second's window (retried whole if the clock ticks over mid-way).
    let mut answers = Vec::new();
    for _ in 0..5 {
        let window = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        answers.clear();
        for _ in 0..4 {
            answers.push(get(KEY).await);
        }
        answers.push(get("KEYother").await);
        if std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() == window {
            break;
        }
    }
    let header = |response: &reqwest::Response, name: &str| {
        response.headers().get(name).unwrap_or_else(|| panic!("no {name}")).to_str().unwrap().to_owned()
    };
    for (index, response) in answers[..3].iter().enumerate() {
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(header(response, "x-ratelimit-limit"), "3");
        assert_eq!(header(response, "x-ratelimit-remaining"), (2 - index).to_string());
        assert_eq!(header(response, "x-ratelimit-reset"), "1");
    }
    let over = &answers[3];
    assert_eq!(over.status().as_u16(), 429);
    assert_eq!(header(over, "retry-after"), "1");
    assert_eq!(header(over, "x-ratelimit-remaining"), "0");
    // Another key has its own count.
    assert_eq!(answers[4].status().as_u16(), 200);
    assert_eq!(header(&answers[4], "x-ratelimit-remaining"), "2");
    let body: Value = answers.remove(3).json().await.unwrap();
    assert_eq!(body["errors"][0]["code"], "10011", "{body}");
    assert_eq!(body["errors"][0]["meta"]["url"], "https://developers.telnyx.com/docs/overview/errors/10011");

    // Off by default: no headers, no limit.
    let api = Api::start(Seed::default()).await;
    let response =
        api.http.get(format!("{}/balance", api.sandbox.base_url())).bearer_auth(KEY).send().await.unwrap();
    assert!(response.headers().get("x-ratelimit-limit").is_none());

    // The flag: N/s, anything else is a usage error.
    let output = std::process::Command::new(crate::support::BIN)
        .args(["sandbox", "--rate-limit", "fast"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("requests per second such as 10/s"));
}

#[tokio::test]
async fn an_idempotency_key_replays_a_success_and_refuses_another_request() {
    let api = Api::start(Seed { order_settles_after: Duration::ZERO, ..Seed::default() }).await;
    let base = api.sandbox.base_url();
    let post = |key: &'static str, idempotency: &str, path: &str, body: Value| {
        let request = api
            .http
            .post(format!("{base}{path}"))
            .bearer_auth(key)
            .header("Idempotency-Key", idempotency)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let body = json!({ "connection_name": "Once", "user_name": "once0001", "password": "once-password" });
    let first = post(KEY, "create:once-1", "/credential_connections", body.clone()).await;
    assert_eq!(first.0, 201, "{}", first.1);
    let again = post(KEY, "create:once-1", "/credential_connections", body.clone()).await;
    assert_eq!(again, first, "the success is replayed as it was");
    let connections = api.ok(Method::GET, "/credential_connections", None).await;
    assert_eq!(connections.as_array().unwrap().iter().filter(|c| c["connection_name"] == "Once").count(), 1);

    // The same key with another body, or a key Telnyx would refuse: 422 naming the header.
    let other = json!({ "connection_name": "Twice", "user_name": "twice001", "password": "twice-password" });
    for (idempotency, body) in
        [("create:once-1", other.clone()), ("not a key!", other.clone()), (&*"k".repeat(256), other.clone())]
    {
        let (status, answer) = post(KEY, idempotency, "/credential_connections", body).await;
        assert_eq!(status, 422, "{idempotency}: {answer}");
        assert_eq!(answer["errors"][0]["code"], "10015");
        assert_eq!(answer["errors"][0]["source"]["parameter"], "Idempotency-Key", "{answer}");
    }
    // Keys belong to an API key: another one's same key is a new request.
    let (status, _) = post("KEYsomeoneelse", "create:once-1", "/credential_connections", other).await;
    assert_eq!(status, 201);

    // A failure is not kept: fixed and sent again with the same key, it runs.
    let bad = json!({ "connection_name": "Fixed", "user_name": "fix00001", "password": "short" });
    assert_eq!(post(KEY, "create:fix", "/credential_connections", bad).await.0, 422);
    let good = json!({ "connection_name": "Fixed", "user_name": "fix00001", "password": "long-enough" });
    assert_eq!(post(KEY, "create:fix", "/credential_connections", good).await.0, 201);

    // An order sent twice with one key is placed, and paid for, once.
    let found = api.send(Method::GET, "/available_phone_numbers?filter[limit]=1", None).await.1;
    let order = json!({ "phone_numbers": [{ "phone_number": found["data"][0]["phone_number"] }] });
    let first = post(KEY, "order-1", "/number_orders", order.clone()).await;
    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(post(KEY, "order-1", "/number_orders", order).await, first);
    assert_eq!(api.ok(Method::GET, "/number_orders", None).await.as_array().unwrap().len(), 1);
    assert_eq!(api.ok(Method::GET, "/balance", None).await["balance"], "249.00");
}

#[tokio::test]
async fn test_suites_reset_the_account_and_read_the_requests_without_secrets() {
    let api = Api::start(Seed::default()).await;
    let root = api.sandbox.base_url().trim_end_matches("/v2").to_owned();
    let body = json!({
        "connection_name": "Mine", "user_name": "mine0001", "password": "my-secret-password",
        "inbound": { "codecs": ["OPUS"] },
    });
    api.ok(Method::POST, "/credential_connections", Some(body)).await;
    assert_eq!(api.ok(Method::GET, "/credential_connections", None).await.as_array().unwrap().len(), 2);

    let served: Value =
        api.http.get(format!("{root}/_sandbox/requests")).send().await.unwrap().json().await.unwrap();
    let served = served["data"].as_array().unwrap().clone();
    assert_eq!(served.len(), 2, "{served:?}");
    assert_eq!(
        (served[0]["method"].as_str(), served[0]["path"].as_str()),
        (Some("POST"), Some("/credential_connections"))
    );
    assert_eq!(served[0]["status"], 201);
    assert_eq!(served[0]["body"]["connection_name"], "Mine");
    assert_eq!(served[0]["body"]["password"], "[hidden]");
    assert_eq!(served[0]["body"]["inbound"]["codecs"], json!(["OPUS"]));
    let text = serde_json::to_string(&served).unwrap();
    assert!(!text.contains("my-secret-password") && !text.contains("KEYtelnyx"), "{text}");
    assert!(!text.contains("office-phones-password"), "no answers, which hold SIP passwords");

    // Reset: the account as it started, an empty journal; nothing of this under /v2.
    let response = api.http.post(format!("{root}/_sandbox/reset")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let connections = api.ok(Method::GET, "/credential_connections", None).await;
    assert_eq!(connections.as_array().unwrap().len(), 1);
    assert_eq!(connections[0]["connection_name"], "Office softphones");
    let served: Value =
        api.http.get(format!("{root}/_sandbox/requests")).send().await.unwrap().json().await.unwrap();
    assert_eq!(served["data"].as_array().unwrap().len(), 1, "only the GET since the reset: {served}");
    assert_eq!(api.send(Method::POST, "/_sandbox/reset", None).await.0.as_u16(), 404);
    assert_eq!(api.send(Method::GET, "/_sandbox/requests", None).await.0.as_u16(), 404);
}

#[tokio::test]
async fn a_state_file_keeps_the_account_across_restarts() {
    let dir = crate::support::TempDir::new("sandbox-state");
    let file = dir.path().join("state.json");
    let seed =
        Seed { state_file: Some(file.clone()), order_settles_after: Duration::ZERO, ..Seed::default() };

    let api = Api::start(seed.clone()).await;
    assert!(file.exists(), "written as the sandbox starts");
    let body = json!({ "connection_name": "Kept", "user_name": "kept0001", "password": "kept-password-1" });
    let connection = api.ok(Method::POST, "/credential_connections", Some(body)).await;
    let connection_id = connection["id"].as_str().unwrap().to_owned();
    let credential =
        api.ok(Method::POST, "/telephony_credentials", Some(json!({ "connection_id": connection_id }))).await;
    let credential_id = credential["id"].as_str().unwrap().to_owned();
    let offers =
        api.ok(Method::GET, "/available_phone_numbers?filter[country_code]=US&filter[limit]=1", None).await;
    let e164 = offers[0]["phone_number"].as_str().unwrap().to_owned();
    let order = api
        .ok(
            Method::POST,
            "/number_orders",
            Some(json!({ "phone_numbers": [{ "phone_number": e164 }], "connection_id": connection_id })),
        )
        .await;
    let jwt = token(&api, &credential_id).await;
    let balance = api.ok(Method::GET, "/balance", None).await["balance"].clone();
    let connections = api.ok(Method::GET, "/credential_connections", None).await;
    drop(api);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the file holds SIP passwords: the owner's only");
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(KEY), "never an API key");
    assert!(text.contains("kept-password-1"), "the sandbox's own records, SIP passwords included");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left beside it: {leftovers:?}");

    // Started again on the same file: the same account, ids continuing, tokens valid.
    let api = Api::start(seed.clone()).await;
    assert_eq!(api.ok(Method::GET, "/credential_connections", None).await, connections);
    assert_eq!(
        api.ok(Method::GET, &format!("/telephony_credentials/{credential_id}"), None).await["id"],
        credential_id
    );
    assert_eq!(api.ok(Method::GET, "/balance", None).await["balance"], balance);
    let order_id = order["id"].as_str().unwrap();
    assert_eq!(api.ok(Method::GET, &format!("/number_orders/{order_id}"), None).await["status"], "success");
    let numbers = api.ok(Method::GET, "/phone_numbers", None).await;
    assert!(numbers.as_array().unwrap().iter().any(|n| n["phone_number"] == e164.as_str()), "{numbers}");
    assert_eq!(
        api.send(
            Method::POST,
            "/number_orders",
            Some(json!({ "phone_numbers": [{ "phone_number": e164 }] }))
        )
        .await
        .0
        .as_u16(),
        422,
        "still taken"
    );
    let again =
        api.ok(Method::POST, "/outbound_voice_profiles", Some(json!({ "name": "After restart" }))).await;
    let new_id: u64 = again["id"].as_str().unwrap().parse().unwrap();
    assert!(new_id > connection_id.parse::<u64>().unwrap(), "ids continue, never reused");
    assert!(
        token_login(&api, jwt).await["result"]["sessid"].is_string(),
        "a token from before still logs in"
    );
    // A reset is kept too: the account as it started.
    let root = api.sandbox.base_url().trim_end_matches("/v2").to_owned();
    assert_eq!(api.http.post(format!("{root}/_sandbox/reset")).send().await.unwrap().status().as_u16(), 200);
    drop(api);
    let api = Api::start(seed.clone()).await;
    assert_eq!(api.ok(Method::GET, "/credential_connections", None).await.as_array().unwrap().len(), 1);
    drop(api);

    // A file that is not a sandbox's state: a clear error, and the file left as it was.
    for corrupt in ["{not json", "{\"version\": 99}", "[]"] {
        std::fs::write(&file, corrupt).unwrap();
        let Err(error) = Sandbox::start_local(&seed).await else { panic!("{corrupt:?} was accepted") };
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidData);
        let said = error.to_string();
        assert!(said.contains("is not a sandbox state file") && said.contains("state.json"), "{said}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), corrupt);
    }
    let log = crate::support::log_path("state-sandbox");
    let output = std::process::Command::new(crate::support::BIN)
        .args(["sandbox", "--state"])
        .arg(&file)
        .env("TELNYX_SETUP_LOG", &log)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&log);
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("is not a sandbox state file"), "{said}");
    assert!(output.stdout.is_empty(), "no URL: it never served");
}
