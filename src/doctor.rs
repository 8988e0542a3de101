//! The WebRTC doctor: checks a credential connection for every known cause of "my
//! WebRTC client cannot call" and explains each as pass, warn or fail, with the fix.
//!
//! [`gather`] reads the facts from the API (GETs, the registration-status action, and a
//! trial token); [`diagnose`] turns them into a [`Report`] without I/O, so every rule is
//! tested on plain data. `telnyx-setup doctor` prints the report or its JSON. With
//! `--login-test`, [`test_login`] also logs in as the WebRTC SDK does (the `login`
//! check); never without it, since a login registers a device.

use crate::api::{
    ApiError, Balance, Client, CredentialConnection, OutboundVoiceProfile, PageRequest, PhoneNumber,
    PhoneNumberFilter, RegistrationStatus, TelephonyCredential, TelephonyCredentialFilter,
};
use crate::countries;
use crate::phone::is_e164;
use crate::sanitize::Escaped;
use crate::signaling::{self, Login, LoginTest, SignalingUrl};
use serde::Serialize;
use std::fmt;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

/// One finding: what was checked, how it went, why, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A stable name for scripts (`connection`, `outbound_profile`, ...).
    pub id: &'static str,
    pub verdict: Verdict,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub connection_id: String,
    /// No check failed.
    pub ok: bool,
    pub checks: Vec<Check>,
}

/// What the API says about a connection and everything it depends on. `None` where a
/// fact could not be looked up because an earlier one was missing.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub connection_id: String,
    /// `None` when Telnyx has no such credential connection (404).
    pub connection: Option<CredentialConnection>,
    /// `Some(None)`: the connection names a profile that does not exist.
    pub profile: Option<Option<OutboundVoiceProfile>>,
    pub numbers: Vec<PhoneNumber>,
    /// How many numbers the connection has in all (`numbers` holds the first page).
    pub numbers_total: u64,
    pub credentials: Vec<TelephonyCredential>,
    /// Generating a token for the first usable credential: `None` when there was none.
    pub token: Option<Result<(), ApiError>>,
    /// `None` when it was not read: no connection, or the key was refused it.
    pub registration: Option<RegistrationStatus>,
    /// The number the user wants to call, as given (`+4930...`).
    pub destination: Option<String>,
    /// The login test, when asked for ([`test_login`]).
    pub login: Option<LoginCheck>,
    /// The account's balance: `None` when it was not read.
    pub balance: Option<Balance>,
    /// The reads the key was refused (403, Telnyx's 10010), as `GET /telephony_credentials`:
    /// the facts they would give are missing, and the checks that need them left out.
    pub denied: Vec<Denied>,
    /// Whether the caller ID the connection presents (`outbound.ani_override`) is an
    /// active number of this account: `None` when it sets none, or one not in E.164.
    pub caller_id_owned: Option<bool>,
}

/// A read the key was refused for want of permission (403): which, and Telnyx's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    /// The endpoint, as [`Facts::denied`] names it: one of the `*_READ` constants.
    pub read: &'static str,
    /// Telnyx's error code (`10010`), when the answer gave one.
    pub code: Option<String>,
}

/// The reads whose refusal is a finding, as [`Facts::denied`] names them. The
/// connection's own (by id, or the list by name) leaves nothing else to check.
const CONNECTION_READ: &str = "GET /credential_connections";
const CREDENTIALS_READ: &str = "GET /telephony_credentials";
const PROFILE_READ: &str = "GET /outbound_voice_profiles";
const NUMBERS_READ: &str = "GET /phone_numbers";
const REGISTRATION_READ: &str = "POST /credential_connections/{id}/actions/check_registration_status";

/// A read whose refusal for want of permission (403, whatever its code) is a finding,
/// not an error: `Ok(Err(denied))` then.
async fn permitted<T>(
    read: &'static str,
    future: impl Future<Output = Result<T, ApiError>>,
) -> Result<Result<T, Denied>, ApiError> {
    match future.await {
        Ok(value) => Ok(Ok(value)),
        Err(error @ ApiError::Forbidden(_)) => {
            let code = error.errors().iter().find_map(|e| e.code.clone());
            Ok(Err(Denied { read, code }))
        }
        Err(error) => Err(error),
    }
}

/// [`permitted`] for a read whose refusal is left unsaid (the balance: its own check
/// is simply not made).
async fn permitted_quietly<T>(
    future: impl Future<Output = Result<T, ApiError>>,
) -> Result<Option<T>, ApiError> {
    Ok(permitted("", future).await?.ok())
}

/// What the login test did.
#[derive(Debug, Clone)]
pub enum LoginCheck {
    /// No credential of the connection is valid: there is no token to log in with.
    NoCredential,
    /// A fresh token of `credential` (its SIP user name) could not be made.
    Token { credential: String, error: ApiError },
    /// It logged in, or tried, with a fresh token of `credential`.
    Ran { credential: String, test: LoginTest },
}

/// The login test: makes a fresh token from the connection's newest valid telephony
/// credential and logs in with it at `url` within `timeout`, as the SDK does; a new
/// credential's refusal is tried again for a few seconds, `on_retry` told of each
/// ([`signaling::test_login_patiently`]). Its failures are findings (the `login`
/// check), not errors.
pub async fn test_login(
    client: &Client,
    facts: &mut Facts,
    url: &SignalingUrl,
    timeout: Duration,
    on_retry: &(dyn Fn(crate::api::RetryNotice) + Send + Sync),
) {
    if facts.connection.is_none() {
        return;
    }
    // Newest by `created_at` (ISO 8601 sorts as text); among equals, the later listed.
    let newest = facts
        .credentials
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.expired)
        .max_by(|(i, a), (j, b)| a.created_at.cmp(&b.created_at).then(i.cmp(j)))
        .map(|(_, c)| c);
    let Some(credential) = newest else {
        facts.login = Some(LoginCheck::NoCredential);
        return;
    };
    let name = credential.sip_username.clone();
    // A credential made moments ago may be refused while it propagates: tried again then.
    let new = signaling::is_new_credential(credential.created_at.as_deref(), std::time::SystemTime::now());
    let waits = if new { signaling::PROPAGATION_WAITS } else { &[] };
    facts.login = Some(match client.create_token(&credential.id).await {
        Err(error) => LoginCheck::Token { credential: name, error },
        Ok(token) => {
            let test =
                signaling::test_login_patiently(url, &Login::Token(token), timeout, waits, on_retry).await;
            LoginCheck::Ran { credential: name, test }
        }
    });
}

/// Reads every fact the checks need. A connection Telnyx does not know is a finding,
/// not an error; any other API failure is returned, since the report would be wrong.
/// `trial_token` generates a token to prove it can be done; without it nothing but reads
/// (and the registration-status action) is sent.
pub async fn gather(
    client: &Client,
    connection_id: &str,
    destination: Option<&str>,
    trial_token: bool,
) -> Result<Facts, ApiError> {
    let connection = match client.credential_connection(connection_id).await {
        Ok(connection) => Some(connection),
        Err(ApiError::NotFound(_)) => None,
        Err(error) => return Err(error),
    };
    gather_for(client, connection_id, connection, destination, trial_token).await
}

