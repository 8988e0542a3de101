//! Fault injection: the sandbox misbehaving on purpose, for tests and for reproducing
//! support cases (`telnyx-setup sandbox --fault 'POST /number_orders=timeout:1'`).
//!
//! A rule is `METHOD PATH=FAULT[:N|%N]`:
//!
//! - `METHOD`: `GET`, `POST`, `PATCH`, `DELETE`, or `*` for any.
//! - `PATH`: a path relative to the API base (`/balance`, `/number_orders`, never
//!   `/v2/...`), where a `*` segment matches exactly one segment
//!   (`/credential_connections/*`); a lone `*` matches every path.
//! - `FAULT`:
//!   - an HTTP status 400-599: answered at once with a Telnyx-style
//!     `{"errors":[{"code","title","detail"}]}` JSON body (429 also carries
//!     `Retry-After: 1`). The handler does not run, so nothing changes on the server.
//!   - `timeout`: the handler runs (a create does happen), then the answer never comes:
//!     the connection is held open until the client gives up (or the sandbox stops).
//!   - `reset`: the handler runs, then the connection is dropped before the body arrives.
//!   - `malformed`: the handler runs; status and content type are kept, the body is
//!     replaced by bytes that are not JSON.
//!   - `truncated`: the handler runs; the body is cut in half.
//!   - `empty`: the handler runs; the body is empty.
//!   - `escapes`: the handler runs; in a JSON body, every string but ids (`id`,
//!     `*_id`, which later requests put in their paths) gets [`HOSTILE_TEXT`] appended:
//!     terminal escape sequences (window title, clear screen, an OSC 52 clipboard
//!     write, a C1 control), DEL and a newline that forges a log line. A hostile
//!     server's records and error details, for testing what reaches a terminal or a log.
//! - Counting: `:N` applies the fault to the first N requests the rule matches, `%N` to
//!   every Nth (the Nth, 2Nth, ...), neither to every one. Each rule counts its own
//!   matches. Rules are tried in the order given and the first that fires applies; the
//!   rules after it are not tried, so they do not count that request.
//!
//! A plan also has a latency (`--latency 200ms`) that delays every answer. Faults come
//! before the API key is checked, as a gateway's would. With no rule and no latency
//! the middleware is not even installed, so the sandbox behaves exactly as without it.
//!
//! The journal records faulted exchanges with the rule that fired
//! ([`super::Exchange::fault`]).

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header, response::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::watch;

use super::respond::Failure;

/// What `malformed` answers instead of the body: an HTML error page, as a proxy in the
/// way would send, which no JSON parser accepts.
const MALFORMED_BODY: &[u8] = b"<html><body><h1>Sandbox fault: malformed body</h1></body></html>\n";

/// What `escapes` appends to every string of a JSON body: a window title change, a
/// screen clear, an OSC 52 clipboard write (of `rm -rf ~`), an 8-bit CSI (C1), DEL,
/// and a newline followed by a line in the log's format.
pub const HOSTILE_TEXT: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4K\u{7}\u{9b}31m\u{7f}\r\n\
    2026-01-01T00:00:00.000000Z  INFO telnyx_setup: forged line";

/// Why a fault rule could not be read: the rule as given and the part that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{rule}': {problem}")]
pub struct BadFaultRule {
    rule: String,
    problem: String,
}

