//! `telnyx-setup setup`: the wizard's steps from flags, for scripts and CI.
//!
//! The flags say what is wanted ([`Flags`]); the account is read in a few rounds of
//! parallel GETs ([`prepare`]), the flags' names and ids are resolved by the one
//! recogniser ([`crate::setup::recognise`]: id, exact name, telnyx-setup's [`MARK`],
//! the newest), and the difference is the setup's [`Plan`] ([`crate::setup::plan()`]),
//! the same plan the wizard's screens show. A dry run prints it (each write as the curl
//! command [`crate::curl`] renders for its request, with what else it affects; an id
//! that only an earlier write would give is a shell variable, `${CONNECTION_ID}`); the
//! `[y/N]` question shows it; `--yes` applies it ([`crate::setup::apply()`]: the
//! worker's own requests, so creates keep their look-before-create safety and orders
//! their `customer_reference`, with the setup journal's intent saved before each
//! write). There is no second implementation of the steps.
//!
//! [`MARK`]: crate::api::MARK

use crate::api::{
    ApiError, AvailableNumber, Client, NumberSearch, OutboundVoiceProfile, TelephonyCredential,
};
use crate::curl;
use crate::msg::{Reply, Request};
use crate::output;
use crate::sanitize::Escaped;
use crate::secret::Secret;
use crate::setup::plan::{Step, count};
use crate::setup::{
    Account, Applied, ApplyError, DEFAULT_PROFILE, Ends, Journal, LoginToken, Part, Pick, Plan, Wanted,
    is_expired, recognise,
};
use crate::worker::{LIST_SIZE, execute};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::SystemTime;

pub use crate::setup::DEFAULT_CONNECTION;

/// What the flags ask for, checked ([`Flags::parse`]) before anything is sent.
#[derive(Debug, Clone, Default)]
pub struct Flags {
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

impl Flags {
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
            let offered = crate::setup::new_connection_codecs();
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
/// The outcome: the plan's steps, and what the scripts need.
#[derive(Debug, Default)]
pub struct Outcome {
    pub steps: Vec<Step>,
    /// What the setup ends with (a dry run's ids are the variables of what it makes).
    pub ends: Ends,
    pub token: Option<LoginToken>,
}

impl Outcome {
    /// What a dry run shows: the plan, with the variables of what it would make.
    pub fn planned(plan: &Plan) -> Self {
        Self { steps: plan.steps.clone(), ends: plan.ends.clone(), token: None }
    }

    /// What applying the plan made.
    pub fn applied(plan: &Plan, done: Applied) -> Self {
        Self { steps: plan.steps.clone(), ends: done.ends, token: done.token }
    }

    /// The `--json` report; secrets only with `print_secrets`.
    pub fn to_json(&self, dry_run: bool, print_secrets: bool, base: &str) -> Value {
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| {
                let id = s.id.as_deref().map(curl::shown);
                let mut step = json!({
                    "step": s.part.as_str(),
                    "action": s.kind.as_str(),
                    "detail": s.detail,
                    "id": id,
                    "before": s.before.as_deref().map(curl::shown),
                    "after": s.after.as_deref().map(curl::shown),
                    "affects": s.affects,
                });
                if dry_run {
                    step["curl"] = json!(curl::render_all(base, &s.requests, print_secrets));
                    step["sets"] = json!(s.sets);
                }
                step
            })
            .collect();
        // An id a dry run does not know yet is its variable, `${CONNECTION_ID}`.
        let ends = &self.ends;
        let expires_at = self.token.as_ref().and_then(|t| t.expires_at).and_then(|at| {
            time::OffsetDateTime::from_unix_timestamp(at)
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        });
        let mut report = json!({
            "dry_run": dry_run,
            "steps": steps,
            "connection": { "id": curl::shown(&ends.connection_id), "name": ends.connection_name },
            "profile_id": curl::shown(&ends.profile_id),
            "credential": { "id": curl::shown(&ends.credential_id), "sip_username": ends.sip_username },
            "numbers": ends.numbers,
            "token": { "expires_at": expires_at },
        });
        if print_secrets {
            report["credential"]["sip_password"] = json!(ends.sip_password.as_ref().map(Secret::expose));
            report["token"]["token"] = json!(self.token.as_ref().map(|t| t.jwt.expose()));
        }
        report
    }

