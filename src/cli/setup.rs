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
//! What counts as "already there" is decided by [`crate::setup::recognise`], the rule
//! `token`, `doctor` and the wizard's preselection share: by id, or by exact name,
//! preferring what carries telnyx-setup's [`MARK`], then the newest of those.

use crate::api::{
    ApiError, Client, CredentialConnection, CredentialConnectionUpdate, InboundUpdate, MARK,
    NewCredentialConnection, NewNumberOrder, NewOutboundVoiceProfile, NewTelephonyCredential, NumberSearch,
    OrderedNumberRequest, OutboundUpdate, OutboundVoiceProfile, OutboundVoiceProfileUpdate,
    TelephonyCredential,
};
use crate::curl::{self, var};
use crate::msg::{Reply, Request};
use crate::output;
use crate::sanitize::Escaped;
use crate::secret::Secret;
use crate::setup::{LoginToken, codec_choices, is_expired, recognise};
use crate::worker::{LIST_SIZE, execute};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::SystemTime;

/// The names the wizard suggests, used when a flag is left out.
pub const DEFAULT_CONNECTION: &str = "WebRTC (telnyx-setup)";
pub const DEFAULT_PROFILE: &str = "WebRTC outbound";

/// What the flags ask for, checked ([`Wanted::parse`]) before anything is sent.
#[derive(Debug, Clone, Default)]
pub struct Wanted {
    pub connection: String,
    /// `None`: the connection's codecs plus VP8 (every offered codec for a new one).
    pub codecs: Option<Vec<String>>,
    /// `None`: the profile the connection has ([`DEFAULT_PROFILE`] for a connection
    /// without one, or a new connection).
    pub profile: Option<String>,
    /// `None`: the profile's countries as they are (Telnyx's US, CA for a new one).
    pub countries: Option<Vec<String>>,
    pub buy_numbers: u32,
    pub number_country: String,
    pub area_code: String,
    pub city: String,
    /// `None`: the connection's newest credential that has not expired, else a new one,
    /// "WebRTC login for <connection>".
    pub credential: Option<String>,
}

