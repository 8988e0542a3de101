//! The WebRTC login test: logs in to Telnyx's signaling server the way the official JS
//! SDK (`@telnyx/webrtc`) does, and says how it went.
//!
//! The exchange is JSON-RPC 2.0 over one WebSocket (see "The login test" in docs/commands.md):
//! `login` with a `login_token` or a SIP `login`/`passwd`, the server's result with a
//! `sessid`, then the client's `telnyx_rtc.gatewayState` query, answered `REGED` when
//! the client is registered: the moment the SDK emits `telnyx.ready`. [`test_login`]
//! does that within a timeout, answers the server's pings meanwhile, closes the socket,
//! and returns a typed [`LoginOutcome`] with its explanation in plain words.
//!
//! The same method names and error codes are the sandbox's (`src/sandbox/rtc.rs`),
//! which serves this protocol at `/rtc`. TLS is rustls with the ring provider and the
//! platform's verifier, as for the API (`api::http_client_for`); `ws://` is accepted
//! only for loopback ([`SignalingUrl::parse`]), since the token would travel in clear.

use crate::sanitize::escape_controls;
use crate::secret::Secret;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio_tungstenite::tungstenite::{self, Message};
use url::Url;

/// Telnyx's WebRTC signaling server, where the SDK connects unless told otherwise.
pub const DEFAULT_SIGNALING_URL: &str = "wss://rtc.telnyx.com";
/// How long a whole login test (connect, login, registration) may take by default.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The JSON-RPC methods of the exchange.
pub const METHOD_LOGIN: &str = "login";
pub const METHOD_CLIENT_READY: &str = "telnyx_rtc.clientReady";
pub const METHOD_GATEWAY_STATE: &str = "telnyx_rtc.gatewayState";
pub const METHOD_PING: &str = "telnyx_rtc.ping";
/// The gateway state that makes the SDK ready.
pub const STATE_REGISTERED: &str = "REGED";
/// `login` refused: the SDK reports `telnyx.error` 46001 and does not retry.
pub const ERROR_LOGIN_INCORRECT: i64 = -32001;
/// A method other than `login` before a login.
pub const ERROR_AUTHENTICATION_REQUIRED: i64 = -32000;
/// What a client that is not the SDK puts in the SDK's `User-Agent.sdkVersion`.
const USER_AGENT: &str = concat!("telnyx-setup/", env!("CARGO_PKG_VERSION"), " (login test)");
/// The largest frame the client reads; the server's are a few hundred bytes.
const MAX_MESSAGE: usize = 64 * 1024;
/// How long a clean close may take once logged in, within the overall timeout.
const CLOSE_WAIT: Duration = Duration::from_secs(1);
/// A credential is new for this long after its `created_at`: a refusal of its login may
/// then mean only that Telnyx has not yet spread it to its signaling servers.
pub const NEW_CREDENTIAL_FOR: Duration = Duration::from_secs(120);
/// The waits before each new try of a refused login of a new credential: five tries
/// over about ten seconds, well past the few seconds a new credential takes on Telnyx,
/// and short enough that a credential that is really refused fails soon.
pub const PROPAGATION_WAITS: &[Duration] =
    &[Duration::from_secs(1), Duration::from_secs(2), Duration::from_secs(3), Duration::from_secs(4)];
/// What is said while a refused login of a new credential is tried again.
pub const PROPAGATION_NOTE: &str =
    "Telnyx refused the new credential; new credentials can take a few seconds to work";

/// A validated signaling URL: `wss://` anywhere, `ws://` on loopback only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalingUrl(Url);

impl SignalingUrl {
    /// Accepts `wss://HOST[:PORT][/PATH][?QUERY]`, and `ws://` when the host is this
    /// machine (127.0.0.0/8, ::1, `localhost`), as `--api-base` accepts plain HTTP.
    pub fn parse(text: &str) -> Result<Self, String> {
        let example = format!("expected e.g. {DEFAULT_SIGNALING_URL}");
        let url = Url::parse(text.trim()).map_err(|e| format!("'{text}' is not a URL ({e}); {example}"))?;
        if !matches!(url.scheme(), "ws" | "wss") || url.host().is_none() {
            return Err(format!("'{text}' is not a ws(s):// URL; {example}"));
        }
        if url.fragment().is_some() {
            return Err(format!("'{text}' must not have a fragment"));
        }
        let url = Self(url);
        if url.0.scheme() == "ws" && !url.is_loopback() {
            return Err(format!(
                "'{text}': plain ws:// to {} would send the login token unencrypted; use wss:// (ws:// is \
                 accepted for this machine only)",
                url.host()
            ));
        }
        Ok(url)
    }

