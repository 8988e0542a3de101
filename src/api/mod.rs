//! The typed Telnyx API v2 client: one method per endpoint the product uses.
//!
//! It knows URLs, bodies and status codes, and nothing of screens. Every failure is
//! an [`ApiError`]. Only this module talks HTTP (reqwest); the worker owns the client.

mod calls;
mod error;
pub mod models;
mod numbers;
mod retry;

pub use calls::{Call, Verb};
pub use error::{ApiError, ErrorMeta, ErrorSource, Errors, TelnyxError};
pub use models::*;
pub use numbers::*;
pub use retry::{RetryNotice, RetryObserver, RetryPolicy};

use crate::secret::Secret;
use error::ErrorBody;
use reqwest::{Method, StatusCode, header};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use url::Url;

/// Where the API lives unless `--api-base` or `TELNYX_API_BASE` say otherwise.
pub const DEFAULT_API_BASE: &str = "https://api.telnyx.com/v2";

/// How long one request may take, end to end, unless `--timeout` says otherwise.
/// Telnyx answers in well under a second; this only bounds a hung connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A validated API base URL, such as `https://api.telnyx.com/v2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiBase(Url);

impl ApiBase {
    /// Accepts `http` and `https` URLs with a host; a trailing slash is ignored.
    pub fn parse(text: &str) -> Result<Self, String> {
        let url = Url::parse(text.trim())
            .map_err(|e| format!("'{text}' is not a URL ({e}); expected e.g. {DEFAULT_API_BASE}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(format!("'{text}' is not an http(s) URL; expected e.g. {DEFAULT_API_BASE}"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!("'{text}' must not have a query or fragment"));
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// The host, as the URL names it (`example.com`, `127.0.0.1`, `[::1]`).
    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    /// The host is this machine: 127.0.0.0/8, ::1 or `localhost`. Anything else, even
    /// a name that happens to resolve to loopback, counts as another machine.
    pub fn is_loopback(&self) -> bool {
        is_loopback_url(&self.0)
    }

    /// Plain HTTP to another machine, where the API key would cross the network
    /// unencrypted: allowed only with `--insecure-http`. Loopback (a local mock, the
    /// sandbox) never leaves the machine, so it needs no flag.
    pub fn needs_insecure_flag(&self) -> bool {
        self.0.scheme() == "http" && !self.is_loopback()
    }

    fn join(&self, segments: &[&str]) -> Url {
        let mut url = self.0.clone();
        url.path_segments_mut()
            .expect("ApiBase::parse accepts only http(s) URLs, which have path segments")
            .pop_if_empty()
            .extend(segments);
        url
    }
}

/// The URL's host is this machine: 127.0.0.0/8, ::1 or `localhost`. Anything else, even
/// a name that happens to resolve to loopback, counts as another machine. The rule for
/// plain `http://` API bases and plain `ws://` signaling URLs alike.
pub fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl Default for ApiBase {
    fn default() -> Self {
        Self::parse(DEFAULT_API_BASE).expect("the default base is a valid URL")
    }
}

/// Builds an HTTP client with the default [`REQUEST_TIMEOUT`].
pub fn http_client() -> reqwest::Client {
    http_client_with_timeout(REQUEST_TIMEOUT)
}

/// Builds an HTTP client for any base: see [`http_client_for`], which the program uses.
pub fn http_client_with_timeout(timeout: Duration) -> reqwest::Client {
    builder(timeout).build().expect("a client with a TLS provider and static settings always builds")
}

/// Builds the one HTTP client the process uses, for `base`: rustls with the ring
/// provider, a timeout on every request, a user agent naming this program, and no
/// redirects followed (see [`ApiError::Redirected`]).
///
/// A loopback base is reached directly, never through a proxy from `http_proxy`,
/// `HTTPS_PROXY` or `ALL_PROXY`: the rule that plain HTTP needs no `--insecure-http`
/// on loopback holds only because the key never leaves the machine, and a proxy would
/// take it elsewhere, in clear. Any other base uses the proxy the environment names,
/// HTTPS through it as a CONNECT tunnel; plain HTTP to it needed `--insecure-http`
/// anyway. An HTTPS base is HTTPS only: no request of this client goes out in clear.
pub fn http_client_for(base: &ApiBase, timeout: Duration) -> reqwest::Client {
    let mut builder = builder(timeout);
    if base.is_loopback() {
        builder = builder.no_proxy();
    }
    if base.0.scheme() == "https" {
        builder = builder.https_only(true);
    }
    builder.build().expect("a client with a TLS provider and static settings always builds")
}

fn builder(timeout: Duration) -> reqwest::ClientBuilder {
    // Installing twice fails harmlessly (tests build several clients in one process).
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("telnyx-setup/", env!("CARGO_PKG_VERSION")))
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        // The API never redirects; a redirect is reported, not followed.
        .redirect(reqwest::redirect::Policy::none())
}

/// A Telnyx API client for one key. Cheap to clone: the connection pool is shared.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: ApiBase,
    key: Secret,
    retry: RetryPolicy,
    observer: Option<RetryObserver>,
    requests: Option<RequestObserver>,
    /// The `x-ratelimit-remaining` of the last answer that had one ([`UNKNOWN_REMAINING`]
    /// before), shared by the clones, which share the account's limit too.
    rate_remaining: Arc<AtomicU32>,
}

/// Pages read at once by [`Client::list_raw_pages`]: enough that a page's latency is
/// paid about once per eight pages, few enough not to spend an account's rate limit.
pub const PARALLEL_PAGES: u32 = 8;
/// No answer has said how many requests are left.
const UNKNOWN_REMAINING: u32 = u32::MAX;

/// One request as it went, for `--verbose` and the requests pane: method, path and
/// outcome only, never the
/// key, the query or a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// The URL's path, e.g. `/v2/credential_connections/12`.
    pub path: String,
    /// The HTTP status, or why no answer came (`no answer in time`).
    pub outcome: Result<u16, String>,
    pub elapsed: Duration,
    /// Telnyx's `x-request-id` of the answer, when it had one: what Telnyx's support
    /// asks for to find the request in their logs.
    pub request_id: Option<String>,
}