impl Wanted {
    /// Checks and normalises the flags' values; the error says what was expected.
    pub fn parse(mut self) -> Result<Self, String> {
        self.connection = self.connection.trim().to_owned();
        self.profile = self.profile.map(|p| p.trim().to_owned());
        if self.connection.is_empty() {
            return Err(
                "--connection needs a connection's id or name, e.g. --connection \"Office softphones\""
                    .into(),
            );
        }
        if self.profile.as_ref().is_some_and(|p| p.chars().count() < 3) {
            return Err("--voice-profile needs a profile's id or a name of at least 3 characters".into());
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
                // The wizard's resolver: a code, a name or a name people use (UK).
                let country = crate::countries::find(given)
                    .map_err(|why| format!("--countries: {why} Expected e.g. US,CA,IE"))?;
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
            let country = crate::countries::find(&self.number_country)
                .map_err(|why| format!("--number-country: {why} Expected e.g. US"))?;
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
    /// What the run read before changing anything, for [`run`]'s next call.
    pub lookups: Lookups,
}

/// What the setup reads before it changes anything: the key's check, the connection
/// and the profiles the flags name. A plan's are handed to the apply that follows it
/// at once (`--yes`: no question in between), which then does not read them again.
#[derive(Debug, Clone, Default)]
pub struct Lookups {
    found: Option<CredentialConnection>,
    profiles: Vec<OutboundVoiceProfile>,
    /// The account's currency, from its balance: the only one a price is read in.
    currency: Option<String>,
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
                let id = s.id.as_deref().map(curl::shown);
                let mut step =
                    json!({ "step": s.step, "action": s.action.as_str(), "detail": s.detail, "id": id });
                if dry_run {
                    step["curl"] = json!(curl::render_all(base, &s.requests, print_secrets));
                    step["sets"] = json!(s.sets);
                }
                step
            })
            .collect();
        // An id a dry run does not know yet is its variable, `${CONNECTION_ID}`.
        let shown = |id: &Option<String>| id.as_deref().map(curl::shown);
        let expires_at = self.token.as_ref().and_then(|t| t.expires_at).and_then(|at| {
            time::OffsetDateTime::from_unix_timestamp(at)
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
        let mut report = json!({
            "dry_run": dry_run,
            "steps": steps,
            "connection": { "id": shown(&self.connection_id), "name": self.connection_name },
            "profile_id": shown(&self.profile_id),
            "credential": { "id": shown(&self.credential_id), "sip_username": self.sip_username },
            "numbers": self.numbers,
            "token": { "expires_at": expires_at },
        });
        if print_secrets {
            report["credential"]["sip_password"] = json!(self.sip_password.as_ref().map(Secret::expose));
            report["token"]["token"] = json!(self.token.as_ref().map(|t| t.jwt.expose()));
        }
        report
    }

    /// The human summary: a line per step, then the ids. The server's text in it is
    /// escaped where it is put in, so none of it can start a line of its own.
    pub fn summary(&self, print_secrets: bool) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&format!("{:<11} {}: {}\n", step.step, step.action.as_str(), step.detail));
        }
        let id = |id: &Option<String>| Escaped(id.as_deref().unwrap_or("—")).to_string();
        out.push_str(&format!(
            "\nConnection: {} ({})\n",
            Escaped(&self.connection_name),
            id(&self.connection_id)
        ));
        out.push_str(&format!("Profile:    {}\n", id(&self.profile_id)));
        out.push_str(&format!("Credential: {}", id(&self.credential_id)));
        if let Some(user) = &self.sip_username {
            out.push_str(&format!(", SIP user {}", Escaped(user)));
        }
        out.push('\n');
        if print_secrets && let Some(password) = &self.sip_password {
            out.push_str(&format!("SIP password: {}\n", Escaped(password.expose())));
        }
        if !self.numbers.is_empty() {
            out.push_str(&format!("Numbers:    {}\n", Escaped(&self.numbers.join(", "))));
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

    /// The dry run's plan, a script to run in order: each step as a `#` line, its curl
    /// commands, and the variable its answer sets. The server's text reaches it only
    /// escaped on a `#` line (no newline can end the comment: [`Step::new`]) or quoted
    /// for the shell inside a command ([`curl::quote`]), so running the plan runs the
    /// program's commands and nothing else.
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

/// Takes what a [`Reply`] variant holds, or fails as an answer that does not fit the
/// request (which would be a bug of the worker's, reported rather than panicking).
macro_rules! answer {
    ($reply:expr, $variant:ident) => {
        match $reply {
            Reply::$variant(value) => value,
            other => {
                let what = format!("{} answered {other:?}", stringify!($variant));
                return Err(SetupError::Api(ApiError::Decode(what)));
            }
        }
    };
}

impl Step {
    /// A step whose `detail` (which holds the server's names, codecs and ids) is
    /// escaped once, here: every place that shows it (the plan's `#` lines, the
    /// question, the summary, progress) gets a line no newline or escape can split.
    fn new(step: &'static str, action: Action, detail: impl Into<String>) -> Self {
        let detail = crate::sanitize::escape_controls(&detail.into()).into_owned();
        Self { step, action, detail, id: None, requests: Vec::new(), sets: None }
    }

    fn with_id(mut self, id: Option<String>) -> Self {
        self.id = id;
        self
    }

    fn sending(mut self, requests: Vec<Request>) -> Self {
        self.requests = requests;
        self
    }

    /// A create whose answer's id a dry run's reader puts in the shell variable `name`.
    fn setting(mut self, name: &'static str) -> Self {
        self.sets = Some(name);
        self
    }
}

/// One run of the steps, planned or applied: the steps so far, and how to tell.
struct Run<'a> {
    client: &'a Client,
    apply: bool,
    progress: &'a dyn Fn(&str),
    out: Outcome,
}

impl Run<'_> {
    fn note(&mut self, step: Step) {
        (self.progress)(&format!("{}: {} — {}", step.step, step.action.as_str(), step.detail));
        self.out.steps.push(step);
    }

    /// Sends `request` when applying; `None` in a dry run.
    async fn send(&self, request: &Request) -> Result<Option<Reply>, SetupError> {
        if !self.apply {
            return Ok(None);
        }
        Ok(Some(execute(self.client, request.clone()).await?))
    }

    /// A write of a record that exists: sent when applying, noted as a change.
    async fn change(
        &mut self,
        step: &'static str,
        detail: String,
        request: Request,
    ) -> Result<(), SetupError> {
        self.send(&request).await?;
        self.note(Step::new(step, Action::Change, detail).sending(vec![request]));
        Ok(())
    }
}

