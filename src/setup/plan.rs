//! The plan: what the user wants ([`Wanted`]) against what the account has
//! ([`Account`]), as an ordered list of [`Step`]s: what is reused, created, changed,
//! moved or bought, each with its record, its before and after, what else it affects,
//! and the requests it sends (the same `Request`s the worker executes and the curl
//! panel and `setup --dry-run` render).
//!
//! [`plan`] is a pure function: it reads nothing and sends nothing, so a plan can be
//! shown, asked about and tested before anything is sent. A choice left open means
//! "keep what the connection has": its profile, its codecs plus VP8, its newest
//! credential that has not expired, the profile's countries as they are.
//!
//! An id that only an earlier step's answer gives (a new connection's) is a curl
//! variable ([`crate::curl::var`]) in the later steps' requests; [`fill`] puts the real
//! id in when the plan is applied ([`super::apply`]).

use crate::api::{
    AvailableNumber, CredentialConnection, CredentialConnectionUpdate, InboundUpdate, MARK,
    NewCredentialConnection, NewNumberOrder, NewOutboundVoiceProfile, NewTelephonyCredential,
    OrderedNumberRequest, OutboundUpdate, OutboundVoiceProfile, OutboundVoiceProfileUpdate,
    TelephonyCredential,
};
use crate::curl::var;
use crate::msg::Request;
use crate::secret::Secret;
use std::collections::HashMap;
use std::time::SystemTime;

/// The name a new connection is suggested, and a script's left-out `--connection`.
pub const DEFAULT_CONNECTION: &str = "WebRTC (telnyx-setup)";
/// The name a new profile is suggested, and a script's left-out `--voice-profile` for a
/// connection without one.
pub const DEFAULT_PROFILE: &str = "WebRTC outbound";
/// The countries a new profile is made with when none are asked for: Telnyx's own
/// default, sent rather than left out, so that the wizard (whose step 5 starts from
/// them) and `setup` without `--countries` send the same request.
pub const NEW_PROFILE_COUNTRIES: [&str; 2] = ["US", "CA"];

/// [`NEW_PROFILE_COUNTRIES`], owned.
pub fn new_profile_countries() -> Vec<String> {
    NEW_PROFILE_COUNTRIES.map(String::from).to_vec()
}

/// An existing record (by id) or a new one (by its name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    Existing(String),
    New(String),
}

/// What the user wants. `None` is a choice left open: keep what the connection has.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub connection: Pick,
    /// `None`: the connection's codecs plus VP8 (every offered codec for a new one).
    pub codecs: Option<Vec<String>>,
    /// `None`: the profile the connection has (a new "WebRTC outbound" for a connection
    /// without one).
    pub profile: Option<Pick>,
    /// `None`: the profile's countries as they are (Telnyx's US, CA for a new one).
    pub countries: Option<Vec<String>>,
    /// `None`: numbers are not part of this setup. `Some(cart)`: buy the cart (empty:
    /// the numbers on the connection do, nothing is bought).
    pub numbers: Option<Vec<AvailableNumber>>,
    /// `None`: the connection's newest credential that has not expired, else a new
    /// "WebRTC login for <connection>".
    pub credential: Option<Pick>,
    /// A new connection's SIP login, as the wizard's form holds it (the user may have
    /// edited or regenerated it); `None`: generated when the plan is made (`setup`).
    pub login: Option<SipLogin>,
}

/// The SIP user name and password a new connection is made with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipLogin {
    pub user_name: String,
    pub password: Secret,
}

impl Wanted {
    /// A new setup with every choice open: a new connection named `name`.
    pub fn new_connection(name: impl Into<String>) -> Self {
        Self {
            connection: Pick::New(name.into()),
            codecs: None,
            profile: None,
            countries: None,
            numbers: None,
            credential: None,
            login: None,
        }
    }
}

/// What the account has, as far as the plan needs it (read by the caller: `setup`'s
/// one round of parallel GETs, or the wizard's lists).
#[derive(Debug, Clone)]
pub struct Account {
    /// The existing connection [`Wanted::connection`] names.
    pub connection: Option<CredentialConnection>,
    /// The profiles read: the one wanted, and the one the connection has.
    pub profiles: Vec<OutboundVoiceProfile>,
    /// Whether `profiles` holds every profile of the wanted name (the create's look
    /// before its first try is skipped then).
    pub profiles_listed: bool,
    /// The connections on the profile the setup ends with (its other users); others
    /// read with them (the wizard's list of every connection) are left out.
    pub profile_connections: Vec<CredentialConnection>,
    /// The connection's credentials (and one named by id elsewhere).
    pub credentials: Vec<TelephonyCredential>,
    /// Whether `credentials` holds all of the connection's.
    pub credentials_complete: bool,
    /// The numbers on the connection.
    pub numbers: Vec<String>,
    /// The account's currency, the only one a price is read in.
    pub currency: Option<String>,
    /// The moment the account was read: what has expired by then.
    pub now: SystemTime,
}