impl std::fmt::Display for RequestRecord {
    /// `GET /v2/balance -> 200 in 12 ms`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let took = self.elapsed.as_millis();
        match &self.outcome {
            Ok(status) => write!(f, "{} {} -> {status} in {took} ms", self.method, self.path),
            Err(reason) => write!(f, "{} {} -> {reason} after {took} ms", self.method, self.path),
        }
    }
}

/// Told of every request the client sends, once it has an answer or has failed.
pub type RequestObserver = Arc<dyn Fn(&RequestRecord) + Send + Sync>;

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("key", &self.key)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// Whether a request may be sent again after a transient failure without risk of
/// doing its work twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeat {
    Safe,
    Never,
}

#[derive(Debug, serde::Deserialize)]
struct Envelope<T> {
    data: T,
}

type Query<'a> = Vec<(&'static str, String)>;

impl Client {
    pub fn new(http: reqwest::Client, base: ApiBase, key: Secret) -> Self {
        Self {
            http,
            base,
            key,
            retry: RetryPolicy::default(),
            observer: None,
            requests: None,
            rate_remaining: Arc::new(AtomicU32::new(UNKNOWN_REMAINING)),
        }
    }

    /// The same client, telling `observer` of every request it sends (`--verbose`).
    pub fn on_request(mut self, observer: RequestObserver) -> Self {
        self.requests = Some(observer);
        self
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The same client, telling `observer` of every retry before it waits.
    pub fn on_retry(mut self, observer: RetryObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The wait before try `next` after `error` (see [`RetryPolicy::wait_before`]),
    /// reported to the observer; `None` when there is to be no further try.
    pub fn plan_retry(&self, next: u32, error: &ApiError) -> Option<Duration> {
        let wait = self.retry.wait_before(next, error, &mut rand::rng())?;
        self.notify(RetryNotice {
            attempt: next,
            of: self.retry.attempts,
            reason: error.short_reason(),
            wait,
        });
        Some(wait)
    }

    /// The backoff before try `next` of something other than a request (looking for the
    /// result of a create), reported to the observer as `reason`.
    pub fn report_wait(&self, next: u32, reason: &str) -> Duration {
        let wait = self.retry.backoff(next, &mut rand::rng());
        self.notify(RetryNotice { attempt: next, of: self.retry.attempts, reason: reason.to_owned(), wait });
        wait
    }

    /// Tells the observer of a retry of something other than a request (a login test
    /// tried again while a new credential propagates), as [`Self::plan_retry`] does.
    pub fn report_retry(&self, notice: RetryNotice) {
        self.notify(notice);
    }

    fn notify(&self, notice: RetryNotice) {
        let wait_ms = notice.wait.as_millis() as u64;
        tracing::info!(attempt = notice.attempt, of = notice.of, reason = %notice.reason, wait_ms, "retrying");
        if let Some(observer) = &self.observer {
            observer(notice);
        }
    }

    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    /// The account as the setup journal names it ([`crate::journal::account_id`]).
    pub fn account_id(&self) -> String {
        crate::journal::account_id(self.base.as_str(), self.key.expose())
    }

    /// `GET /balance`: the cheapest call that proves the key works.
    pub async fn balance(&self) -> Result<Balance, ApiError> {
        self.data(Call::balance()).await
    }

    pub async fn list_credential_connections(
        &self,
        page: PageRequest,
        name_contains: Option<&str>,
    ) -> Result<Page<CredentialConnection>, ApiError> {
        self.page(Call::list_credential_connections(page, name_contains)).await
    }

    pub async fn list_connections_on_profile(
        &self,
        page: PageRequest,
        profile_id: &str,
    ) -> Result<Page<CredentialConnection>, ApiError> {
        self.page(Call::list_connections_on_profile(page, profile_id)).await
    }

    pub async fn create_credential_connection(
        &self,
        body: &NewCredentialConnection,
    ) -> Result<CredentialConnection, ApiError> {
        self.data(Call::create_credential_connection(body)).await
    }

    pub async fn credential_connection(&self, id: &str) -> Result<CredentialConnection, ApiError> {
        self.data(Call::credential_connection(id)).await
    }

    pub async fn update_credential_connection(
        &self,
        id: &str,
        body: &CredentialConnectionUpdate,
    ) -> Result<CredentialConnection, ApiError> {
        self.data(Call::update_credential_connection(id, body)).await
    }

    /// A POST that only reads, so it is retried like a GET.
    pub async fn check_registration_status(
        &self,
        connection_id: &str,
    ) -> Result<RegistrationStatus, ApiError> {
        let (_, _, body) =
            self.send_as(Repeat::Safe, &Call::check_registration_status(connection_id)).await?;
        parse_data(&body)
    }

    pub async fn delete_credential_connection(&self, id: &str) -> Result<CredentialConnection, ApiError> {
        self.data(Call::delete_credential_connection(id)).await
    }

    pub async fn list_outbound_voice_profiles(
        &self,
        page: PageRequest,
        name_contains: Option<&str>,
    ) -> Result<Page<OutboundVoiceProfile>, ApiError> {
        self.page(Call::list_outbound_voice_profiles(page, name_contains)).await
    }

    pub async fn create_outbound_voice_profile(
        &self,
        body: &NewOutboundVoiceProfile,
    ) -> Result<OutboundVoiceProfile, ApiError> {
        self.data(Call::create_outbound_voice_profile(body)).await
    }

    pub async fn outbound_voice_profile(&self, id: &str) -> Result<OutboundVoiceProfile, ApiError> {
        self.data(Call::outbound_voice_profile(id)).await
    }

    pub async fn update_outbound_voice_profile(
        &self,
        id: &str,
        body: &OutboundVoiceProfileUpdate,
    ) -> Result<OutboundVoiceProfile, ApiError> {
        self.data(Call::update_outbound_voice_profile(id, body)).await
    }

    pub async fn delete_outbound_voice_profile(&self, id: &str) -> Result<OutboundVoiceProfile, ApiError> {
        self.data(Call::delete_outbound_voice_profile(id)).await
    }

    pub async fn list_telephony_credentials(
        &self,
        page: PageRequest,
        filter: &TelephonyCredentialFilter,
    ) -> Result<Page<TelephonyCredential>, ApiError> {
        self.page(Call::list_telephony_credentials(page, filter)).await
    }

    pub async fn create_telephony_credential(
        &self,
        body: &NewTelephonyCredential,
    ) -> Result<TelephonyCredential, ApiError> {
        self.data(Call::create_telephony_credential(body)).await
    }

    pub async fn telephony_credential(&self, id: &str) -> Result<TelephonyCredential, ApiError> {
        self.data(Call::telephony_credential(id)).await
    }

    /// One page of any collection as raw JSON, for the read-only inspector, which shows
    /// every field Telnyx returns rather than the ones the wizard models.
    pub async fn list_raw(
        &self,
        collection: &str,
        page: PageRequest,
        filters: &[(&'static str, String)],
    ) -> Result<Page<serde_json::Value>, ApiError> {
        self.page(Call::list_raw(collection, page, filters)).await
    }

    /// Pages `pages` of a collection as raw JSON, in order, several at a time: at most
    /// [`PARALLEL_PAGES`], and fewer when Telnyx's last `x-ratelimit-remaining` says
    /// the account has fewer requests left (one at a time when it has none; a 429's
    /// `Retry-After` is waited for by each request's own retry). The first error ends
    /// the read.
    pub async fn list_raw_pages(
        &self,
        collection: &str,
        pages: std::ops::RangeInclusive<u32>,
        size: u32,
        filters: &[(&'static str, String)],
    ) -> Result<Vec<Page<serde_json::Value>>, ApiError> {
        let mut read = Vec::new();
        let mut next = *pages.start();
        while next <= *pages.end() {
            let width = self.parallel_width();
            let last = pages.end().min(&next.saturating_add(width - 1)).to_owned();
            let wave = (next..=last).map(|number| {
                self.list_raw(collection, PageRequest { number: Some(number), size: Some(size) }, filters)
            });
            for page in futures::future::join_all(wave).await {
                read.push(page?);
            }
            next = last.saturating_add(1);
        }
        Ok(read)
    }

    /// How many requests may go at once now: [`PARALLEL_PAGES`], or what the rate
    /// limit last said is left, but never none.
    fn parallel_width(&self) -> u32 {
        match self.rate_remaining.load(Ordering::Relaxed) {
            UNKNOWN_REMAINING => PARALLEL_PAGES,
            left => left.clamp(1, PARALLEL_PAGES),
        }
    }

    /// One record of any collection as raw JSON.
    pub async fn get_raw(&self, collection: &str, id: &str) -> Result<serde_json::Value, ApiError> {
        self.data(Call::get_raw(collection, id)).await
    }

    pub async fn delete_telephony_credential(&self, id: &str) -> Result<TelephonyCredential, ApiError> {
        self.data(Call::delete_telephony_credential(id)).await
    }

    /// `POST /telephony_credentials/{id}/token`: the JWT comes back as `text/plain`.
    /// Retried like a GET: a token is not a resource, so one generated for an answer
    /// that got lost is simply never used.
    pub async fn create_token(&self, credential_id: &str) -> Result<Secret, ApiError> {
        let (_, _, body) = self.send_as(Repeat::Safe, &Call::create_token(credential_id)).await?;
        parse_token(&body)
    }

    async fn page<T: DeserializeOwned>(&self, call: Call) -> Result<Page<T>, ApiError> {
        let (_, _, body) = self.send(&call).await?;
        parse_page(&body)
    }

    async fn data<T: DeserializeOwned>(&self, call: Call) -> Result<T, ApiError> {
        let (_, _, body) = self.send(&call).await?;
        parse_data(&body)
    }

    /// Sends a request, retrying GETs and PATCHes on transient failures (see
    /// [`retry`]); a POST here creates something, so it is sent once.
    async fn send(&self, call: &Call) -> Result<(StatusCode, Option<String>, Vec<u8>), ApiError> {
        let repeat =
            if matches!(call.method, Verb::Get | Verb::Patch) { Repeat::Safe } else { Repeat::Never };
        self.send_as(repeat, call).await
    }

    async fn send_as(
        &self,
        repeat: Repeat,
        call: &Call,
    ) -> Result<(StatusCode, Option<String>, Vec<u8>), ApiError> {
        let mut attempt = 1;
        loop {
            let error = match self.send_once(call).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            attempt += 1;
            let wait = match repeat {
                Repeat::Safe => self.plan_retry(attempt, &error),
                Repeat::Never => None,
            };
            match wait {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(error),
            }
        }
    }

    /// Sends one request and returns a 2xx's status, content type and body; every other
    /// outcome becomes an [`ApiError`]. The log line names method, path and status only.
    async fn send_once(&self, call: &Call) -> Result<(StatusCode, Option<String>, Vec<u8>), ApiError> {
        let segments: Vec<&str> = call.path.iter().map(String::as_str).collect();
        // A segment the URL rules would resolve rather than send (`..` is the parent,
        // `.` the collection itself, an empty one vanishes; `%2e%2e` too, by the URL
        // standard) names no record: nothing is sent, as for an id Telnyx does not
        // know. Without this `token --credential ..` read the collection, and a write
        // to `..` would go to the collection above the record.
        if segments.iter().any(|segment| matches!(*segment, "" | "." | "..")) {
            tracing::warn!(method = call.method.as_str(), "a path segment names no record: not sent");
            return Err(ApiError::NotFound(Vec::new().into()));
        }
        let url = self.base.join(&segments);
        let method = match call.method {
            Verb::Get => Method::GET,
            Verb::Post => Method::POST,
            Verb::Patch => Method::PATCH,
            Verb::Delete => Method::DELETE,
        };
        let started = Instant::now();
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(self.key.expose())
            .header(header::ACCEPT, "application/json, text/plain");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let outcome = async {
            let response = request.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let bytes = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, bytes))
        }
        .await;
        let elapsed = started.elapsed();
        let elapsed_ms = elapsed.as_millis() as u64;
        let report = |outcome: Result<u16, String>, request_id: Option<String>| {
            if let Some(observer) = &self.requests {
                let path = url.path().to_owned();
                observer(&RequestRecord { method: method.to_string(), path, outcome, elapsed, request_id });
            }
        };
        let (status, headers, bytes) = match outcome {
            Ok(parts) => parts,
            Err(error) => {
                let error = transport_error(&error);
                tracing::warn!(%method, path = url.path(), elapsed_ms, %error, "request failed");
                report(Err(error.short_reason()), None);
                return Err(error);
            }
        };
        tracing::info!(%method, path = url.path(), status = status.as_u16(), elapsed_ms, "request");
        if let Some(left) =
            headers.get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()?.trim().parse().ok())
        {
            self.rate_remaining.store(left, Ordering::Relaxed);
        }
        let request_id = headers
            .get("x-request-id")
            .map(|v| crate::sanitize::escape_controls(&String::from_utf8_lossy(v.as_bytes())).into_owned());
        report(Ok(status.as_u16()), request_id.clone());
        if status.is_success() {
            let content_type =
                headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
            return Ok((status, content_type, bytes.to_vec()));
        }
        if status.is_redirection() {
            let location =
                headers.get(header::LOCATION).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let error = ApiError::Redirected { status: status.as_u16(), location };
            tracing::warn!(%method, path = url.path(), status = status.as_u16(), %error, "redirect not followed");
            return Err(error);
        }
        let error =
            error_from_response(status.as_u16(), retry_after(&headers), &bytes).with_request_id(request_id);
        tracing::warn!(%method, path = url.path(), status = status.as_u16(), %error, "request refused");
        Err(error)
    }
}

/// Parses a success body of one record: `{"data": {...}}`.
pub fn parse_data<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    decode::<Envelope<T>>(body).map(|envelope| envelope.data)
}

/// Parses a success body of one page of a collection: `{"data": [...], "meta": {...}}`.
pub fn parse_page<T: DeserializeOwned>(body: &[u8]) -> Result<Page<T>, ApiError> {
    decode(body)
}

/// Parses the login token endpoint's `text/plain` body: a JWT, three base64url parts
/// joined by dots, and nothing else ([`check_jwt`]). Whatever else arrives is refused,
/// not passed on: the token is printed for a shell (`token --env`, for `eval`), copied,
/// and pasted into a browser, so a token holding `$(…)` or a terminal escape is an
/// attack, not a token.
pub fn parse_token(body: &[u8]) -> Result<Secret, ApiError> {
    let token = std::str::from_utf8(body)
        .map_err(|_| ApiError::Decode("the login token is not text (it is not UTF-8)".into()))?;
    let token = token.trim();
    check_jwt(token).map_err(|why| {
        ApiError::Decode(format!(
            "the login token is not a JWT (three base64url parts joined by dots): {why}"
        ))
    })?;
    Ok(Secret::new(token))
}

/// Whether `token` is a compact JWT: three non-empty base64url parts (no padding)
/// joined by dots, the first two JSON objects (decoded by `jsonwebtoken`, which also
/// wants the header's `alg`), the third any bytes. The reason says what arrived by its
/// shape (length, parts, the first character that does not belong, escaped), never by
/// its content: a token is a secret, and so is most of a broken one.
pub fn check_jwt(token: &str) -> Result<(), String> {
    if token.is_empty() {
        return Err("the answer was empty".into());
    }
    let length = token.chars().count();
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if let Some((at, bad)) = token.chars().enumerate().find(|(_, c)| !base64url(*c) && *c != '.') {
        // `{:?}` of a char writes a control as `\u{1b}`: nothing raw reaches a terminal.
        return Err(format!("{length} characters arrived, and character {} is {bad:?}", at + 1));
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts.iter().any(|part| part.is_empty()) {
        let lengths: Vec<String> = parts.iter().map(|part| part.len().to_string()).collect();
        return Err(format!(
            "{length} characters arrived in {} dot-separated part(s) of {} characters",
            parts.len(),
            lengths.join(", ")
        ));
    }
    jsonwebtoken::dangerous::insecure_decode::<serde_json::Map<String, serde_json::Value>>(token)
        // Not the decoder's message: serde's can quote the text it could not read.
        .map_err(|_| {
            "its header or claims are not base64url JSON objects (a header names its `alg`)".to_owned()
        })?;
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[2])
        .map_err(|_| format!("its signature ({} characters) is not base64url", parts[2].len()))?;
    Ok(())
}

/// Parses a success body. The message names the position, never the content: a body
/// can hold passwords.
fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Eof => "the body ended early",
            serde_json::error::Category::Syntax => "the body is not valid JSON",
            serde_json::error::Category::Data => "the body does not match the API contract",
            serde_json::error::Category::Io => "the body could not be read",
        };
        ApiError::Decode(format!("{kind} (line {}, column {})", e.line(), e.column()))
    })
}

