//! Step 7: an on-demand telephony credential for the connection: pick one of its
//! credentials or create one (optional name, tag and expiry; Enter accepts defaults),
//! then see its SIP user name and password. The choice is the credential wanted, and
//! what is sent is the plan's credential step: nothing for one the connection has, the
//! create (with the form's tag and expiry) for a new one. A name the connection's
//! credentials have is flagged on the form as it is typed, and Enter then takes that
//! credential as Enter on its row would (one that has expired is not reused: a new
//! one of the name is made, as `setup --credential NAME` makes it).

use super::form::{CLOSE_FORM, Form, FormEvent, fields};
use super::keys::{Action, Binding};
use super::pick::{Pick, PickList};
use super::screen::{Screen, activity_field, form_input};
use super::{Activity, Ctx, Problem, TextField, Transition, move_cursor};
use crate::api::{CredentialConnection, NewTelephonyCredential, TelephonyCredential};
use crate::msg::{Cmd, Reply, Request};
use crate::secret::Secret;
use crate::setup::plan::Step as PlanStep;
use crate::setup::{
    DEFAULT_TAG, Part, Pick as Wanted, Recognised, free_name, is_expired, name_expired, name_in_use,
    name_taken, prefer,
};
use std::time::SystemTime;

/// The domain a credential's SIP URI uses.
pub const SIP_DOMAIN: &str = "sip.telnyx.com";

fields! {
    /// The create form's fields.
    pub enum CredentialField {
        Name = "Name (optional)" from "name";
        Tag = "Tag (optional)" from "tag";
        Expires = "Expires on (YYYY-MM-DD, empty: never)" from "expires_at";
    }
}

/// The form, its name suggested free among the connection's credentials `listed`
/// (`WebRTC login for Lobby 2`): one name, one credential, for `setup --credential`.
fn new_form(connection: &CredentialConnection, listed: &[TelephonyCredential]) -> Form<CredentialField> {
    let suggested = format!("WebRTC login for {}", connection.connection_name);
    let name = free_name(&suggested, listed.iter().filter_map(|c| c.name.as_deref()));
    Form::new(|field| match field {
        CredentialField::Name => TextField::new(&name, 255),
        CredentialField::Tag => TextField::new(DEFAULT_TAG, 255),
        CredentialField::Expires => TextField::new("", 10),
    })
}

fn body(
    form: &Form<CredentialField>,
    connection_id: &str,
    now: SystemTime,
) -> Result<NewTelephonyCredential, (CredentialField, String)> {
    let optional = |field| Some(form.value(field).to_owned()).filter(|v| !v.is_empty());
    let expires_at = match optional(CredentialField::Expires) {
        None => None,
        Some(date) => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let day = time::Date::parse(&date, &format).map_err(|_| {
                (CredentialField::Expires, format!("“{date}” is not a date; write it as YYYY-MM-DD."))
            })?;
            // It expires at the start of that day (UTC): a day already begun is too late.
            if SystemTime::from(day.midnight().assume_utc()) <= now {
                return Err((
                    CredentialField::Expires,
                    format!("{date} is not in the future; an expired credential cannot log in."),
                ));
            }
            Some(format!("{date}T00:00:00Z"))
        }
    };
    Ok(NewTelephonyCredential {
        connection_id: connection_id.to_owned(),
        name: optional(CredentialField::Name),
        tag: optional(CredentialField::Tag),
        expires_at,
    })
}

#[derive(Debug)]
pub struct CredentialStep {
    pub connection: CredentialConnection,
    /// The connection's credentials.
    pub list: PickList<TelephonyCredential>,
    pub form: Option<Form<CredentialField>>,
    /// The credential chosen or created, shown with its SIP details.
    pub chosen: Option<TelephonyCredential>,
    /// The SIP password is shown in clear.
    pub reveal: bool,
    /// Which of the chosen credential's [`SipDetail`]s `y` copies.
    pub detail: SipDetail,
    /// The wizard's clock as this screen last saw it (at its last key or answer): what
    /// the form's flag and its footer judge a credential's expiry by, so they agree.
    now: SystemTime,
    pub activity: Activity,
}

/// The parts of a credential a SIP client is configured with, each copied with `y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SipDetail {
    #[default]
    UserName,
    Password,
    Address,
}

impl SipDetail {
    pub const ALL: [SipDetail; 3] = [SipDetail::UserName, SipDetail::Password, SipDetail::Address];

