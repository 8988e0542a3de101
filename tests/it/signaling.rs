//! WebRTC signaling: the sandbox's `/rtc` endpoint spoken to frame by frame, and the
//! product's login test (`telnyx_setup::signaling`) against it and against small fake
//! servers that misbehave on purpose.
//!
//! The frames sent by hand are the SDK's own, verbatim (`tests/fixtures/
//! webrtc-login-frames.json`, from the shared WEBRTC-LOGIN.md). Every wait has a
//! deadline; nothing sleeps for a fixed time. Nothing leaves the machine.

use crate::support::{client, new_connection};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use telnyx_setup::api::{Client, NewTelephonyCredential, TelephonyCredential};
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::signaling::{
    Login, LoginOutcome, Refusal, SignalingUrl, gateway_state_request, test_login,
};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const KEY: &str = "KEYsignaling";
const DEADLINE: Duration = Duration::from_secs(10);

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn fixture() -> Value {
    serde_json::from_str(include_str!("../fixtures/webrtc-login-frames.json")).expect("the fixture is JSON")
}

/// A sandbox with one connection (user `rtcuser01`) and one credential on it.
struct Account {
    sandbox: Sandbox,
    api: Client,
    connection_id: String,
    credential: TelephonyCredential,
}

async fn account() -> Account {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.expect("the sandbox binds a loopback port");
    let api = client(&sandbox.base_url(), KEY);
    let connection = api.create_credential_connection(&new_connection("RTC", "rtcuser01")).await.unwrap();
    let credential = new_credential(&api, &connection.id, None).await;
    Account { sandbox, api, connection_id: connection.id, credential }
}

async fn new_credential(api: &Client, connection_id: &str, expires_at: Option<&str>) -> TelephonyCredential {
    let body = NewTelephonyCredential {
        connection_id: connection_id.to_owned(),
        expires_at: expires_at.map(str::to_owned),
        ..NewTelephonyCredential::default()
    };
    api.create_telephony_credential(&body).await.unwrap()
}

impl Account {
    async fn token(&self) -> String {
        self.api.create_token(&self.credential.id).await.unwrap().expose().to_owned()
    }

    fn url(&self) -> SignalingUrl {
        SignalingUrl::parse(&self.sandbox.signaling_url()).unwrap()
    }

    async fn socket(&self) -> Socket {
        // The SDK may add any query; the endpoint takes it.
        let url = format!("{}?voice_sdk_id=test&rtc_ip=1", self.sandbox.signaling_url());
        tokio_tungstenite::connect_async(url).await.expect("the sandbox upgrades /rtc").0
    }

    async fn registration(&self) -> telnyx_setup::api::RegistrationStatus {
        self.api.check_registration_status(&self.connection_id).await.unwrap()
    }

    /// Waits until the connection's registration status is `status`.
    async fn wait_for_status(&self, status: &str) -> telnyx_setup::api::RegistrationStatus {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let registration = self.registration().await;
            if registration.status == status {
                return registration;
            }
            assert!(Instant::now() < deadline, "still {:?}, not {status}", registration.status);
            tokio::task::yield_now().await;
        }
    }
}

/// The SDK's token login frame with `token` in it.
fn token_login(token: &str) -> Value {
    let mut frame = fixture()["token_login"].clone();
    frame["params"]["login_token"] = json!(token);
    frame
}

fn sip_login(user: &str, password: &str) -> Value {
    let mut frame = fixture()["credential_login"].clone();
    frame["params"]["login"] = json!(user);
    frame["params"]["passwd"] = json!(password);
    frame
}

async fn send(socket: &mut Socket, frame: &Value) {
    socket.send(Message::text(frame.to_string())).await.expect("the frame is sent");
}

/// The next text frame, as JSON.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(DEADLINE, socket.next())
            .await
            .expect("the sandbox answers in time")
            .expect("the socket is open")
            .expect("the frame is readable");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("the sandbox sends JSON");
        }
    }
}

