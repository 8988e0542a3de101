//! The wizard's side of the setup as data (issue 20): what the user wants
//! ([`crate::setup::Wanted`]), set by the screens' Enter, against what the account has
//! ([`crate::setup::Account`]), built from what the wizard read and wrote; the plan
//! between them ([`Ctx::plan`]) says what each screen's Enter sends, and whether it
//! asks first. The rules (what is reused, created, changed or moved, and who else a
//! change affects) are the plan's, the same as `setup`'s; a screen keeps only its own
//! input's checks (a name too short, no codec on).

use super::Ctx;
use super::change::or_none;
use crate::api::{
    ApiError, CredentialConnection, OutboundVoiceProfile, Page, PhoneNumber, TelephonyCredential,
};
use crate::msg::{Reply, Request};
use crate::setup::plan::Step as PlanStep;
use crate::setup::{Account, Part, Pick, Plan, SipLogin, Wanted};

/// What is wanted and what the account has, as far as this run knows.
#[derive(Debug)]
pub struct Desired {
    /// `None` until a connection is chosen or made (every other choice is open then).
    pub wanted: Option<Wanted>,
    /// The account as read: the chosen connection, the profiles listed, the
    /// connection's credentials and numbers, the currency; its connections listed
    /// (step 2) say which other connections use a profile.
    pub account: Account,
    /// A create of a profile (of a credential) failed since the list was read: its
    /// answer may have been lost, so the next try looks first.
    tried_profile: bool,
    tried_credential: bool,
    /// The same for a new connection: its SIP user name is new, so only an earlier
    /// try of this one can have made it.
    tried_connection: bool,
    /// Telnyx refused the drafted connection's create (422): step 2's form, returned
    /// to, names the field.
    refused: Option<ApiError>,
}

impl Default for Desired {
    fn default() -> Self {
        Self {
            wanted: None,
            account: Account::empty(std::time::SystemTime::UNIX_EPOCH),
            tried_profile: false,
            tried_credential: false,
            tried_connection: false,
            refused: None,
        }
    }
}

impl Desired {
    /// A connection was chosen or made: every other choice is open again, and what
    /// was read about the connection before is another connection's.
    pub(super) fn connection_chosen(&mut self, connection: &CredentialConnection, new: bool) {
        self.wanted =
            Some(Wanted { connection: Pick::Existing(connection.id.clone()), ..Wanted::new_connection("") });
        let account = &mut self.account;
        account.connection = Some(connection.clone());
        account.credentials.clear();
        // A connection made now has no credentials and no numbers: nothing to read.
        account.credentials_complete = new;
        account.numbers.clear();
        self.tried_credential = false;
        upsert(&mut account.profile_connections, connection.clone(), |c| &c.id);
    }

    /// A new connection was named on step 2's form (with the SIP login it holds): it
    /// is made later, on the profile chosen, with the codecs chosen, so every other
    /// choice is open again and nothing read about a connection before is its.
    pub(super) fn connection_drafted(&mut self, name: String, login: SipLogin) {
        self.wanted = Some(Wanted { login: Some(login), ..Wanted::new_connection(name) });
        let account = &mut self.account;
        account.connection = None;
        account.credentials.clear();
        // A connection made by this setup has no credentials and no numbers.
        account.credentials_complete = true;
        account.numbers.clear();
        self.tried_credential = false;
    }

    /// The drafted connection was made: it is the existing one wanted now, and the
    /// other choices stand (its codecs and profile came with it).
    pub(super) fn connection_made(&mut self, connection: &CredentialConnection) {
        if let Some(wanted) = &mut self.wanted {
            wanted.connection = Pick::Existing(connection.id.clone());
            wanted.login = None;
        }
        self.tried_connection = false;
        self.account.connection = Some(connection.clone());
        self.account.credentials_complete = true;
        upsert(&mut self.account.profile_connections, connection.clone(), |c| &c.id);
    }

    /// Telnyx's refusal of the drafted connection's create, once: step 2's form takes
    /// it when returned to.
    pub(super) fn take_refusal(&mut self) -> Option<ApiError> {
        self.refused.take().filter(|_| self.drafted())
    }

    /// The connection is still to be made (named on step 2, made on step 4 or 5).
    pub fn drafted(&self) -> bool {
        matches!(self.wanted.as_ref().map(|w| &w.connection), Some(Pick::New(_)))
    }