    /// The human summary: a line per step, then the ids. The server's text in it is
    /// escaped where it is put in, so none of it can start a line of its own.
    pub fn summary(&self, print_secrets: bool) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&format!("{:<11} {}: {}\n", step.part.as_str(), step.kind.as_str(), step.detail));
        }
        let ends = &self.ends;
        out.push_str(&format!(
            "\nConnection: {} ({})\n",
            Escaped(&ends.connection_name),
            Escaped(&ends.connection_id)
        ));
        out.push_str(&format!(
            "Profile:    {} ({})\n",
            Escaped(&ends.profile_name),
            Escaped(&ends.profile_id)
        ));
        out.push_str(&format!("Credential: {}", Escaped(&ends.credential_id)));
        if let Some(user) = &ends.sip_username {
            out.push_str(&format!(", SIP user {}", Escaped(user)));
        }
        out.push('\n');
        if print_secrets && let Some(password) = &ends.sip_password {
            out.push_str(&format!("SIP password: {}\n", Escaped(password.expose())));
        }
        if !ends.numbers.is_empty() {
            out.push_str(&format!("Numbers:    {}\n", Escaped(&ends.numbers.join(", "))));
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

    /// The dry run's plan, a script to run in order: each step as a `#` line (and what
    /// else it affects), its curl commands, and the variable its answer sets. The
    /// server's text reaches it only escaped on a `#` line (no newline can end the
    /// comment: the plan's steps are escaped where they are made) or quoted for the
    /// shell inside a command ([`curl::quote`]), so running the plan runs the
    /// program's commands and nothing else.
    pub fn plan(&self, base: &str, reveal: bool) -> String {
        let mut out = String::new();
        for (n, step) in self.steps.iter().enumerate() {
            out.push_str(&format!(
                "\n# {}. {}: {} — {}\n",
                n + 1,
                step.part.as_str(),
                step.kind.as_str(),
                step.detail
            ));
            if let (Some(before), Some(after)) = (&step.before, &step.after) {
                out.push_str(&format!(
                    "#    before: {}; after: {}\n",
                    curl::shown(before),
                    curl::shown(after)
                ));
            }
            for affected in &step.affects {
                out.push_str(&format!("#    also affects {affected}\n"));
            }
            for command in curl::render_all(base, &step.requests, reveal) {
                out.push_str(&command);
                out.push('\n');
            }
            if let Some(name) = step.sets {
                out.push_str(&format!("# {name}=<the \"id\" in this answer's \"data\">\n"));
            }
        }
        // The password's variable is named only when a command uses it (a new
        // connection's, not revealed): a plan that makes no connection needs the key alone.
        let secret = format!("${{{}}}", curl::SECRET_VAR);
        let needs = match out.contains(&secret) {
            true => format!("TELNYX_API_KEY, and {} for the new connection,", curl::SECRET_VAR),
            false => "TELNYX_API_KEY".to_owned(),
        };
        format!(
            "# telnyx-setup setup --dry-run against {base}: nothing was changed.\n\
             # Set {needs} to run these in order.\n{out}"
        )
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

impl From<ApplyError> for SetupError {
    fn from(error: ApplyError) -> Self {
        match error {
            ApplyError::Api(error) => Self::Api(error),
            ApplyError::Order(message) => Self::Usage(message),
        }
    }
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

/// Reads what the plan needs, and resolves the flags' names and ids into what is
/// wanted: round one (at once) the key's check, the connection and the profiles
/// named; round two (at once) the connection's profile, credentials and numbers and
/// the profile's other connections; round three, to buy numbers, the search.
/// Whatever the flags name wrongly (an unknown id, an ambiguous name) is said here,
/// before anything is changed.
pub async fn prepare(
    client: &Client,
    flags: &Flags,
    now: SystemTime,
) -> Result<(Wanted, Account), SetupError> {
    let named = flags.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
    let (balance, found, mut profiles) = tokio::try_join!(
        async { execute(client, Request::ReadBalance).await.map_err(SetupError::from) },
        find_connection(client, &flags.connection),
        async { Ok(crate::setup::profile_candidates(client, named).await?) },
    )?;
    refuse_unknown_id(&found, "--connection", &flags.connection, "credential connection", looks_numeric)?;
    let currency = match balance {
        Reply::BalanceRead(balance) => Some(balance.currency).filter(|c| !c.is_empty()),
        _ => None,
    };
    let connection = match &found {
        Some(found) => Pick::Existing(found.id.clone()),
        None => Pick::New(flags.connection.clone()),
    };
    let attached = found.as_ref().and_then(|c| c.outbound.outbound_voice_profile_id.clone());

    // Round two: what the connection has, and the profile it will have.
    let connection_id = found.as_ref().map(|c| c.id.clone());
    let own_profile = async {
        // A profile left out is the one the connection has: read it, unless it is
        // listed already (a profile deleted since is none, and the default is meant).
        // Another named, it is read too: a move says where the connection comes from.
        match attached.as_deref().filter(|id| !profiles.iter().any(|p| p.id == *id)) {
            Some(id) => match client.outbound_voice_profile(id).await {
                Ok(profile) => Ok(Some(profile)),
                Err(ApiError::NotFound(_)) => Ok(None),
                Err(error) => Err(SetupError::from(error)),
            },
            None => Ok(None),
        }
    };
    let credentials = async {
        match &connection_id {
            Some(id) => list_credentials(client, id).await,
            None => Ok(Vec::new()),
        }
    };
    let numbers = async {
        let Some(id) = &connection_id else { return Ok(Vec::new()) };
        let request = Request::ListConnectionNumbers { connection_id: id.clone() };
        Ok(answer!(execute(client, request).await?, ConnectionNumbers)
            .into_iter()
            .map(|n| n.phone_number)
            .collect())
    };
    let (own, credentials, numbers): (Option<OutboundVoiceProfile>, Vec<TelephonyCredential>, Vec<String>) =
        tokio::try_join!(own_profile, credentials, numbers)?;
    profiles.extend(own);
    let credentials_complete = (credentials.len() as u32) < LIST_SIZE;

    // The profile: named, else the connection's, else the default name's.
    let kept = attached.filter(|id| flags.profile.is_none() && profiles.iter().any(|p| p.id == *id));
    let profile = match (&flags.profile, kept) {
        (None, Some(_)) => None,
        (given, _) => {
            let given = given.as_deref().unwrap_or(DEFAULT_PROFILE);
            let found = recognise(given, profiles.iter().collect())
                .found()
                .map_err(|ids| ambiguous("--voice-profile", given, "profiles", &ids))?;
            refuse_unknown_id(&found, "--voice-profile", given, "outbound voice profile", looks_numeric)?;
            Some(match found {
                Some(found) => Pick::Existing(found.id.clone()),
                None => Pick::New(given.to_owned()),
            })
        }
    };
    // Who else uses that profile (read only when its countries may change).
    let profile_id = match &profile {
        Some(Pick::Existing(id)) => Some(id.clone()),
        Some(Pick::New(_)) => None,
        None => found.as_ref().and_then(|c| c.outbound.outbound_voice_profile_id.clone()),
    };
    let profile_connections = match profile_id.filter(|_| flags.countries.is_some()) {
        Some(id) => crate::setup::connections_on_profile(client, &id).await?,
        None => Vec::new(),
    };

    // The credential: named among the connection's that have not expired (or by id).
    let mut credentials = credentials;
    let credential = match &flags.credential {
        None => None,
        Some(given) => {
            let mut usable: Vec<&TelephonyCredential> =
                credentials.iter().filter(|c| !is_expired(c, now)).collect();
            let by_id = match usable.iter().any(|c| c.id == *given) {
                true => None,
                false => client.telephony_credential(given).await.ok().filter(|c| !is_expired(c, now)),
            };
            if let Some(by_id) = &by_id {
                usable.push(by_id);
            }
            let found = recognise(given, usable)
                .found()
                .map_err(|ids| ambiguous("--credential", given, "credentials", &ids))?
                .map(|c| c.id.clone());
            refuse_unknown_id(&found, "--credential", given, "telephony credential", looks_like_uuid)?;
            credentials.extend(by_id);
            Some(match found {
                Some(id) => Pick::Existing(id),
                None => Pick::New(given.clone()),
            })
        }
    };

    // Round three: the numbers to buy, those on the connection counting.
    let cart = match flags.buy_numbers {
        0 => None,
        wanted => Some(search_numbers(client, flags, wanted, numbers.len()).await?),
    };
    let wanted = Wanted {
        connection,
        codecs: flags.codecs.clone(),
        profile,
        countries: flags.countries.clone(),
        numbers: cart,
        credential,
        login: None,
    };
    let account = Account {
        connection: found,
        profiles,
        profiles_listed: true,
        profile_connections,
        credentials,
        credentials_complete,
        numbers,
        currency,
        now,
    };
    Ok((wanted, account))
}

/// The numbers missing from `have` to make `wanted`, as offered by a search.
async fn search_numbers(
    client: &Client,
    flags: &Flags,
    wanted: u32,
    have: usize,
) -> Result<Vec<AvailableNumber>, SetupError> {
    let missing = wanted.saturating_sub(u32::try_from(have).unwrap_or(u32::MAX));
    if missing == 0 {
        return Ok(Vec::new());
    }
    let search = NumberSearch {
        country_code: flags.number_country.clone(),
        locality: flags.city.clone(),
        national_destination_code: flags.area_code.clone(),
        features: vec!["voice".into()],
        limit: missing,
        ..Default::default()
    };
    let offered = answer!(execute(client, Request::SearchNumbers(search)).await?, NumbersFound);
    if offered.len() < missing as usize {
        return Err(SetupError::Usage(format!(
            "only {} available in {} with these filters, {missing} needed; loosen --area-code or --city",
            count(offered.len()),
            flags.number_country
        )));
    }
    Ok(offered.into_iter().take(missing as usize).collect())
}

/// Reads the account and makes the plan `flags` ask for.
pub async fn plan(client: &Client, flags: &Flags, now: SystemTime) -> Result<Plan, SetupError> {
    let (wanted, account) = prepare(client, flags, now).await?;
    crate::setup::plan(&wanted, &account).map_err(|refusal| SetupError::Usage(refusal.0))
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
async fn find_connection(
    client: &Client,
    given: &str,
) -> Result<Option<crate::api::CredentialConnection>, SetupError> {
    crate::setup::find_connection(client, given)
        .await?
        .found()
        .map_err(|ids| ambiguous("--connection", given, "credential connections", &ids))
}

async fn list_credentials(
    client: &Client,
    connection_id: &str,
) -> Result<Vec<TelephonyCredential>, SetupError> {
    let request = Request::ListCredentials { connection_id: connection_id.to_owned() };
    Ok(answer!(execute(client, request).await?, CredentialsListed).data)
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
    /// The countries the profile may call: two-letter codes, names, or the names people
    /// use (UK, Holland), as the wizard takes them (default: as they are; US,CA for a new
    /// profile), e.g. US,UK,ireland
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
    /// Print one JSON report (ids, names, what was created or reused, the token's
    /// expiry); an error too is JSON on stdout, {"error": {"code", "title", "detail",
    /// "request_id"}}
    #[arg(long)]
    json: bool,
    /// Include the SIP password and the login token in the output (and in the dry
    /// run's curl)
    #[arg(long)]
    print_secrets: bool,
}

/// `setup`: the wizard's steps from flags ([`crate::cli::setup`]). A dry run
/// prints the plan; otherwise the plan is applied with `--yes`, or after `[y/N]` on a
/// terminal (which shows it), and refused without either. Exit 0, or 2 with the
/// reason on stderr.
impl SetupArgs {
    /// Plans, asks or not, applies, and prints the outcome.
    pub async fn run(&self, cli: &crate::cli::Cli) -> ExitCode {
        let args = self;
        use crate::cli::problem::Problem;
        use crate::cli::{USAGE_ERROR, connect};
        use std::io::IsTerminal;
        let flags = Flags {
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
        let done = async {
            let flags = flags.parse().map_err(|e| Problem::usage(e).of("setup"))?;
            let (client, _sandbox) = connect(cli, "setup", false).await?;
            let now = std::time::SystemTime::now();
            // Planned first, with reads only, even under --yes: whatever the flags name
            // wrongly is said before anything changes, and a run with nothing to
            // change needs no answer.
            let plan = plan(&client, &flags, now).await.map_err(problem)?;
            if args.dry_run {
                return Ok((Outcome::planned(&plan), true, client));
            }
            if !args.yes && plan.changes_anything() {
                let changes = plan.writes().join("; ");
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
                // A line a step: what Telnyx named is escaped, the question's own newlines kept.
                eprintln!("{}", crate::sanitize::escape_controls_but_newlines(&question(&plan)));
                if !crate::cli::prompt::confirm(&go_ahead(cli)) {
                    return Err(Problem::usage("nothing was changed (the answer was not y)").of("setup"));
                }
            }
            // Not under --demo, as for the wizard: its sandbox forgets everything on exit.
            let path = crate::journal::path().filter(|_| !cli.demo);
            let mut journal = Journal::new(path, client.account_id(), now);
            let applied = crate::setup::apply(&client, &plan, &mut journal, &progress).await;
            if let Some(error) = &journal.failed {
                eprintln!("telnyx-setup setup: warning: the setup journal was not saved: {error}");
            }
            let applied = applied.map_err(|e| problem(e.into()))?;
            Ok((Outcome::applied(&plan, applied), false, client))
        };
        let (outcome, dry_run, client) = match done.await {
            Ok(done) => done,
            Err(problem) => return problem.report(args.json),
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

/// The question before the writes: naming the account when it is a production account
/// other than the default (see [`crate::accounts::named_in_question`]).
fn go_ahead(cli: &crate::cli::Cli) -> String {
    let production =
        !cli.demo && cli.api_base.trim_end_matches('/') == crate::api::DEFAULT_API_BASE.trim_end_matches('/');
    let account = cli.given.as_ref().and_then(|(_, source)| crate::accounts::in_use_of_user(source));
    match crate::accounts::named_in_question(account.as_ref(), production) {
        Some(name) => format!("Go ahead in account {}? [y/N] ", crate::sanitize::escape_controls(name)),
        None => "Go ahead? [y/N] ".to_owned(),
    }
}

/// What the `[y/N]` question shows: each write of the plan on a line, with what else
/// it affects; a change of a record that exists says so.
pub fn question(plan: &Plan) -> String {
    let mut text = String::from("The setup will:");
    for step in plan.steps.iter().filter(|s| s.part != Part::Token && s.kind.writes()) {
        text.push_str(&format!("\n  {}", step.line()));
        if step.asks() {
            text.push_str(" (a record that exists)");
        }
    }
    text
}

/// `setup --buy-numbers`: a whole number.
fn parse_number_count(text: &str) -> Result<u32, String> {
    text.trim().parse().map_err(|_| format!("expected a whole number such as 1 or 3, not {text:?}"))
}
