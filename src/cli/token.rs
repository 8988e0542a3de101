//! `telnyx-setup token`: a fresh JWT login token for a credential, chosen by id, by
//! its connection (the newest credential that has not expired, or a new one with
//! `--create`), or as the last setup finished on this machine with this account
//! remembered it (the setup journal, [`crate::journal`], which holds ids only).
//!
//! The token is made by the same request the wizard's step 8 sends
//! ([`Request::CreateToken`]) through the worker, and a credential `--create` makes is
//! made like the wizard's (tagged `telnyx-setup`, looked for before it is created).

use crate::api::{ApiError, Client, PageRequest, TelephonyCredential, TelephonyCredentialFilter};
use crate::msg::{Reply, Request};
use crate::output;
use crate::secret::Secret;
use crate::setup::{DEFAULT_TAG, LoginToken, Recognised, find_connection, is_expired};
use crate::worker::execute;
use std::process::ExitCode;
use std::time::SystemTime;

/// Which credential the token is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `--credential ID`.
    Credential(String),
    /// `--connection ID|NAME`: its newest credential that has not expired; with
    /// `create`, a new one when it has none.
    Connection { given: String, create: bool },
    /// Neither: the last setup finished on this machine with this account, as the
    /// setup journal at this path remembers it.
    Last(Option<std::path::PathBuf>),
}

/// A token made, and for what.
#[derive(Debug)]
pub struct Issued {
    pub token: Secret,
    /// Unix time of the token's `exp` claim, when it has one.
    pub expires_at: Option<i64>,
    pub credential_id: String,
    pub connection_id: Option<String>,
    /// The credential was made now (`--create`).
    pub created: bool,
    /// When the credential was made, as Telnyx says (RFC 3339).
    pub credential_created_at: Option<String>,
}

impl Issued {
    /// The expiry as RFC 3339 (`2026-12-02T23:12:36Z`), for `--json`.
    pub fn expires_at_rfc3339(&self) -> Option<String> {
        let at = time::OffsetDateTime::from_unix_timestamp(self.expires_at?).ok()?;
        at.format(&time::format_description::well_known::Rfc3339).ok()
    }

    /// The `--env` line, for `eval "$(telnyx-setup token --env)"`: the token quoted for
    /// a POSIX shell, so that even a token that is not what [`parse_token`] checks it is
    /// (it is a JWT, which needs no quoting) could only ever be the variable's value.
    ///
    /// [`parse_token`]: crate::api::parse_token
    pub fn env_line(&self) -> String {
        // shlex refuses only a NUL, which a checked token cannot hold: then nothing is
        // assigned rather than something unquoted.
        let quoted = shlex::try_quote(self.token.expose()).unwrap_or(std::borrow::Cow::Borrowed("''"));
        format!("TELNYX_LOGIN_TOKEN={quoted}\n")
    }

    /// The `--json` report: `{"token", "expires_at", "credential_id", "connection_id"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "token": self.token.expose(),
            "expires_at": self.expires_at_rfc3339(),
            "credential_id": self.credential_id,
            "connection_id": self.connection_id,
        })
    }
}

/// Why no token was made. Each is exit 2, as for the doctor.
#[derive(Debug)]
pub enum TokenError {
    /// What to choose is unclear, or what was chosen cannot give a token (unknown,
    /// expired, a connection with no credential): the message says what to do.
    Usage(String),
    /// The record named is not on the account: the message says where to look, and
    /// Telnyx's `x-request-id` of the 404 goes with it.
    NotFound(String, Option<String>),
    /// Telnyx or the network failed.
    Api(ApiError),
}

impl From<ApiError> for TokenError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// How to choose a credential, for the messages that need to say it.
pub const HOW_TO_CHOOSE: &str = "choose one with --credential ID, or --connection ID|NAME (its newest \
     credential; add --create to make one when it has none)";