/// One `METHOD PATH=FAULT[:N|%N]` rule (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRule {
    /// `None` is `*`: any method.
    method: Option<Method>,
    path: PathPattern,
    fault: Fault,
    count: Count,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PathPattern {
    /// The lone `*`.
    Any,
    /// `/a/*/b`: one entry per segment.
    Segments(Vec<Segment>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `*`: exactly one segment, whatever it is.
    Wildcard,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Status(StatusCode),
    Timeout,
    Reset,
    Malformed,
    Truncated,
    Empty,
    Escapes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    Always,
    /// `:N`
    First(u64),
    /// `%N`
    Every(u64),
}

impl FaultRule {
    fn matches(&self, method: &Method, path: &str) -> bool {
        self.method.as_ref().is_none_or(|m| m == method) && self.path.matches(path)
    }
}

impl PathPattern {
    fn matches(&self, path: &str) -> bool {
        let segments = match self {
            PathPattern::Any => return true,
            PathPattern::Segments(segments) => segments,
        };
        let Some(rest) = path.strip_prefix('/') else { return false };
        let mut parts = rest.split('/');
        segments.iter().all(|segment| match (segment, parts.next()) {
            (Segment::Wildcard, Some(part)) => !part.is_empty(),
            (Segment::Literal(literal), Some(part)) => literal == part,
            (_, None) => false,
        }) && parts.next().is_none()
    }
}

impl Count {
    /// Whether the `n`th match (counting from 1) gets the fault.
    fn fires(self, n: u64) -> bool {
        match self {
            Count::Always => true,
            Count::First(limit) => n <= limit,
            Count::Every(period) => n.is_multiple_of(period),
        }
    }
}

impl FromStr for FaultRule {
    type Err = BadFaultRule;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = |problem: String| BadFaultRule { rule: text.to_owned(), problem };
        let trimmed = text.trim();
        let Some((method, rest)) = trimmed.split_once(char::is_whitespace) else {
            return Err(bad("expected METHOD PATH=FAULT[:N|%N], e.g. 'GET /balance=503'".to_owned()));
        };
        let method = match method {
            "*" => None,
            "GET" => Some(Method::GET),
            "POST" => Some(Method::POST),
            "PATCH" => Some(Method::PATCH),
            "DELETE" => Some(Method::DELETE),
            other => return Err(bad(format!("METHOD must be GET, POST, PATCH, DELETE or *, not '{other}'"))),
        };
        // The fault never contains '=', so the last one separates it from the path.
        let Some((path, fault)) = rest.rsplit_once('=') else {
            return Err(bad("expected PATH=FAULT after the method, e.g. 'GET /balance=503'".to_owned()));
        };
        let path = parse_path(path.trim()).map_err(bad)?;
        let (fault, count) = parse_fault(fault.trim()).map_err(bad)?;
        Ok(Self { method, path, fault, count })
    }
}

fn parse_path(path: &str) -> Result<PathPattern, String> {
    if path == "*" {
        return Ok(PathPattern::Any);
    }
    if !path.starts_with('/') {
        return Err(format!(
            "PATH must start with '/' (relative to the API base, e.g. /balance) or be a lone *, not '{path}'"
        ));
    }
    if path.contains(char::is_whitespace) || path.contains('?') {
        return Err(format!("PATH must be a plain path without spaces or a query, not '{path}'"));
    }
    if path == super::BASE_PATH || path.starts_with(&format!("{}/", super::BASE_PATH)) {
        return Err(format!(
            "PATH is relative to the API base {}: write '{}', not '{path}'",
            super::BASE_PATH,
            path.strip_prefix(super::BASE_PATH).filter(|p| !p.is_empty()).unwrap_or("/...")
        ));
    }
    path[1..]
        .split('/')
        .map(|segment| match segment {
            "" => Err(format!("PATH has an empty segment: '{path}'")),
            "*" => Ok(Segment::Wildcard),
            s if s.contains('*') => Err(format!("'*' must be a whole segment of PATH, not part of '{s}'")),
            s => Ok(Segment::Literal(s.to_owned())),
        })
        .collect::<Result<_, _>>()
        .map(PathPattern::Segments)
}

fn parse_fault(text: &str) -> Result<(Fault, Count), String> {
    let (kind, count) = match text.find([':', '%']) {
        Some(at) => (&text[..at], &text[at..]),
        None => (text, ""),
    };
    let fault = match kind {
        "timeout" => Fault::Timeout,
        "reset" => Fault::Reset,
        "malformed" => Fault::Malformed,
        "truncated" => Fault::Truncated,
        "empty" => Fault::Empty,
        "escapes" => Fault::Escapes,
        digits => match digits.parse::<u16>() {
            Ok(code @ 400..=599) => Fault::Status(StatusCode::from_u16(code).map_err(|e| e.to_string())?),
            _ => {
                return Err(
                    "FAULT must be an HTTP status 400-599, timeout, reset, malformed, truncated, empty or \
                     escapes"
                        .to_owned(),
                );
            }
        },
    };
    let count = match count.split_at_checked(1) {
        None => Count::Always,
        Some((mark, n)) => {
            let n = n.parse::<u64>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                format!("N in '{mark}N' must be a whole number of at least 1, not '{n}' (in '{count}')")
            })?;
            if mark == ":" { Count::First(n) } else { Count::Every(n) }
        }
    };
    Ok((fault, count))
}