    /// Takes what an answer says about the account. `request` is what was asked, when
    /// known (a list of credentials is the chosen connection's only if it asked for it).
    pub(super) fn observe(&mut self, request: Option<&Request>, reply: &Reply) {
        let account = &mut self.account;
        let chosen = account.connection.as_ref().map(|c| c.id.clone());
        match reply {
            Reply::KeyAccepted(balance) | Reply::BalanceRead(balance) => {
                account.currency = Some(balance.currency.clone()).filter(|c| !c.is_empty());
            }
            Reply::ConnectionsListed(page) => {
                // What an earlier try made is listed now, and step 2's form names it.
                self.tried_connection = false;
                account.profile_connections = page.data.clone();
            }
            Reply::ConnectionCreated(connection) => {
                upsert(&mut account.profile_connections, connection.clone(), |c| &c.id);
            }
            Reply::ConnectionUpdated(connection) => {
                if chosen.as_deref() == Some(connection.id.as_str()) {
                    account.connection = Some(connection.clone());
                }
                upsert(&mut account.profile_connections, connection.clone(), |c| &c.id);
            }
            Reply::ProfilesListed(page) => {
                self.tried_profile = false;
                account.profiles_listed = complete(page);
                account.profiles = page.data.clone();
            }
            Reply::ProfileCreated(profile) | Reply::ProfileUpdated(profile) => {
                upsert(&mut account.profiles, profile.clone(), |p| &p.id);
            }
            Reply::CredentialsListed(page) => {
                let asked = match request {
                    Some(Request::ListCredentials { connection_id }) => Some(connection_id.clone()),
                    _ => None,
                };
                if asked.is_some() && asked == chosen {
                    self.tried_credential = false;
                    account.credentials_complete = complete(page);
                    account.credentials = page.data.clone();
                }
            }
            Reply::CredentialCreated(credential) => {
                let on = credential.resource_id.as_deref().and_then(|r| r.strip_prefix("connection:"));
                if on.is_none() || on == chosen.as_deref() {
                    upsert(&mut account.credentials, credential.clone(), |c| &c.id);
                }
            }
            Reply::ConnectionNumbers(numbers) | Reply::NumbersAssigned(numbers) => {
                let asked = match request {
                    Some(Request::ListConnectionNumbers { connection_id }) => Some(connection_id),
                    Some(Request::AssignNumbers { connection_id, .. }) => Some(connection_id),
                    _ => None,
                };
                if asked.is_some() && asked == chosen.as_ref() {
                    self.numbers_on_connection(numbers);
                }
            }
            _ => {}
        }
    }

    /// A write is being sent. A connection's create, once sent, may have made it even
    /// when no answer comes (a failure, or Esc while it was on its way): the next try
    /// of the same SIP user name looks first.
    pub(super) fn sending(&mut self, request: &Request) {
        if let Request::CreateConnection { .. } = request {
            self.tried_connection = true;
        }
    }

    /// `numbers` are on the chosen connection (read, assigned, or put there by an order
    /// placed for it as it completed).
    pub(super) fn numbers_on_connection(&mut self, numbers: &[PhoneNumber]) {
        let account = &mut self.account;
        for number in numbers {
            if !account.numbers.contains(&number.phone_number) {
                account.numbers.push(number.phone_number.clone());
            }
        }
    }

    /// A write failed: what it would have made may exist all the same (its answer was
    /// lost), so the lists read before it no longer say what the account has, and the
    /// next try looks first.
    pub(super) fn write_failed(&mut self, request: &Request, error: &ApiError) {
        // Telnyx refused a field of step 2's form (a SIP user name taken): the form,
        // returned to, shows it.
        if let (Request::CreateConnection { .. }, ApiError::Invalid { .. }) = (request, error) {
            self.refused = Some(error.clone());
        }
        match request {
            Request::CreateProfile { .. } => self.tried_profile = true,
            Request::CreateCredential { .. } => self.tried_credential = true,
            _ => {}
        }
    }
}

/// `page` holds every record of its list.
fn complete<T>(page: &Page<T>) -> bool {
    page.data.len() as u64 >= page.meta.total_results
}

/// Puts `record` in `records`, in place of the one with its id.
fn upsert<T>(records: &mut Vec<T>, record: T, id: impl Fn(&T) -> &String) {
    match records.iter().position(|r| id(r) == id(&record)) {
        Some(index) => records[index] = record,
        None => records.push(record),
    }
}

impl Ctx {
    /// The plan of what is wanted now against what the account has; the reason when
    /// there is none (no connection chosen yet, or a choice the account cannot meet).
    pub fn plan(&self) -> Result<Plan, String> {
        self.plan_with(|_| {})
    }

    /// The plan if `choose` were the screen's choice (what its Enter would set).
    pub fn plan_with(&self, choose: impl FnOnce(&mut Wanted)) -> Result<Plan, String> {
        let Some(wanted) = &self.desired.wanted else {
            return Err("No connection is chosen yet.".to_owned());
        };
        let mut wanted = wanted.clone();
        choose(&mut wanted);
        let account = Account { now: self.now, ..self.desired.account.clone() };
        let mut plan = crate::setup::plan(&wanted, &account).map_err(|refusal| refusal.0)?;
        // A try after one that failed looks first: its answer may have been lost.
        for request in plan.steps.iter_mut().flat_map(|step| &mut step.requests) {
            match request {
                Request::CreateProfile { first_try, .. } if self.desired.tried_profile => *first_try = false,
                Request::CreateCredential { first_try, .. } if self.desired.tried_credential => {
                    *first_try = false
                }
                Request::CreateConnection { first_try, .. } if self.desired.tried_connection => {
                    *first_try = false
                }
                _ => {}
            }
        }
        Ok(plan)
    }