    /// The URL as given, without the slash `Url` adds to a bare host.
    pub fn as_str(&self) -> &str {
        let text = self.0.as_str();
        if self.0.path() == "/" && self.0.query().is_none() { text.trim_end_matches('/') } else { text }
    }

    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The host is this machine; a name that resolves to loopback does not count.
    pub fn is_loopback(&self) -> bool {
        crate::api::is_loopback_url(&self.0)
    }

    /// Where the login test logs in when `--signaling-url` is not given: an API on this
    /// machine is a sandbox (`--demo`, `telnyx-setup sandbox`), which serves signaling
    /// at `/rtc` on the API's own address; any other API is Telnyx's, whose signaling
    /// server is [`DEFAULT_SIGNALING_URL`].
    pub fn for_api_base(base: &crate::api::ApiBase) -> Self {
        if !base.is_loopback() {
            return Self::default();
        }
        let Ok(mut url) = Url::parse(base.as_str()) else { return Self::default() };
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        // http -> ws and https -> wss: special scheme to special scheme, which
        // `Url::set_scheme` allows.
        if url.set_scheme(scheme).is_err() {
            return Self::default();
        }
        url.set_path(crate::sandbox::SIGNALING_PATH);
        Self(url)
    }
}

impl Default for SignalingUrl {
    fn default() -> Self {
        Self::parse(DEFAULT_SIGNALING_URL).expect("the default signaling URL is valid")
    }
}

impl fmt::Display for SignalingUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to log in with. `Debug` shows no secret ([`Secret`] is redacted).
#[derive(Debug, Clone, PartialEq)]
pub enum Login {
    /// A JWT from `POST /telephony_credentials/{id}/token`.
    Token(Secret),
    /// A SIP user name and password: a telephony credential's, or a credential
    /// connection's own.
    Sip { user: String, password: Secret },
}

impl Login {
    /// The `login` request as the SDK 2.27.10 sends it: the same fields, in the same
    /// places (`tests/fixtures/webrtc-login-frames.json` holds its frames verbatim).
    pub fn request(&self, id: &str) -> Value {
        let mut params = serde_json::Map::new();
        match self {
            Login::Token(token) => {
                params.insert("login_token".into(), json!(token.expose()));
            }
            Login::Sip { user, password } => {
                params.insert("login".into(), json!(user));
                params.insert("passwd".into(), json!(password.expose()));
            }
        }
        params.insert("userVariables".into(), json!({ "push_when_active": false, "pn_late_fanout": false }));
        params.insert("reconnection".into(), json!(false));
        params.insert("loginParams".into(), json!({ "early_sdp_answer": false }));
        params.insert("User-Agent".into(), json!({ "sdkVersion": USER_AGENT, "data": USER_AGENT }));
        json!({ "jsonrpc": "2.0", "id": id, "method": METHOD_LOGIN, "params": params })
    }

    /// The token's `exp` claim (Unix time), read without checking the signature.
    fn token_expiry(&self) -> Option<i64> {
        #[derive(serde::Deserialize)]
        struct Claims {
            exp: Option<i64>,
        }
        let Login::Token(token) = self else { return None };
        jsonwebtoken::dangerous::insecure_decode::<Claims>(token.expose()).ok()?.claims.exp
    }
}

/// The gateway-state query the SDK sends once logged in.
pub fn gateway_state_request(id: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": METHOD_GATEWAY_STATE, "params": {} })
}

/// Why a login was refused, as far as the client can tell: the server says only
/// "Login Incorrect".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The token's own `exp` had passed when it was refused.
    TokenExpired,
    /// A token that had not expired: changed, cut short, from a deleted or expired
    /// credential, or from another environment.
    TokenRefused,
    /// A SIP user name and password.
    SipRefused,
    /// `-32000`: the server wanted a login first.
    AuthenticationRequired,
    /// Any other error code.
    Other,
}