/// The close frame's code the sandbox ends the socket with.
async fn close_code(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(DEADLINE, socket.next()).await.expect("the sandbox closes in time") {
            Some(Ok(Message::Close(frame))) => return frame.map(|frame| u16::from(frame.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

/// Sends `login` and returns the answer to it.
async fn login_answer(socket: &mut Socket, login: &Value) -> Value {
    send(socket, login).await;
    let answer = next(socket).await;
    assert_eq!(answer["id"], login["id"], "the answer is to the login: {answer}");
    answer
}

fn assert_refused(answer: &Value) {
    assert_eq!(answer["error"], json!({ "code": -32001, "message": "Login Incorrect" }), "{answer}");
}

/// Logs in with `login` and goes through the SDK's exchange up to REGED.
async fn assert_logs_in(socket: &mut Socket, login: &Value) -> String {
    let answer = login_answer(socket, login).await;
    assert_eq!(answer["result"]["message"], "logged in", "{answer}");
    let sessid = answer["result"]["sessid"].as_str().expect("a sessid").to_owned();
    let ready = next(socket).await;
    assert_eq!(ready["method"], "telnyx_rtc.clientReady", "{ready}");
    assert_eq!(ready["params"], json!({ "reattached_sessions": [] }));
    let query = fixture()["gateway_state"].clone();
    send(socket, &query).await;
    let state = next(socket).await;
    assert_eq!(state["id"], query["id"]);
    assert_eq!(state["result"], json!({ "params": { "state": "REGED" }, "sessid": sessid }));
    sessid
}

/// The same keys at every level, with values of the same JSON types.
fn same_shape(ours: &Value, theirs: &Value, at: &str) {
    match (ours, theirs) {
        (Value::Object(ours), Value::Object(theirs)) => {
            let mut our_keys: Vec<&String> = ours.keys().collect();
            let mut their_keys: Vec<&String> = theirs.keys().collect();
            our_keys.sort();
            their_keys.sort();
            assert_eq!(our_keys, their_keys, "the keys of {at}");
            for (key, value) in ours {
                same_shape(value, &theirs[key], &format!("{at}.{key}"));
            }
        }
        (ours, theirs) => assert_eq!(
            std::mem::discriminant(ours),
            std::mem::discriminant(theirs),
            "{at}: {ours} against the SDK's {theirs}"
        ),
    }
}

#[test]
fn the_login_test_sends_the_frames_the_sdk_sends() {
    let frames = fixture();
    let token = Login::Token(Secret::new("header.payload.signature"));
    let sip = Login::Sip { user: "gencred01".into(), password: Secret::new("password") };
    let id = uuid::Uuid::new_v4().to_string();
    same_shape(&token.request(&id), &frames["token_login"], "token login");
    same_shape(&sip.request(&id), &frames["credential_login"], "credential login");
    same_shape(&gateway_state_request(&id), &frames["gateway_state"], "gateway state");
    // The values that are not the user's are the SDK's.
    for (ours, theirs) in
        [(&token.request(&id), &frames["token_login"]), (&sip.request(&id), &frames["credential_login"])]
    {
        for field in ["userVariables", "reconnection", "loginParams"] {
            assert_eq!(ours["params"][field], theirs["params"][field], "{field}");
        }
        assert_eq!(ours["method"], "login");
    }
    assert_eq!(token.request(&id)["params"]["login_token"], "header.payload.signature");
    assert_eq!(sip.request(&id)["params"]["passwd"], "password");
}

#[tokio::test]
async fn a_token_the_sandbox_issued_logs_in_and_registers_while_connected() {
    let account = account().await;
    assert_eq!(account.registration().await.status, "Not Registered");
    let mut socket = account.socket().await;
    assert_logs_in(&mut socket, &token_login(&account.token().await)).await;
    let registered = account.registration().await;
    assert_eq!(registered.status, "Registered");
    assert_eq!(registered.sip_username.as_deref(), Some(account.credential.sip_username.as_str()));
    assert!(registered.last_registration.is_some());
    // A ping after login is answered with a result.
    let ping = json!({ "jsonrpc": "2.0", "id": "p1", "method": "telnyx_rtc.ping", "params": {} });
    send(&mut socket, &ping).await;
    let pong = next(&mut socket).await;
    assert_eq!(pong["id"], "p1");
    assert!(pong.get("result").is_some() && pong.get("error").is_none(), "{pong}");
    socket.close(None).await.unwrap();
    let after = account.wait_for_status("Unregistered").await;
    assert_eq!(after.last_registration, registered.last_registration);
}

#[tokio::test]
async fn tokens_that_are_changed_expired_or_not_yet_valid_are_refused() {
    let account = account().await;
    let token = account.token().await;
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let mut flipped = signature.to_owned();
    let last = if flipped.pop() == Some('A') { 'B' } else { 'A' };
    flipped.push(last);
    let (header, payload) = signing_input.split_once('.').unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap(),
    )
    .unwrap();
    let mut longer = claims.clone();
    longer["exp"] = json!(claims["exp"].as_i64().unwrap() + 86_400);
    let forged_payload =
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, longer.to_string());
    let now = time::OffsetDateTime::now_utc();
    let expired =
        account.sandbox.token_issued_at(&account.credential.id, now - time::Duration::hours(25)).unwrap();
    let early =
        account.sandbox.token_issued_at(&account.credential.id, now + time::Duration::hours(1)).unwrap();
    let refused = [
        ("a changed signature", format!("{signing_input}.{flipped}")),
        ("a changed expiry", format!("{header}.{forged_payload}.{signature}")),
        ("an expired token", expired),
        ("a token not valid yet", early),
        ("no JWT at all", "not-a-token".to_owned()),
        ("an empty token", String::new()),
    ];
    let mut socket = account.socket().await;
    for (what, token) in refused {
        let answer = login_answer(&mut socket, &token_login(&token)).await;
        assert_eq!(answer["error"]["code"], -32001, "{what}: {answer}");
    }
    // The same socket still logs in with the good token afterwards.
    assert_logs_in(&mut socket, &token_login(&token)).await;
}

#[tokio::test]
async fn a_token_of_a_deleted_or_expired_credential_is_refused() {
    let account = account().await;
    let token = account.token().await;
    account.api.delete_telephony_credential(&account.credential.id).await.unwrap();
    let mut socket = account.socket().await;
    assert_refused(&login_answer(&mut socket, &token_login(&token)).await);

    let lapsed = new_credential(&account.api, &account.connection_id, Some("2020-01-01T00:00:00Z")).await;
    let token = account.api.create_token(&lapsed.id).await.unwrap();
    assert_refused(&login_answer(&mut socket, &token_login(token.expose())).await);
    let sip = sip_login(&lapsed.sip_username, lapsed.sip_password.expose());
    assert_refused(&login_answer(&mut socket, &sip).await);
    assert_eq!(account.registration().await.status, "Not Registered");
}

#[tokio::test]
async fn sip_logins_of_credentials_and_connections() {
    let account = account().await;
    let credential = &account.credential;
    let mut socket = account.socket().await;
    let wrong = sip_login(&credential.sip_username, "not-the-password");
    assert_refused(&login_answer(&mut socket, &wrong).await);
    let unknown = sip_login("nobody", credential.sip_password.expose());
    assert_refused(&login_answer(&mut socket, &unknown).await);
    assert_logs_in(&mut socket, &sip_login(&credential.sip_username, credential.sip_password.expose())).await;
    assert_eq!(account.registration().await.sip_username.as_deref(), Some(credential.sip_username.as_str()));

    let mut connection = account.socket().await;
    assert_refused(&login_answer(&mut connection, &sip_login("rtcuser01", "wrong-horse-battery")).await);
    assert_logs_in(&mut connection, &sip_login("rtcuser01", "correct-horse-battery")).await;
    assert_eq!(account.registration().await.sip_username.as_deref(), Some("rtcuser01"));
    // Two sockets logged in: the connection stays registered until both have gone.
    drop(socket);
    tokio::task::yield_now().await;
    assert_eq!(account.registration().await.status, "Registered");
    drop(connection);
    account.wait_for_status("Unregistered").await;
}

#[tokio::test]
async fn methods_before_a_login_need_one() {
    let account = account().await;
    let mut socket = account.socket().await;
    for method in ["telnyx_rtc.ping", "telnyx_rtc.gatewayState", "telnyx_rtc.invite"] {
        let frame = json!({ "jsonrpc": "2.0", "id": method, "method": method, "params": {} });
        send(&mut socket, &frame).await;
        let answer = next(&mut socket).await;
        assert_eq!(answer["id"], method);
        assert_eq!(
            answer["error"],
            json!({ "code": -32000, "message": "Authentication Required" }),
            "{method}"
        );
    }
    assert_eq!(account.registration().await.status, "Not Registered");
}

#[tokio::test]
async fn bad_frames_get_json_rpc_errors_and_the_socket_carries_on() {
    let account = account().await;
    let mut socket = account.socket().await;
    let cases: [(&str, i64); 6] = [
        ("not json", -32700),
        ("{\"jsonrpc\":\"2.0\",", -32700),
        ("[1,2,3]", -32600),
        ("{\"id\":\"x\",\"method\":\"login\"}", -32600),
        ("{\"jsonrpc\":\"2.0\",\"id\":\"x\"}", -32600),
        ("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"login\",\"params\":\"nope\"}", -32001),
    ];
    for (text, code) in cases {
        socket.send(Message::text(text)).await.unwrap();
        assert_eq!(next(&mut socket).await["error"]["code"], code, "{text}");
    }
    assert_logs_in(&mut socket, &token_login(&account.token().await)).await;
    let unknown = json!({ "jsonrpc": "2.0", "id": "u", "method": "no.such.method", "params": {} });
    send(&mut socket, &unknown).await;
    assert_eq!(next(&mut socket).await["error"]["code"], -32601);
    // An answer from the client (to a ping of the server's) needs none.
    send(&mut socket, &json!({ "jsonrpc": "2.0", "id": 7, "result": {} })).await;
    let ping = json!({ "jsonrpc": "2.0", "id": "after", "method": "telnyx_rtc.ping", "params": {} });
    send(&mut socket, &ping).await;
    assert_eq!(next(&mut socket).await["id"], "after");
}

#[tokio::test]
async fn binary_and_huge_frames_close_the_socket_and_unregister() {
    let account = account().await;
    let mut socket = account.socket().await;
    assert_logs_in(&mut socket, &token_login(&account.token().await)).await;
    socket.send(Message::binary(vec![0u8, 159, 146, 150])).await.unwrap();
    assert_eq!(close_code(&mut socket).await, Some(1003));
    account.wait_for_status("Unregistered").await;

    let mut socket = account.socket().await;
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"login\",\"params\":{{\"x\":\"{}\"}}}}",
        "a".repeat(1 << 20)
    );
    // The sandbox may close before the whole frame is written.
    let _ = socket.send(Message::text(huge)).await;
    let code = close_code(&mut socket).await;
    assert!(code.is_none() || code == Some(1009), "{code:?}");
    // The sandbox is still serving.
    let mut again = account.socket().await;
    assert_logs_in(&mut again, &token_login(&account.token().await)).await;
}

#[tokio::test]
async fn a_plain_get_of_rtc_is_refused_without_an_upgrade() {
    let account = account().await;
    let url = format!("{}/rtc", account.sandbox.base_url().trim_end_matches("/v2"));
    let response = reqwest::get(url).await.unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn many_sockets_log_in_at_once_and_all_end_when_the_sandbox_stops() {
    let account = account().await;
    let token = account.token().await;
    let mut sockets = Vec::new();
    for _ in 0..40 {
        sockets.push(account.socket().await);
    }
    let logins = sockets.iter_mut().map(|socket| {
        let login = token_login(&token);
        async move { assert_logs_in(socket, &login).await }
    });
    let sessids: std::collections::HashSet<String> =
        futures::future::join_all(logins).await.into_iter().collect();
    assert_eq!(sessids.len(), 40, "every login has its own sessid");
    assert_eq!(account.sandbox.open_sockets(), 40);
    assert_eq!(account.registration().await.status, "Registered");
    // Not logged in: ends all the same.
    sockets.push(account.socket().await);
    drop(account);
    for socket in &mut sockets {
        let code = close_code(socket).await;
        assert!(code == Some(1001) || code.is_none(), "{code:?}");
    }
}

// The product's login test.

#[tokio::test]
async fn the_login_test_passes_with_a_good_token_and_a_good_sip_login() {
    let account = account().await;
    let token = Login::Token(Secret::new(account.token().await));
    let outcome = test_login(&account.url(), &token, DEADLINE).await;
    assert!(matches!(outcome, LoginOutcome::LoggedIn { elapsed } if elapsed < DEADLINE), "{outcome:?}");
    // It closes the socket when done: the connection unregisters.
    account.wait_for_status("Unregistered").await;
    let sip = Login::Sip {
        user: account.credential.sip_username.clone(),
        password: account.credential.sip_password.clone(),
    };
    assert!(test_login(&account.url(), &sip, DEADLINE).await.passed());
}

#[tokio::test]
async fn the_login_test_explains_refusals() {
    let account = account().await;
    let url = account.url();
    let mut tampered = account.token().await;
    tampered.push('x');
    let outcome = test_login(&url, &Login::Token(Secret::new(tampered)), DEADLINE).await;
    assert!(
        matches!(outcome, LoginOutcome::Refused { code: -32001, why: Refusal::TokenRefused, .. }),
        "{outcome:?}"
    );
    assert!(outcome.reason(&url).contains("Login Incorrect"), "{}", outcome.reason(&url));

    let issued = time::OffsetDateTime::now_utc() - time::Duration::hours(30);
    let expired = account.sandbox.token_issued_at(&account.credential.id, issued).unwrap();
    let outcome = test_login(&url, &Login::Token(Secret::new(expired)), DEADLINE).await;
    assert!(matches!(outcome, LoginOutcome::Refused { why: Refusal::TokenExpired, .. }), "{outcome:?}");
    assert!(outcome.reason(&url).contains("expired"));

    let wrong = Login::Sip { user: account.credential.sip_username.clone(), password: Secret::new("wrong") };
    let outcome = test_login(&url, &wrong, DEADLINE).await;
    assert!(matches!(outcome, LoginOutcome::Refused { why: Refusal::SipRefused, .. }), "{outcome:?}");
    assert!(outcome.fix().is_some());
    assert_eq!(account.registration().await.status, "Not Registered");
}

#[tokio::test]
async fn the_login_test_reports_an_unreachable_server() {
    // A port nobody listens on: bound, then let go.
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let url = SignalingUrl::parse(&format!("ws://127.0.0.1:{port}/rtc")).unwrap();
    let outcome = test_login(&url, &Login::Token(Secret::new("t")), DEADLINE).await;
    assert!(matches!(outcome, LoginOutcome::Unreachable(_)), "{outcome:?}");
}

#[tokio::test]
async fn the_login_test_reports_an_http_answer_as_a_protocol_error() {
    let account = account().await;
    // The API's port, a path that is no WebSocket.
    let url = SignalingUrl::parse(&account.sandbox.signaling_url().replace("/rtc", "/v2/balance")).unwrap();
    let outcome = test_login(&url, &Login::Token(Secret::new("t")), DEADLINE).await;
    assert!(matches!(&outcome, LoginOutcome::Protocol(why) if why.contains("HTTP")), "{outcome:?}");
}

/// A WebSocket server on loopback that accepts one socket and hands it to `script`.
async fn fake_server<F, Fut>(script: F) -> SignalingUrl
where
    F: FnOnce(tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = SignalingUrl::parse(&format!("ws://{}/rtc", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let socket = tokio_tungstenite::accept_async(stream).await.unwrap();
        script(socket).await;
    });
    url
}

async fn read_json(socket: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Option<Value> {
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).ok();
        }
    }
    None
}