/// Runs (or plans) the setup `wanted` asks for. `progress` is told one line per step.
/// `looked_up`: what a plan read a moment ago ([`Outcome::lookups`]), read now if `None`.
pub async fn run(
    client: &Client,
    wanted: &Wanted,
    mode: Mode,
    now: SystemTime,
    progress: &dyn Fn(&str),
    looked_up: Option<Lookups>,
) -> Result<Outcome, SetupError> {
    let mut run =
        Run { client, apply: matches!(mode, Mode::Apply { .. }), progress, out: Outcome::default() };
    let Lookups { found, profiles, currency } = match looked_up {
        Some(lookups) => lookups,
        None => {
            // Every lookup at once: the key's check, the connection and the profiles named
            // (left out: the default name's, for a connection without a profile).
            let named = wanted.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
            let (balance, found, mut profiles) = tokio::try_join!(
                async { execute(client, Request::ReadBalance).await.map_err(SetupError::from) },
                find_connection(client, &wanted.connection),
                list_profiles(client, named),
            )?;
            // A profile left out is the one the connection has: read it, unless it is
            // listed already (a profile deleted since is none, and the default is meant).
            if wanted.profile.is_none()
                && let Some(id) = found.as_ref().and_then(|c| c.outbound.outbound_voice_profile_id.as_deref())
                && !profiles.iter().any(|p| p.id == id)
            {
                match client.outbound_voice_profile(id).await {
                    Ok(attached) => profiles.push(attached),
                    Err(ApiError::NotFound(_)) => {}
                    Err(error) => return Err(error.into()),
                }
            }
            let currency = match balance {
                Reply::BalanceRead(balance) => Some(balance.currency).filter(|c| !c.is_empty()),
                _ => None,
            };
            Lookups { found, profiles, currency }
        }
    };
    run.out.lookups =
        Lookups { found: found.clone(), profiles: profiles.clone(), currency: currency.clone() };
    refuse_unknown_id(&found, "--connection", &wanted.connection, "credential connection", looks_numeric)?;
    let known: Vec<String> = profiles.iter().map(|p| p.id.clone()).collect();
    // Left out: the connection's own profile (read above), else the default name.
    let kept = found
        .as_ref()
        .and_then(|c| c.outbound.outbound_voice_profile_id.clone())
        .filter(|id| wanted.profile.is_none() && profiles.iter().any(|p| p.id == *id));
    let profile_given = wanted.profile.clone().or(kept).unwrap_or_else(|| DEFAULT_PROFILE.to_owned());
    let found_profile = recognise(&profile_given, profiles)
        .found()
        .map_err(|ids| ambiguous("--profile", &profile_given, "profiles", &ids))?;
    refuse_unknown_id(&found_profile, "--profile", &profile_given, "outbound voice profile", looks_numeric)?;

    // 1. The profile first, so that a new connection is made attached to it (and with
    // its codecs) in one request. It was just listed by name, so the create needs no
    // look before its first try; one whose answer is lost is still looked for.
    let profile = match found_profile {
        Some(found) => {
            let detail = format!("{} ({})", found.name, found.id);
            run.note(Step::new("profile", Action::Reuse, detail).with_id(Some(found.id.clone())));
            Some(found)
        }
        None => {
            // Made with its countries (none asked: Telnyx's US and CA), in one request.
            let countries = wanted.countries.clone().unwrap_or_default();
            let body = NewOutboundVoiceProfile::with_countries(profile_given.clone(), countries);
            let request = Request::CreateProfile { body, known: Some(known), first_try: true };
            let made = match run.send(&request).await? {
                Some(reply) => Some(answer!(reply, ProfileCreated)),
                None => None,
            };
            let id = made.as_ref().map_or_else(|| var("PROFILE_ID"), |p| p.id.clone());
            let step = Step::new("profile", Action::Create, format!("{profile_given:?}")).with_id(Some(id));
            run.note(step.sending(vec![request]).setting("PROFILE_ID"));
            made
        }
    };
    let profile_id = profile.as_ref().map_or_else(|| var("PROFILE_ID"), |p| p.id.clone());
    run.out.profile_id = Some(profile_id.clone());

    // 2. The connection: found, or created attached to the profile, with its codecs
    // (in a dry run its id is ${CONNECTION_ID}). Its SIP user name is new, so no
    // earlier try can have made it: no look before the first try.
    let (connection, created) = match found {
        Some(found) => {
            let detail = format!("{} ({})", found.connection_name, found.id);
            run.note(Step::new("connection", Action::Reuse, detail).with_id(Some(found.id.clone())));
            (Some(found), false)
        }
        None => {
            let mut body = new_connection(&wanted.connection, new_codecs(wanted));
            body.outbound = Some(OutboundUpdate { outbound_voice_profile_id: profile_id.clone() });
            run.out.sip_username = Some(body.user_name.clone());
            let request = Request::CreateConnection { body, first_try: true };
            let made = match run.send(&request).await? {
                Some(reply) => Some(answer!(reply, ConnectionCreated)),
                None => None,
            };
            let detail = format!("{:?} with a generated SIP user name and password", wanted.connection);
            let id = made.as_ref().map_or_else(|| var("CONNECTION_ID"), |c| c.id.clone());
            let step = Step::new("connection", Action::Create, detail).with_id(Some(id));
            run.note(step.sending(vec![request]).setting("CONNECTION_ID"));
            (made, true)
        }
    };
    let connection_id = connection.as_ref().map_or_else(|| var("CONNECTION_ID"), |c| c.id.clone());
    run.out.connection_id = Some(connection_id.clone());
    run.out.connection_name =
        connection.as_ref().map_or_else(|| wanted.connection.clone(), |c| c.connection_name.clone());

    // 3. Codecs: as asked, else the connection's plus VP8. A new connection was made
    // with them (every offered one by default, as the wizard makes it).
    let current: Vec<String> = connection.as_ref().map(|c| c.inbound.codecs.clone()).unwrap_or_default();
    let desired = match &wanted.codecs {
        _ if created => new_codecs(wanted),
        Some(codecs) => codecs.clone(),
        None => {
            let mut codecs = current.clone();
            if !codecs.iter().any(|c| c == "VP8") {
                codecs.push("VP8".into());
            }
            codecs
        }
    };
    if created {
        let detail = format!("set as the connection is made: {}", desired.join(", "));
        run.note(Step::new("codecs", Action::Nothing, detail));
    } else if desired == current {
        run.note(Step::new("codecs", Action::Nothing, desired.join(", ")));
    } else {
        let update = CredentialConnectionUpdate {
            inbound: Some(InboundUpdate { codecs: desired.clone() }),
            outbound: None,
        };
        let request = Request::UpdateConnection { id: connection_id.clone(), update };
        run.change("codecs", desired.join(", "), request).await?;
    }

    // The connection on the profile: a new one was made on it.
    let attached = connection.as_ref().and_then(|c| c.outbound.outbound_voice_profile_id.clone());
    if created {
        run.note(Step::new("attach", Action::Nothing, "the connection was made on the profile"));
    } else if attached.as_deref() == Some(profile_id.as_str()) {
        run.note(Step::new("attach", Action::Nothing, "the connection uses the profile"));
    } else {
        let detail = match attached {
            Some(before) => format!("move the connection from profile {before} to this one"),
            None => "attach the connection to the profile".to_owned(),
        };
        let update = CredentialConnectionUpdate::attach_to(&profile_id);
        run.change("attach", detail, Request::UpdateConnection { id: connection_id.clone(), update }).await?;
    }

    // 4. Countries: as asked, else as they are (Telnyx gives a new profile US and CA). A
    // profile made above was made with them (in a dry run it is not there to read).
    let made_with = || wanted.countries.clone().unwrap_or_else(|| vec!["US".into(), "CA".into()]);
    let current = profile.as_ref().map_or_else(made_with, |p| p.whitelisted_destinations.clone());
    let desired = wanted.countries.clone().unwrap_or_else(|| current.clone());
    let sorted = |codes: &[String]| {
        let mut codes = codes.to_vec();
        codes.sort();
        codes
    };
    if sorted(&desired) == sorted(&current) {
        run.note(Step::new("countries", Action::Nothing, desired.join(", ")));
    } else {
        let name = profile.as_ref().map_or_else(|| profile_given.clone(), |p| p.name.clone());
        let update = OutboundVoiceProfileUpdate { name, whitelisted_destinations: desired.clone() };
        run.change(
            "countries",
            desired.join(", "),
            Request::UpdateProfile { id: profile_id.clone(), update },
        )
        .await?;
    }

    // 5. Numbers.
    if wanted.buy_numbers > 0 {
        buy_numbers(&mut run, wanted, mode, &connection_id, connection.is_some(), currency.as_deref())
            .await?;
    }

    // 6. The credential: the one named (among the connection's that have not expired,
    // or by id); left out, the connection's newest that has not expired (what `token
    // --connection` uses too); else a new one, tagged like the wizard's.
    let credential_name =
        wanted.credential.clone().unwrap_or_else(|| format!("WebRTC login for {}", run.out.connection_name));
    // A connection made now has none; another's are listed (that list, if complete,
    // stands for the look before a create's first try).
    let listed = match &connection {
        Some(connection) if !created => list_credentials(client, &connection.id).await?,
        _ => Vec::new(),
    };
    let complete = (listed.len() as u32) < LIST_SIZE;
    let known: Vec<String> = listed.iter().map(|c| c.id.clone()).collect();
    let mut usable: Vec<TelephonyCredential> = listed.into_iter().filter(|c| !is_expired(c, now)).collect();
    if let Some(id) = wanted.credential.as_deref().filter(|id| !usable.iter().any(|c| c.id == *id))
        && let Ok(by_id) = client.telephony_credential(id).await
        && !is_expired(&by_id, now)
    {
        usable.push(by_id);
    }
    let found = match &wanted.credential {
        None => crate::setup::newest(usable),
        Some(_) => recognise(&credential_name, usable)
            .found()
            .map_err(|ids| ambiguous("--credential", &credential_name, "credentials", &ids))?,
    };
    refuse_unknown_id(&found, "--credential", &credential_name, "telephony credential", looks_like_uuid)?;
    let credential = match found {
        Some(found) => {
            let detail = format!("{} ({})", found.name.as_deref().unwrap_or_default(), found.id);
            run.note(Step::new("credential", Action::Reuse, detail).with_id(Some(found.id.clone())));
            Some(found)
        }
        None => {
            let body = NewTelephonyCredential {
                connection_id: connection_id.clone(),
                name: Some(credential_name.clone()),
                tag: Some(MARK.to_owned()),
                expires_at: None,
            };
            let request = Request::CreateCredential { body, known: Some(known), first_try: complete };
            let made = match run.send(&request).await? {
                Some(reply) => Some(answer!(reply, CredentialCreated)),
                None => None,
            };
            let id = made.as_ref().map_or_else(|| var("CREDENTIAL_ID"), |c| c.id.clone());
            let step =
                Step::new("credential", Action::Create, format!("{credential_name:?}")).with_id(Some(id));
            run.note(step.sending(vec![request]).setting("CREDENTIAL_ID"));
            made
        }
    };
    let credential_id = credential.as_ref().map_or_else(|| var("CREDENTIAL_ID"), |c| c.id.clone());
    run.out.credential_id = Some(credential_id.clone());
    if let Some(credential) = &credential {
        run.out.sip_username = Some(credential.sip_username.clone());
        run.out.sip_password = Some(credential.sip_password.clone()).filter(|p| !p.is_empty());
    }

    // 7. A login token, every time: it is not a record, and lives 24 hours.
    let request = Request::CreateToken { credential_id };
    if let Some(reply) = run.send(&request).await? {
        run.out.token = Some(LoginToken::new(answer!(reply, TokenCreated)));
    }
    run.note(Step::new("token", Action::Create, "a login token valid 24 hours").sending(vec![request]));
    Ok(run.out)
}