/// The facts when the key was refused the connection's own read (`refused`, a 403):
/// nothing else can be looked at, and the report says which read and the fix.
pub fn connection_refused(given: &str, refused: &ApiError, destination: Option<&str>) -> Facts {
    let code = refused.errors().iter().find_map(|e| e.code.clone());
    Facts {
        connection_id: given.to_owned(),
        destination: destination.map(str::to_owned),
        denied: vec![Denied { read: CONNECTION_READ, code }],
        ..Facts::default()
    }
}

/// [`gather`] for a connection already read (`None`: there is none by the name or id
/// `given`, which the report then names).
pub async fn gather_for(
    client: &Client,
    given: &str,
    connection: Option<CredentialConnection>,
    destination: Option<&str>,
    trial_token: bool,
) -> Result<Facts, ApiError> {
    let Some(connection) = connection else {
        return Ok(Facts {
            connection_id: given.to_owned(),
            destination: destination.map(str::to_owned),
            ..Facts::default()
        });
    };
    let profile = async {
        let Some(profile_id) = &connection.outbound.outbound_voice_profile_id else { return Ok(None) };
        match client.outbound_voice_profile(profile_id).await {
            Ok(profile) => Ok(Some(Some(profile))),
            Err(ApiError::NotFound(_)) => Ok(Some(None)),
            Err(error) => Err(error),
        }
    };
    let credentials = async {
        let filter = TelephonyCredentialFilter {
            resource_id: Some(format!("connection:{}", connection.id)),
            tag: None,
        };
        Ok(client.list_telephony_credentials(PageRequest::first(250), &filter).await?.data)
    };
    let connection = connection.clone();
    let balance = permitted_quietly(client.balance());
    facts_of(client, given, connection, profile, credentials, balance, destination, trial_token).await
}

/// The facts of `connection`, with every read at once: one round trip for all of them
/// (the trial token follows the credentials it is made from). `profile` and
/// `credentials` are the caller's: read for this connection alone, or taken from the
/// account's lists read once for every connection (`doctor --all`).
#[allow(clippy::too_many_arguments)]
async fn facts_of(
    client: &Client,
    given: &str,
    connection: CredentialConnection,
    profile: impl Future<Output = Result<Option<Option<OutboundVoiceProfile>>, ApiError>>,
    credentials: impl Future<Output = Result<Vec<TelephonyCredential>, ApiError>>,
    balance: impl Future<Output = Result<Option<Balance>, ApiError>>,
    destination: Option<&str>,
    trial_token: bool,
) -> Result<Facts, ApiError> {
    let filter = PhoneNumberFilter { connection_id: Some(connection.id.clone()), phone_number: None };
    let numbers = permitted(NUMBERS_READ, client.list_phone_numbers(PageRequest::first(250), &filter));
    let profile = permitted(PROFILE_READ, profile);
    let credentials = async {
        let credentials = match permitted(CREDENTIALS_READ, credentials).await? {
            Ok(credentials) => credentials,
            Err(denied) => return Ok((Err(denied), None)),
        };
        let token = match credentials.iter().find(|c| !c.expired).filter(|_| trial_token) {
            Some(usable) => Some(client.create_token(&usable.id).await.map(|_| ())),
            None => None,
        };
        Ok::<_, ApiError>((Ok(credentials), token))
    };
    let registration = permitted(REGISTRATION_READ, client.check_registration_status(&connection.id));
    // The caller ID the connection presents: owned, and active, if a search by its
    // digits finds it among the account's numbers.
    let caller_id = async {
        let Some(ani) = presented_caller_id(&connection).filter(|ani| is_e164(ani)) else { return Ok(None) };
        let filter = PhoneNumberFilter {
            connection_id: None,
            phone_number: Some(ani.trim_start_matches('+').to_owned()),
        };
        let found =
            permitted(NUMBERS_READ, client.list_phone_numbers(PageRequest::first(250), &filter)).await?;
        // A refused search is the numbers' refusal, said once.
        Ok(found.ok().map(|found| found.data.iter().any(|n| n.phone_number == ani && n.status == "active")))
    };
    let (profile, numbers, (credentials, token), registration, balance, caller_id_owned) =
        futures::try_join!(profile, numbers, credentials, registration, balance, caller_id)?;
    let refused = [profile.as_ref().err(), numbers.as_ref().err(), credentials.as_ref().err()];
    let denied: Vec<Denied> =
        refused.into_iter().chain([registration.as_ref().err()]).flatten().cloned().collect();
    let numbers = numbers.ok();
    Ok(Facts {
        connection_id: given.to_owned(),
        profile: profile.unwrap_or(None),
        numbers_total: numbers.as_ref().map_or(0, |n| n.meta.total_results.max(n.data.len() as u64)),
        numbers: numbers.map(|n| n.data).unwrap_or_default(),
        credentials: credentials.unwrap_or_default(),
        token,
        registration: registration.ok(),
        destination: destination.map(str::to_owned),
        connection: Some(connection),
        login: None,
        balance,
        denied,
        caller_id_owned,
    })
}

/// Connections `doctor --all` checks at once: enough to hide the round trips of a
/// dozen connections, few enough to stay well inside an account's rate limit.
pub const ALL_AT_ONCE: usize = 4;

/// The facts of every credential connection of the account, [`ALL_AT_ONCE`] at a
/// time, in the API's order. The lists the checks share (connections, profiles,
/// telephony credentials) are read once, every page; each connection then needs only
/// its own reads (numbers, registration, the trial token). Every other read's refusal
/// (403) is a finding in the facts, so a `Forbidden` error is the connections' list's.
pub async fn gather_all(
    client: &Client,
    destination: Option<&str>,
    trial_token: bool,
) -> Result<Vec<Facts>, ApiError> {
    use futures::{StreamExt, TryStreamExt};
    let any = TelephonyCredentialFilter::default();
    let (connections, profiles, credentials, balance) = futures::try_join!(
        every_page(|page| client.list_credential_connections(page, None)),
        refusal_kept(every_page(|page| client.list_outbound_voice_profiles(page, None))),
        refusal_kept(every_page(|page| client.list_telephony_credentials(page, &any))),
        permitted_quietly(client.balance()),
    )?;
    let (profiles, credentials, balance) = (&profiles, &credentials, &balance);
    futures::stream::iter(connections)
        .map(|connection| async move {
            // A refused list is refused again for each connection: the finding is its.
            let profile = match (profiles, &connection.outbound.outbound_voice_profile_id) {
                (_, None) => Ok(None),
                (Ok(profiles), Some(id)) => Ok(Some(profiles.iter().find(|p| &p.id == id).cloned())),
                (Err(refused), Some(_)) => Err(refused.clone()),
            };
            let resource = format!("connection:{}", connection.id);
            let own = match credentials {
                Ok(all) => {
                    Ok(all.iter().filter(|c| c.resource_id.as_deref() == Some(&resource)).cloned().collect())
                }
                Err(refused) => Err(refused.clone()),
            };
            let given = connection.id.clone();
            let (profile, own, balance) = (async { profile }, async { own }, async { Ok(balance.clone()) });
            facts_of(client, &given, connection, profile, own, balance, destination, trial_token).await
        })
        .buffered(ALL_AT_ONCE)
        .try_collect()
        .await
}