impl Account {
    /// An empty account read at `now`.
    pub fn empty(now: SystemTime) -> Self {
        Self {
            connection: None,
            profiles: Vec::new(),
            profiles_listed: true,
            profile_connections: Vec::new(),
            credentials: Vec::new(),
            credentials_complete: true,
            numbers: Vec::new(),
            currency: None,
            now,
        }
    }

    fn profile(&self, id: &str) -> Option<&OutboundVoiceProfile> {
        self.profiles.iter().find(|p| p.id == id)
    }
}

/// What a step does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An existing record is used as it is.
    Reuse,
    Create,
    /// An existing record is changed (codecs, countries, a first profile).
    Change,
    /// The connection moves from one profile to another.
    Move,
    /// Numbers are ordered (they cost money).
    Buy,
    /// A setting is already as wanted: no request.
    Keep,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reuse => "reuse",
            Kind::Create => "create",
            Kind::Change => "change",
            Kind::Move => "move",
            Kind::Buy => "buy",
            Kind::Keep => "nothing to change",
        }
    }

    /// Whether the step sends a write.
    pub fn writes(self) -> bool {
        !matches!(self, Kind::Reuse | Kind::Keep)
    }
}

/// The part of the setup a step is about, in the order of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    Profile,
    Connection,
    Codecs,
    Attach,
    Countries,
    Numbers,
    Credential,
    Token,
}

impl Part {
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Profile => "profile",
            Part::Connection => "connection",
            Part::Codecs => "codecs",
            Part::Attach => "attach",
            Part::Countries => "countries",
            Part::Numbers => "numbers",
            Part::Credential => "credential",
            Part::Token => "token",
        }
    }
}

/// One step of a plan.
#[derive(Debug, Clone)]
pub struct Step {
    pub part: Part,
    pub kind: Kind,
    /// A sentence: what is reused, created or changed (escaped: no control character
    /// of the server's can split the line it is put on).
    pub detail: String,
    /// The record's id (a curl variable for one this plan creates).
    pub id: Option<String>,
    /// What the record's setting is before and after the step, when it changes.
    pub before: Option<String>,
    pub after: Option<String>,
    /// What else the step affects: the profile's other connections, the numbers on
    /// the connection.
    pub affects: Vec<String>,
    /// The requests it sends, in order.
    pub requests: Vec<Request>,
    /// The curl variable its answer's id sets, for a create.
    pub sets: Option<&'static str>,
}

impl Step {
    fn new(part: Part, kind: Kind, detail: impl Into<String>) -> Self {
        let detail = crate::sanitize::escape_controls(&detail.into()).into_owned();
        Self {
            part,
            kind,
            detail,
            id: None,
            before: None,
            after: None,
            affects: Vec::new(),
            requests: Vec::new(),
            sets: None,
        }
    }

    fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    fn sending(mut self, request: Request) -> Self {
        self.requests.push(request);
        self
    }

    fn setting(mut self, variable: &'static str) -> Self {
        self.sets = Some(variable);
        self
    }

    fn changing(mut self, before: impl Into<String>, after: impl Into<String>) -> Self {
        let escaped = |text: String| crate::sanitize::escape_controls(&text).into_owned();
        self.before = Some(escaped(before.into()));
        self.after = Some(escaped(after.into()));
        self
    }

    fn affecting(mut self, affects: Vec<String>) -> Self {
        self.affects =
            affects.into_iter().map(|a| crate::sanitize::escape_controls(&a).into_owned()).collect();
        self
    }

    /// A change of a record that exists (this plan did not create it): what asks `y`.
    pub fn asks(&self) -> bool {
        matches!(self.kind, Kind::Change | Kind::Move)
    }

    /// One line: `countries: change — US, FR (was US, CA); affects: …`.
    pub fn line(&self) -> String {
        let mut line = format!("{}: {} — {}", self.part.as_str(), self.kind.as_str(), self.detail);
        if !self.affects.is_empty() {
            line.push_str(&format!("; also affects {}", self.affects.join(", ")));
        }
        line
    }
}

/// Why no plan can be made from what is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// The plan, and what the setup ends with.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub steps: Vec<Step>,
    /// What the setup ends with, as planned (ids are curl variables, `${CONNECTION_ID}`,
    /// for what it makes); applying fills them in ([`super::Applied`]).
    pub ends: Ends,
}

/// What a setup ends with: the records it leaves the connection with, its SIP login and
/// its numbers. The plan's, then what applying it made.
#[derive(Debug, Clone, Default)]
pub struct Ends {
    pub connection_id: String,
    pub connection_name: String,
    pub profile_id: String,
    /// The profile's name (the journal and the summaries name it with its id).
    pub profile_name: String,
    pub credential_id: String,
    /// The credential's name (empty for one made without a name).
    pub credential_name: String,
    pub sip_username: Option<String>,
    /// A reused credential's password (a new one's comes with its answer).
    pub sip_password: Option<Secret>,
    /// The numbers on the connection when the plan is done.
    pub numbers: Vec<String>,
}