/// Makes a token for the credential `choice` names, at `now`.
pub async fn issue(client: &Client, choice: Choice, now: SystemTime) -> Result<Issued, TokenError> {
    let (credential, created) = match choice {
        Choice::Credential(id) => (credential_by_id(client, &id, now).await?, false),
        Choice::Connection { given, create } => credential_of_connection(client, &given, create, now).await?,
        Choice::Last(journal) => {
            let loaded = journal.as_deref().map(crate::journal::load).unwrap_or_default();
            let finished = loaded
                .accounts
                .get(&client.account_id())
                .filter(|record| record.finished)
                .and_then(|record| record.credential.clone());
            let Some(credential) = finished else {
                let why = loaded.ignored.map(|why| format!(" (the setup journal was not read: {why})"));
                return Err(TokenError::Usage(format!(
                    "no setup with this API key and API has been finished on this machine{}, so there \
                     is no credential to remember; {HOW_TO_CHOOSE}",
                    why.unwrap_or_default()
                )));
            };
            (credential_by_id(client, &credential.id, now).await?, false)
        }
    };
    let connection_id = credential.resource_id.as_deref().and_then(|r| r.strip_prefix("connection:"));
    let connection_id = connection_id.map(str::to_owned);
    let request = Request::CreateToken { credential_id: credential.id.clone() };
    let token = match execute(client, request).await? {
        Reply::TokenCreated(token) => token,
        other => return Err(unexpected("CreateToken", &other)),
    };
    let expires_at = LoginToken::new(token.clone()).expires_at;
    let credential_created_at = credential.created_at;
    Ok(Issued {
        token,
        expires_at,
        credential_id: credential.id,
        connection_id,
        created,
        credential_created_at,
    })
}

/// The credential with id `id`, refused when it has expired.
async fn credential_by_id(
    client: &Client,
    id: &str,
    now: SystemTime,
) -> Result<TelephonyCredential, TokenError> {
    let id = id.trim();
    if id.is_empty() {
        return Err(TokenError::Usage(format!("--credential needs a credential's id; {HOW_TO_CHOOSE}")));
    }
    // It becomes a path segment: Telnyx's ids are UUIDs, so anything that is not
    // letters, digits, `-` and `_` (`..`, a `/`, a `?`) is a mistake, refused before it
    // is sent (the client also percent-encodes every segment and never sends `..`).
    if !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(TokenError::Usage(format!(
            "--credential {id:?} is not a credential's id (Telnyx's are UUIDs: letters, digits and \
             dashes); the inspector lists them (`telnyx-setup inspect`, tab 5), or {HOW_TO_CHOOSE}"
        )));
    }
    let credential = match client.telephony_credential(id).await {
        Ok(credential) => credential,
        Err(error @ ApiError::NotFound(_)) => {
            return Err(TokenError::NotFound(
                format!(
                    "no telephony credential has the id {id:?} ({error}); the inspector lists them \
                     (`telnyx-setup inspect`, tab 5), or {HOW_TO_CHOOSE}"
                ),
                error.request_id().map(str::to_owned),
            ));
        }
        Err(error) => return Err(error.into()),
    };
    if is_expired(&credential, now) {
        let connection = credential.resource_id.as_deref().and_then(|r| r.strip_prefix("connection:"));
        let fix = match connection {
            Some(connection) => {
                format!("make a new one with `telnyx-setup token --connection {connection} --create`")
            }
            None => HOW_TO_CHOOSE.to_owned(),
        };
        let when = credential.expires_at.as_deref().map(|at| format!(" on {at}")).unwrap_or_default();
        return Err(TokenError::Usage(format!(
            "the telephony credential {id} expired{when} and can no longer log in; {fix}"
        )));
    }
    Ok(credential)
}

/// The newest credential of the connection `given` names that has not expired, or
/// with `create` a new one when there is none; and whether it was made now.
async fn credential_of_connection(
    client: &Client,
    given: &str,
    create: bool,
    now: SystemTime,
) -> Result<(TelephonyCredential, bool), TokenError> {
    let given = given.trim();
    if given.is_empty() {
        return Err(TokenError::Usage(format!(
            "--connection needs a connection's id or exact name; {HOW_TO_CHOOSE}"
        )));
    }
    // Which connection the name means is `setup`'s and `doctor`'s rule too.
    let connection = match find_connection(client, given).await? {
        Recognised::Found(connection) => connection,
        Recognised::Missing => {
            return Err(TokenError::NotFound(
                format!(
                    "no credential connection has the id or the exact name {given:?}; \
                     `telnyx-setup inspect` lists them"
                ),
                None,
            ));
        }
        Recognised::Ambiguous(named) => {
            let ids: Vec<&str> = named.iter().map(|c| c.id.as_str()).collect();
            return Err(TokenError::Usage(format!(
                "--connection {given:?}: {} credential connections have this name ({}); give one of their ids",
                ids.len(),
                ids.join(", ")
            )));
        }
    };
    let mut usable = Vec::new();
    let mut page = 1;
    loop {
        let filter = TelephonyCredentialFilter {
            resource_id: Some(format!("connection:{}", connection.id)),
            tag: None,
        };
        let found = client
            .list_telephony_credentials(PageRequest { number: Some(page), size: Some(250) }, &filter)
            .await?;
        let last = found.data.is_empty() || page >= found.meta.total_pages;
        usable.extend(found.data.into_iter().filter(|c| !is_expired(c, now)));
        if last {
            break;
        }
        page += 1;
    }
    // The newest, as `setup` keeps it when no credential is named.
    if let Some(credential) = crate::setup::newest(usable) {
        return Ok((credential, false));
    }
    if !create {
        return Err(TokenError::Usage(format!(
            "the connection {} ({}) has no telephony credential that has not expired; make one with \
             `telnyx-setup token --connection {} --create` (or in the wizard's step 7)",
            connection.id, connection.connection_name, connection.id
        )));
    }
    let body = crate::api::NewTelephonyCredential {
        connection_id: connection.id.clone(),
        name: Some(format!("WebRTC login for {}", connection.connection_name)),
        tag: Some(DEFAULT_TAG.to_owned()),
        expires_at: None,
    };
    match execute(client, Request::CreateCredential { body, known: None, first_try: false }).await? {
        Reply::CredentialCreated(credential) => Ok((credential, true)),
        other => Err(unexpected("CreateCredential", &other)),
    }
}