/// A read whose refusal (403) is kept to be found again by each connection's facts
/// ([`permitted`] then makes it a finding); any other failure stops `doctor --all`.
async fn refusal_kept<T>(
    future: impl Future<Output = Result<T, ApiError>>,
) -> Result<Result<T, ApiError>, ApiError> {
    match future.await {
        Err(error) if !matches!(error, ApiError::Forbidden(_)) => Err(error),
        read => Ok(read),
    }
}

/// Every record of a collection: the first page of 250, then the rest several at a time.
async fn every_page<T, F, Fut>(read: F) -> Result<Vec<T>, ApiError>
where
    F: Fn(PageRequest) -> Fut,
    Fut: Future<Output = Result<crate::api::Page<T>, ApiError>>,
{
    use futures::{StreamExt, TryStreamExt};
    let first = read(PageRequest::first(250)).await?;
    let pages = first.meta.total_pages;
    let mut all = first.data;
    let rest: Vec<_> = futures::stream::iter(2..=pages)
        .map(|number| read(PageRequest { number: Some(number), size: Some(250) }))
        .buffered(crate::api::PARALLEL_PAGES as usize)
        .try_collect()
        .await?;
    all.extend(rest.into_iter().flat_map(|page| page.data));
    Ok(all)
}

/// Why a `--destination` cannot be checked. Display says what is wrong; every one is
/// followed, where shown, by [`DESTINATION_EXAMPLE`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDestination {
    #[error("{given:?} is not a phone number")]
    NotANumber { given: String },
    /// Digits with no `+`: what the user most likely meant is `+` and those digits.
    #[error("{given} has no + and country code; if it is an international number, write +{digits}")]
    NoPlus { given: String, digits: String },
    /// `00` is the international prefix of many countries; E.164 writes it as `+`.
    #[error("{given} starts with the dialling prefix 00; in E.164 that is +, so write +{digits}")]
    DiallingPrefix { given: String, digits: String },
    #[error("{given} has {digits} digits; an E.164 number has 4 to 15 after the +")]
    Length { given: String, digits: usize },
    /// Well formed, but no country has that calling code.
    #[error("{given} starts with an unknown country code: no country's calling code is {tried}")]
    UnknownCountryCode { given: String, tried: String },
}

/// The right form of a destination, shown after every [`BadDestination`].
pub const DESTINATION_EXAMPLE: &str =
    "E.164 is + then the country code and the number, e.g. +14155550123 (US) or +4915112345678 (DE)";

/// Reads a destination number as E.164 (`+` and 4 to 15 digits, starting with a
/// country's calling code), after dropping the spaces, dashes, dots and parentheses
/// people write numbers with. Returns it as `+digits`.
pub fn parse_destination(given: &str) -> Result<String, BadDestination> {
    let given = given.trim();
    let compact: String = given.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let not_a_number = || BadDestination::NotANumber { given: given.to_owned() };
    let all_digits = |text: &str| !text.is_empty() && text.chars().all(|c| c.is_ascii_digit());
    let digits = match compact.strip_prefix('+') {
        Some(digits) if all_digits(digits) => digits,
        Some(_) => return Err(not_a_number()),
        None if !all_digits(&compact) => return Err(not_a_number()),
        None => {
            return Err(match compact.strip_prefix("00") {
                Some(rest) if !rest.is_empty() => {
                    BadDestination::DiallingPrefix { given: given.to_owned(), digits: rest.to_owned() }
                }
                _ => BadDestination::NoPlus { given: given.to_owned(), digits: compact.clone() },
            });
        }
    };
    if !(4..=15).contains(&digits.len()) {
        return Err(BadDestination::Length { given: given.to_owned(), digits: digits.len() });
    }
    let e164 = format!("+{digits}");
    if countries_of(&e164).is_empty() {
        let tried: Vec<String> = (1..=3).map(|len| format!("+{}", &digits[..len])).collect();
        return Err(BadDestination::UnknownCountryCode { given: given.to_owned(), tried: tried.join(", ") });
    }
    Ok(e164)
}

fn check(id: &'static str, verdict: Verdict, reason: impl Into<String>, fix: Option<&str>) -> Check {
    Check { id, verdict, reason: reason.into(), fix: fix.map(str::to_owned) }
}