#[tokio::test]
async fn the_login_test_times_out_on_a_server_that_never_answers() {
    let (held_tx, held_rx) = tokio::sync::oneshot::channel();
    let url = fake_server(|mut socket| async move {
        let login = read_json(&mut socket).await;
        let _ = held_tx.send(login);
        // Holds the socket open, silent, until the client gives up.
        while socket.next().await.is_some() {}
    })
    .await;
    let timeout = Duration::from_millis(300);
    let outcome = test_login(&url, &Login::Token(Secret::new("t")), timeout).await;
    assert_eq!(outcome, LoginOutcome::TimedOut(timeout));
    let login = held_rx.await.unwrap().expect("the client sent its login");
    assert_eq!(login["method"], "login");
}

#[tokio::test]
async fn the_login_test_answers_pings_and_reports_a_gateway_that_does_not_register() {
    let url = fake_server(|mut socket| async move {
        let login = read_json(&mut socket).await.unwrap();
        let ping = json!({ "jsonrpc": "2.0", "id": 5, "method": "telnyx_rtc.ping", "params": {} });
        socket.send(Message::text(ping.to_string())).await.unwrap();
        // The login is answered only once the ping is.
        let pong = read_json(&mut socket).await.unwrap();
        assert_eq!((pong["id"].as_i64(), pong.get("result").is_some()), (Some(5), true), "{pong}");
        let result = json!({ "jsonrpc": "2.0", "id": login["id"], "result": { "message": "logged in", "sessid": "s" } });
        socket.send(Message::text(result.to_string())).await.unwrap();
        let query = read_json(&mut socket).await.unwrap();
        assert_eq!(query["method"], "telnyx_rtc.gatewayState");
        let noreg = json!({ "jsonrpc": "2.0", "id": query["id"], "result": { "params": { "state": "NOREG" } } });
        socket.send(Message::text(noreg.to_string())).await.unwrap();
        while socket.next().await.is_some() {}
    })
    .await;
    let outcome = test_login(&url, &Login::Token(Secret::new("t")), DEADLINE).await;
    assert_eq!(outcome, LoginOutcome::NotRegistered { state: "NOREG".into() });
}