/// How a login test went.
#[derive(Debug, Clone, PartialEq)]
pub enum LoginOutcome {
    /// Logged in and registered (`REGED`): the SDK would emit `telnyx.ready`.
    LoggedIn { elapsed: Duration },
    /// The server answered the login with an error.
    Refused { code: i64, message: String, why: Refusal },
    /// Logged in, but the gateway reported another state than `REGED`: the SDK
    /// retries, then gives up (46001 for `NOREG`/`UNREGED`, 45004 otherwise).
    NotRegistered { state: String },
    /// No WebSocket could be opened: no route, refused, DNS, TLS.
    Unreachable(String),
    /// Nothing decisive arrived within the timeout.
    TimedOut(Duration),
    /// The server answered something the SDK would not accept.
    Protocol(String),
}

impl LoginOutcome {
    pub fn passed(&self) -> bool {
        matches!(self, LoginOutcome::LoggedIn { .. })
    }

    /// What happened, in a sentence (no secret: neither the token nor the password).
    pub fn reason(&self, url: &SignalingUrl) -> String {
        match self {
            LoginOutcome::LoggedIn { elapsed } => format!(
                "Logged in to {url} as the WebRTC SDK does, and registered (REGED), in {} ms.",
                elapsed.as_millis()
            ),
            LoginOutcome::Refused { code, message, why } => {
                let said = format!("({code} {message})");
                match why {
                    Refusal::TokenExpired => format!("The login was refused {said}: the token has expired."),
                    Refusal::TokenRefused => format!(
                        "The token was refused {said}: it is not a token Telnyx issued as it is (changed or \
                         cut short when copied), or its credential was deleted or has expired."
                    ),
                    Refusal::SipRefused => format!(
                        "The SIP user name and password were refused {said}: the password is wrong or was \
                         changed, the user name is mistyped, or the credential has expired."
                    ),
                    Refusal::AuthenticationRequired => {
                        format!("The server asked for a login it did not take {said}.")
                    }
                    Refusal::Other => format!("The login was refused {said}."),
                }
            }
            LoginOutcome::NotRegistered { state } => format!(
                "Logged in, but the gateway reported {state} instead of REGED: the SDK would not become ready."
            ),
            LoginOutcome::Unreachable(why) => format!("Could not reach the signaling server {url}: {why}."),
            LoginOutcome::TimedOut(after) => format!(
                "The signaling server {url} did not finish the login within {} s.",
                after.as_secs_f32()
            ),
            LoginOutcome::Protocol(why) => {
                format!("The signaling server {url} answered in a way the SDK would not accept: {why}.")
            }
        }
    }

    /// What to do about it; `None` when it passed.
    pub fn fix(&self) -> Option<&'static str> {
        Some(match self {
            LoginOutcome::LoggedIn { .. } => return None,
            LoginOutcome::Refused { why: Refusal::TokenExpired, .. } => {
                "Generate a new token (g on the token screen); tokens are valid for 24 hours."
            }
            LoginOutcome::Refused { why: Refusal::TokenRefused, .. } => {
                "Generate a fresh token and copy it whole; if that is refused too, create a new telephony \
                 credential (wizard step 7)."
            }
            LoginOutcome::Refused { why: Refusal::SipRefused, .. } => {
                "Use the current user name and password of the credential or connection, or log in with a token."
            }
            LoginOutcome::Refused { .. } | LoginOutcome::NotRegistered { .. } => {
                "Check that the connection is active, then test again."
            }
            LoginOutcome::Unreachable(_) => {
                "Check the network (outbound port 443 must be open), or try --signaling-url wss://rtc.telnyx.com \
                 (Telnyx) or --signaling-url ws://127.0.0.1:PORT/rtc (a sandbox on PORT)."
            }
            LoginOutcome::TimedOut(_) => {
                "Test again; if it keeps timing out, check the network, or try --signaling-url \
                 wss://rtc.telnyx.com (Telnyx) or --signaling-url ws://127.0.0.1:PORT/rtc (a sandbox on PORT)."
            }
            LoginOutcome::Protocol(_) => {
                "Check --signaling-url: it must be Telnyx's signaling server, wss://rtc.telnyx.com."
            }
        })
    }
}