/// Applies every rule to the facts.
pub fn diagnose(facts: &Facts) -> Report {
    use Verdict::{Fail, Pass, Warn};
    let mut checks = Vec::new();
    let Some(connection) = &facts.connection else {
        // Refused the connection's read: whether it exists is unknown, and so is the rest.
        if !facts.denied.is_empty() {
            checks.push(permissions_check(&facts.denied));
            return Report { connection_id: facts.connection_id.clone(), ok: false, checks };
        }
        checks.push(check(
            "connection",
            Fail,
            format!(
                "No credential connection has the id or the name “{}”. WebRTC needs a credential connection; IP and FQDN connections do not take WebRTC logins.",
                facts.connection_id
            ),
            Some("Check the id in the portal (Voice > SIP Connections), or run the wizard to create one."),
        ));
        return Report { connection_id: facts.connection_id.clone(), ok: false, checks };
    };
    checks.push(if !connection.active {
        check(
            "connection",
            Fail,
            format!("“{}” exists but is inactive, so it takes no calls.", connection.connection_name),
            Some("Set the connection active in the portal or with PATCH {\"active\": true}."),
        )
    } else {
        check(
            "connection",
            Pass,
            format!("“{}” is an active credential connection.", connection.connection_name),
            None,
        )
    });

    if let Some(balance) = &facts.balance {
        checks.push(balance_check(balance));
    }
    if !facts.denied.is_empty() {
        checks.push(permissions_check(&facts.denied));
    }
    let refused = |read: &str| facts.denied.iter().any(|denied| denied.read == read);

    // Without the profile's read there is nothing to say of it: the permissions
    // finding names what was left out.
    if !refused(PROFILE_READ) {
        checks.push(match &facts.profile {
            None => check(
                "outbound_profile",
                Fail,
                "The connection has no outbound voice profile: outbound calls fail (D38).",
                Some("Attach an outbound voice profile (wizard step 4)."),
            ),
            Some(None) => check(
                "outbound_profile",
                Fail,
                "The connection names an outbound voice profile that no longer exists (D38).",
                Some("Attach an existing outbound voice profile (wizard step 4)."),
            ),
            Some(Some(profile)) if profile.enabled == Some(false) => check(
                "outbound_profile",
                Fail,
                format!(
                    "The outbound voice profile “{}” is disabled: outbound calls fail (D38).",
                    profile.name
                ),
                Some("Enable the profile in the portal (Voice > Outbound Voice Profiles)."),
            ),
            Some(Some(profile)) => check(
                "outbound_profile",
                Pass,
                format!("Outbound voice profile “{}” is enabled.", profile.name),
                None,
            ),
        });
    }

    if let Some(Some(profile)) = &facts.profile {
        checks.push(destinations(profile, facts.destination.as_deref()));
        checks.extend(profile_limits(profile, time::OffsetDateTime::now_utc()));
    }

    let codecs = &connection.inbound.codecs;
    checks.push(if codecs.iter().any(|c| c == "VP8") {
        let mut reason = format!("Codecs: {}. VP8 is on for browser video.", codecs.join(", "));
        if codecs.iter().any(|c| c == "OPUS" || c == "H.264") {
            reason.push_str(" OPUS and H.264 need a TCP or TLS SIP transport.");
        }
        check("codecs", Pass, reason, None)
    } else {
        check(
            "codecs",
            Warn,
            format!("Codecs: {}. Without VP8, video calls from browsers fail.", codecs.join(", ")),
            Some("Add VP8 to the inbound codecs (wizard step 3)."),
        )
    });

    let numbers_read = !refused(NUMBERS_READ);
    if numbers_read {
        checks.push(if facts.numbers.is_empty() {
        check(
            "numbers",
            Warn,
            "No phone number is assigned: the connection cannot be called from ordinary phones.",
            Some("Buy and assign a number (wizard step 6) if inbound PSTN calls are wanted."),
        )
    } else {
        let shown: Vec<&str> = facts.numbers.iter().take(3).map(|n| n.phone_number.as_str()).collect();
        let more = facts.numbers_total.max(facts.numbers.len() as u64) - shown.len() as u64;
        let list = if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") };
        check(
            "numbers",
            Pass,
            format!(
                "Assigned: {list}. Calls to them ring clients logged in with the SIP user name and password, not token logins."
            ),
            None,
        )
    });
    }

    checks.extend(caller_id_check(connection, facts, numbers_read));
    checks.push(push_check(connection));

    let credentials_read = !refused(CREDENTIALS_READ);
    let usable = facts.credentials.iter().filter(|c| !c.expired).count();
    if credentials_read {
        checks.push(match (facts.credentials.len(), usable) {
        (0, _) => check(
            "credentials",
            Warn,
            "No on-demand credential exists, so no login token can be made (SIP user name and password logins still work).",
            Some("Create a telephony credential (wizard step 7)."),
        ),
        (all, 0) => check(
            "credentials",
            Fail,
            format!("All {all} on-demand credentials have expired: token logins fail."),
            Some("Create a new telephony credential (wizard step 7)."),
        ),
        (all, usable) => check("credentials", Pass, format!("{usable} of {all} on-demand credentials are valid."), None),
    });
        if usable > 0 {
            checks.push(sip_uri_check(connection));
            checks.push(token_life_check(&facts.credentials, time::OffsetDateTime::now_utc()));
        }
    }
    if let Some(token) = &facts.token {
        checks.push(match token {
            Ok(()) => check("token", Pass, "A login token can be generated.", None),
            Err(error) => check(
                "token",
                Fail,
                format!("Generating a login token failed: {error}"),
                Some("Create a new telephony credential (wizard step 7) and try again."),
            ),
        });
    }

    if let Some(registration) = &facts.registration {
        let status = registration.status.as_str();
        let transport = registration.transport.as_deref().unwrap_or("").to_ascii_uppercase();
        let needs_stream: Vec<&str> = ["OPUS", "H.264"]
            .into_iter()
            .filter(|codec| connection.inbound.codecs.iter().any(|c| c == codec))
            .collect();
        checks.push(match status {
            "Registered" if transport == "UDP" && !needs_stream.is_empty() => check(
                "registration",
                Warn,
                format!(
                    "A device is registered over UDP while {} {} on: Telnyx offers those over TCP or TLS only, \
                     so calls to this device use the other codecs.",
                    needs_stream.join(" and "),
                    if needs_stream.len() == 1 { "is" } else { "are" }
                ),
                Some("Register the device over TCP or TLS (WebRTC clients always use a secure WebSocket)."),
            ),
            "Registered" => {
                let over = if transport.is_empty() { String::new() } else { format!(" over {transport}") };
                check("registration", Pass, format!("A device is registered now{over}."), None)
            }
            "Failed" | "Expired" => check(
                "registration",
                Warn,
                format!("The last registration is {status}."),
                Some("Check the client's SIP user name, password and transport, then reconnect."),
            ),
            _ => check(
                "registration",
                Warn,
                format!("Registration: {status}. Expected while no client is connected; WebRTC clients register while open."),
                None,
            ),
        });
    }
    if let Some(login) = &facts.login {
        checks.push(login_check(login));
    }
    let ok = checks.iter().all(|c| c.verdict != Fail);
    Report { connection_id: connection.id.clone(), ok, checks }
}

/// The `permissions` check: the reads the key was refused (403), each with what was
/// left out for want of it. FAIL when the refused read is the telephony credentials
/// (a backend with this key cannot make login tokens either), else WARN: the doctor
/// could not look, which says nothing of the calls.
fn permissions_check(denied: &[Denied]) -> Check {
    let said: Vec<String> = denied
        .iter()
        .map(|denied| {
            let code = denied.code.as_deref().map(|code| format!(", code {code}")).unwrap_or_default();
            let (left_out, _) = what_needs(denied.read);
            format!("{} (403{code}), so {left_out}", denied.read)
        })
        .collect();
    let areas: Vec<&str> = denied.iter().map(|denied| what_needs(denied.read).1).collect();
    let verdict = match denied.iter().any(|denied| [CREDENTIALS_READ, CONNECTION_READ].contains(&denied.read))
    {
        true => Verdict::Fail,
        false => Verdict::Warn,
    };
    check(
        "permissions",
        verdict,
        format!("The API key lacks permission for {}.", said.join("; and for ")),
        Some(
            format!(
                "Give the key access to {} (Mission Control > Account settings > Keys & Credentials), or use \
                 an account key, which has every permission.",
                areas.join(" and ")
            )
            .as_str(),
        ),
    )
}

/// What a refused read leaves out, in a clause, and the area of the API it is in.
fn what_needs(read: &str) -> (&'static str, &'static str) {
    match read {
        CONNECTION_READ => {
            ("no check could be made: every one needs the connection", "credential connections")
        }
        CREDENTIALS_READ => {
            ("the credentials, token life and SIP URI checks were left out", "telephony credentials")
        }
        PROFILE_READ => (
            "the outbound profile, destination, calling window and spend limit checks were left out",
            "outbound voice profiles",
        ),
        NUMBERS_READ => ("the numbers and caller ID checks were left out", "phone numbers"),
        REGISTRATION_READ => ("the registration check was left out", "the connection's registration status"),
        _ => ("its checks were left out", "it"),
    }
}