impl Plan {
    /// Whether any step makes, changes or buys a record (a login token is not one).
    pub fn changes_anything(&self) -> bool {
        self.steps.iter().any(|s| s.part != Part::Token && s.kind.writes())
    }

    /// Whether the plan buys numbers.
    pub fn buys(&self) -> bool {
        self.steps.iter().any(|s| s.kind == Kind::Buy)
    }

    /// The step about `part`.
    pub fn step(&self, part: Part) -> Option<&Step> {
        self.steps.iter().find(|s| s.part == part)
    }

    /// The steps that write, one line each (what the `[y/N]` question shows).
    pub fn writes(&self) -> Vec<String> {
        self.steps.iter().filter(|s| s.part != Part::Token && s.kind.writes()).map(Step::line).collect()
    }
}

/// The plan that makes the account have what `wanted` asks for.
pub fn plan(wanted: &Wanted, account: &Account) -> Result<Plan, Refusal> {
    let mut steps = Vec::new();
    let mut ends = Ends::default();
    let connection = match &wanted.connection {
        Pick::Existing(id) => Some(
            account
                .connection
                .as_ref()
                .filter(|c| c.id == *id)
                .ok_or_else(|| Refusal(format!("the connection {id} was not read")))?,
        ),
        Pick::New(_) => None,
    };
    let attached = connection.and_then(|c| c.outbound.outbound_voice_profile_id.as_deref());

    // 1. The profile first, so that a new connection is made on it in one request.
    let profile_pick = match (&wanted.profile, attached) {
        (Some(pick), _) => pick.clone(),
        (None, Some(id)) if account.profile(id).is_some() => Pick::Existing(id.to_owned()),
        (None, _) => Pick::New(DEFAULT_PROFILE.to_owned()),
    };
    let profile = match &profile_pick {
        Pick::Existing(id) => {
            let found =
                account.profile(id).ok_or_else(|| Refusal(format!("the profile {id} was not read")))?;
            steps.push(
                Step::new(Part::Profile, Kind::Reuse, format!("{} ({})", found.name, found.id)).id(&found.id),
            );
            ends.profile_id = found.id.clone();
            Some(found)
        }
        Pick::New(name) => {
            // Made with its countries (none asked: Telnyx's US and CA), in one request.
            let countries = wanted.countries.clone().unwrap_or_else(new_profile_countries);
            let body = NewOutboundVoiceProfile::with_countries(name.clone(), countries);
            // The ids shown stand for what exists only when every profile was listed.
            let known = account.profiles.iter().map(|p| p.id.clone()).collect();
            let listed = account.profiles_listed;
            let request = Request::CreateProfile { body, known: listed.then_some(known), first_try: listed };
            ends.profile_id = var("PROFILE_ID");
            let step = Step::new(Part::Profile, Kind::Create, format!("{name:?}")).id(var("PROFILE_ID"));
            steps.push(step.sending(request).setting("PROFILE_ID"));
            None
        }
    };
    let profile_name = match (&profile, &profile_pick) {
        (Some(p), _) => p.name.clone(),
        (None, Pick::New(name) | Pick::Existing(name)) => name.clone(),
    };
    ends.profile_name = profile_name.clone();

    // 2. The connection: reused, or created on the profile with its codecs. Its SIP
    // user name is new, so no earlier try can have made it: no look before the first.
    match (&wanted.connection, connection) {
        (_, Some(found)) => {
            let detail = format!("{} ({})", found.connection_name, found.id);
            steps.push(Step::new(Part::Connection, Kind::Reuse, detail).id(&found.id));
            ends.connection_id = found.id.clone();
            ends.connection_name = found.connection_name.clone();
            ends.numbers = account.numbers.clone();
        }
        (Pick::New(name) | Pick::Existing(name), None) => {
            let codecs = wanted.codecs.clone().unwrap_or_else(super::new_connection_codecs);
            // The login the wizard's form holds, else one generated now (`setup`).
            let given = wanted.login.clone();
            let (user_name, password) = match &given {
                Some(login) => (login.user_name.clone(), login.password.clone()),
                None => super::generate_sip_login(&mut rand::rng(), &mut crate::secret::SecretRng::os()),
            };
            let body = NewCredentialConnection {
                connection_name: name.clone(),
                user_name,
                password,
                tags: vec![MARK.to_owned()],
                inbound: Some(InboundUpdate { codecs }),
                outbound: Some(OutboundUpdate { outbound_voice_profile_id: ends.profile_id.clone() }),
                // Token logins take calls at their SIP URI only when it is open: from this
                // account's connections, Telnyx's WebRTC guide's setting (the doctor's `sip_uri`).
                sip_uri_calling_preference: Some("internal".to_owned()),
            };
            ends.sip_username = Some(body.user_name.clone());
            let detail = match given {
                Some(login) => format!("{name:?} with the SIP user name {}", login.user_name),
                None => format!("{name:?} with a generated SIP user name and password"),
            };
            let step = Step::new(Part::Connection, Kind::Create, detail).id(var("CONNECTION_ID"));
            steps.push(
                step.sending(Request::CreateConnection { body, first_try: true }).setting("CONNECTION_ID"),
            );
            ends.connection_id = var("CONNECTION_ID");
            ends.connection_name = name.clone();
        }
    }
    let on_connection = numbers_affected(&account.numbers);

    // 3. Codecs: as wanted, else the connection's plus VP8.
    match connection {
        None => {
            let codecs = wanted.codecs.clone().unwrap_or_else(super::new_connection_codecs);
            let detail = format!("set as the connection is made: {}", codecs.join(", "));
            steps.push(Step::new(Part::Codecs, Kind::Keep, detail));
        }
        Some(found) => {
            let current = found.inbound.codecs.clone();
            let desired = wanted.codecs.clone().unwrap_or_else(|| super::codecs::left_open(&current));
            if desired == current {
                steps.push(Step::new(Part::Codecs, Kind::Keep, desired.join(", ")));
            } else {
                let update = CredentialConnectionUpdate {
                    inbound: Some(InboundUpdate { codecs: desired.clone() }),
                    outbound: None,
                };
                let request = Request::UpdateConnection { id: found.id.clone(), update };
                let step = Step::new(Part::Codecs, Kind::Change, desired.join(", "))
                    .id(&found.id)
                    .changing(current.join(", "), desired.join(", "))
                    .affecting(on_connection.clone());
                steps.push(step.sending(request));
            }
        }
    }

    // 4. The connection on the profile: a new one was made on it.
    match connection {
        None => steps.push(Step::new(Part::Attach, Kind::Keep, "the connection is made on the profile")),
        Some(found) if attached == Some(ends.profile_id.as_str()) => {
            let _ = found;
            steps.push(Step::new(Part::Attach, Kind::Keep, "the connection uses the profile"));
        }
        Some(found) => {
            let update = CredentialConnectionUpdate::attach_to(&ends.profile_id);
            let request = Request::UpdateConnection { id: found.id.clone(), update };
            // Each side is the profile's name with its id (the id alone where the
            // account did not list it); the kind says "move" once, the detail the rest.
            let after = format!("{profile_name} ({})", ends.profile_id);
            let step = match attached {
                Some(before) => {
                    let was = account
                        .profile(before)
                        .map_or_else(|| before.to_owned(), |p| format!("{} ({before})", p.name));
                    let detail = format!("the connection from profile {was} to profile {after}");
                    Step::new(Part::Attach, Kind::Move, detail).changing(was, after)
                }
                None => {
                    let detail = format!("attach the connection to profile {after}");
                    Step::new(Part::Attach, Kind::Change, detail).changing("no profile", after)
                }
            };
            steps.push(step.id(&found.id).affecting(on_connection.clone()).sending(request));
        }
    }

    // 5. Countries: as wanted, else as they are (a profile made above has them).
    let made_with = || wanted.countries.clone().unwrap_or_else(new_profile_countries);
    let current = profile.map_or_else(made_with, |p| p.whitelisted_destinations.clone());
    let desired = wanted.countries.clone().unwrap_or_else(|| current.clone());
    let sorted = |codes: &[String]| {
        let mut codes = codes.to_vec();
        codes.sort();
        codes
    };
    if sorted(&desired) == sorted(&current) {
        steps.push(Step::new(Part::Countries, Kind::Keep, desired.join(", ")));
    } else {
        let update = OutboundVoiceProfileUpdate {
            name: profile_name.clone(),
            whitelisted_destinations: desired.clone(),
        };
        let request = Request::UpdateProfile { id: ends.profile_id.clone(), update };
        // The profile's other connections call out under the new countries too.
        let others: Vec<String> = account
            .profile_connections
            .iter()
            .filter(|c| c.id != ends.connection_id)
            .filter(|c| c.outbound.outbound_voice_profile_id.as_deref() == Some(ends.profile_id.as_str()))
            .map(|c| format!("connection {} ({})", c.connection_name, c.id))
            .collect();
        let step = Step::new(Part::Countries, Kind::Change, desired.join(", "))
            .id(&ends.profile_id)
            .changing(current.join(", "), desired.join(", "))
            .affecting(others);
        steps.push(step.sending(request));
    }

    // 6. Numbers.
    if let Some(cart) = &wanted.numbers {
        steps.push(numbers_step(cart, account, &ends)?);
        for number in cart {
            if !ends.numbers.contains(&number.phone_number) {
                ends.numbers.push(number.phone_number.clone());
            }
        }
    }

    // 7. The credential.
    let now = account.now;
    let usable: Vec<&TelephonyCredential> =
        account.credentials.iter().filter(|c| !super::is_expired(c, now)).collect();
    let found = match &wanted.credential {
        None => super::newest(usable),
        Some(Pick::Existing(id)) => Some(
            usable
                .into_iter()
                .find(|c| c.id == *id)
                .ok_or_else(|| Refusal(format!("the credential {id} was not read, or has expired")))?,
        ),
        Some(Pick::New(_)) => None,
    };
    match found {
        Some(found) => {
            let detail = format!("{} ({})", found.name.as_deref().unwrap_or_default(), found.id);
            steps.push(Step::new(Part::Credential, Kind::Reuse, detail).id(&found.id));
            ends.credential_id = found.id.clone();
            ends.credential_name = found.name.clone().unwrap_or_default();
            ends.sip_username = Some(found.sip_username.clone());
            ends.sip_password = Some(found.sip_password.clone()).filter(|p| !p.is_empty());
        }
        None => {
            let name = match &wanted.credential {
                Some(Pick::New(name)) => name.clone(),
                _ => format!("WebRTC login for {}", ends.connection_name),
            };
            let body = NewTelephonyCredential {
                connection_id: ends.connection_id.clone(),
                name: Some(name.clone()),
                tag: Some(MARK.to_owned()),
                expires_at: None,
            };
            let known = account.credentials.iter().map(|c| c.id.clone()).collect();
            // A connection made now has none: nothing to look for on the first try.
            let complete = connection.is_none() || account.credentials_complete;
            let request =
                Request::CreateCredential { body, known: complete.then_some(known), first_try: complete };
            let step =
                Step::new(Part::Credential, Kind::Create, format!("{name:?}")).id(var("CREDENTIAL_ID"));
            steps.push(step.sending(request).setting("CREDENTIAL_ID"));
            ends.credential_id = var("CREDENTIAL_ID");
            ends.credential_name = name;
        }
    }

    // 8. A login token, every time: it is not a record, and lives 24 hours.
    let request = Request::CreateToken { credential_id: ends.credential_id.clone() };
    steps.push(Step::new(Part::Token, Kind::Create, "a login token valid 24 hours").sending(request));
    Ok(Plan { steps, ends })
}