    /// What the footer and the copy note call it.
    pub fn name(self) -> &'static str {
        match self {
            SipDetail::UserName => "the SIP user name",
            SipDetail::Password => "the SIP password",
            SipDetail::Address => "the SIP address",
        }
    }

    /// Its text for `credential`.
    pub fn of(self, credential: &TelephonyCredential) -> Secret {
        match self {
            SipDetail::UserName => Secret::new(credential.sip_username.clone()),
            SipDetail::Password => credential.sip_password.clone(),
            SipDetail::Address => Secret::new(format!("{}@{SIP_DOMAIN}", credential.sip_username)),
        }
    }
}

impl CredentialStep {
    pub fn new(connection: CredentialConnection) -> Self {
        Self {
            connection,
            list: PickList::default(),
            form: None,
            chosen: None,
            reveal: false,
            detail: SipDetail::default(),
            now: SystemTime::UNIX_EPOCH,
            activity: Activity::default(),
        }
    }

    /// The form's name is one of the connection's credentials has: what to say as it is
    /// typed (Enter uses that credential, or another name is given; one that has
    /// expired is not reused, and says so), before anything is sent.
    pub fn name_in_use(&self) -> Option<String> {
        let name = self.form.as_ref()?.value(CredentialField::Name);
        match named(&self.list, name, self.now) {
            Named::Usable(count, meant) => {
                name_in_use("credential", name, count, &meant, |c| format!("SIP user {}", c.sip_username))
            }
            Named::Expired => Some(name_expired(name)),
            Named::Free => None,
        }
    }

    /// The credential the form's name means, when the connection has one of that name
    /// that can log in and that the recogniser tells apart: Enter uses it.
    fn named_in_form(&self) -> Option<&TelephonyCredential> {
        match named(&self.list, self.form.as_ref()?.value(CredentialField::Name), self.now) {
            Named::Usable(_, Recognised::Found(credential)) => Some(credential),
            _ => None,
        }
    }

    /// The screen as the numbers step leaves it. A connection this run created has no
    /// credentials but those this run made for it (the user came back here, perhaps
    /// past the numbers with `s`): the account as the wizard holds it has each one made,
    /// from its create's answer, whether or not it was then chosen. The screen starts
    /// with that complete list, with nothing to read, and the newest made highlighted,
    /// so Enter keeps it instead of making another.
    pub(super) fn open(connection: CredentialConnection, ctx: &mut Ctx) -> (Self, Vec<Cmd>) {
        let mut step = Self::new(connection);
        step.now = ctx.now;
        if ctx.setup.connection_new {
            let on_it = format!("connection:{}", step.connection.id);
            let mut made: Vec<TelephonyCredential> = Vec::new();
            for credential in ctx.desired.account.credentials.iter().chain(&ctx.setup.credential) {
                if credential.resource_id.as_deref() == Some(&on_it)
                    && !made.iter().any(|m| m.id == credential.id)
                {
                    made.push(credential.clone());
                }
            }
            let meta = crate::api::PageMeta { total_results: made.len() as u64, ..Default::default() };
            step.list.loaded(crate::api::Page { data: made, meta });
            step.list.cursor = step.list.items.as_ref().map_or(0, Vec::len);
            return (step, Vec::new());
        }
        let cmds = step.reload(ctx);
        (step, cmds)
    }

    pub(super) fn reload(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.form = None;
        self.chosen = None;
        let request = Request::ListCredentials { connection_id: self.connection.id.clone() };
        ctx.fetch_for(self, "Loading the connection's credentials", request)
    }