/// The `login` check: PASS with the time it took, FAIL with why and what to do.
fn login_check(login: &LoginCheck) -> Check {
    use Verdict::{Fail, Pass};
    match login {
        LoginCheck::NoCredential => check(
            "login",
            Fail,
            "No valid on-demand credential to make a login token from, so no login was tried.",
            Some("Create a telephony credential (wizard step 7), then run the login test again."),
        ),
        LoginCheck::Token { credential, error } => check(
            "login",
            Fail,
            format!(
                "A login token for credential {credential} could not be made, so no login was tried: {error}"
            ),
            Some("Create a new telephony credential (wizard step 7) and try again."),
        ),
        LoginCheck::Ran { credential, test } => {
            let note = test.retry_note().map(|note| format!(" {note}")).unwrap_or_default();
            let reason = format!(
                "{}, with a fresh token of credential {credential}.{note}",
                test.outcome.reason(&test.url).trim_end_matches('.')
            );
            match test.passed() {
                true => check("login", Pass, reason, None),
                false => check("login", Fail, reason, test.outcome.fix()),
            }
        }
    }
}

/// Whether the profile allows any country, and the destination's in particular.
fn destinations(profile: &OutboundVoiceProfile, destination: Option<&str>) -> Check {
    use Verdict::{Fail, Pass};
    let allowed = &profile.whitelisted_destinations;
    if allowed.is_empty() {
        return check(
            "destinations",
            Fail,
            "The profile allows no destination country: every call is refused (D13).",
            Some("Choose destination countries (wizard step 5)."),
        );
    }
    let Some(number) = destination else {
        return check("destinations", Pass, format!("Calls may go to {}.", allowed.join(", ")), None);
    };
    let candidates = countries_of(number);
    if candidates.is_empty() {
        // The command line refuses such numbers (parse_destination); this is for callers
        // that pass one through.
        let why = match parse_destination(number) {
            Err(bad) => bad.to_string(),
            Ok(_) => format!("{number} belongs to no country"),
        };
        return check(
            "destinations",
            Fail,
            format!("{why}: no profile can allow it."),
            Some(DESTINATION_EXAMPLE),
        );
    }
    match candidates.iter().find(|code| allowed.iter().any(|a| a == *code)) {
        Some(code) => {
            check("destinations", Pass, format!("{number} is in {code}, which the profile allows."), None)
        }
        None => check(
            "destinations",
            Fail,
            format!(
                "{number} is in {}, which the profile does not allow (it allows {}): the call is refused (D13).",
                candidates.join(" or "),
                allowed.join(", ")
            ),
            Some("Add the country to the profile's destinations (wizard step 5)."),
        ),
    }
}

/// The `balance` check: Telnyx refuses calls from an account at or below zero (D19).
fn balance_check(balance: &Balance) -> Check {
    use Verdict::{Fail, Pass};
    let currency = if balance.currency.is_empty() { "USD" } else { balance.currency.as_str() };
    let cents = crate::money::parse_cents(&balance.balance);
    // Credit lets an account go below zero; what it may still spend is its available credit.
    let available = crate::money::parse_cents(&balance.available_credit).or(cents);
    match (cents, available) {
        (Some(cents), Some(available)) if cents <= 0 && available <= 0 => check(
            "balance",
            Fail,
            format!(
                "The balance is {} {currency}: Telnyx refuses the account's calls (D19) and number orders.",
                balance.balance
            ),
            Some(
                "Add funds in the portal (Billing > Add funds); calls work again once the balance is above zero.",
            ),
        ),
        _ => check("balance", Pass, format!("The balance is {} {currency}.", balance.balance), None),
    }
}

/// The caller ID the connection presents on every call (`outbound.ani_override`), if any.
fn presented_caller_id(connection: &CredentialConnection) -> Option<&str> {
    connection.outbound.ani_override.as_deref().map(str::trim).filter(|ani| !ani.is_empty())
}

/// The `caller_id` check: what a client's calls present is E.164 (D35) and a number of
/// this account (D36), and there is something to present at all. Without the numbers'
/// read (`numbers_read` false) only the form of what is presented can be checked.
fn caller_id_check(connection: &CredentialConnection, facts: &Facts, numbers_read: bool) -> Option<Check> {
    use Verdict::{Fail, Pass, Warn};
    let presented = presented_caller_id(connection);
    if !numbers_read && presented.is_none_or(is_e164) {
        return None;
    }
    Some(match presented {
        Some(ani) if !is_e164(ani) => check(
            "caller_id",
            Fail,
            format!(
                "The connection presents {ani:?} as every call's caller ID (ani_override), which is not E.164: \
                 Telnyx refuses the calls (D35)."
            ),
            Some(
                "Set ani_override to one of the account's numbers in E.164 (+ and country code), or clear it.",
            ),
        ),
        Some(ani) if facts.caller_id_owned == Some(false) => check(
            "caller_id",
            Fail,
            format!(
                "The connection presents {ani} as every call's caller ID (ani_override), which is not an active \
                 number of this account: Telnyx refuses the calls (D36)."
            ),
            Some("Set ani_override to a number this account owns, or buy that number (wizard step 6)."),
        ),
        Some(ani) => {
            check("caller_id", Pass, format!("Calls present {ani}, a number of this account."), None)
        }
        None if facts.numbers.is_empty() => check(
            "caller_id",
            Warn,
            "The connection has no number and no ani_override, so a client has no number of the account to \
             present as caller ID: calls whose caller ID is not the account's are refused (D35, D36).",
            Some(
                "Assign a number to the connection (wizard step 6), and have clients present it (callerNumber).",
            ),
        ),
        None => check(
            "caller_id",
            Pass,
            format!(
                "Clients may present {} as caller ID (the SDK's callerNumber, in E.164).",
                facts.numbers[0].phone_number
            ),
            None,
        ),
    })
}

/// The `push` check: without a push credential a closed mobile app is never woken for a call.
fn push_check(connection: &CredentialConnection) -> Check {
    use Verdict::{Pass, Warn};
    let set = |id: &Option<String>| id.as_deref().is_some_and(|id| !id.trim().is_empty());
    let (android, ios) =
        (set(&connection.android_push_credential_id), set(&connection.ios_push_credential_id));
    if !android && !ios {
        return check(
            "push",
            Warn,
            "No iOS or Android push credential is set: a mobile app gets no incoming calls while it is closed \
             (browsers are not affected).",
            Some(
                "Upload a push credential (portal: Voice > SIP Connections > WebRTC > push credentials) and set \
                 ios_push_credential_id / android_push_credential_id on the connection.",
            ),
        );
    }
    let which: Vec<&str> =
        [(android, "Android"), (ios, "iOS")].into_iter().filter(|(on, _)| *on).map(|(_, n)| n).collect();
    check("push", Pass, format!("Push credentials are set for {}.", which.join(" and ")), None)
}