/// A login test's outcome and where it logged in, for the screens that show it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoginTest {
    pub url: SignalingUrl,
    pub outcome: LoginOutcome,
    /// Refusals of a new credential tried again before this outcome
    /// ([`test_login_patiently`]): 0 when the first try decided.
    pub retried: u32,
}

impl LoginTest {
    /// A test decided by its first try.
    pub fn new(url: SignalingUrl, outcome: LoginOutcome) -> Self {
        Self { url, outcome, retried: 0 }
    }

    pub fn passed(&self) -> bool {
        self.outcome.passed()
    }

    /// What happened, with the retries it took when there were any.
    pub fn reason(&self) -> String {
        let reason = self.outcome.reason(&self.url);
        match self.retry_note() {
            Some(note) => format!("{reason} {note}"),
            None => reason,
        }
    }

    /// A sentence on the refusals tried again, when there were any.
    pub fn retry_note(&self) -> Option<String> {
        let tries = self.retried + 1;
        match self.retried {
            0 => None,
            _ if self.passed() => Some(format!(
                "Telnyx refused the new credential at first (it took {tries} tries): new credentials can \
                 take a few seconds to work."
            )),
            _ => Some(format!(
                "It was tried {tries} times, since a new credential can take a few seconds to work, and \
                 refused each time."
            )),
        }
    }
}

/// A retry of [`test_login_patiently`] as a line for stderr: "Telnyx refused the new
/// credential; … — trying again (2 of 5)…".
pub fn retry_line(notice: &crate::api::RetryNotice) -> String {
    format!("{} — trying again ({} of {})…", notice.reason, notice.attempt, notice.of)
}

/// Whether a credential created at `created_at` (RFC 3339, as Telnyx writes it) is new
/// at `now`: made less than [`NEW_CREDENTIAL_FOR`] ago. One stamped a little in the
/// future (the server's clock ahead of this one) is new too.
pub fn is_new_credential(created_at: Option<&str>, now: SystemTime) -> bool {
    use time::format_description::well_known::Rfc3339;
    let Some(created) = created_at.and_then(|at| time::OffsetDateTime::parse(at.trim(), &Rfc3339).ok())
    else {
        return false;
    };
    let now = time::OffsetDateTime::from(now);
    now - created < NEW_CREDENTIAL_FOR
}

/// [`test_login`], and when the login is refused as a credential that does not exist
/// would be, tried again after each of `waits`: a credential made a moment ago is
/// refused for a few seconds while it propagates. Pass [`PROPAGATION_WAITS`] when the
/// credential is new ([`is_new_credential`], or made by this run), and no waits
/// otherwise, so an old credential's refusal is reported at once. `on_retry` is told
/// of each new try before its wait, with [`PROPAGATION_NOTE`] as the reason.
pub async fn test_login_patiently(
    url: &SignalingUrl,
    login: &Login,
    timeout: Duration,
    waits: &[Duration],
    on_retry: &(dyn Fn(crate::api::RetryNotice) + Send + Sync),
) -> LoginTest {
    let mut retried = 0;
    loop {
        let outcome = test_login(url, login, timeout).await;
        let propagating = matches!(
            &outcome,
            LoginOutcome::Refused { why: Refusal::TokenRefused | Refusal::SipRefused, .. }
        );
        let Some(wait) = waits.get(retried as usize).filter(|_| propagating) else {
            return LoginTest { url: url.clone(), outcome, retried };
        };
        retried += 1;
        on_retry(crate::api::RetryNotice {
            attempt: retried + 1,
            of: waits.len() as u32 + 1,
            reason: PROPAGATION_NOTE.to_owned(),
            wait: *wait,
        });
        tokio::time::sleep(*wait).await;
    }
}