    /// Which of the eight steps are done, for the header's marks: the codecs, the
    /// profile, its countries and the credential are done when they are chosen and the
    /// plan has nothing left to send for them (what is wanted is what the account has,
    /// so the marks cannot disagree with it); the numbers as [`Ctx::numbers_done`]
    /// says; the others as [`super::Setup::done`] says.
    pub fn done(&self) -> [bool; 8] {
        let mut done = self.setup.done();
        if self.desired.drafted() {
            // Nothing of a connection still to be made is done until it is made.
            for step in &mut done[1..7] {
                *step = false;
            }
            return done;
        }
        let plan = self.plan();
        done[5] = self.numbers_done(plan.as_ref().ok());
        let (Some(wanted), Ok(plan)) = (&self.desired.wanted, plan) else { return done };
        let settled =
            |parts: &[Part]| parts.iter().all(|part| plan.step(*part).is_some_and(|s| !s.kind.writes()));
        done[2] = wanted.codecs.is_some() && settled(&[Part::Codecs]);
        done[3] = wanted.profile.is_some() && settled(&[Part::Profile, Part::Attach]);
        done[4] = wanted.countries.is_some() && settled(&[Part::Profile, Part::Countries]);
        done[6] = wanted.credential.is_some() && settled(&[Part::Credential]);
        done
    }

    /// The numbers step has been through: numbers are wanted (bought, or those the
    /// connection has kept), or skipped (`s`).
    pub fn numbers_decided(&self) -> bool {
        self.setup.numbers_skipped || self.desired.wanted.as_ref().is_some_and(|w| w.numbers.is_some())
    }

    /// The order placed for the cart while Telnyx has not settled it (or its numbers
    /// are not on the connection yet): the numbers are on their way.
    pub fn numbers_ordering(&self) -> Option<&crate::journal::OrderNote> {
        let on = &self.desired.account.numbers;
        self.setup.order.as_ref().filter(|order| {
            order.status.as_deref() != Some("failure") && !order.numbers.iter().all(|n| on.contains(n))
        })
    }

    /// The header marks the numbers step skipped (`–`), and the summary says so:
    /// skipped (`s`) with no number on the connection and no order on its way. A step
    /// skipped after numbers were bought is done: they are there.
    pub fn numbers_skipped(&self) -> bool {
        self.setup.numbers_skipped
            && self.desired.account.numbers.is_empty()
            && self.numbers_ordering().is_none()
    }

    /// The numbers step is done (or skipped, which [`Ctx::numbers_skipped`] tells
    /// apart): it has been through, and the connection has numbers, an order for them
    /// is on its way, or the plan has nothing left to buy (`plan`: the plan of what is
    /// wanted, when there is one).
    fn numbers_done(&self, plan: Option<&Plan>) -> bool {
        let settled = plan.and_then(|plan| plan.step(Part::Numbers)).is_some_and(|s| !s.kind.writes());
        self.numbers_decided()
            && (self.numbers_skipped()
                || !self.desired.account.numbers.is_empty()
                || self.numbers_ordering().is_some()
                || settled)
    }

    /// The numbers as the summaries name them, from the same facts as the header's
    /// mark: those on the connection, or the order still completing at Telnyx (or
    /// failed), or none.
    pub fn numbers_text(&self) -> String {
        let on = &self.desired.account.numbers;
        if !on.is_empty() {
            return on.join(", ");
        }
        if self.numbers_skipped() {
            return "none (step skipped)".to_owned();
        }
        match &self.setup.order {
            Some(order) if order.status.as_deref() == Some("pending") => {
                format!("{}: Telnyx is completing the order (a re-run finds it)", order.numbers.join(", "))
            }
            Some(order) if order.status.as_deref() == Some("failure") => {
                "none: the order failed, nothing was bought".to_owned()
            }
            _ => "none".to_owned(),
        }
    }