/// The `sip_uri` check: token logins register as `gencred…@sip.telnyx.com` and are
/// reachable only at that SIP URI, which `sip_uri_calling_preference: disabled` closes.
fn sip_uri_check(connection: &CredentialConnection) -> Check {
    use Verdict::{Pass, Warn};
    match connection.sip_uri_calling_preference.as_deref().unwrap_or("disabled") {
        "disabled" => check(
            "sip_uri",
            Warn,
            "SIP URI calling is disabled, so clients logged in with a token (reachable only at their SIP URI) \
             get no incoming calls; outgoing calls still work.",
            Some(
                "Set sip_uri_calling_preference to internal (calls from this account's connections) or \
                 unrestricted (from anywhere): PATCH the connection, or the portal's Inbound settings.",
            ),
        ),
        other => check(
            "sip_uri",
            Pass,
            format!("SIP URI calling is {other}: token logins can be called at their SIP URI."),
            None,
        ),
    }
}

/// A token lives this long unless its credential expires sooner.
const TOKEN_LIFE: time::Duration = time::Duration::hours(24);

/// The `token_life` check: a login token lives 24 hours or until its credential
/// expires, whichever comes first; warn when the credential a token would come from
/// (the newest valid one) expires sooner.
fn token_life_check(credentials: &[TelephonyCredential], now: time::OffsetDateTime) -> Check {
    use Verdict::{Pass, Warn};
    use time::format_description::well_known::Rfc3339;
    let newest = credentials
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.expired)
        .max_by(|(i, a), (j, b)| a.created_at.cmp(&b.created_at).then(i.cmp(j)))
        .map(|(_, c)| c);
    let expires =
        newest.and_then(|c| Some((c, time::OffsetDateTime::parse(c.expires_at.as_deref()?, &Rfc3339).ok()?)));
    match expires {
        Some((credential, at)) if at - now < TOKEN_LIFE => {
            let left = (at - now).max(time::Duration::ZERO);
            check(
                "token_life",
                Warn,
                format!(
                    "Credential {} expires in {} h {} min, so its login tokens stop working then, not 24 hours \
                     after they are made.",
                    credential.sip_username,
                    left.whole_hours(),
                    left.whole_minutes() % 60
                ),
                Some(
                    "Create a credential without an early expires_at (wizard step 7), or renew tokens before it expires.",
                ),
            )
        }
        _ => check("token_life", Pass, "Login tokens live their full 24 hours.", None),
    }
}

/// A time of day as Telnyx writes a calling window's (`08:00:00.00Z`, `20:00`): minutes
/// after midnight, UTC.
fn minute_of_day(text: &str) -> Option<u32> {
    let mut parts = text.trim().trim_end_matches('Z').split(':');
    let hours: u32 = parts.next()?.parse().ok()?;
    let minutes: u32 = parts.next().unwrap_or("0").parse().ok()?;
    (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
}

/// The `calling_window` and `daily_spend_limit` checks, for a profile that sets them:
/// a window that excludes `now` refuses every call until it opens; a daily limit
/// stops calls once reached (the API does not say what was spent today).
fn profile_limits(profile: &OutboundVoiceProfile, now: time::OffsetDateTime) -> Vec<Check> {
    use Verdict::{Fail, Pass};
    let mut checks = Vec::new();
    let window = profile.calling_window.as_ref().and_then(|window| {
        Some((minute_of_day(window.start_time.as_deref()?)?, minute_of_day(window.end_time.as_deref()?)?))
    });
    if let Some((start, end)) = window.filter(|(start, end)| start != end) {
        let at = u32::from(now.hour()) * 60 + u32::from(now.minute());
        // A window may run over midnight (22:00 to 06:00).
        let open = if start < end { (start..end).contains(&at) } else { at >= start || at < end };
        let clock = |minutes: u32| format!("{:02}:{:02}", minutes / 60, minutes % 60);
        let span = format!("{} to {} UTC", clock(start), clock(end));
        checks.push(if open {
            check("calling_window", Pass, format!("Calls are allowed now: the profile's calling window is {span}."), None)
        } else {
            check(
                "calling_window",
                Fail,
                format!(
                    "The profile “{}” allows calls only from {span}, and it is {} UTC: every call is refused \
                     until {}.",
                    profile.name,
                    clock(at),
                    clock(start)
                ),
                Some("Widen or remove the profile's calling_window (portal: Outbound Voice Profiles > Calling window)."),
            )
        });
    }
    if profile.daily_spend_limit_enabled == Some(true) {
        let limit = profile.daily_spend_limit.as_deref().unwrap_or("0.00");
        checks.push(match crate::money::parse_cents(limit) {
            Some(cents) if cents > 0 => check(
                "daily_spend_limit",
                Pass,
                format!("A daily spend limit of {limit} USD applies: once today's calls cost that much, the rest are refused."),
                None,
            ),
            _ => check(
                "daily_spend_limit",
                Fail,
                format!("The profile's daily spend limit is {limit:?} USD, so every call is refused."),
                Some("Raise the profile's daily_spend_limit, or turn daily_spend_limit_enabled off."),
            ),
        });
    }
    checks
}

/// The countries an E.164 number can belong to, by its calling code (+1 is shared by
/// the NANP countries, so it gives several).
pub fn countries_of(e164: &str) -> Vec<String> {
    let Some(digits) = e164.trim().strip_prefix('+') else { return Vec::new() };
    if digits.len() < 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Vec::new();
    }
    // Calling codes are prefix-free: the longest matching one is the code.
    (1..=3)
        .rev()
        .map(|len| &digits[..len])
        .find_map(|code| {
            let found: Vec<String> = countries::all()
                .iter()
                .filter(|c| c.calling_code.to_string() == code)
                .map(|c| c.code.clone())
                .collect();
            (!found.is_empty()).then_some(found)
        })
        .unwrap_or_default()
}

impl fmt::Display for Report {
    /// One line per check: `PASS codecs  Codecs: ...`, then the fix indented. Reasons
    /// quote the account's records (names, numbers, codecs, statuses), so control
    /// characters in them are escaped: this text goes to a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Doctor for credential connection {}", Escaped(&self.connection_id))?;
        for check in &self.checks {
            let label = match check.verdict {
                Verdict::Pass => "PASS",
                Verdict::Warn => "WARN",
                Verdict::Fail => "FAIL",
            };
            writeln!(f, "{label}  {:<17} {}", check.id, Escaped(&check.reason))?;
            if let Some(fix) = &check.fix {
                writeln!(f, "      {:<17} fix: {}", "", Escaped(fix))?;
            }
        }
        let verdict = if self.ok { "No check failed." } else { "Some checks failed." };
        writeln!(f, "{verdict}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_map_to_their_countries() {
        assert!(countries_of("+14155550123").contains(&"US".to_owned()));
        assert!(countries_of("+14155550123").contains(&"CA".to_owned()));
        assert_eq!(countries_of("+493012345678"), ["DE"]);
        assert!(countries_of("+447911123456").contains(&"GB".to_owned()), "+44 is shared with GG, IM, JE");
        assert!(countries_of("4930123456").is_empty(), "no + means no country code");
        assert!(countries_of("+49x").is_empty());
    }