/// Logs in at `url` with `login` as the SDK does, waits for `REGED` or an error within
/// `timeout`, then closes the socket. Never panics on what the server sends.
pub async fn test_login(url: &SignalingUrl, login: &Login, timeout: Duration) -> LoginOutcome {
    let started = Instant::now();
    let outcome = match tokio::time::timeout(timeout, exchange(url, login, started)).await {
        Ok(outcome) => outcome,
        Err(_) => LoginOutcome::TimedOut(timeout),
    };
    // The reason names no secret; the log gets the outcome's kind and the time.
    tracing::info!(url = %url, passed = outcome.passed(), elapsed_ms = started.elapsed().as_millis() as u64,
        outcome = outcome_kind(&outcome), "login test");
    outcome
}

fn outcome_kind(outcome: &LoginOutcome) -> &'static str {
    match outcome {
        LoginOutcome::LoggedIn { .. } => "logged_in",
        LoginOutcome::Refused { .. } => "refused",
        LoginOutcome::NotRegistered { .. } => "not_registered",
        LoginOutcome::Unreachable(_) => "unreachable",
        LoginOutcome::TimedOut(_) => "timed_out",
        LoginOutcome::Protocol(_) => "protocol",
    }
}

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn exchange(url: &SignalingUrl, login: &Login, started: Instant) -> LoginOutcome {
    let mut socket = match connect(url).await {
        Ok(socket) => socket,
        Err(outcome) => return outcome,
    };
    let outcome = converse(&mut socket, login, started).await;
    if outcome.passed() {
        // Logged in: leave as the SDK does on disconnect, with a close frame, and give
        // the server a moment to answer it (it unregisters then).
        let _ = tokio::time::timeout(CLOSE_WAIT, async {
            if socket.close(None).await.is_ok() {
                while let Some(Ok(_)) = socket.next().await {}
            }
        })
        .await;
    }
    outcome
}

pub(crate) async fn connect(url: &SignalingUrl) -> Result<Socket, LoginOutcome> {
    let config = tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let connector = match url.0.scheme() {
        "wss" => Some(tokio_tungstenite::Connector::Rustls(tls_config()?)),
        _ => Some(tokio_tungstenite::Connector::Plain),
    };
    match tokio_tungstenite::connect_async_tls_with_config(url.0.as_str(), Some(config), true, connector)
        .await
    {
        Ok((socket, _response)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err(LoginOutcome::Protocol(format!(
            "it answered HTTP {} instead of opening a WebSocket",
            response.status().as_u16()
        ))),
        // rustls reports a refused certificate through the stream, as an I/O error.
        Err(tungstenite::Error::Io(error)) => Err(LoginOutcome::Unreachable(
            match error.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) {
                Some(tls) => format!("TLS failed: {tls}"),
                None => error.to_string(),
            },
        )),
        Err(tungstenite::Error::Tls(error)) => Err(LoginOutcome::Unreachable(format!("TLS failed: {error}"))),
        Err(error) => Err(LoginOutcome::Protocol(format!("the WebSocket handshake failed: {error}"))),
    }
}

/// rustls with the ring provider and the platform's certificate verifier: what
/// reqwest's `rustls-no-provider` uses for the API.
fn tls_config() -> Result<Arc<rustls::ClientConfig>, LoginOutcome> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map(|builder| Arc::new(builder.with_no_client_auth()))
        .map_err(|error| LoginOutcome::Unreachable(format!("TLS cannot be set up: {error}")))
}