/// Numbers: those on the connection count; only the missing ones are bought, as one
/// order whose `customer_reference` comes from the connection and the numbers (as the
/// wizard's does), so a repeated run finds the order instead of placing another.
async fn buy_numbers(
    run: &mut Run<'_>,
    wanted: &Wanted,
    mode: Mode,
    connection_id: &str,
    connection_exists: bool,
    account_currency: Option<&str>,
) -> Result<(), SetupError> {
    let have: Vec<String> = if connection_exists {
        let request = Request::ListConnectionNumbers { connection_id: connection_id.to_owned() };
        answer!(execute(run.client, request).await?, ConnectionNumbers)
            .into_iter()
            .map(|n| n.phone_number)
            .collect()
    } else {
        Vec::new()
    };
    let missing = wanted.buy_numbers.saturating_sub(u32::try_from(have.len()).unwrap_or(u32::MAX));
    if missing == 0 {
        let detail = format!("the connection has {}: {}", numbers(have.len()), have.join(", "));
        run.out.numbers = have;
        run.note(Step::new("numbers", Action::Nothing, detail));
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
    let offered = answer!(execute(run.client, Request::SearchNumbers(search)).await?, NumbersFound);
    if offered.len() < missing as usize {
        return Err(SetupError::Usage(format!(
            "only {} available in {} with these filters, {missing} needed; loosen --area-code or --city",
            numbers(offered.len()),
            wanted.number_country
        )));
    }
    let (upfront, monthly, currency) = priced(&offered, account_currency)?;
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
        customer_reference: Some(crate::setup::order_reference(connection_id, &chosen)),
    };
    let order = Request::PlaceOrder { body, first_try: false };
    let assign =
        Request::AssignNumbers { connection_id: connection_id.to_owned(), phone_numbers: chosen.clone() };
    match mode {
        Mode::DryRun => {}
        Mode::Apply { buy: false } => {
            return Err(SetupError::Usage(format!("buying numbers needs --yes: it would {detail}")));
        }
        Mode::Apply { buy: true } => {
            let (mut placed, _) = match execute(run.client, order.clone()).await? {
                Reply::OrderPlaced { order, existing } => (order, existing),
                other => {
                    return Err(SetupError::Api(ApiError::Decode(format!("PlaceOrder answered {other:?}"))));
                }
            };
            // Polled as the wizard polls: with backoff, for a minute or so.
            for polls in 0..crate::setup::POLL_LIMIT {
                if placed.status != "pending" {
                    break;
                }
                let check =
                    Request::CheckOrder { id: placed.id.clone(), after: crate::setup::poll_wait(polls) };
                placed = answer!(execute(run.client, check).await?, OrderChecked);
            }
            if placed.status != "success" {
                return Err(SetupError::Usage(format!(
                    "the number order {} is {:?}, not complete; run the setup again later: it finds the \
                     order by its reference and assigns its numbers",
                    placed.id, placed.status
                )));
            }
            execute(run.client, assign.clone()).await?;
        }
    }
    run.out.numbers = have.into_iter().chain(chosen).collect();
    run.note(Step::new("numbers", Action::Create, detail).sending(vec![order, assign]));
    Ok(())
}