    #[test]
    fn destinations_are_read_as_e164_and_bad_ones_say_what_is_wrong() {
        assert_eq!(parse_destination("+4915112345678").as_deref(), Ok("+4915112345678"));
        assert_eq!(parse_destination(" +1 (415) 555-0123 ").as_deref(), Ok("+14155550123"));
        assert_eq!(parse_destination("+49.151.1234.5678").as_deref(), Ok("+4915112345678"));
        let no_plus = parse_destination("4915112345678").unwrap_err();
        assert!(matches!(no_plus, BadDestination::NoPlus { .. }), "{no_plus:?}");
        assert!(no_plus.to_string().contains("write +4915112345678"), "{no_plus}");
        let prefix = parse_destination("004915112345678").unwrap_err();
        assert!(prefix.to_string().contains("write +4915112345678"), "{prefix}");
        let unknown = parse_destination("+999123").unwrap_err();
        assert!(matches!(unknown, BadDestination::UnknownCountryCode { .. }), "{unknown:?}");
        assert!(unknown.to_string().contains("unknown country code"), "{unknown}");
        assert!(unknown.to_string().contains("+9, +99, +999"), "{unknown}");
        for (bad, why) in [
            ("+49x123456", "a letter"),
            ("", "nothing"),
            ("+", "no digits"),
            ("call me", "words"),
            ("++4915112345678", "two pluses"),
        ] {
            let error = parse_destination(bad).unwrap_err();
            assert!(matches!(error, BadDestination::NotANumber { .. }), "{why}: {error:?}");
        }
        assert!(matches!(parse_destination("+491"), Err(BadDestination::Length { digits: 3, .. })));
        assert!(matches!(
            parse_destination("+4915112345678901"),
            Err(BadDestination::Length { digits: 16, .. })
        ));
    }

    #[test]
    fn a_destination_of_no_country_names_the_unknown_code() {
        let mut facts = healthy_facts();
        facts.destination = Some("+999123".into());
        let report = diagnose(&facts);
        let check = report.checks.iter().find(|c| c.id == "destinations").expect("the check ran");
        assert_eq!(check.verdict, Verdict::Fail);
        assert!(check.reason.contains("unknown country code"), "{}", check.reason);
        assert!(!check.reason.contains("not an international number"), "{}", check.reason);
    }

    #[test]
    fn a_missing_connection_fails_alone() {
        let report = diagnose(&Facts { connection_id: "42".into(), ..Facts::default() });
        assert!(!report.ok);
        assert_eq!(report.checks.len(), 1);
        assert_eq!((report.checks[0].id, report.checks[0].verdict), ("connection", Verdict::Fail));
    }

    fn healthy_facts() -> Facts {
        use crate::api::{ConnectionInbound, ConnectionOutbound};
        Facts {
            connection_id: "7".into(),
            connection: Some(CredentialConnection {
                id: "7".into(),
                connection_name: "Doctor".into(),
                active: true,
                inbound: ConnectionInbound { codecs: vec!["OPUS".into(), "VP8".into()] },
                outbound: ConnectionOutbound {
                    outbound_voice_profile_id: Some("8".into()),
                    ani_override: None,
                },
                ..Default::default()
            }),
            profile: Some(Some(OutboundVoiceProfile {
                id: "8".into(),
                name: "Calls".into(),
                enabled: Some(true),
                whitelisted_destinations: vec!["US".into()],
                ..Default::default()
            })),
            credentials: vec![TelephonyCredential { id: "c".into(), ..Default::default() }],
            token: Some(Ok(())),
            registration: Some(RegistrationStatus { status: "Registered".into(), ..Default::default() }),
            ..Facts::default()
        }
    }

    fn verdict_of(report: &Report, id: &str) -> Verdict {
        report.checks.iter().find(|c| c.id == id).map(|c| c.verdict).expect("the check ran")
    }

    #[test]
    fn a_token_that_cannot_be_generated_fails() {
        let mut facts = healthy_facts();
        assert!(diagnose(&facts).ok);
        assert_eq!(verdict_of(&diagnose(&facts), "registration"), Verdict::Pass);
        facts.token = Some(Err(ApiError::NotFound(vec![].into())));
        let report = diagnose(&facts);
        assert!(!report.ok);
        assert_eq!(verdict_of(&report, "token"), Verdict::Fail);
    }

    #[test]
    fn a_failed_registration_warns_with_a_fix() {
        let mut facts = healthy_facts();
        facts.registration = Some(RegistrationStatus { status: "Failed".into(), ..Default::default() });
        let report = diagnose(&facts);
        assert_eq!(verdict_of(&report, "registration"), Verdict::Warn);
        assert!(report.checks.iter().any(|c| c.id == "registration" && c.fix.is_some()));
    }

    #[test]
    fn a_device_on_udp_with_opus_on_is_warned_about() {
        let mut facts = healthy_facts();
        let udp = |transport: &str| RegistrationStatus {
            status: "Registered".into(),
            transport: Some(transport.into()),
            ..Default::default()
        };
        facts.registration = Some(udp("UDP"));
        let report = diagnose(&facts);
        assert_eq!(verdict_of(&report, "registration"), Verdict::Warn);
        let check = report.checks.iter().find(|c| c.id == "registration").unwrap();
        assert!(check.reason.contains("OPUS") && check.reason.contains("UDP"), "{}", check.reason);
        facts.registration = Some(udp("TLS"));
        assert_eq!(verdict_of(&diagnose(&facts), "registration"), Verdict::Pass);
        // Without OPUS or H.264, UDP is fine.
        facts.registration = Some(udp("udp"));
        if let Some(connection) = &mut facts.connection {
            connection.inbound.codecs = vec!["G722".into(), "VP8".into()];
        }
        assert_eq!(verdict_of(&diagnose(&facts), "registration"), Verdict::Pass);
    }

    #[test]
    fn the_balance_fails_at_zero_unless_credit_remains() {
        let balance = |balance: &str, available: &str| Balance {
            balance: balance.into(),
            available_credit: available.into(),
            currency: "USD".into(),
            ..Default::default()
        };
        let mut facts = healthy_facts();
        facts.balance = Some(balance("0.00", "0.00"));
        assert_eq!(verdict_of(&diagnose(&facts), "balance"), Verdict::Fail);
        facts.balance = Some(balance("-3.50", "-3.50"));
        assert_eq!(verdict_of(&diagnose(&facts), "balance"), Verdict::Fail);
        facts.balance = Some(balance("0.00", "50.00"));
        assert_eq!(verdict_of(&diagnose(&facts), "balance"), Verdict::Pass, "a credit limit still pays");
        facts.balance = Some(balance("0.01", "0.01"));
        assert_eq!(verdict_of(&diagnose(&facts), "balance"), Verdict::Pass);
    }