/// The exchange on an open socket, up to `REGED` or a refusal.
async fn converse(socket: &mut Socket, login: &Login, started: Instant) -> LoginOutcome {
    let login_id = uuid::Uuid::new_v4().to_string();
    let state_id = uuid::Uuid::new_v4().to_string();
    if let Err(error) = send(socket, &login.request(&login_id)).await {
        return lost(error);
    }
    let mut logged_in = false;
    loop {
        let text = match socket.next().await {
            None => return closed_early(logged_in),
            Some(Err(error)) => return lost(error),
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(_))) => return closed_early(logged_in),
            // Pings are answered by tungstenite; nothing else is part of the exchange.
            Some(Ok(_)) => continue,
        };
        let Ok(frame) = serde_json::from_str::<Value>(&text) else {
            return LoginOutcome::Protocol(format!("it sent a frame that is not JSON: {}", quote(&text)));
        };
        let id = frame.get("id").and_then(Value::as_str);
        if let Some(method) = frame.get("method").and_then(Value::as_str) {
            match method {
                // The server's keepalive: answered, as the SDK does.
                METHOD_PING => {
                    let answer = json!({ "jsonrpc": "2.0", "id": frame["id"], "result": {} });
                    if let Err(error) = send(socket, &answer).await {
                        return lost(error);
                    }
                }
                // An unsolicited gateway state counts as much as an answer to the query.
                METHOD_GATEWAY_STATE => {
                    if let Some(state) = frame["params"]["state"].as_str() {
                        return registered(state, started);
                    }
                }
                _ => {}
            }
            continue;
        }
        if id == Some(login_id.as_str()) {
            if let Some(error) = frame.get("error") {
                return refused(error, login);
            }
            if frame.get("result").is_none() {
                return LoginOutcome::Protocol(
                    "its answer to the login has neither a result nor an error".into(),
                );
            }
            logged_in = true;
            if let Err(error) = send(socket, &gateway_state_request(&state_id)).await {
                return lost(error);
            }
        } else if id == Some(state_id.as_str()) {
            if let Some(error) = frame.get("error") {
                return refused(error, login);
            }
            match frame["result"]["params"]["state"].as_str() {
                Some(state) => return registered(state, started),
                None => {
                    return LoginOutcome::Protocol("its gateway state answer names no state".into());
                }
            }
        }
    }
}

async fn send(socket: &mut Socket, frame: &Value) -> Result<(), tungstenite::Error> {
    socket.send(Message::text(frame.to_string())).await
}

fn registered(state: &str, started: Instant) -> LoginOutcome {
    // `REGISTER` makes the SDK ready too.
    if state == STATE_REGISTERED || state == "REGISTER" {
        LoginOutcome::LoggedIn { elapsed: started.elapsed() }
    } else {
        LoginOutcome::NotRegistered { state: quote(state) }
    }
}

fn refused(error: &Value, login: &Login) -> LoginOutcome {
    let code = error["code"].as_i64().unwrap_or_default();
    let message = quote(error["message"].as_str().unwrap_or("no message"));
    let why = match (code, login) {
        (ERROR_AUTHENTICATION_REQUIRED, _) => Refusal::AuthenticationRequired,
        (ERROR_LOGIN_INCORRECT, Login::Token(_)) => {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
            if login.token_expiry().is_some_and(|exp| exp <= now) {
                Refusal::TokenExpired
            } else {
                Refusal::TokenRefused
            }
        }
        (ERROR_LOGIN_INCORRECT, Login::Sip { .. }) => Refusal::SipRefused,
        _ => Refusal::Other,
    };
    LoginOutcome::Refused { code, message, why }
}

fn closed_early(logged_in: bool) -> LoginOutcome {
    LoginOutcome::Protocol(if logged_in {
        "it closed the socket before reporting the gateway state".into()
    } else {
        "it closed the socket without answering the login".into()
    })
}

fn lost(error: tungstenite::Error) -> LoginOutcome {
    LoginOutcome::Protocol(format!("the connection failed mid-way: {error}"))
}