/// What `offered` costs, upfront and a month, in cents, and in which currency. Every
/// price must be a non-negative amount in the account's currency (else in one
/// currency they all share): anything else (`-250.00`, `n/a`, another currency) is an
/// unknown price, and nothing is bought at an unknown price, in a plan or with
/// `--yes`, as the wizard refuses a cart it cannot price.
fn priced(
    offered: &[crate::api::AvailableNumber],
    account_currency: Option<&str>,
) -> Result<(i64, i64, String), SetupError> {
    let currency = account_currency
        .map(str::to_owned)
        .or_else(|| offered.first().map(|n| n.cost_information.currency.clone()))
        .unwrap_or_default();
    let (mut upfront, mut monthly) = (0i64, 0i64);
    for number in offered {
        let cost = &number.cost_information;
        let price = crate::money::parse_price;
        match (price(&cost.upfront_cost), price(&cost.monthly_cost)) {
            (Some(now), Some(month)) if !currency.is_empty() && cost.currency == currency => {
                upfront = upfront.saturating_add(now);
                monthly = monthly.saturating_add(month);
            }
            // Debug quotes (and escapes) the server's text: it says what arrived.
            _ => {
                return Err(SetupError::Usage(format!(
                    "--buy-numbers: {:?} has an unknown price (upfront {:?}, monthly {:?}, in {:?}; the \
                     account's currency is {:?}), and nothing is bought at an unknown price; nothing was \
                     changed. Choose the numbers in the wizard (`telnyx-setup`), which shows each price",
                    number.phone_number, cost.upfront_cost, cost.monthly_cost, cost.currency, currency
                )));
            }
        }
    }
    Ok((upfront, monthly, currency))
}

