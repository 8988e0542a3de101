//! `telnyx-setup setup`: the wizard's steps from flags, for scripts and CI.
//!
//! Each step decides from GET requests whether it reuses what the account has, or
//! creates or changes something, and then sends the worker's own [`Request`] for it
//! through [`worker::execute`] (so creates keep the wizard's look-before-create safety,
//! and orders their `customer_reference`): there is no second implementation of the
//! steps. A dry run makes the same decisions, sends only the GETs, and prints each
//! write as the curl command [`crate::curl`] renders for its request; an id that only
//! an earlier write would give is a shell variable (`${CONNECTION_ID}`).
//!
//! What counts as "already there" is decided in one place, [`recognise`]: by id, or
//! by exact name, preferring what carries telnyx-setup's [`MARK`].

use crate::api::{
    ApiError, Client, CredentialConnection, CredentialConnectionUpdate, InboundUpdate, MARK,
    NewCredentialConnection, NewNumberOrder, NewOutboundVoiceProfile, NewTelephonyCredential, NumberSearch,
    OrderedNumberRequest, OutboundUpdate, OutboundVoiceProfile, OutboundVoiceProfileUpdate, PageRequest,
    TelephonyCredential,
};
use crate::curl::{self, var};
use crate::msg::{Reply, Request};
use crate::secret::Secret;
use crate::state::{LoginToken, codec_choices, is_expired};
use crate::worker::{LIST_SIZE, execute};
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{Value, json};
use std::time::{Duration, SystemTime};

/// The names the wizard suggests, used when a flag is left out.
pub const DEFAULT_CONNECTION: &str = "WebRTC (telnyx-setup)";
pub const DEFAULT_PROFILE: &str = "WebRTC outbound";

/// What the flags ask for, checked ([`Wanted::parse`]) before anything is sent.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub connection: String,
    /// `None`: the connection's codecs plus VP8 (every offered codec for a new one).
    pub codecs: Option<Vec<String>>,
    pub profile: String,
    /// `None`: the profile's countries as they are (Telnyx's US, CA for a new one).
    pub countries: Option<Vec<String>>,
    pub buy_numbers: u32,
    pub number_country: String,
    pub area_code: String,
    pub city: String,
    /// `None`: "WebRTC login for <connection>".
    pub credential: Option<String>,
}

impl Wanted {
    /// Checks and normalises the flags' values; the error says what was expected.
    pub fn parse(mut self) -> Result<Self, String> {
        self.connection = self.connection.trim().to_owned();
        self.profile = self.profile.trim().to_owned();
        if self.connection.is_empty() {
            return Err(
                "--connection needs a connection's id or name, e.g. --connection \"Office softphones\""
                    .into(),
            );
        }
        if self.profile.chars().count() < 3 {
            return Err("--profile needs a profile's id or a name of at least 3 characters".into());
        }
        if let Some(codecs) = &mut self.codecs {
            let offered: Vec<String> = codec_choices(&[], false).into_iter().map(|c| c.name).collect();
            let mut chosen = Vec::new();
            for codec in codecs.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                let Some(known) = offered.iter().find(|o| o.eq_ignore_ascii_case(codec)) else {
                    return Err(format!(
                        "--codecs: unknown codec {codec:?}; expected some of {}",
                        offered.join(",")
                    ));
                };
                if !chosen.contains(known) {
                    chosen.push(known.clone());
                }
            }
            if chosen.is_empty() {
                return Err(format!(
                    "--codecs needs at least one codec, e.g. --codecs {}",
                    offered.join(",")
                ));
            }
            *codecs = chosen;
        }
        if let Some(countries) = &mut self.countries {
            let mut codes = Vec::new();
            for given in countries.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                let country = crate::countries::by_code(given).ok_or_else(|| {
                    format!(
                        "--countries: {given:?} is not an ISO 3166-1 country code; expected e.g. US,CA,IE"
                    )
                })?;
                if !codes.contains(&country.code) {
                    codes.push(country.code.clone());
                }
            }
            if codes.is_empty() {
                return Err("--countries needs at least one country code, e.g. --countries US,CA,IE".into());
            }
            *countries = codes;
        }
        if self.buy_numbers > 0 {
            let country = crate::countries::by_code(self.number_country.trim()).ok_or_else(|| {
                format!(
                    "--number-country: {:?} is not an ISO 3166-1 country code; expected e.g. US",
                    self.number_country
                )
            })?;
            self.number_country = country.code.clone();
            if !self.area_code.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!(
                    "--area-code: {:?} is not digits; expected e.g. --area-code 312",
                    self.area_code
                ));
            }
        }
        Ok(self)
    }
}