/// What a change of the connection affects: the numbers on it.
fn numbers_affected(numbers: &[String]) -> Vec<String> {
    match numbers.len() {
        0 => Vec::new(),
        1 => vec![format!("the number {} on the connection", numbers[0])],
        n => vec![format!("the {n} numbers on the connection ({})", numbers.join(", "))],
    }
}

/// Buying `cart` for the plan's connection: one order whose `customer_reference`
/// comes from the connection and the numbers (so a repeated run finds the order
/// instead of placing another), then the assignment. A number of the cart the
/// connection has already (an earlier order of it completed) is not bought again.
fn numbers_step(cart: &[AvailableNumber], account: &Account, ends: &Ends) -> Result<Step, Refusal> {
    let have = &ends.numbers;
    // A cart with a price that cannot be read is refused whole, whatever it holds.
    let refuse = |why: String| {
        Refusal(format!(
            "--buy-numbers: {why}; nothing was changed. Choose the numbers in the wizard (`telnyx-setup`), \
             which shows each price"
        ))
    };
    priced(cart, account.currency.as_deref()).map_err(refuse)?;
    let cart: Vec<AvailableNumber> =
        cart.iter().filter(|n| !have.contains(&n.phone_number)).cloned().collect();
    if cart.is_empty() {
        let detail = format!("the connection has {}: {}", count(have.len()), have.join(", "));
        return Ok(Step::new(Part::Numbers, Kind::Keep, detail));
    }
    let (upfront, monthly, currency) = priced(&cart, account.currency.as_deref()).map_err(refuse)?;
    let chosen: Vec<String> = cart.iter().map(|n| n.phone_number.clone()).collect();
    let detail = format!(
        "buy {} for {} {currency} now and {} {currency} a month",
        chosen.join(", "),
        crate::money::format_cents(upfront),
        crate::money::format_cents(monthly)
    );
    let connection_id = ends.connection_id.clone();
    let body = NewNumberOrder {
        phone_numbers: chosen.iter().map(|n| OrderedNumberRequest { phone_number: n.clone() }).collect(),
        connection_id: Some(connection_id.clone()),
        customer_reference: Some(super::order_reference(&connection_id, &chosen)),
    };
    let order = Request::PlaceOrder { body, first_try: false };
    let assign = Request::AssignNumbers { connection_id: connection_id.clone(), phone_numbers: chosen };
    let step = Step::new(Part::Numbers, Kind::Buy, detail)
        .id(connection_id)
        .changing(count(have.len()), count(have.len() + cart.len()));
    Ok(step.sending(order).sending(assign))
}