/// A name that looks like an id and names nothing is taken for a mistyped id, not for
/// the name of something to create: `--connection 1293384261075731402` that does not
/// exist should not make a connection called "1293384261075731402".
fn refuse_unknown_id<T>(
    found: &Option<T>,
    flag: &str,
    given: &str,
    what: &str,
    looks_like_id: fn(&str) -> bool,
) -> Result<(), SetupError> {
    if found.is_none() && looks_like_id(given) {
        return Err(SetupError::Usage(format!(
            "{flag} {given}: no {what} has this id (nor this name), and an id is not a name to create \
             one with; check the id (`telnyx-setup inspect` lists them), or give a name"
        )));
    }
    Ok(())
}

/// Connections' and profiles' ids are numbers.
fn looks_numeric(given: &str) -> bool {
    !given.is_empty() && given.chars().all(|c| c.is_ascii_digit())
}

/// Telephony credentials' ids are UUIDs.
fn looks_like_uuid(given: &str) -> bool {
    uuid::Uuid::parse_str(given).is_ok()
}

fn ambiguous(flag: &str, given: &str, what: &str, ids: &[String]) -> SetupError {
    SetupError::Usage(format!(
        "{flag} {given:?}: {} {what} have this name ({}); give one of their ids",
        ids.len(),
        ids.join(", ")
    ))
}