    fn on_form_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        let Some(form) = &mut self.form else { return Transition::none() };
        match form.on_action(action) {
            FormEvent::Cancel => {
                self.form = None;
                self.activity.problem = None;
            }
            // Two credentials of one name on a connection: `setup --credential NAME`
            // could not tell them apart. Enter on a name the connection's credentials
            // have uses the one it means, as Enter on its row would (its SIP details
            // next); of several alike the user picks. One expired is not reused: as
            // for `setup --credential NAME`, a new one of the name is made.
            FormEvent::Submit => match named(&self.list, form.value(CredentialField::Name), self.now) {
                Named::Usable(_, Recognised::Found(credential)) => {
                    let id = credential.id.clone();
                    let row = self.list.items.iter().flatten().position(|c| c.id == id);
                    self.form = None;
                    self.activity.problem = None;
                    self.list.cursor = row.map_or(0, |row| row + 1);
                    return self.on_action(Action::Submit, ctx);
                }
                Named::Usable(_, Recognised::Ambiguous(_)) => {
                    let name = form.value(CredentialField::Name).to_owned();
                    form.reject(CredentialField::Name);
                    self.activity.fail(Problem::Input(name_taken("credential", &name)));
                }
                Named::Usable(_, Recognised::Missing) | Named::Free | Named::Expired => {
                    return self.submit_new(ctx);
                }
            },
            FormEvent::Changed(_) | FormEvent::Nothing => {}
        }
        Transition::none()
    }

    /// Enter on the form with a name free among the connection's credentials: the
    /// plan's create, with the form's name, tag and expiry.
    fn submit_new(&mut self, ctx: &mut Ctx) -> Transition {
        let Some(form) = &mut self.form else { return Transition::none() };
        match body(form, &self.connection.id, ctx.now) {
            Ok(body) => {
                form.invalid = None;
                let pick = Wanted::New(body.name.clone().unwrap_or_default());
                let request = match create_step(body, ctx) {
                    Ok(step) => step.requests.into_iter().next(),
                    Err(reason) => {
                        self.activity.fail(Problem::Input(reason));
                        return Transition::none();
                    }
                };
                let Some(request) = request else { return Transition::none() };
                ctx.want(|wanted| wanted.credential = Some(pick));
                Transition::run(ctx.call(&mut self.activity, "Creating the credential", request))
            }
            Err((field, message)) => {
                form.reject(field);
                self.activity.fail(Problem::Input(message));
                Transition::none()
            }
        }
    }

    fn on_chosen_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        let Some(chosen) = &self.chosen else { return Transition::none() };
        match action {
            Action::Reveal => self.reveal = !self.reveal,
            Action::Up | Action::Down => {
                let index = SipDetail::ALL.iter().position(|d| *d == self.detail).unwrap_or(0);
                let mut cursor = index;
                move_cursor(&mut cursor, SipDetail::ALL.len(), action);
                self.detail = SipDetail::ALL[cursor];
            }
            Action::Copy => {
                let text = self.detail.of(chosen);
                // The password is a secret: the clipboard lets go of it after a time.
                let copy = match self.detail {
                    SipDetail::Password => self.activity.copy_secret(self.detail.name(), text),
                    _ => self.activity.copy(self.detail.name(), text),
                };
                return Transition::run(copy);
            }
            Action::Submit if is_expired(chosen, ctx.now) => {
                self.activity.fail(Problem::Input(
                    "This credential has expired, so its tokens cannot log in: Esc, then n, makes a new one."
                        .into(),
                ));
            }
            Action::Submit => {
                // The plan's step for a credential the connection has: reused, nothing sent.
                let pick = Wanted::Existing(chosen.id.clone());
                if let Err(reason) = ctx.plan_with(|wanted| wanted.credential = Some(pick.clone())) {
                    self.activity.fail(Problem::Input(reason));
                    return Transition::none();
                }
                ctx.want(|wanted| wanted.credential = Some(pick));
                ctx.setup.credential = Some(chosen.clone());
                return super::flow::next(super::flow::Decided::Credential, ctx);
            }
            Action::Back => {
                self.chosen = None;
                self.reveal = false;
            }
            _ => {}
        }
        Transition::none()
    }

    fn open_form(&mut self) -> Transition {
        self.form = Some(new_form(&self.connection, self.list.items.as_deref().unwrap_or_default()));
        self.activity.problem = None;
        Transition::none()
    }
}

/// What the connection's credentials of one name are to the form.
enum Named<'a> {
    /// None has it (or the name is empty: unnamed credentials are many).
    Free,
    /// Only credentials that have expired have it: none can be reused, and a new one
    /// of the name is made (the recogniser does not count those).
    Expired,
    /// How many that can log in have it, and which of them it means ([`prefer`], as
    /// `setup --credential NAME` would: the one; of several, telnyx-setup's newest).
    Usable(usize, Recognised<&'a TelephonyCredential>),
}

fn named<'a>(list: &'a PickList<TelephonyCredential>, name: &str, now: SystemTime) -> Named<'a> {
    if name.is_empty() {
        return Named::Free;
    }
    let (usable, expired): (Vec<&TelephonyCredential>, Vec<_>) = list
        .items
        .iter()
        .flatten()
        .filter(|c| c.name.as_deref() == Some(name))
        .partition(|c| !is_expired(c, now));
    match (usable.len(), expired.is_empty()) {
        (0, true) => Named::Free,
        (0, false) => Named::Expired,
        (count, _) => Named::Usable(count, prefer(usable)),
    }
}