/// "1 number", "3 numbers".
pub fn count(numbers: usize) -> String {
    if numbers == 1 { "1 number".to_owned() } else { format!("{numbers} numbers") }
}

/// Why nothing of `cart` is bought: the first number whose price is unknown (see
/// [`priced`]), said as the server sent it; `None` when every price is known. The
/// wizard refuses such a cart with it; `setup` refuses its plan.
pub fn unknown_price(cart: &[AvailableNumber], account_currency: Option<&str>) -> Option<String> {
    priced(cart, account_currency).err()
}

/// What `offered` costs, upfront and a month, in cents, and in which currency. Every
/// price must be a non-negative amount in the account's currency (else in one
/// currency they all share): anything else (`-250.00`, `n/a`, another currency) is an
/// unknown price, and nothing is bought at an unknown price, in a plan or applied, as
/// the wizard refuses a cart it cannot price.
fn priced(offered: &[AvailableNumber], account_currency: Option<&str>) -> Result<(i64, i64, String), String> {
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
                return Err(format!(
                    "{:?} has an unknown price (upfront {:?}, monthly {:?}, in {:?}; the account's currency \
                     is {:?}), and nothing is bought at an unknown price",
                    number.phone_number, cost.upfront_cost, cost.monthly_cost, cost.currency, currency
                ));
            }
        }
    }
    Ok((upfront, monthly, currency))
}