impl fmt::Display for FaultRule {
    /// The rule in its canonical `METHOD PATH=FAULT[:N|%N]` form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Some(method) => write!(f, "{method} ")?,
            None => f.write_str("* ")?,
        }
        match &self.path {
            PathPattern::Any => f.write_str("*")?,
            PathPattern::Segments(segments) => {
                for segment in segments {
                    match segment {
                        Segment::Literal(literal) => write!(f, "/{literal}")?,
                        Segment::Wildcard => f.write_str("/*")?,
                    }
                }
            }
        }
        match self.fault {
            Fault::Status(status) => write!(f, "={}", status.as_u16())?,
            Fault::Timeout => f.write_str("=timeout")?,
            Fault::Reset => f.write_str("=reset")?,
            Fault::Malformed => f.write_str("=malformed")?,
            Fault::Truncated => f.write_str("=truncated")?,
            Fault::Empty => f.write_str("=empty")?,
            Fault::Escapes => f.write_str("=escapes")?,
        }
        match self.count {
            Count::Always => Ok(()),
            Count::First(n) => write!(f, ":{n}"),
            Count::Every(n) => write!(f, "%{n}"),
        }
    }
}

/// The faults a sandbox starts with: rules tried in order, and a latency added to every
/// answer. The default is no fault at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultPlan {
    rules: Vec<FaultRule>,
    latency: Duration,
}

impl FaultPlan {
    pub fn new(rules: Vec<FaultRule>, latency: Duration) -> Self {
        Self { rules, latency }
    }

    /// Parses several rules, e.g. `FaultPlan::parse(["GET /balance=429:1", "POST *=503%2"])`.
    pub fn parse<'a>(rules: impl IntoIterator<Item = &'a str>) -> Result<Self, BadFaultRule> {
        Ok(Self { rules: rules.into_iter().map(str::parse).collect::<Result<_, _>>()?, ..Self::default() })
    }

    /// The same plan with every answer delayed by `latency`.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    pub fn rules(&self) -> &[FaultRule] {
        &self.rules
    }

    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// Whether the plan changes anything: a rule or a latency.
    pub fn is_active(&self) -> bool {
        !self.rules.is_empty() || !self.latency.is_zero()
    }
}

impl fmt::Display for FaultPlan {
    /// `'GET *=503:2', 'POST /number_orders=timeout:1'; latency 200ms`, or `no faults`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.is_active() {
            return f.write_str("no faults");
        }
        for (i, rule) in self.rules.iter().enumerate() {
            write!(f, "{}'{rule}'", if i == 0 { "" } else { ", " })?;
        }
        if !self.latency.is_zero() {
            let separator = if self.rules.is_empty() { "" } else { "; " };
            write!(f, "{separator}latency {}", humantime::format_duration(self.latency))?;
        }
        Ok(())
    }
}

/// A plan at work in one sandbox: the rules and how many requests each has matched.
pub(super) struct Injector {
    plan: FaultPlan,
    /// One counter per rule, in the plan's order.
    matches: Vec<AtomicU64>,
}

impl Injector {
    pub(super) fn new(plan: FaultPlan) -> Self {
        let matches = plan.rules.iter().map(|_| AtomicU64::new(0)).collect();
        Self { plan, matches }
    }

    pub(super) fn is_active(&self) -> bool {
        self.plan.is_active()
    }

    /// The rule that fires for this request, if any. Every rule tried that matches
    /// counts the request, whether it fires or not.
    fn pick(&self, method: &Method, path: &str) -> Option<&FaultRule> {
        self.plan.rules.iter().zip(&self.matches).find_map(|(rule, matches)| {
            if !rule.matches(method, path) {
                return None;
            }
            // fetch_add hands each concurrent request its own number.
            let n = matches.fetch_add(1, Ordering::Relaxed) + 1;
            rule.count.fires(n).then_some(rule)
        })
    }
}

/// How a faulted answer leaves the sandbox, decided here and carried out by the journal
/// middleware once it has recorded the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Delivery {
    /// Sent as it is (a status fault, or a rewritten body).
    Send,
    /// Never sent: held until the client gives up or the sandbox stops.
    Hold,
    /// The connection is dropped instead of the body.
    Reset,
}

/// Attached to a faulted response's extensions: the rule that fired and what to do with
/// the answer.
#[derive(Debug, Clone)]
pub(super) struct Applied {
    pub rule: String,
    pub delivery: Delivery,
}