#[tokio::test]
async fn the_login_test_reports_garbage_and_an_early_close_as_protocol_errors() {
    let url = fake_server(|mut socket| async move {
        let _ = read_json(&mut socket).await;
        socket.send(Message::text("<html>not signaling</html>")).await.unwrap();
        while socket.next().await.is_some() {}
    })
    .await;
    let outcome = test_login(&url, &Login::Token(Secret::new("t")), DEADLINE).await;
    assert!(matches!(&outcome, LoginOutcome::Protocol(why) if why.contains("not JSON")), "{outcome:?}");

    let url = fake_server(|mut socket| async move {
        let _ = read_json(&mut socket).await;
        let _ = socket.close(None).await;
    })
    .await;
    let outcome = test_login(&url, &Login::Token(Secret::new("t")), DEADLINE).await;
    assert!(matches!(&outcome, LoginOutcome::Protocol(why) if why.contains("closed")), "{outcome:?}");
}

#[tokio::test]
async fn registration_status_while_logged_in_and_after_keeps_the_contract() {
    let account = account().await;
    let mut socket = account.socket().await;
    assert_logs_in(&mut socket, &token_login(&account.token().await)).await;
    let registered = account.registration().await;
    assert_eq!((registered.status.as_str(), registered.transport.as_deref()), ("Registered", Some("WSS")));
    assert!(registered.user_agent.is_some(), "the SDK's User-Agent data: {registered:?}");
    drop(socket);
    account.wait_for_status("Unregistered").await;
    let report = crate::support::contract::Contract::load().check_all(&account.sandbox.journal());
    report.assert_clean();
}