/// `request` with the ids earlier steps' answers gave (`ids`: a curl variable's name
/// to its value) in place of their variables. An order's reference is made again
/// from the real connection id, so a repeated run finds the order by it.
pub fn fill(request: &Request, ids: &HashMap<&'static str, String>) -> Request {
    let put = |text: &str| put(text, ids);
    let mut request = request.clone();
    match &mut request {
        Request::CreateConnection { body, .. } => {
            if let Some(outbound) = &mut body.outbound {
                outbound.outbound_voice_profile_id = put(&outbound.outbound_voice_profile_id);
            }
        }
        Request::UpdateConnection { id, update } => {
            *id = put(id);
            if let Some(outbound) = &mut update.outbound {
                outbound.outbound_voice_profile_id = put(&outbound.outbound_voice_profile_id);
            }
        }
        Request::UpdateProfile { id, .. } => *id = put(id),
        Request::PlaceOrder { body, .. } => {
            if let Some(connection) = &mut body.connection_id {
                *connection = put(connection);
                let numbers: Vec<String> =
                    body.phone_numbers.iter().map(|n| n.phone_number.clone()).collect();
                body.customer_reference = Some(super::order_reference(connection, &numbers));
            }
        }
        Request::AssignNumbers { connection_id, .. } => *connection_id = put(connection_id),
        Request::CreateCredential { body, .. } => body.connection_id = put(&body.connection_id),
        Request::CreateToken { credential_id } => *credential_id = put(credential_id),
        _ => {}
    }
    request
}

impl Ends {
    /// Puts in the ids earlier steps' answers gave (as [`fill`] does in a request).
    pub fn fill(&mut self, ids: &HashMap<&'static str, String>) {
        for id in [&mut self.connection_id, &mut self.profile_id, &mut self.credential_id] {
            *id = put(id, ids);
        }
    }
}