/// The connection `given` names ([`recognise`]), by id or exact name, on every page.
async fn find_connection(client: &Client, given: &str) -> Result<Option<CredentialConnection>, SetupError> {
    crate::setup::find_connection(client, given)
        .await?
        .found()
        .map_err(|ids| ambiguous("--connection", given, "credential connections", &ids))
}

/// The profiles `given` may name: the one with that id, and those whose name contains
/// it, on every page.
async fn list_profiles(client: &Client, given: &str) -> Result<Vec<OutboundVoiceProfile>, SetupError> {
    Ok(crate::setup::profile_candidates(client, given).await?)
}

/// "1 number", "3 numbers".
fn numbers(count: usize) -> String {
    if count == 1 { "1 number".to_owned() } else { format!("{count} numbers") }
}

async fn list_credentials(
    client: &Client,
    connection_id: &str,
) -> Result<Vec<TelephonyCredential>, SetupError> {
    let request = Request::ListCredentials { connection_id: connection_id.to_owned() };
    Ok(answer!(execute(client, request).await?, CredentialsListed).data)
}

/// A new connection's body, as the wizard's form makes it: a SIP user name from the
/// public generator, a 24-character password from the OS's, and telnyx-setup's mark.
fn new_connection(name: &str, codecs: Vec<String>) -> NewCredentialConnection {
    let (user_name, password) =
        crate::setup::generate_sip_login(&mut rand::rng(), &mut crate::secret::SecretRng::os());
    NewCredentialConnection {
        connection_name: name.to_owned(),
        user_name,
        password,
        tags: vec![MARK.to_owned()],
        inbound: Some(InboundUpdate { codecs }),
        outbound: None,
    }
}

/// A new connection's codecs: as asked, else every offered one, as the wizard's.
fn new_codecs(wanted: &Wanted) -> Vec<String> {
    wanted.codecs.clone().unwrap_or_else(crate::setup::new_connection_codecs)
}

#[derive(clap::Args, Debug)]
pub struct SetupArgs {
    /// The credential connection: its id or exact name to reuse it, else the name of
    /// the one to create (with a generated SIP user name and password)
    #[arg(long, value_name = "NAME|ID", default_value = DEFAULT_CONNECTION)]
    connection: String,
    /// The inbound codecs, in order (default: the connection's codecs plus VP8; every
    /// offered codec for a new connection), e.g. OPUS,G722,VP8
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    codecs: Option<Vec<String>>,
    /// The outbound voice profile to reuse (id or exact name) or create, and attach
    /// (default: the one the connection has; "WebRTC outbound" for a connection without
    /// one)
    // Not `--profile`: that is the account (`--profile NAME`, every command's).
    #[arg(id = "voice_profile", long = "voice-profile", value_name = "NAME|ID")]
    profile: Option<String>,
    /// The countries the profile may call, as ISO codes (default: as they are; US,CA
    /// for a new profile), e.g. US,CA,IE
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    countries: Option<Vec<String>>,
    /// Have at least N phone numbers on the connection, buying the missing ones (needs
    /// --yes; the total is printed first)
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = parse_number_count)]
    buy_numbers: u32,
    /// The country of the numbers to buy
    #[arg(long, value_name = "CODE", default_value = "US")]
    number_country: String,
    /// The area code of the numbers to buy (digits)
    #[arg(long, value_name = "DIGITS", default_value = "")]
    area_code: String,
    /// The city of the numbers to buy
    #[arg(long, value_name = "NAME", default_value = "")]
    city: String,
    /// The telephony credential to reuse (id or exact name) or create (default: the
    /// connection's newest that has not expired, else a new "WebRTC login for
    /// <connection>")
    #[arg(long, value_name = "NAME|ID")]
    credential: Option<String>,
    /// Make the changes without asking (needed without a terminal, and to buy numbers)
    #[arg(long, short = 'y', conflicts_with = "dry_run")]
    yes: bool,
    /// Send only GET requests and print the plan, with the curl command of each write
    #[arg(long)]
    dry_run: bool,
    /// Print one JSON report (ids, names, what was created or reused, the token's expiry)
    #[arg(long)]
    json: bool,
    /// Include the SIP password and the login token in the output (and in the dry
    /// run's curl)
    #[arg(long)]
    print_secrets: bool,
}