/// `--login-test`: logs in with the token just made at `url`; a refusal is tried again
/// for a few seconds when the credential is new (made by this run, or moments before),
/// and stderr says so at each new try.
pub async fn login_test(
    url: &crate::signaling::SignalingUrl,
    issued: &Issued,
) -> crate::signaling::LoginTest {
    use crate::signaling::{self, Login, PROPAGATION_WAITS};
    let new = issued.created
        || signaling::is_new_credential(issued.credential_created_at.as_deref(), SystemTime::now());
    let waits = if new { PROPAGATION_WAITS } else { &[] };
    let told = |notice| eprintln!("telnyx-setup token: {}", signaling::retry_line(&notice));
    let login = Login::Token(issued.token.clone());
    signaling::test_login_patiently(url, &login, signaling::LOGIN_TIMEOUT, waits, &told).await
}

/// The login test's line on stderr: passed, or failed with what to do.
fn report_login_test(test: &crate::signaling::LoginTest) {
    let reason = test.reason();
    let reason = crate::sanitize::escape_controls(&reason);
    match test.outcome.fix() {
        None => eprintln!("telnyx-setup token: login test passed: {reason}"),
        Some(fix) => eprintln!("telnyx-setup token: login test FAILED: {reason} {fix}"),
    }
}

/// An answer that does not fit the request (a bug of the worker's), reported as an
/// unreadable answer rather than a panic.
fn unexpected(request: &str, reply: &Reply) -> TokenError {
    TokenError::Api(ApiError::Decode(format!("{request} answered {reply:?}")))
}

#[derive(clap::Args, Debug)]
#[command(group = clap::ArgGroup::new("output").args(["json", "env", "copy"]))]
pub struct TokenArgs {
    /// The telephony credential's id (a UUID)
    #[arg(long, value_name = "ID", conflicts_with = "connection")]
    credential: Option<String>,
    /// A credential connection's id or exact name: its newest credential that has not
    /// expired is used
    #[arg(long, value_name = "ID|NAME")]
    connection: Option<String>,
    /// With --connection: make a credential (tagged telnyx-setup, like the wizard's)
    /// when the connection has none that has not expired
    #[arg(long, requires = "connection")]
    create: bool,
    /// Print {"token", "expires_at", "credential_id", "connection_id"} instead; an error
    /// too is JSON on stdout, {"error": {"code", "title", "detail", "request_id"}}
    #[arg(long)]
    json: bool,
    /// Print TELNYX_LOGIN_TOKEN=<token>, for `eval` or an env file
    #[arg(long)]
    env: bool,
    /// Copy the token to the clipboard instead of printing it (stderr says so)
    #[arg(long)]
    copy: bool,
    /// Also log in with the token as the WebRTC SDK does (a device registers for a
    /// moment): stderr says how it went (with --json, "login_test" does), exit 1 if it
    /// failed. A credential made moments ago may be refused while it propagates, so a
    /// refusal is then tried again for a few seconds, and stderr says so
    #[arg(long)]
    login_test: bool,
}

/// Where an OSC 52 copy would go when the process has no terminal: every write fails.
struct NoTerminalWriter(String);