/// `text` with the values of `ids` in place of their variables.
fn put(text: &str, ids: &HashMap<&'static str, String>) -> String {
    let mut text = text.to_owned();
    for (name, value) in ids {
        text = text.replace(&var(name), value);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn connection(id: &str, name: &str, profile: Option<&str>, codecs: &[&str]) -> CredentialConnection {
        serde_json::from_value(json!({
            "id": id, "connection_name": name,
            "inbound": { "codecs": codecs },
            "outbound": { "outbound_voice_profile_id": profile },
        }))
        .unwrap()
    }

    fn profile(id: &str, name: &str, countries: &[&str]) -> OutboundVoiceProfile {
        serde_json::from_value(json!({ "id": id, "name": name, "whitelisted_destinations": countries }))
            .unwrap()
    }

    fn credential(id: &str, name: &str) -> TelephonyCredential {
        serde_json::from_value(json!({ "id": id, "name": name, "sip_username": "gencred1" })).unwrap()
    }

    fn kinds(plan: &Plan) -> Vec<(&'static str, &'static str)> {
        plan.steps.iter().map(|s| (s.part.as_str(), s.kind.as_str())).collect()
    }

    /// An account with the connection "Lobby" (id 1) on profile 10 ("Lobby out", US),
    /// with a credential, a number, and a second connection (2) on the same profile.
    fn lobby() -> Account {
        Account {
            connection: Some(connection("1", "Lobby", Some("10"), &["OPUS", "VP8"])),
            profiles: vec![profile("10", "Lobby out", &["US"]), profile("20", "Other out", &["US", "CA"])],
            profile_connections: vec![
                connection("1", "Lobby", Some("10"), &[]),
                connection("2", "Kiosk", Some("10"), &[]),
            ],
            credentials: vec![credential("c-1", "Lobby tablet")],
            numbers: vec!["+13125550100".into()],
            ..Account::empty(SystemTime::now())
        }
    }

    fn keep_lobby() -> Wanted {
        Wanted { connection: Pick::Existing("1".into()), ..Wanted::new_connection("") }
    }

    #[test]
    fn a_new_setup_on_an_empty_account_creates_each_record_once() {
        let plan =
            plan(&Wanted::new_connection(DEFAULT_CONNECTION), &Account::empty(SystemTime::now())).unwrap();
        assert_eq!(
            kinds(&plan),
            [
                ("profile", "create"),
                ("connection", "create"),
                ("codecs", "nothing to change"),
                ("attach", "nothing to change"),
                ("countries", "nothing to change"),
                ("credential", "create"),
                ("token", "create"),
            ]
        );
        assert!(plan.steps.iter().all(|s| !s.asks()), "nothing that exists changes");
        // The connection is made on the profile the first step makes.
        let Request::CreateConnection { body, .. } = &plan.steps[1].requests[0] else { panic!() };
        assert_eq!(body.outbound.as_ref().unwrap().outbound_voice_profile_id, var("PROFILE_ID"));
        assert_eq!(plan.ends.connection_id, var("CONNECTION_ID"));
    }

    #[test]
    fn a_new_connection_is_made_with_the_login_wanted_else_a_generated_one() {
        let login = SipLogin { user_name: "deskphone1".into(), password: Secret::new("a-long-password") };
        let wanted = Wanted { login: Some(login.clone()), ..Wanted::new_connection("Desk") };
        let account = Account::empty(SystemTime::now());
        let body = |plan: &Plan| match &plan.step(Part::Connection).unwrap().requests[0] {
            Request::CreateConnection { body, .. } => body.clone(),
            other => panic!("{other:?}"),
        };
        let given = body(&plan(&wanted, &account).unwrap());
        assert_eq!((given.user_name.as_str(), &given.password), ("deskphone1", &login.password));
        // The same every time it is planned: the wizard re-plans on every screen.
        assert_eq!(body(&plan(&wanted, &account).unwrap()).user_name, "deskphone1");
        let generated = body(&plan(&Wanted::new_connection("Desk"), &account).unwrap());
        assert!(generated.user_name.starts_with("webrtc"), "{}", generated.user_name);
    }

    #[test]
    fn a_choice_left_open_keeps_what_the_connection_has() {
        let plan = plan(&keep_lobby(), &lobby()).unwrap();
        assert_eq!(
            kinds(&plan),
            [
                ("profile", "reuse"),
                ("connection", "reuse"),
                ("codecs", "nothing to change"),
                ("attach", "nothing to change"),
                ("countries", "nothing to change"),
                ("credential", "reuse"),
                ("token", "create"),
            ]
        );
        assert_eq!((plan.ends.profile_id.as_str(), plan.ends.credential_id.as_str()), ("10", "c-1"));
        assert!(!plan.changes_anything());
    }

    #[test]
    fn a_change_of_what_exists_asks_and_says_what_else_it_affects() {
        let wanted = Wanted {
            profile: Some(Pick::Existing("20".into())),
            countries: Some(vec!["US".into(), "FR".into()]),
            codecs: Some(vec!["OPUS".into()]),
            ..keep_lobby()
        };
        let mut account = lobby();
        account.profile_connections =
            vec![connection("3", "Desk", Some("20"), &[]), connection("4", "Hall", Some("20"), &[])];
        let plan = plan(&wanted, &account).unwrap();
        let codecs = plan.step(Part::Codecs).unwrap();
        assert_eq!(codecs.kind, Kind::Change);
        assert_eq!((codecs.before.as_deref(), codecs.after.as_deref()), (Some("OPUS, VP8"), Some("OPUS")));
        assert_eq!(codecs.affects, ["the number +13125550100 on the connection"]);
        let attach = plan.step(Part::Attach).unwrap();
        assert_eq!(attach.kind, Kind::Move);
        assert_eq!(attach.detail, "the connection from profile Lobby out (10) to profile Other out (20)");
        assert_eq!(
            (attach.before.as_deref(), attach.after.as_deref()),
            (Some("Lobby out (10)"), Some("Other out (20)"))
        );
        assert_eq!(attach.line().matches("move").count(), 1, "{}", attach.line());
        let countries = plan.step(Part::Countries).unwrap();
        assert_eq!(countries.kind, Kind::Change);
        assert_eq!(countries.affects, ["connection Desk (3)", "connection Hall (4)"]);
        assert!(plan.steps.iter().filter(|s| s.asks()).count() == 3);
        // A moved connection keeps its credential: the credential left open is reused.
        assert_eq!(plan.step(Part::Credential).unwrap().kind, Kind::Reuse);
    }

    #[test]
    fn the_countries_of_a_shared_profile_name_its_other_connections_not_this_one() {
        let wanted = Wanted { countries: Some(vec!["US".into(), "FR".into()]), ..keep_lobby() };
        let plan = plan(&wanted, &lobby()).unwrap();
        let countries = plan.step(Part::Countries).unwrap();
        assert_eq!(countries.affects, ["connection Kiosk (2)"]);
        assert!(countries.line().contains("also affects connection Kiosk (2)"), "{}", countries.line());
        assert_eq!(plan.step(Part::Attach).unwrap().kind, Kind::Keep, "no move");
    }

    #[test]
    fn an_expired_credential_is_not_kept() {
        let mut account = lobby();
        account.credentials[0].expired = true;
        let plan = plan(&keep_lobby(), &account).unwrap();
        let step = plan.step(Part::Credential).unwrap();
        assert_eq!(step.kind, Kind::Create);
        assert!(step.detail.contains("WebRTC login for Lobby"), "{}", step.detail);
    }

    fn offered(number: &str, upfront: &str) -> AvailableNumber {
        serde_json::from_value(json!({
            "phone_number": number,
            "cost_information": { "upfront_cost": upfront, "monthly_cost": "1.00", "currency": "USD" },
        }))
        .unwrap()
    }

    #[test]
    fn a_cart_buys_only_what_the_connection_does_not_have_and_never_at_an_unknown_price() {
        let account = Account { currency: Some("USD".into()), ..lobby() };
        // +13125550100 is on the connection already (an earlier order of this cart).
        let cart = vec![offered("+13125550100", "1.00"), offered("+13125550199", "2.00")];
        let wanted = Wanted { numbers: Some(cart.clone()), ..keep_lobby() };
        let plan = plan(&wanted, &account).unwrap();
        let step = plan.step(Part::Numbers).unwrap();
        assert_eq!(step.kind, Kind::Buy);
        let Request::PlaceOrder { body, .. } = &step.requests[0] else { panic!("{step:?}") };
        let ordered: Vec<&str> = body.phone_numbers.iter().map(|n| n.phone_number.as_str()).collect();
        assert_eq!(ordered, ["+13125550199"]);
        assert_eq!(plan.ends.numbers, ["+13125550100", "+13125550199"]);
        // Every number there: nothing to buy.
        let mut both = account.clone();
        both.numbers.push("+13125550199".into());
        let step = super::plan(&wanted, &both).unwrap().step(Part::Numbers).unwrap().clone();
        assert_eq!((step.kind, step.requests.len()), (Kind::Keep, 0));
        // A price that cannot be read refuses the plan, and says which number.
        let unreadable = vec![offered("+13125550177", "n/a")];
        let wanted = Wanted { numbers: Some(unreadable.clone()), ..keep_lobby() };
        let refusal = super::plan(&wanted, &account).unwrap_err();
        assert!(refusal.0.contains("\"+13125550177\" has an unknown price"), "{}", refusal.0);
        let why = unknown_price(&unreadable, Some("USD")).unwrap();
        assert!(why.ends_with("nothing is bought at an unknown price"), "{why}");
        assert_eq!(unknown_price(&cart, Some("USD")), None);
    }

    #[test]
    fn fill_puts_in_the_ids_earlier_answers_gave() {
        let plan = plan(&Wanted::new_connection("Desk"), &Account::empty(SystemTime::now())).unwrap();
        let ids = HashMap::from([("PROFILE_ID", "10".to_owned()), ("CONNECTION_ID", "1".to_owned())]);
        let Request::CreateConnection { body, .. } = fill(&plan.steps[1].requests[0], &ids) else { panic!() };
        assert_eq!(body.outbound.unwrap().outbound_voice_profile_id, "10");
        let credential = plan.step(Part::Credential).unwrap();
        let Request::CreateCredential { body, .. } = fill(&credential.requests[0], &ids) else { panic!() };
        assert_eq!(body.connection_id, "1");
        let order = Request::PlaceOrder {
            body: NewNumberOrder {
                phone_numbers: vec![OrderedNumberRequest { phone_number: "+1".into() }],
                connection_id: Some(var("CONNECTION_ID")),
                customer_reference: Some("stale".into()),
            },
            first_try: false,
        };
        let Request::PlaceOrder { body, .. } = fill(&order, &ids) else { panic!() };
        assert_eq!(body.customer_reference.unwrap(), super::super::order_reference("1", &["+1".into()]));
        // What the setup ends with gets them too; an id no answer gave stays its variable.
        let mut ends = plan.ends.clone();
        ends.fill(&ids);
        assert_eq!((ends.connection_id.as_str(), ends.profile_id.as_str()), ("1", "10"));
        assert_eq!(ends.credential_id, var("CREDENTIAL_ID"));
    }
}