/// The middleware on the API router: waits out the latency, then applies the first rule
/// that fires. Paths are seen relative to the API base, as rules are written.
pub(super) async fn inject(State(injector): State<Arc<Injector>>, request: Request, next: Next) -> Response {
    if !injector.plan.latency.is_zero() {
        tokio::time::sleep(injector.plan.latency).await;
    }
    let Some(rule) = injector.pick(request.method(), request.uri().path()) else {
        return next.run(request).await;
    };
    let text = rule.to_string();
    let (mut response, delivery) = match rule.fault {
        Fault::Status(status) => (status_answer(status, &text), Delivery::Send),
        Fault::Timeout => (next.run(request).await, Delivery::Hold),
        Fault::Reset => (next.run(request).await, Delivery::Reset),
        fault @ (Fault::Malformed | Fault::Truncated | Fault::Empty | Fault::Escapes) => {
            (rewrite_body(next.run(request).await, fault).await, Delivery::Send)
        }
    };
    tracing::debug!(rule = %text, "sandbox fault");
    response.extensions_mut().insert(Applied { rule: text, delivery });
    response
}

/// A Telnyx-style error answer for an injected status, with Telnyx's own code and title
/// where the API has one for it.
fn status_answer(status: StatusCode, rule: &str) -> Response {
    let (code, title) = match status.as_u16() {
        401 => ("10009", "Authentication failed"),
        403 => ("10010", "Authorization failed"),
        404 => ("10005", "Resource not found"),
        408 | 504 => ("10008", "Request timeout"),
        415 => ("10014", "Unsupported Media Type"),
        429 => ("10011", "Too many requests"),
        500..=599 => ("10007", "Unexpected error"),
        _ => ("10015", "Bad Request"),
    };
    let reason = status.canonical_reason().unwrap_or("Error");
    let error = json!({
        "code": code,
        "title": title,
        "detail": format!("{reason}: injected by the sandbox's fault rule '{rule}'."),
    });
    let mut response = Failure { status, errors: vec![error] }.into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// The handler's answer with its body spoiled; status and headers are kept.
async fn rewrite_body(response: Response, fault: Fault) -> Response {
    let (mut parts, body) = response.into_parts();
    // The sandbox's own bodies are in memory: reading them fails only if a handler
    // streamed an error, and then there is nothing better to spoil than nothing.
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let spoiled = match fault {
        Fault::Malformed => Bytes::from_static(MALFORMED_BODY),
        Fault::Truncated => body.slice(..body.len() / 2),
        Fault::Escapes => plant_escapes(body),
        _ => Bytes::new(),
    };
    // A length set by the handler would no longer be true; hyper sets the real one.
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(spoiled))
}

/// `body` with [`HOSTILE_TEXT`] after every string but ids, when it is JSON; as it
/// was otherwise (a token is `text/plain`).
fn plant_escapes(body: Bytes) -> Bytes {
    fn plant(value: &mut serde_json::Value, key: Option<&str>) {
        match value {
            serde_json::Value::String(text)
                if !key.is_some_and(|key| key == "id" || key.ends_with("_id")) =>
            {
                text.push_str(HOSTILE_TEXT);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|item| plant(item, key)),
            serde_json::Value::Object(map) => map.iter_mut().for_each(|(key, item)| plant(item, Some(key))),
            _ => {}
        }
    }
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(mut value) => {
            plant(&mut value, None);
            serde_json::to_vec(&value).map(Bytes::from).unwrap_or(body)
        }
        Err(_) => body,
    }
}

/// Holds a `timeout` answer until the sandbox stops (`closing` turns true), then drops
/// the connection. The client gives up long before; hyper then drops this future.
pub(super) async fn hold(parts: Parts, mut closing: watch::Receiver<bool>) -> Response {
    // An error means the sandbox is gone, which ends the hold all the same.
    let _ = closing.wait_for(|closed| *closed).await;
    abort(parts)
}