/// What a step does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Something that exists is used as it is.
    Reuse,
    Create,
    Change,
    /// It is already as asked.
    Nothing,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Reuse => "reuse",
            Action::Create => "create",
            Action::Change => "change",
            Action::Nothing => "nothing to change",
        }
    }
}

/// One step of the plan, or of what was done.
#[derive(Debug, Clone)]
pub struct Step {
    /// `connection`, `codecs`, `profile`, `attach`, `countries`, `numbers`,
    /// `credential`, `token`.
    pub step: &'static str,
    pub action: Action,
    /// A sentence: what is reused, created or changed.
    pub detail: String,
    /// The id the step ends with, when it has one (a var in a dry run).
    pub id: Option<String>,
    /// The requests it sends (or, in a dry run, would send).
    pub requests: Vec<Request>,
    /// The shell variable a dry run's reader sets from this step's answer.
    pub sets: Option<&'static str>,
}

/// The outcome: every step, and what the scripts need.
#[derive(Debug, Default)]
pub struct Outcome {
    pub steps: Vec<Step>,
    pub connection_id: Option<String>,
    pub connection_name: String,
    pub profile_id: Option<String>,
    pub credential_id: Option<String>,
    pub sip_username: Option<String>,
    pub sip_password: Option<Secret>,
    pub numbers: Vec<String>,
    pub token: Option<LoginToken>,
}

impl Outcome {
    /// Whether any step makes or changes a record (a login token is not one).
    pub fn changes_anything(&self) -> bool {
        self.steps.iter().any(|s| s.step != "token" && matches!(s.action, Action::Create | Action::Change))
    }

    /// Whether the plan buys numbers.
    pub fn buys(&self) -> bool {
        self.steps.iter().any(|s| s.step == "numbers" && s.action == Action::Create)
    }

    /// Remembers the finished setup in the setup journal at `path`, for `account`
    /// (ids and names only), so `telnyx-setup token` with no flag uses its credential.
    pub fn remember(&self, path: &std::path::Path, account: &str, now: SystemTime) -> Result<(), String> {
        let (Some(connection), Some(credential)) = (&self.connection_id, &self.credential_id) else {
            return Ok(());
        };
        let named = |id: &str, name: &str| crate::journal::Named { id: id.to_owned(), name: name.to_owned() };
        let at = now.duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let record = crate::journal::Record {
            started_at: at,
            updated_at: at,
            connection: Some(named(connection, &self.connection_name)),
            codecs_saved: true,
            profile: self.profile_id.as_deref().map(|id| named(id, "")),
            countries_saved: true,
            numbers_done: true,
            credential: Some(named(credential, "")),
            finished: true,
            ..Default::default()
        };
        crate::journal::save(path, account, &record)
    }