/// `setup`: the wizard's steps from flags ([`crate::cli::setup`]). A dry run
/// prints the plan; otherwise the changes are made with `--yes`, or after `[y/N]` on a
/// terminal, and refused without either. Exit 0, or 2 with the reason on stderr.
impl SetupArgs {
    /// Plans, asks or not, applies, and prints the outcome.
    pub async fn run(&self, cli: &crate::cli::Cli) -> ExitCode {
        let args = self;
        use crate::cli::problem::Problem;
        use crate::cli::{USAGE_ERROR, connect};
        use std::io::IsTerminal;
        let wanted = Wanted {
            connection: args.connection.clone(),
            codecs: args.codecs.clone(),
            profile: args.profile.clone(),
            countries: args.countries.clone(),
            buy_numbers: args.buy_numbers,
            number_country: args.number_country.clone(),
            area_code: args.area_code.clone(),
            city: args.city.clone(),
            credential: args.credential.clone(),
        };
        let problem = |error: SetupError| match error {
            SetupError::Usage(message) => Problem::usage(message).of("setup"),
            SetupError::Api(error) => Problem::api_of("setup", &error),
        };
        let progress = |line: &str| eprintln!("{}", crate::sanitize::Escaped(line));
        let quiet = |_: &str| {};
        let done = async {
            let wanted = wanted.parse().map_err(|e| Problem::usage(e).of("setup"))?;
            let (client, _sandbox) = connect(cli, "setup", false).await?;
            let now = std::time::SystemTime::now();
            if args.dry_run {
                let plan =
                    run(&client, &wanted, Mode::DryRun, now, &progress, None).await.map_err(problem)?;
                return Ok((plan, true, client));
            }
            // Planned first, with reads only, even under --yes: whatever the flags name
            // wrongly (an unknown id, an ambiguous name) is said before anything changes,
            // and a run with nothing to change needs no answer.
            let plan = run(&client, &wanted, Mode::DryRun, now, &quiet, None).await.map_err(problem)?;
            if !args.yes && plan.changes_anything() {
                let changes: Vec<String> = plan
                    .steps
                    .iter()
                    .filter(|s| s.step != "token" && s.action != Action::Reuse && s.action != Action::Nothing)
                    .map(|s| format!("{} {} ({})", s.action.as_str(), s.step, s.detail))
                    .collect();
                let changes = changes.join("; ");
                if plan.buys() {
                    return Err(Problem::usage(format!(
                        "buying numbers needs --yes; nothing was changed. The setup would: {changes}"
                    ))
                    .of("setup"));
                }
                if !std::io::stdin().is_terminal() {
                    return Err(Problem::usage(format!(
                        "nothing was changed: without a terminal to ask on, pass --yes to make these changes \
                     (or --dry-run to see their curl commands): {changes}"
                    ))
                    .of("setup"));
                }
                eprintln!("The setup will: {changes}");
                if !crate::cli::prompt::confirm("Go ahead? [y/N] ") {
                    return Err(Problem::usage("nothing was changed (the answer was not y)").of("setup"));
                }
            }
            // Under --yes the plan's reads are a moment old and stand for the apply's; after
            // the question, they are read again.
            let looked_up = args.yes.then(|| plan.lookups.clone());
            let done = run(&client, &wanted, Mode::Apply { buy: args.yes }, now, &progress, looked_up)
                .await
                .map_err(problem)?;
            // Not under --demo, as for the wizard: its sandbox forgets everything on exit.
            if let Some(path) = crate::journal::path().filter(|_| !cli.demo)
                && let Err(error) = done.remember(&path, &client.account_id(), now)
            {
                eprintln!("telnyx-setup setup: warning: the setup was not remembered for `token`: {error}");
            }
            Ok((done, false, client))
        };
        let (outcome, dry_run, client) = match done.await {
            Ok(done) => done,
            Err(problem) => return problem.report(false),
        };
        let base = client.base().as_str();
        let text = if args.json {
            format!("{:#}\n", outcome.to_json(dry_run, args.print_secrets, base))
        } else if dry_run {
            outcome.plan(base, args.print_secrets)
        } else {
            outcome.summary(args.print_secrets)
        };
        // What Telnyx named (a connection's name) is text, never terminal control.
        let text: String = text.lines().map(|line| crate::sanitize::escape_controls(line) + "\n").collect();
        match output::print(&text) {
            Ok(_) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("telnyx-setup setup: cannot print the report: {error}");
                ExitCode::from(USAGE_ERROR)
            }
        }
    }
}

/// `setup --buy-numbers`: a whole number.
fn parse_number_count(text: &str) -> Result<u32, String> {
    text.trim().parse().map_err(|_| format!("expected a whole number such as 1 or 3, not {text:?}"))
}