/// The server's text, escaped and cut to a readable length, for a sentence.
pub(crate) fn quote(text: &str) -> String {
    let text = escape_controls(text);
    let mut short: String = text.chars().take(120).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_wss_or_loopback_ws() {
        assert_eq!(SignalingUrl::default().as_str(), "wss://rtc.telnyx.com");
        assert!(SignalingUrl::parse("ws://127.0.0.1:4010/rtc?x=1").is_ok());
        assert!(SignalingUrl::parse("ws://localhost/rtc").is_ok());
        assert!(SignalingUrl::parse("ws://[::1]:9/rtc").is_ok());
        assert!(SignalingUrl::parse("wss://example.com:8443/path").is_ok());
        let plain = SignalingUrl::parse("ws://rtc.telnyx.com").unwrap_err();
        assert!(plain.contains("unencrypted") && plain.contains("wss://"), "{plain}");
        assert!(SignalingUrl::parse("https://rtc.telnyx.com").unwrap_err().contains("ws(s)://"));
        assert!(SignalingUrl::parse("rtc.telnyx.com").unwrap_err().contains("not a URL"));
        assert!(SignalingUrl::parse("wss://h/#x").is_err());
        assert_eq!(
            SignalingUrl::parse("ws://127.0.0.1:5/rtc?a=b").unwrap().as_str(),
            "ws://127.0.0.1:5/rtc?a=b"
        );
    }

    #[test]
    fn an_api_on_this_machine_is_a_sandbox_whose_signaling_is_its_rtc() {
        use crate::api::ApiBase;
        let of = |base: &str| SignalingUrl::for_api_base(&ApiBase::parse(base).unwrap()).to_string();
        assert_eq!(of("http://127.0.0.1:4711/v2"), "ws://127.0.0.1:4711/rtc");
        assert_eq!(of("http://localhost:4711/v2/"), "ws://localhost:4711/rtc");
        assert_eq!(of("https://[::1]:8443/v2"), "wss://[::1]:8443/rtc");
        // Telnyx, and any other machine, keep Telnyx's signaling server.
        assert_eq!(of("https://api.telnyx.com/v2"), DEFAULT_SIGNALING_URL);
        assert_eq!(of("https://mock.example.com/v2"), DEFAULT_SIGNALING_URL);
    }

    #[test]
    fn a_credential_is_new_for_two_minutes_after_its_created_at() {
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let at = |seconds: i64| {
            let at = time::OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap();
            at.format(&time::format_description::well_known::Rfc3339).unwrap()
        };
        assert!(is_new_credential(Some(&at(-5)), now));
        assert!(is_new_credential(Some(&at(-119)), now));
        assert!(!is_new_credential(Some(&at(-121)), now));
        // The server's clock a little ahead of this one.
        assert!(is_new_credential(Some(&at(30)), now));
        assert!(!is_new_credential(None, now));
        assert!(!is_new_credential(Some("yesterday"), now));
    }

    #[test]
    fn a_refusal_of_an_expired_token_says_so() {
        let error = json!({ "code": -32001, "message": "Login Incorrect" });
        // header.payload.signature, with exp in 2001.
        let payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            r#"{"exp":1000000000}"#,
        );
        let expired = Login::Token(Secret::new(format!("eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln")));
        assert!(matches!(
            refused(&error, &expired),
            LoginOutcome::Refused { why: Refusal::TokenExpired, .. }
        ));
        let garbled = Login::Token(Secret::new("not-a-jwt"));
        assert!(matches!(
            refused(&error, &garbled),
            LoginOutcome::Refused { why: Refusal::TokenRefused, .. }
        ));
        let sip = Login::Sip { user: "u".into(), password: Secret::new("p") };
        assert!(matches!(refused(&error, &sip), LoginOutcome::Refused { why: Refusal::SipRefused, .. }));
        let other = json!({ "code": -32000, "message": "Authentication Required" });
        assert!(matches!(
            refused(&other, &sip),
            LoginOutcome::Refused { why: Refusal::AuthenticationRequired, .. }
        ));
    }

    #[test]
    fn outcomes_name_no_secret_and_every_failure_has_a_fix() {
        let url = SignalingUrl::default();
        let outcomes = [
            LoginOutcome::LoggedIn { elapsed: Duration::from_millis(12) },
            LoginOutcome::Refused {
                code: -32001,
                message: "Login Incorrect".into(),
                why: Refusal::SipRefused,
            },
            LoginOutcome::NotRegistered { state: "NOREG".into() },
            LoginOutcome::Unreachable("connection refused".into()),
            LoginOutcome::TimedOut(LOGIN_TIMEOUT),
            LoginOutcome::Protocol("x".into()),
        ];
        for outcome in &outcomes {
            assert_eq!(outcome.fix().is_none(), outcome.passed(), "{outcome:?}");
            assert!(outcome.reason(&url).ends_with('.'), "{}", outcome.reason(&url));
        }
        assert!(outcomes[0].reason(&url).contains("12 ms"));
        let sip = Login::Sip { user: "gencred1".into(), password: Secret::new("hunter2-password") };
        assert!(!format!("{sip:?}").contains("hunter2"));
        let token = Login::Token(Secret::new("eyJhbGciOi.secret-claims.signature"));
        assert!(!format!("{token:?}").contains("secret-claims"));
    }
}