    #[test]
    fn the_caller_id_must_be_e164_and_the_account_s() {
        let mut facts = healthy_facts();
        let set = |facts: &mut Facts, ani: &str| {
            if let Some(connection) = &mut facts.connection {
                connection.outbound.ani_override = Some(ani.into());
            }
        };
        assert_eq!(verdict_of(&diagnose(&facts), "caller_id"), Verdict::Warn, "nothing to present");
        set(&mut facts, "5550100");
        let report = diagnose(&facts);
        assert_eq!(verdict_of(&report, "caller_id"), Verdict::Fail);
        assert!(report.checks.iter().any(|c| c.id == "caller_id" && c.reason.contains("D35")));
        set(&mut facts, "+14155550100");
        facts.caller_id_owned = Some(false);
        let report = diagnose(&facts);
        assert!(report.checks.iter().any(|c| c.id == "caller_id" && c.reason.contains("D36")), "{report}");
        facts.caller_id_owned = Some(true);
        assert_eq!(verdict_of(&diagnose(&facts), "caller_id"), Verdict::Pass);
        // An empty override is none.
        set(&mut facts, " ");
        facts.numbers = vec![PhoneNumber { phone_number: "+14155550100".into(), ..Default::default() }];
        assert_eq!(verdict_of(&diagnose(&facts), "caller_id"), Verdict::Pass);
    }

    #[test]
    fn a_token_s_life_is_warned_about_when_its_credential_expires_sooner() {
        let now = time::OffsetDateTime::parse(
            "2030-01-01T00:00:00Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let credential = |expires: Option<&str>| TelephonyCredential {
            id: "c".into(),
            sip_username: "gencred1".into(),
            expires_at: expires.map(str::to_owned),
            ..Default::default()
        };
        let verdict = |expires| token_life_check(&[credential(expires)], now).verdict;
        assert_eq!(verdict(None), Verdict::Pass);
        assert_eq!(verdict(Some("2030-01-02T00:00:00Z")), Verdict::Pass, "24 hours exactly is the full life");
        assert_eq!(verdict(Some("2030-01-01T23:59:00Z")), Verdict::Warn);
        let check = token_life_check(&[credential(Some("2030-01-01T02:30:00Z"))], now);
        assert!(check.reason.contains("2 h 30 min"), "{}", check.reason);
        assert_eq!(verdict(Some("not a date")), Verdict::Pass, "an unreadable date says nothing");
    }

    #[test]
    fn a_refused_read_fails_permissions_and_leaves_its_checks_out() {
        let mut facts = healthy_facts();
        facts.denied = vec![Denied { read: CREDENTIALS_READ, code: Some("10010".into()) }];
        facts.credentials.clear();
        facts.token = None;
        let report = diagnose(&facts);
        assert_eq!(verdict_of(&report, "permissions"), Verdict::Fail);
        assert!(!report.ok);
        assert!(
            report.checks.iter().all(|c| !["credentials", "sip_uri", "token_life"].contains(&c.id)),
            "{report}"
        );
    }

    #[test]
    fn a_refused_read_of_the_profile_numbers_or_registration_is_a_warning_naming_it() {
        let mut facts = healthy_facts();
        facts.denied = vec![
            Denied { read: PROFILE_READ, code: Some("10010".into()) },
            Denied { read: NUMBERS_READ, code: None },
        ];
        facts.profile = None;
        facts.numbers.clear();
        let report = diagnose(&facts);
        let found = report.checks.iter().find(|c| c.id == "permissions").unwrap();
        assert_eq!(found.verdict, Verdict::Warn);
        assert!(found.reason.contains("GET /outbound_voice_profiles (403, code 10010)"), "{}", found.reason);
        assert!(found.reason.contains("GET /phone_numbers (403), so the numbers"), "{}", found.reason);
        let fix = found.fix.as_deref().unwrap();
        assert!(
            fix.contains("outbound voice profiles and phone numbers") && fix.contains("account key"),
            "{fix}"
        );
        assert!(report.ok, "{report}");
        assert!(
            report
                .checks
                .iter()
                .all(|c| !["outbound_profile", "destinations", "numbers", "caller_id"].contains(&c.id)),
            "{report}"
        );
        assert!(report.checks.iter().any(|c| c.id == "credentials"), "{report}");
    }

    #[test]
    fn token_logins_need_sip_uri_calling() {
        let mut facts = healthy_facts();
        assert_eq!(verdict_of(&diagnose(&facts), "sip_uri"), Verdict::Warn, "Telnyx's default is disabled");
        for on in ["internal", "unrestricted"] {
            if let Some(connection) = &mut facts.connection {
                connection.sip_uri_calling_preference = Some(on.into());
            }
            assert_eq!(verdict_of(&diagnose(&facts), "sip_uri"), Verdict::Pass);
        }
    }

    #[test]
    fn a_calling_window_that_excludes_now_fails_and_a_spend_limit_is_said() {
        use crate::api::CallingWindow;
        let at = |time: &str| {
            time::OffsetDateTime::parse(
                &format!("2030-01-01T{time}Z"),
                &time::format_description::well_known::Rfc3339,
            )
            .unwrap()
        };
        let mut profile = OutboundVoiceProfile { name: "Calls".into(), ..Default::default() };
        assert!(profile_limits(&profile, at("12:00:00")).is_empty(), "nothing set, nothing said");
        profile.calling_window = Some(CallingWindow {
            start_time: Some("08:00:00.00Z".into()),
            end_time: Some("20:00:00.00Z".into()),
        });
        assert_eq!(profile_limits(&profile, at("12:00:00"))[0].verdict, Verdict::Pass);
        let closed = &profile_limits(&profile, at("21:30:00"))[0];
        assert_eq!(closed.verdict, Verdict::Fail);
        assert!(
            closed.reason.contains("08:00 to 20:00 UTC") && closed.reason.contains("until 08:00"),
            "{}",
            closed.reason
        );
        // Over midnight.
        profile.calling_window = Some(CallingWindow {
            start_time: Some("22:00:00.00Z".into()),
            end_time: Some("06:00:00.00Z".into()),
        });
        assert_eq!(profile_limits(&profile, at("23:00:00"))[0].verdict, Verdict::Pass);
        assert_eq!(profile_limits(&profile, at("05:59:00"))[0].verdict, Verdict::Pass);
        assert_eq!(profile_limits(&profile, at("06:00:00"))[0].verdict, Verdict::Fail);
        profile.calling_window = None;
        profile.daily_spend_limit_enabled = Some(true);
        profile.daily_spend_limit = Some("100.00".into());
        assert_eq!(profile_limits(&profile, at("12:00:00"))[0].verdict, Verdict::Pass);
        profile.daily_spend_limit = Some("0.00".into());
        assert_eq!(profile_limits(&profile, at("12:00:00"))[0].verdict, Verdict::Fail);
    }

    #[test]
    fn a_profile_that_no_longer_exists_fails() {
        let mut facts = healthy_facts();
        facts.profile = Some(None);
        assert_eq!(verdict_of(&diagnose(&facts), "outbound_profile"), Verdict::Fail);
    }
}