/// A response whose body fails as soon as hyper reads it, so hyper aborts the
/// connection instead of sending a body: what the client sees as a reset.
pub(super) fn abort(parts: Parts) -> Response {
    let failing = futures::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "sandbox fault: reset"))
    });
    Response::from_parts(parts, Body::from_stream(failing))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> FaultRule {
        text.parse().unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
    }

    fn error(text: &str) -> String {
        match text.parse::<FaultRule>() {
            Ok(rule) => panic!("{text:?} should be refused, got {rule:?}"),
            Err(error) => error.to_string(),
        }
    }

    #[test]
    fn good_rules_parse_into_their_parts() {
        let parsed = rule("POST /number_orders=timeout:1");
        assert_eq!(parsed.method, Some(Method::POST));
        assert_eq!(parsed.path, PathPattern::Segments(vec![Segment::Literal("number_orders".into())]));
        assert_eq!(parsed.fault, Fault::Timeout);
        assert_eq!(parsed.count, Count::First(1));

        let parsed = rule("GET *=503:2");
        assert_eq!((parsed.method, parsed.path), (Some(Method::GET), PathPattern::Any));
        assert_eq!(
            (parsed.fault, parsed.count),
            (Fault::Status(StatusCode::SERVICE_UNAVAILABLE), Count::First(2))
        );

        let parsed = rule("GET /balance=429");
        assert_eq!(
            (parsed.fault, parsed.count),
            (Fault::Status(StatusCode::TOO_MANY_REQUESTS), Count::Always)
        );

        let parsed = rule("* /credential_connections/*=reset%3");
        assert_eq!(parsed.method, None);
        assert_eq!(
            parsed.path,
            PathPattern::Segments(vec![Segment::Literal("credential_connections".into()), Segment::Wildcard])
        );
        assert_eq!((parsed.fault, parsed.count), (Fault::Reset, Count::Every(3)));

        for (text, fault) in [
            ("PATCH /a=malformed", Fault::Malformed),
            ("DELETE /a=truncated", Fault::Truncated),
            ("GET /a=empty", Fault::Empty),
            ("* /x=escapes", Fault::Escapes),
            ("GET /a=400", Fault::Status(StatusCode::BAD_REQUEST)),
            ("GET /a=599", Fault::Status(StatusCode::from_u16(599).unwrap())),
        ] {
            assert_eq!(rule(text).fault, fault, "{text}");
        }
    }

    #[test]
    fn rules_print_in_their_canonical_form() {
        for text in [
            "POST /number_orders=timeout:1",
            "GET *=503:2",
            "GET /balance=429",
            "* /credential_connections/*/actions/check_registration_status=reset%2",
            "DELETE /phone_numbers/*=empty",
        ] {
            assert_eq!(rule(text).to_string(), text);
        }
        // Spaces around the parts are tolerated, and dropped.
        assert_eq!(rule("  GET   /balance = 500 ").to_string(), "GET /balance=500");
    }

    #[test]
    fn bad_rules_are_refused_naming_the_bad_part() {
        assert_eq!(
            error("GET /balance=teapot"),
            "'GET /balance=teapot': FAULT must be an HTTP status 400-599, timeout, reset, malformed, \
             truncated, empty or escapes"
        );
        for (text, expected) in [
            ("GET /balance=200", "FAULT must be an HTTP status 400-599"),
            ("GET /balance=600", "FAULT must be an HTTP status 400-599"),
            ("GET /balance=", "FAULT must be an HTTP status 400-599"),
            ("GET /balance=Timeout", "FAULT must be an HTTP status 400-599"),
            ("FETCH /balance=503", "METHOD must be GET, POST, PATCH, DELETE or *, not 'FETCH'"),
            ("get /balance=503", "METHOD must be GET, POST, PATCH, DELETE or *, not 'get'"),
            ("GET balance=503", "PATH must start with '/'"),
            ("GET /v2/balance=503", "PATH is relative to the API base /v2: write '/balance'"),
            ("GET /v2=503", "PATH is relative to the API base /v2"),
            ("GET /balance/=503", "PATH has an empty segment"),
            ("GET /balance?x=1=503", "without spaces or a query"),
            ("GET /number_*=503", "'*' must be a whole segment of PATH, not part of 'number_*'"),
            ("GET /balance=503:0", "N in ':N' must be a whole number of at least 1, not '0'"),
            ("GET /balance=503%0", "N in '%N' must be a whole number of at least 1, not '0'"),
            ("GET /balance=503:x", "N in ':N' must be a whole number of at least 1, not 'x'"),
            ("GET /balance=503:", "N in ':N' must be a whole number of at least 1, not ''"),
            ("GET /balance", "expected PATH=FAULT after the method"),
            ("GET", "expected METHOD PATH=FAULT"),
            ("", "expected METHOD PATH=FAULT"),
        ] {
            let message = error(text);
            assert!(message.starts_with(&format!("'{text}': ")), "{message}");
            assert!(message.contains(expected), "{text:?}: expected {expected:?} in {message:?}");
        }
    }

    #[test]
    fn methods_and_paths_match_segment_by_segment() {
        let get = &Method::GET;
        let post = &Method::POST;
        assert!(rule("GET /balance=500").matches(get, "/balance"));
        assert!(!rule("GET /balance=500").matches(post, "/balance"));
        assert!(!rule("GET /balance=500").matches(get, "/balance/x"));
        assert!(!rule("GET /balance=500").matches(get, "/"));
        assert!(rule("* /balance=500").matches(post, "/balance"));
        assert!(rule("* /balance=500").matches(&Method::DELETE, "/balance"));

        let one = rule("GET /credential_connections/*=500");
        assert!(one.matches(get, "/credential_connections/12"));
        assert!(!one.matches(get, "/credential_connections"));
        assert!(!one.matches(get, "/credential_connections/"));
        assert!(!one.matches(get, "/credential_connections/12/actions/check_registration_status"));
        assert!(!one.matches(get, "/outbound_voice_profiles/12"));

        let middle = rule("POST /telephony_credentials/*/token=500");
        assert!(middle.matches(post, "/telephony_credentials/abc/token"));
        assert!(!middle.matches(post, "/telephony_credentials/abc/other"));

        let top = rule("GET /*=500");
        assert!(top.matches(get, "/balance"));
        assert!(!top.matches(get, "/credential_connections/12"));

        let everything = rule("* *=500");
        for path in ["/", "/balance", "/a/b/c", "/nothing/here"] {
            assert!(everything.matches(post, path), "{path}");
        }
    }

    fn outcomes(injector: &Injector, method: &Method, path: &str, times: usize) -> Vec<Option<String>> {
        (0..times).map(|_| injector.pick(method, path).map(ToString::to_string)).collect()
    }

    #[test]
    fn first_n_and_every_nth_count_their_own_matches() {
        let injector = Injector::new(FaultPlan::parse(["GET /balance=503:2"]).unwrap());
        let fired = Some("GET /balance=503:2".to_owned());
        // Requests the rule does not match are not counted.
        assert_eq!(injector.pick(&Method::GET, "/phone_numbers"), None);
        assert_eq!(outcomes(&injector, &Method::GET, "/balance", 4), [fired.clone(), fired, None, None]);

        let injector = Injector::new(FaultPlan::parse(["GET /balance=503%3"]).unwrap());
        let fired = Some("GET /balance=503%3".to_owned());
        assert_eq!(
            outcomes(&injector, &Method::GET, "/balance", 7),
            [None, None, fired.clone(), None, None, fired, None]
        );

        let injector = Injector::new(FaultPlan::parse(["* *=reset"]).unwrap());
        assert!(outcomes(&injector, &Method::PATCH, "/x", 5).iter().all(Option::is_some));
    }

    #[test]
    fn the_first_rule_that_fires_applies_and_later_rules_do_not_count_it() {
        let injector = Injector::new(FaultPlan::parse(["GET /balance=500%2", "GET *=503:3"]).unwrap());
        let every_second = Some("GET /balance=500%2".to_owned());
        let first_three = Some("GET *=503:3".to_owned());
        assert_eq!(
            outcomes(&injector, &Method::GET, "/balance", 7),
            [
                first_three.clone(),  // rule 1: 1st match, skips; rule 2: 1st match
                every_second.clone(), // rule 1: 2nd match fires; rule 2 not tried
                first_three.clone(),  // rule 2: 2nd match
                every_second.clone(),
                first_three, // rule 2: 3rd match, its last
                every_second,
                None,
            ]
        );
    }

    #[test]
    fn a_plan_says_what_it_does() {
        assert!(!FaultPlan::default().is_active());
        assert_eq!(FaultPlan::default().to_string(), "no faults");
        let plan = FaultPlan::parse(["GET *=503:2", "POST /number_orders=timeout:1"])
            .unwrap()
            .with_latency(Duration::from_millis(200));
        assert!(plan.is_active());
        assert_eq!(plan.to_string(), "'GET *=503:2', 'POST /number_orders=timeout:1'; latency 200ms");
        assert_eq!(FaultPlan::default().with_latency(Duration::from_secs(1)).to_string(), "latency 1s");
        assert_eq!(
            FaultPlan::new(vec![rule("GET /a=500")], Duration::ZERO),
            FaultPlan::parse(["GET /a=500"]).unwrap()
        );
        assert_eq!(
            FaultPlan::parse(["GET /a=500", "GET /b=oops"]).unwrap_err().to_string(),
            "'GET /b=oops': FAULT must be an HTTP status 400-599, timeout, reset, malformed, truncated, empty \
             or escapes"
        );
    }
}