    /// The `--json` report; secrets only with `print_secrets`.
    pub fn to_json(&self, dry_run: bool, print_secrets: bool, base: &str) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                let mut step =
                    json!({ "step": s.step, "action": s.action.as_str(), "detail": s.detail, "id": s.id });
                if dry_run {
                    step["curl"] = json!(curl::render_all(base, &s.requests, print_secrets));
                    step["sets"] = json!(s.sets);
                }
                step
            })
            .collect();
        let expires_at = self.token.as_ref().and_then(|t| t.expires_at).and_then(|at| {
            time::OffsetDateTime::from_unix_timestamp(at)
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
        let mut report = json!({
            "dry_run": dry_run,
            "steps": steps,
            "connection": { "id": self.connection_id, "name": self.connection_name },
            "profile_id": self.profile_id,
            "credential": { "id": self.credential_id, "sip_username": self.sip_username },
            "numbers": self.numbers,
            "token": { "expires_at": expires_at },
        });
        if print_secrets {
            report["credential"]["sip_password"] = json!(self.sip_password.as_ref().map(Secret::expose));
            report["token"]["token"] = json!(self.token.as_ref().map(|t| t.jwt.expose()));
        }
        report
    }

    /// The human summary: a line per step, then the ids.
    pub fn summary(&self, print_secrets: bool) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&format!("{:<11} {}: {}\n", step.step, step.action.as_str(), step.detail));
        }
        let id = |id: &Option<String>| id.clone().unwrap_or_else(|| "—".into());
        out.push_str(&format!("\nConnection: {} ({})\n", self.connection_name, id(&self.connection_id)));
        out.push_str(&format!("Profile:    {}\n", id(&self.profile_id)));
        out.push_str(&format!("Credential: {}", id(&self.credential_id)));
        if let Some(user) = &self.sip_username {
            out.push_str(&format!(", SIP user {user}"));
        }
        out.push('\n');
        if print_secrets && let Some(password) = &self.sip_password {
            out.push_str(&format!("SIP password: {}\n", password.expose()));
        }
        if !self.numbers.is_empty() {
            out.push_str(&format!("Numbers:    {}\n", self.numbers.join(", ")));
        }
        if let Some(token) = &self.token {
            let expires = token
                .expires_at
                .and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok())
                .and_then(|at| at.format(&time::format_description::well_known::Rfc3339).ok())
                .unwrap_or_else(|| "unknown".into());
            out.push_str(&format!("Login token: expires {expires}"));
            if print_secrets {
                out.push_str(&format!("\n{}", token.jwt.expose()));
            } else {
                out.push_str(" (--print-secrets shows it; `telnyx-setup token` makes another)");
            }
            out.push('\n');
        }
        out
    }

    /// The dry run's plan: each step as a `#` line, its curl commands, and the
    /// variable its answer sets.
    pub fn plan(&self, base: &str, reveal: bool) -> String {
        let mut out = format!(
            "# telnyx-setup setup --dry-run against {base}: nothing was changed.\n\
             # Set TELNYX_API_KEY, and SIP_PASSWORD for a new connection, to run these in order.\n"
        );
        for (n, step) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "\n# {}. {}: {} — {}\n",
                n + 1,
                step.step,
                step.action.as_str(),
                step.detail
            ));
            for command in curl::render_all(base, &step.requests, reveal) {
                out.push_str(&command);
                out.push('\n');
            }
            if let Some(name) = step.sets {
                out.push_str(&format!("# {name}=<the \"id\" in this answer's \"data\">\n"));
            }
        }
        out
    }
}

/// Why the setup stopped.
#[derive(Debug)]
pub enum SetupError {
    /// The flags, or what they name, cannot be used: the message says why (exit 2).
    Usage(String),
    Api(ApiError),
}

impl From<ApiError> for SetupError {
    fn from(error: ApiError) -> Self {
        Self::Api(error)
    }
}

/// How a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only GETs; the writes are planned.
    DryRun,
    /// Everything; buying numbers only with `buy`.
    Apply { buy: bool },
}

/// Which record a name or id given on the command line means, among `candidates`
/// (those with the exact name, or the one with the id): the one with that id, else the
/// one with that exact name; of several with the name, the one telnyx-setup made
/// (`marked`), if only one is. More than one left is an error naming their ids.
pub fn recognise<T>(
    given: &str,
    candidates: Vec<T>,
    id: impl Fn(&T) -> &str,
    name: impl Fn(&T) -> &str,
    marked: impl Fn(&T) -> bool,
) -> Result<Option<T>, Vec<String>> {
    let (by_id, others): (Vec<T>, Vec<T>) = candidates.into_iter().partition(|c| id(c) == given);
    if let Some(found) = by_id.into_iter().next() {
        return Ok(Some(found));
    }
    let mut named: Vec<T> = others.into_iter().filter(|c| name(c) == given).collect();
    if named.len() > 1 && named.iter().filter(|c| marked(c)).count() == 1 {
        named.retain(&marked);
    }
    match named.len() {
        0 => Ok(None),
        1 => Ok(named.pop()),
        _ => Err(named.iter().map(|c| id(c).to_owned()).collect()),
    }
}