/// A `wss://` server on loopback whose certificate no root vouches for (self-signed
/// for `localhost`, made as the test runs): the login test must refuse it before
/// sending anything, as reqwest does for the API.
#[tokio::test]
async fn the_login_test_refuses_a_certificate_nobody_vouches_for() {
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = made.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (handshake_tx, handshake_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let _ = handshake_tx.send(acceptor.accept(stream).await.is_ok());
    });
    let url = SignalingUrl::parse(&format!("wss://localhost:{port}/rtc")).unwrap();
    let outcome = test_login(&url, &Login::Token(Secret::new("never-sent")), DEADLINE).await;
    assert!(
        matches!(&outcome, LoginOutcome::Unreachable(why) if why.contains("TLS") && why.contains("certificate")),
        "{outcome:?}"
    );
    assert_eq!(handshake_rx.await, Ok(false), "the client broke off the TLS handshake");
}

#[tokio::test]
async fn a_close_from_the_client_is_answered_with_a_close() {
    let account = account().await;
    let mut socket = account.socket().await;
    assert_logs_in(&mut socket, &token_login(&account.token().await)).await;
    socket.send(Message::Close(None)).await.unwrap();
    let answer = tokio::time::timeout(DEADLINE, socket.next()).await.expect("an answer in time");
    assert!(matches!(answer, Some(Ok(Message::Close(_)))), "{answer:?}");
    account.wait_for_status("Unregistered").await;
}