    /// What the summary says was set up, read from the same facts as the header's
    /// marks ([`Ctx::done`]): the account as the wizard holds it, and of it only the
    /// parts the header marks done (the profile the plan settles on, the credential
    /// it reuses), so a summary line exists exactly when its mark is set.
    pub fn set_up(&self) -> SetUp<'_> {
        let account = &self.desired.account;
        let Some(connection) = account.connection.as_ref().filter(|_| self.desired.wanted.is_some()) else {
            return SetUp::default();
        };
        let done = self.done();
        let (profile, credential) = match self.plan() {
            Ok(plan) => (
                account.profiles.iter().find(|p| p.id == plan.ends.profile_id),
                account.credentials.iter().find(|c| c.id == plan.ends.credential_id),
            ),
            // No plan: the marks are the setup's own (see [`Ctx::done`]), and so are
            // the records.
            Err(_) => (self.setup.profile.as_ref(), self.setup.credential.as_ref()),
        };
        SetUp {
            numbers: self.numbers_text(),
            connection: Some(connection),
            codecs: done[2].then_some(connection.inbound.codecs.as_slice()),
            profile: profile.filter(|_| done[3]),
            countries: profile.filter(|_| done[4]).map(|p| p.whitelisted_destinations.as_slice()),
            credential: credential.filter(|_| done[6]),
        }
    }

    /// Sets a choice of what is wanted (nothing before a connection is chosen).
    pub(super) fn want(&mut self, choose: impl FnOnce(&mut Wanted)) {
        if let Some(wanted) = &mut self.desired.wanted {
            choose(wanted);
        }
    }
}

/// What the summary lists as set up ([`Ctx::set_up`]): `None` for a part the header
/// does not mark done.
#[derive(Debug, Default, Clone)]
pub struct SetUp<'a> {
    pub connection: Option<&'a CredentialConnection>,
    pub codecs: Option<&'a [String]>,
    pub profile: Option<&'a OutboundVoiceProfile>,
    pub countries: Option<&'a [String]>,
    /// The numbers line ([`Ctx::numbers_text`]); empty says none.
    pub numbers: String,
    pub credential: Option<&'a TelephonyCredential>,
}

/// The steps of `plan` about `parts`, in the plan's order.
pub(super) fn steps_of(plan: &Plan, parts: &[Part]) -> Vec<PlanStep> {
    plan.steps.iter().filter(|s| parts.contains(&s.part)).cloned().collect()
}

/// The first step that writes, with what it sends first.
pub(super) fn first_write(steps: &[PlanStep]) -> Option<(&PlanStep, &Request)> {
    steps.iter().filter(|s| s.kind.writes()).find_map(|s| s.requests.first().map(|r| (s, r)))
}

/// The screen's steps of the plan in one line, as the screen shows it: what Enter
/// does ("Enter: change codecs of “Lobby” — OPUS, VP8 → OPUS; also affects the number
/// +13125550100 on the connection", "Enter: nothing to change"). `account` names the
/// records the steps' ids are.
pub fn enter_line(steps: &[PlanStep], account: &Account) -> String {
    let writes: Vec<&PlanStep> = steps.iter().filter(|s| s.kind.writes()).collect();
    if writes.is_empty() {
        // A connection still to be made gets its codecs in its create (step 4's Enter).
        if account.connection.is_none()
            && let Some(codecs) = steps.iter().find(|s| s.part == Part::Codecs)
        {
            return format!("Enter: nothing is sent now; the codecs are {}", codecs.detail);
        }
        return "Enter: nothing to change".to_owned();
    }
    let said: Vec<String> = writes.iter().map(|s| said(s, account)).collect();
    let mut line = format!("Enter: {}", said.join("; then "));
    let affects: Vec<&str> = writes.iter().flat_map(|s| &s.affects).map(String::as_str).collect();
    if !affects.is_empty() {
        line.push_str(&format!("; also affects {}", affects.join(", ")));
    }
    line
}

/// What a step does, in a few words.
fn said(step: &PlanStep, account: &Account) -> String {
    let (before, after) = (step.before.as_deref(), step.after.as_deref());
    let change = if before.is_some() && after.is_some() {
        format!(" — {} → {}", or_none(before), or_none(after))
    } else {
        String::new()
    };
    let named = |name: Option<&str>| name.map(|n| format!(" of “{}”", escape(n))).unwrap_or_default();
    match step.part {
        Part::Codecs => {
            let connection = account.connection.as_ref().map(|c| c.connection_name.as_str());
            format!("change codecs{}{change}", named(connection))
        }
        Part::Countries => {
            let profile = account.profiles.iter().find(|p| Some(&p.id) == step.id.as_ref());
            format!("change countries{}{change}", named(profile.map(|p| p.name.as_str())))
        }
        // The detail of a move says what moves, not the verb (the plan's line has it).
        Part::Attach if step.kind == crate::setup::plan::Kind::Move => format!("move {}", step.detail),
        Part::Attach => step.detail.clone(),
        _ => format!("{} {} {}", step.kind.as_str(), step.part.as_str(), step.detail),
    }
}

/// The server's text as one line of the screen.
fn escape(text: &str) -> String {
    crate::sanitize::escape_controls(text).into_owned()
}