/// Runs (or plans) the setup `wanted` asks for. `progress` is told one line per step.
pub async fn run(
    client: &Client,
    wanted: &Wanted,
    mode: Mode,
    now: SystemTime,
    progress: &dyn Fn(&str),
) -> Result<Outcome, SetupError> {
    let mut out = Outcome::default();
    let apply = matches!(mode, Mode::Apply { .. });
    let mut note = |out: &mut Outcome, step: Step| {
        progress(&format!("{}: {} — {}", step.step, step.action.as_str(), step.detail));
        out.steps.push(step);
    };
    execute(client, Request::ReadBalance).await?;

    // 1. The connection.
    let found = find_connection(client, &wanted.connection).await?;
    let (connection, created) = match found {
        Some(connection) => {
            let detail = format!("{} ({})", connection.connection_name, connection.id);
            let step = Step {
                step: "connection",
                action: Action::Reuse,
                detail,
                id: Some(connection.id.clone()),
                requests: vec![],
                sets: None,
            };
            note(&mut out, step);
            (Some(connection), false)
        }
        None => {
            let body = new_connection(&wanted.connection);
            out.sip_username = Some(body.user_name.clone());
            let request = Request::CreateConnection(body);
            let made =
                if apply { Some(expect_connection(execute(client, request.clone()).await?)) } else { None };
            let detail = format!("{:?} with a generated SIP user name and password", wanted.connection);
            let id = made.as_ref().map(|c| c.id.clone()).or_else(|| Some(var("CONNECTION_ID")));
            note(
                &mut out,
                Step {
                    step: "connection",
                    action: Action::Create,
                    detail,
                    id,
                    requests: vec![request],
                    sets: Some("CONNECTION_ID"),
                },
            );
            (made, true)
        }
    };
    let connection_id = connection.as_ref().map_or_else(|| var("CONNECTION_ID"), |c| c.id.clone());
    out.connection_id = Some(connection_id.clone());
    out.connection_name =
        connection.as_ref().map_or_else(|| wanted.connection.clone(), |c| c.connection_name.clone());

    // 2. Codecs.
    let current: Vec<String> = connection.as_ref().map(|c| c.inbound.codecs.clone()).unwrap_or_default();
    let desired = match &wanted.codecs {
        Some(codecs) => codecs.clone(),
        None if created => codec_choices(&[], false).into_iter().map(|c| c.name).collect(),
        None => {
            let mut codecs = current.clone();
            if !codecs.iter().any(|c| c == "VP8") {
                codecs.push("VP8".into());
            }
            codecs
        }
    };
    if desired == current && !created {
        note(
            &mut out,
            Step {
                step: "codecs",
                action: Action::Nothing,
                detail: desired.join(", "),
                id: None,
                requests: vec![],
                sets: None,
            },
        );
    } else {
        let update = CredentialConnectionUpdate {
            inbound: Some(InboundUpdate { codecs: desired.clone() }),
            outbound: None,
        };
        let request = Request::UpdateConnection { id: connection_id.clone(), update };
        if apply {
            execute(client, request.clone()).await?;
        }
        note(
            &mut out,
            Step {
                step: "codecs",
                action: Action::Change,
                detail: desired.join(", "),
                id: None,
                requests: vec![request],
                sets: None,
            },
        );
    }

    // 3. The profile, and the connection attached to it.
    let profiles = list_profiles(client, &wanted.profile).await?;
    let known: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
    let profile =
        match recognise(&wanted.profile, profiles, |p| &p.id, |p| &p.name, OutboundVoiceProfile::is_marked) {
            Ok(found) => found,
            Err(ids) => return Err(ambiguous("--profile", &wanted.profile, "profiles", &ids)),
        };
    let profile = match profile {
        Some(profile) => {
            let detail = format!("{} ({})", profile.name, profile.id);
            note(
                &mut out,
                Step {
                    step: "profile",
                    action: Action::Reuse,
                    detail,
                    id: Some(profile.id.clone()),
                    requests: vec![],
                    sets: None,
                },
            );
            Some(profile)
        }
        None => {
            let request = Request::CreateProfile {
                body: NewOutboundVoiceProfile::named(wanted.profile.clone()),
                known: Some(known),
            };
            let made = if apply {
                match execute(client, request.clone()).await? {
                    Reply::ProfileCreated(profile) => Some(profile),
                    other => unreachable!("CreateProfile answers ProfileCreated, not {other:?}"),
                }
            } else {
                None
            };
            let id = made.as_ref().map(|p| p.id.clone()).or_else(|| Some(var("PROFILE_ID")));
            note(
                &mut out,
                Step {
                    step: "profile",
                    action: Action::Create,
                    detail: format!("{:?}", wanted.profile),
                    id,
                    requests: vec![request],
                    sets: Some("PROFILE_ID"),
                },
            );
            made
        }
    };
    let profile_id = profile.as_ref().map_or_else(|| var("PROFILE_ID"), |p| p.id.clone());
    out.profile_id = Some(profile_id.clone());
    let attached = connection.as_ref().and_then(|c| c.outbound.outbound_voice_profile_id.clone());
    if attached.as_deref() == Some(profile_id.as_str()) {
        note(
            &mut out,
            Step {
                step: "attach",
                action: Action::Nothing,
                detail: "the connection uses the profile".into(),
                id: None,
                requests: vec![],
                sets: None,
            },
        );
    } else {
        let update = CredentialConnectionUpdate {
            inbound: None,
            outbound: Some(OutboundUpdate { outbound_voice_profile_id: profile_id.clone() }),
        };
        let request = Request::UpdateConnection { id: connection_id.clone(), update };
        if apply {
            execute(client, request.clone()).await?;
        }
        let detail = match attached {
            Some(before) => format!("move the connection from profile {before} to this one"),
            None => "attach the connection to the profile".into(),
        };
        note(
            &mut out,
            Step {
                step: "attach",
                action: Action::Change,
                detail,
                id: None,
                requests: vec![request],
                sets: None,
            },
        );
    }

    // 4. Countries.
    let current: Vec<String> = match &profile {
        Some(profile) => profile.whitelisted_destinations.clone(),
        None => vec!["US".into(), "CA".into()],
    };
    let desired = wanted.countries.clone().unwrap_or_else(|| current.clone());
    let same = |a: &[String], b: &[String]| {
        let (mut a, mut b) = (a.to_vec(), b.to_vec());
        a.sort();
        b.sort();
        a == b
    };
    if same(&desired, &current) {
        note(
            &mut out,
            Step {
                step: "countries",
                action: Action::Nothing,
                detail: desired.join(", "),
                id: None,
                requests: vec![],
                sets: None,
            },
        );
    } else {
        let name = profile.as_ref().map_or_else(|| wanted.profile.clone(), |p| p.name.clone());
        let update = OutboundVoiceProfileUpdate { name, whitelisted_destinations: desired.clone() };
        let request = Request::UpdateProfile { id: profile_id.clone(), update };
        if apply {
            execute(client, request.clone()).await?;
        }
        note(
            &mut out,
            Step {
                step: "countries",
                action: Action::Change,
                detail: desired.join(", "),
                id: None,
                requests: vec![request],
                sets: None,
            },
        );
    }

    // 5. Numbers.
    if wanted.buy_numbers > 0 {
        buy_numbers(client, wanted, mode, &connection_id, connection.is_some(), &mut out, &mut note).await?;
    }

    // 6. The credential.
    let credential_name =
        wanted.credential.clone().unwrap_or_else(|| format!("WebRTC login for {}", out.connection_name));
    let credentials = match &connection {
        Some(connection) => list_credentials(client, &connection.id).await?,
        None => Vec::new(),
    };
    let known: Vec<String> = credentials.iter().map(|c| c.id.clone()).collect();
    let usable: Vec<TelephonyCredential> = credentials.into_iter().filter(|c| !is_expired(c, now)).collect();
    let by_id = match (&wanted.credential, usable.iter().any(|c| Some(&c.id) == wanted.credential.as_ref())) {
        (Some(id), false) => client.telephony_credential(id).await.ok().filter(|c| !is_expired(c, now)),
        _ => None,
    };
    let candidates: Vec<TelephonyCredential> = usable.into_iter().chain(by_id).collect();
    let found = recognise(
        &credential_name,
        candidates,
        |c| &c.id,
        |c| c.name.as_deref().unwrap_or_default(),
        |c| c.tag.as_deref() == Some(MARK),
    )
    .map_err(|ids| ambiguous("--credential", &credential_name, "credentials", &ids))?;
    let credential = match found {
        Some(credential) => {
            let detail = format!("{} ({})", credential.name.as_deref().unwrap_or_default(), credential.id);
            note(
                &mut out,
                Step {
                    step: "credential",
                    action: Action::Reuse,
                    detail,
                    id: Some(credential.id.clone()),
                    requests: vec![],
                    sets: None,
                },
            );
            Some(credential)
        }
        None => {
            let body = NewTelephonyCredential {
                connection_id: connection_id.clone(),
                name: Some(credential_name.clone()),
                tag: Some(MARK.to_owned()),
                expires_at: None,
            };
            let request = Request::CreateCredential { body, known: Some(known) };
            let made = if apply {
                match execute(client, request.clone()).await? {
                    Reply::CredentialCreated(credential) => Some(credential),
                    other => unreachable!("CreateCredential answers CredentialCreated, not {other:?}"),
                }
            } else {
                None
            };
            let id = made.as_ref().map(|c| c.id.clone()).or_else(|| Some(var("CREDENTIAL_ID")));
            note(
                &mut out,
                Step {
                    step: "credential",
                    action: Action::Create,
                    detail: format!("{credential_name:?}"),
                    id,
                    requests: vec![request],
                    sets: Some("CREDENTIAL_ID"),
                },
            );
            made
        }
    };
    let credential_id = credential.as_ref().map_or_else(|| var("CREDENTIAL_ID"), |c| c.id.clone());
    out.credential_id = Some(credential_id.clone());
    if let Some(credential) = &credential {
        out.sip_username = Some(credential.sip_username.clone());
        out.sip_password = Some(credential.sip_password.clone()).filter(|p| !p.is_empty());
    }

    // 7. A login token: made every time (a token is not a resource; it lives 24 hours).
    let request = Request::CreateToken { credential_id };
    if apply {
        if let Reply::TokenCreated(jwt) = execute(client, request.clone()).await? {
            out.token = Some(LoginToken::new(jwt));
        }
        note(
            &mut out,
            Step {
                step: "token",
                action: Action::Create,
                detail: "a login token valid 24 hours".into(),
                id: None,
                requests: vec![request],
                sets: None,
            },
        );
    } else {
        note(
            &mut out,
            Step {
                step: "token",
                action: Action::Create,
                detail: "a login token valid 24 hours (a POST that makes no record)".into(),
                id: None,
                requests: vec![request],
                sets: None,
            },
        );
    }
    Ok(out)
}