/// The plan's step for a new credential made from the form's `body`: the plan's create
/// (the connection, and what the worker's look before it needs), with the form's
/// name, tag and expiry, which the plan leaves to their defaults.
fn create_step(body: NewTelephonyCredential, ctx: &Ctx) -> Result<PlanStep, String> {
    let pick = Wanted::New(body.name.clone().unwrap_or_default());
    let plan = ctx.plan_with(|wanted| wanted.credential = Some(pick))?;
    let mut step = plan.step(Part::Credential).cloned().ok_or("The plan has no credential step.")?;
    for request in &mut step.requests {
        if let Request::CreateCredential { body: planned, .. } = request {
            *planned =
                NewTelephonyCredential { connection_id: planned.connection_id.clone(), ..body.clone() };
        }
    }
    Ok(step)
}

const UP_DOWN: &[Action] = &[Action::Up, Action::Down];

impl Screen for CredentialStep {
    activity_field!();

    /// The create of the form's credential, or the reuse of the one highlighted.
    fn planned(&self, ctx: &Ctx) -> Option<Vec<PlanStep>> {
        let in_form = self.named_in_form();
        if let Some(form) = self.form.as_ref().filter(|_| in_form.is_none()) {
            let body = body(form, &self.connection.id, ctx.now).ok()?;
            return create_step(body, ctx).ok().map(|step| vec![step]);
        }
        let highlighted = match (&self.chosen, in_form) {
            (Some(chosen), _) => Some(chosen),
            // A name the connection's credentials have in the form: Enter uses that one.
            (None, Some(named)) => Some(named),
            (None, None) => self.list.cursor.checked_sub(1).and_then(|index| self.list.get(index)),
        };
        // The row that opens the form: Enter sends nothing.
        let credential = highlighted?;
        let pick = Wanted::Existing(credential.id.clone());
        let plan = ctx.plan_with(|wanted| wanted.credential = Some(pick)).ok()?;
        Some(plan.step(Part::Credential).cloned().into_iter().collect())
    }

    fn title(&self) -> &'static str {
        if self.form.is_some() {
            "Credential: a new credential"
        } else if self.chosen.is_some() {
            "Credential: its SIP details"
        } else {
            "Credential"
        }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.named_in_form().is_some() {
            Form::<CredentialField>::bindings(
                (
                    "use it",
                    "Use the credential that has this name and see its SIP details (nothing is created).",
                ),
                CLOSE_FORM,
            )
        } else if self.form.is_some() {
            Form::<CredentialField>::bindings(
                ("create", "Create the credential; empty fields are left unset."),
                CLOSE_FORM,
            )
        } else if self.chosen.is_some() {
            let copy = match self.detail {
                SipDetail::UserName => "copy user name",
                SipDetail::Password => "copy password",
                SipDetail::Address => "copy address",
            };
            vec![
                Binding::new(&[Action::Submit], "continue", "Make a login token from this credential."),
                Binding::new(UP_DOWN, "choose", "Choose the user name, the password or the SIP address."),
                Binding::new(
                    &[Action::Copy],
                    copy,
                    "Copy the highlighted detail (the password needs no revealing).",
                ),
                Binding::new(
                    &[Action::Reveal],
                    if self.reveal { "hide" } else { "reveal" },
                    "Show or hide the SIP password.",
                ),
                Binding::new(&[Action::Back], "list", "Back to the connection's credentials."),
            ]
        } else {
            self.list
                .bindings("choose", "See the highlighted credential, or open the form on \"Create a new\".")
        }
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        self.now = ctx.now;
        if self.form.is_some() {
            return self.on_form_action(action, ctx);
        }
        if self.chosen.is_some() {
            return self.on_chosen_action(action, ctx);
        }
        match self.list.on_action(action) {
            Pick::Create => self.open_form(),
            Pick::Item(index) => {
                self.chosen = self.list.get(index).cloned();
                self.detail = SipDetail::default();
                Transition::none()
            }
            Pick::Reload => Transition::Stay(self.reload(ctx)),
            Pick::Nothing => Transition::none(),
        }
    }

    form_input!(form);

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        self.now = ctx.now;
        match reply {
            Reply::CredentialsListed(page) => {
                self.list.loaded(page);
                let items = self.list.items.as_deref().unwrap_or_default();
                let usable = |c: &TelephonyCredential| !is_expired(c, ctx.now);
                let preselected = super::resume::preselect_credential(items, &ctx.journal, usable);
                self.list.preselect(preselected);
            }
            Reply::CredentialCreated(credential) => {
                ctx.want(|wanted| wanted.credential = Some(Wanted::Existing(credential.id.clone())));
                self.form = None;
                self.list.insert_first(credential.clone());
                self.chosen = Some(credential);
                self.detail = SipDetail::default();
            }
            _ => {}
        }
        Transition::none()
    }

    fn on_return(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.reload(ctx)
    }
}