impl std::io::Write for NoTerminalWriter {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other(format!("no terminal to send the copy to ({})", self.0)))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// `token`: prints a fresh login token (or copies it); exit 0, or 2 with the reason
/// on stderr and nothing on stdout.
impl TokenArgs {
    /// Prints the token, or copies it.
    pub async fn run(&self, cli: &crate::cli::Cli) -> ExitCode {
        let args = self;
        use crate::cli::problem::Problem;
        use crate::cli::{USAGE_ERROR, connect, signaling_target};
        let issued = async {
            let choice = match (&args.credential, &args.connection) {
                (Some(id), _) => Choice::Credential(id.clone()),
                (None, Some(given)) => Choice::Connection { given: given.clone(), create: args.create },
                (None, None) => Choice::Last(crate::journal::path()),
            };
            let (client, sandbox) = connect(cli, "token", false).await?;
            // Where the login test logs in is checked before anything is sent.
            let signaling = match args.login_test {
                true => {
                    Some(signaling_target(cli, client.base()).map_err(|e| Problem::usage(e).of("token"))?)
                }
                false => None,
            };
            let issued =
                issue(&client, choice, std::time::SystemTime::now()).await.map_err(|error| match error {
                    TokenError::Usage(message) => Problem::usage(message).of("token"),
                    TokenError::NotFound(message, request_id) => {
                        Problem { request_id, ..Problem::new("token", "not_found", message) }
                    }
                    TokenError::Api(error) => Problem::api_of("token", &error),
                })?;
            // The sandbox of --demo lives until the login test is done.
            let tested = match signaling {
                Some(url) => Some(login_test(&url, &issued).await),
                None => None,
            };
            drop(sandbox);
            Ok::<_, Problem>((issued, tested))
        };
        let (issued, tested) = match issued.await {
            Ok(issued) => issued,
            // Under --json a failure is JSON on stdout, as every command's is; else a
            // line on stderr, and stdout stays the token's alone.
            Err(problem) => return problem.report(args.json),
        };
        // A failed login test is a failed check (exit 1), once the token is out.
        let verdict = match &tested {
            Some(test) if !test.passed() => ExitCode::FAILURE,
            _ => ExitCode::SUCCESS,
        };
        if let Some(test) = tested.as_ref().filter(|_| !args.json) {
            report_login_test(test);
        }
        if args.copy {
            // OSC 52 goes to the controlling terminal, never to stderr, which may be a
            // file: without a terminal (and a system clipboard) the copy fails instead.
            let terminal: Box<dyn std::io::Write + Send> =
                match std::fs::OpenOptions::new().write(true).open("/dev/tty") {
                    Ok(tty) => Box::new(tty),
                    Err(error) => Box::new(NoTerminalWriter(error.to_string())),
                };
            use crate::clipboard::{Clipboard, CopyMethod, SystemClipboard};
            return match SystemClipboard::new(terminal).copy_secret(issued.token.expose()) {
                Ok(method) => {
                    let how = match method {
                        CopyMethod::System { kept_after_exit: true } => "copied the login token to the system clipboard".to_owned(),
                        CopyMethod::SystemUntil { cleared_after } => format!(
                            "copied the login token to the system clipboard; {}",
                            crate::clipboard::cleared_text(cleared_after)
                        ),
                        CopyMethod::System { kept_after_exit: false } => {
                            "copied the login token to the system clipboard (it lasted only while this command ran: install xclip to keep it)".to_owned()
                        }
                        CopyMethod::Osc52 => format!(
                            "sent the login token to the terminal's clipboard (an OSC 52 request); {}",
                            crate::clipboard::OSC52_CHECK
                        ),
                    };
                    eprintln!("telnyx-setup token: {how}");
                    verdict
                }
                Err(error) => {
                    eprintln!("telnyx-setup token: {error}; run it without --copy to print the token");
                    ExitCode::from(USAGE_ERROR)
                }
            };
        }
        let text = if args.json {
            let mut json = issued.to_json();
            if let Some(test) = &tested {
                json["login_test"] = serde_json::json!({
                    "passed": test.passed(),
                    "reason": test.reason(),
                    "fix": test.outcome.fix(),
                    "retried": test.retried,
                });
            }
            format!("{json:#}\n")
        } else if args.env {
            issued.env_line()
        } else {
            format!("{}\n", issued.token.expose())
        };
        match output::print(&text) {
            Ok(_) => verdict,
            Err(error) => {
                eprintln!("telnyx-setup token: cannot print the token: {error}");
                ExitCode::from(USAGE_ERROR)
            }
        }
    }
}