/// Numbers: what the connection has counts; only the missing ones are bought, as one
/// order whose `customer_reference` is derived from the connection and the numbers,
/// so a repeated run finds the order instead of placing it again.
async fn buy_numbers(
    client: &Client,
    wanted: &Wanted,
    mode: Mode,
    connection_id: &str,
    connection_exists: bool,
    out: &mut Outcome,
    note: &mut impl FnMut(&mut Outcome, Step),
) -> Result<(), SetupError> {
    let have = if connection_exists {
        match execute(client, Request::ListConnectionNumbers { connection_id: connection_id.to_owned() })
            .await?
        {
            Reply::ConnectionNumbers(numbers) => numbers.into_iter().map(|n| n.phone_number).collect(),
            other => unreachable!("ListConnectionNumbers answers ConnectionNumbers, not {other:?}"),
        }
    } else {
        Vec::new()
    };
    let missing = wanted.buy_numbers.saturating_sub(have.len() as u32);
    if missing == 0 {
        let detail = format!("the connection has {} number(s): {}", have.len(), have.join(", "));
        out.numbers = have;
        note(
            out,
            Step { step: "numbers", action: Action::Nothing, detail, id: None, requests: vec![], sets: None },
        );
        return Ok(());
    }
    let search = NumberSearch {
        country_code: wanted.number_country.clone(),
        locality: wanted.city.clone(),
        national_destination_code: wanted.area_code.clone(),
        features: vec!["voice".into()],
        limit: missing,
        ..Default::default()
    };
    let offered = match execute(client, Request::SearchNumbers(search)).await? {
        Reply::NumbersFound(found) => found,
        other => unreachable!("SearchNumbers answers NumbersFound, not {other:?}"),
    };
    if offered.len() < missing as usize {
        return Err(SetupError::Usage(format!(
            "only {} number(s) are available in {} with these filters, {missing} needed; loosen --area-code or --city",
            offered.len(),
            wanted.number_country
        )));
    }
    let cents = |text: &str| crate::money::parse_price(text).unwrap_or(0);
    let upfront: i64 = offered.iter().map(|n| cents(&n.cost_information.upfront_cost)).sum();
    let monthly: i64 = offered.iter().map(|n| cents(&n.cost_information.monthly_cost)).sum();
    let currency = offered.first().map(|n| n.cost_information.currency.clone()).unwrap_or_default();
    let chosen: Vec<String> = offered.iter().map(|n| n.phone_number.clone()).collect();
    let detail = format!(
        "buy {} for {} {currency} now and {} {currency} a month",
        chosen.join(", "),
        crate::money::format_cents(upfront),
        crate::money::format_cents(monthly)
    );
    let body = NewNumberOrder {
        phone_numbers: chosen.iter().map(|n| OrderedNumberRequest { phone_number: n.clone() }).collect(),
        connection_id: Some(connection_id.to_owned()),
        customer_reference: Some(order_reference(connection_id, &chosen)),
    };
    let order = Request::PlaceOrder(body);
    let assign =
        Request::AssignNumbers { connection_id: connection_id.to_owned(), phone_numbers: chosen.clone() };
    match mode {
        Mode::DryRun => {}
        Mode::Apply { buy: false } => {
            return Err(SetupError::Usage(format!("buying numbers needs --yes: it would {detail}")));
        }
        Mode::Apply { buy: true } => {
            let mut placed = match execute(client, order.clone()).await? {
                Reply::OrderPlaced { order, .. } => order,
                other => unreachable!("PlaceOrder answers OrderPlaced, not {other:?}"),
            };
            let mut wait = Duration::from_millis(200);
            for _ in 0..12 {
                if placed.status != "pending" {
                    break;
                }
                placed = match execute(client, Request::CheckOrder { id: placed.id.clone(), after: wait })
                    .await?
                {
                    Reply::OrderChecked(order) => order,
                    other => unreachable!("CheckOrder answers OrderChecked, not {other:?}"),
                };
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            if placed.status != "success" {
                return Err(SetupError::Usage(format!(
                    "the number order {} is {:?}, not complete; run the setup again later to assign its numbers",
                    placed.id, placed.status
                )));
            }
            execute(client, assign.clone()).await?;
        }
    }
    out.numbers = have.into_iter().chain(chosen).collect();
    note(
        out,
        Step {
            step: "numbers",
            action: Action::Create,
            detail,
            id: None,
            requests: vec![order, assign],
            sets: None,
        },
    );
    Ok(())
}

/// The order's reference, as the wizard makes it: telnyx-setup's mark and a stable
/// hash (FNV-1a) of the connection and the sorted numbers.
fn order_reference(connection_id: &str, numbers: &[String]) -> String {
    let mut numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    numbers.sort_unstable();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in connection_id.bytes().chain(numbers.join(",").bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{MARK}-{hash:016x}")
}

fn ambiguous(flag: &str, given: &str, what: &str, ids: &[String]) -> SetupError {
    SetupError::Usage(format!(
        "{flag} {given:?}: {} {what} have this name ({}); give one of their ids",
        ids.len(),
        ids.join(", ")
    ))
}

fn expect_connection(reply: Reply) -> CredentialConnection {
    match reply {
        Reply::ConnectionCreated(connection) => connection,
        other => unreachable!("CreateConnection answers ConnectionCreated, not {other:?}"),
    }
}

/// The connection `given` names ([`recognise`]), by id or exact name.
async fn find_connection(client: &Client, given: &str) -> Result<Option<CredentialConnection>, SetupError> {
    let mut candidates = Vec::new();
    match client.credential_connection(given).await {
        Ok(connection) => candidates.push(connection),
        Err(ApiError::NotFound(_)) => {}
        Err(error) => return Err(error.into()),
    }
    let page = client.list_credential_connections(PageRequest::first(LIST_SIZE), Some(given)).await?;
    candidates.extend(page.data);
    recognise(given, candidates, |c| &c.id, |c| &c.connection_name, CredentialConnection::is_marked)
        .map_err(|ids| ambiguous("--connection", given, "credential connections", &ids))
}

/// The profiles `given` may name: the one with that id, and those whose name contains it.
async fn list_profiles(client: &Client, given: &str) -> Result<Vec<OutboundVoiceProfile>, SetupError> {
    let mut candidates = Vec::new();
    match client.outbound_voice_profile(given).await {
        Ok(profile) => candidates.push(profile),
        Err(ApiError::NotFound(_)) => {}
        Err(error) => return Err(error.into()),
    }
    let page = client.list_outbound_voice_profiles(PageRequest::first(LIST_SIZE), Some(given)).await?;
    let listed: Vec<OutboundVoiceProfile> =
        page.data.into_iter().filter(|p| !candidates.iter().any(|c| c.id == p.id)).collect();
    candidates.extend(listed);
    Ok(candidates)
}

async fn list_credentials(
    client: &Client,
    connection_id: &str,
) -> Result<Vec<TelephonyCredential>, SetupError> {
    match execute(client, Request::ListCredentials { connection_id: connection_id.to_owned() }).await? {
        Reply::CredentialsListed(page) => Ok(page.data),
        other => unreachable!("ListCredentials answers CredentialsListed, not {other:?}"),
    }
}

/// A new connection's body, as the wizard's form makes it: a SIP user name from the
/// public generator, a 24-character password from the OS's, and telnyx-setup's mark.
fn new_connection(name: &str) -> NewCredentialConnection {
    let suffix = Alphanumeric.sample_string(&mut rand::rng(), 8).to_lowercase();
    let password = Alphanumeric.sample_string(&mut crate::secret::SecretRng::os(), 24);
    NewCredentialConnection {
        connection_name: name.to_owned(),
        user_name: format!("webrtc{suffix}"),
        password: Secret::new(password),
        tags: vec![MARK.to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognise_takes_the_id_then_the_exact_name_then_the_mark() {
        let records = || vec![("1", "A", false), ("2", "A", true), ("3", "B", false), ("4", "B", false)];
        let pick = |given: &str| recognise(given, records(), |r| r.0, |r| r.1, |r| r.2);
        assert_eq!(pick("3").unwrap().unwrap().0, "3");
        assert_eq!(pick("A").unwrap().unwrap().0, "2", "the marked one of two");
        assert_eq!(pick("B").unwrap_err(), vec!["3", "4"]);
        assert_eq!(pick("C").unwrap(), None);
    }
}