fn retry_after(headers: &header::HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Maps a non-2xx answer to an [`ApiError`], reading Telnyx's `errors[]` when the
/// body has them and tolerating bodies that are empty or not JSON.
pub fn error_from_response(status: u16, retry_after: Option<Duration>, body: &[u8]) -> ApiError {
    let errors = serde_json::from_slice::<ErrorBody>(body).map(|b| b.errors).unwrap_or_default();
    match status {
        401 => ApiError::Unauthorized(errors.into()),
        403 => ApiError::Forbidden(errors.into()),
        404 => ApiError::NotFound(errors.into()),
        400 | 422 => ApiError::Invalid { status, errors: errors.into() },
        429 => ApiError::RateLimited { retry_after },
        500..=599 => ApiError::Server { status, errors: errors.into() },
        _ => ApiError::Unexpected { status, errors: errors.into() },
    }
}

fn transport_error(error: &reqwest::Error) -> ApiError {
    if error.is_timeout() {
        return ApiError::Timeout;
    }
    // reqwest's Display names the URL, never headers; the source chain says why.
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let text = if causes.is_empty() { error.to_string() } else { causes.join(": ") };
    // A failed connect never sent the request; anything later may have reached the
    // server, which matters to a create (see `worker::create_once`).
    if error.is_connect() { ApiError::Unreachable(text) } else { ApiError::Transport(text) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_needs_the_flag_unless_the_host_is_loopback() {
        let needs = |url: &str| ApiBase::parse(url).unwrap().needs_insecure_flag();
        for remote in [
            "http://example.com/v2",
            "http://10.0.0.1:4010",
            "http://[2001:db8::1]/v2",
            "http://localhost.example.com",
        ] {
            assert!(needs(remote), "{remote} is another machine");
        }
        for local in [
            "http://127.0.0.1:4010",
            "http://127.8.9.10/v2",
            "http://[::1]:8080/v2",
            "http://localhost/v2",
            "http://LOCALHOST:1",
        ] {
            assert!(!needs(local), "{local} is this machine");
            assert!(ApiBase::parse(local).unwrap().is_loopback());
        }
        assert!(!needs(DEFAULT_API_BASE), "TLS needs no flag");
        assert!(!needs("https://example.com/v2"));
        assert!(!ApiBase::parse("https://example.com/v2").unwrap().is_loopback());
        assert_eq!(ApiBase::parse("http://example.com/v2").unwrap().host(), "example.com");
    }

    #[test]
    fn base_urls_are_validated_and_joined() {
        let base = ApiBase::parse("http://127.0.0.1:4010/v2/").unwrap();
        assert_eq!(base.as_str(), "http://127.0.0.1:4010/v2");
        assert_eq!(
            base.join(&["credential_connections", "12"]).as_str(),
            "http://127.0.0.1:4010/v2/credential_connections/12"
        );
        assert_eq!(ApiBase::parse("http://h").unwrap().join(&["balance"]).as_str(), "http://h/balance");
        // Each segment is percent-encoded as one segment (`.` and `..`, which the URL
        // rules resolve whatever their encoding, are never sent: see send_once).
        for (segment, sent) in [("%2e%2E", "%252e%252E"), ("a/b?c#d", "a%2Fb%3Fc%23d"), ("..x", "..x")] {
            assert_eq!(
                ApiBase::parse("http://h/v2").unwrap().join(&["telephony_credentials", segment]).as_str(),
                format!("http://h/v2/telephony_credentials/{sent}"),
                "{segment:?}"
            );
        }
        assert!(ApiBase::parse("api.telnyx.com").is_err());
        assert!(ApiBase::parse("ftp://api.telnyx.com").is_err());
        assert!(ApiBase::parse("").is_err());
    }

    #[test]
    fn error_bodies_that_are_not_json_are_tolerated() {
        assert_eq!(
            error_from_response(422, None, b"<html>"),
            ApiError::Invalid { status: 422, errors: vec![].into() }
        );
        assert_eq!(
            error_from_response(503, None, b""),
            ApiError::Server { status: 503, errors: vec![].into() }
        );
        let body = br#"{"errors":[{"code":"10009","title":"Authentication failed"}]}"#;
        match error_from_response(401, None, body) {
            ApiError::Unauthorized(errors) => assert_eq!(errors[0].code.as_deref(), Some("10009")),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_login_token_is_a_jwt_and_nothing_else() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2ln";
        assert_eq!(parse_token(format!("{jwt}\n").as_bytes()).unwrap().expose(), jwt);
        let refused = |text: &str| parse_token(text.as_bytes()).unwrap_err().to_string();
        let error = refused(&format!("{jwt}$(touch pwned)\u{1b}]0;x\u{7}"));
        assert!(error.contains("and character 39 is '$'"), "{error}");
        assert!(!error.contains("touch") && !error.contains("c2ln"), "the token is not quoted: {error}");
        assert!(refused(&format!("{jwt}\u{1b}[2J")).contains(r"is '\u{1b}'"));
        assert!(refused("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9").contains("in 2 dot-separated part(s)"));
        assert!(
            refused("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.").contains("in 3 dot-separated part(s) of 20, 12, 0")
        );
        assert!(refused("e30.eyJleHAiOjF9.c2ln").contains("header or claims"), "a header with no alg");
        assert!(
            refused("eyJhbGciOiJIUzI1NiJ9.WzFd.c2ln").contains("header or claims"),
            "claims that are a list"
        );
        assert!(refused("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c").contains("signature"));
        assert!(refused("  ").contains("empty"));
        assert!(refused("<html>").contains("character 1 is '<'"));
    }

    #[test]
    fn decode_errors_never_quote_the_body() {
        let err = decode::<Envelope<CredentialConnection>>(br#"{"data":{"id":5,"password":"hunter22"}}"#)
            .unwrap_err();
        assert!(!err.to_string().contains("hunter22"), "{err}");
        assert!(matches!(decode::<Envelope<Balance>>(b"{\"data\":"), Err(ApiError::Decode(_))));
    }
}
