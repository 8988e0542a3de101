//! Step 2: pick a credential connection, or name a new one with a generated SIP user
//! name and password. Row 0 of the list is "Create new"; existing connections follow.
//! A new connection is not sent from here: the form's Enter sets it as wanted, and the
//! plan makes it once the profile is chosen (step 4, or step 5 for a new profile), on
//! that profile and with step 3's codecs, in one request, as `setup` does.

use super::flow::Decided;
use super::form::{CLOSE_FORM, Form, FormEvent, fields};
use super::keys::{Action, Binding};
use super::pick::{Pick, PickList};
use super::screen::{Screen, activity_field, form_input};
use super::{Activity, Ctx, Problem, TextField, Transition};
use crate::api::CredentialConnection;
use crate::msg::{Cmd, Reply, Request};
use crate::secret::Secret;
use crate::setup::{Recognised, SipLogin, free_name, generate_sip_login, name_in_use, name_taken};

const MAX_NAME_CHARS: usize = 255;
const SUGGESTED_NAME: &str = "WebRTC (telnyx-setup)";

#[derive(Debug)]
pub struct ConnectionStep {
    pub list: PickList<CredentialConnection>,
    /// The create form, while it is open.
    pub form: Option<Form<FormField>>,
    /// The form's SIP password is shown in clear.
    pub reveal: bool,
    pub activity: Activity,
}

fields! {
    /// The create form's fields.
    pub enum FormField {
        Name = "Connection name" from "connection_name";
        UserName = "SIP user name" from "user_name";
        Password = "SIP password" from "password";
    }
}

/// The create form with a suggested name that none of `listed` has, and freshly
/// generated credentials.
fn suggested_form(ctx: &mut Ctx, listed: &[CredentialConnection]) -> Form<FormField> {
    let name = free_name(SUGGESTED_NAME, listed.iter().map(|c| c.connection_name.as_str()));
    let mut form = Form::new(|field| match field {
        FormField::Name => TextField::new(&name, MAX_NAME_CHARS),
        FormField::UserName => TextField::new("", 32),
        FormField::Password => TextField::secret("", 128),
    });
    generate_credentials(&mut form, ctx);
    form
}

/// A user name that meets Telnyx's rule (letters first, 4-32 alphanumerics), from the
/// seeded generator (it is public), and a 24-character alphanumeric password from the
/// secret one, the OS's: 24 draws of 62 symbols, about 142 bits (no symbols that SIP
/// clients would need escaped).
fn generate_credentials(form: &mut Form<FormField>, ctx: &mut Ctx) {
    let (user_name, password) = generate_sip_login(&mut ctx.rng, &mut ctx.secret_rng);
    form.field_mut(FormField::UserName).set(&user_name);
    form.field_mut(FormField::Password).set(password.expose());
}

/// How many connections of `list` have `name`, and which of them it means
/// ([`prefer`]: the one; of several, telnyx-setup's).
fn named<'a>(
    list: &'a PickList<CredentialConnection>,
    name: &str,
) -> (usize, Recognised<&'a CredentialConnection>) {
    crate::setup::named(list.items.iter().flatten(), name)
}

/// Checks the input against Telnyx's rules so a request that would be refused is
/// never sent: the name, and the SIP login the connection is to be made with.
fn validate(form: &Form<FormField>) -> Result<(String, SipLogin), (FormField, String)> {
    let name = form.value(FormField::Name);
    if name.is_empty() {
        return Err((FormField::Name, "Give the connection a name.".into()));
    }
    let user_name = form.value(FormField::UserName);
    if let Err(reason) = crate::api::check_user_name(user_name) {
        return Err((FormField::UserName, format!("The SIP {}.", reason.replace('_', " "))));
    }
    let password = form.field(FormField::Password).value();
    if !(8..=128).contains(&password.chars().count()) {
        return Err((FormField::Password, "The SIP password must be 8 to 128 characters.".into()));
    }
    Ok((name.to_owned(), SipLogin { user_name: user_name.to_owned(), password: Secret::new(password) }))
}

impl Default for ConnectionStep {
    fn default() -> Self {
        Self::new()
    }
}

impl ConnectionStep {
    pub fn new() -> Self {
        Self { list: PickList::default(), form: None, reveal: false, activity: Activity::default() }
    }

    /// The screen, loading its list.
    pub(super) fn open(ctx: &mut Ctx) -> (Self, Vec<Cmd>) {
        let mut step = Self::new();
        let load = step.reload(ctx);
        (step, load)
    }

    /// (Re)loads the list, closing the form: used on entry and on return with Esc.
    pub(super) fn reload(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.form = None;
        ctx.fetch_for(self, "Loading your credential connections", Request::ListConnections)
    }

    fn on_form_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        let Some(form) = &mut self.form else { return Transition::none() };
        match action {
            Action::Reveal => self.reveal = !self.reveal,
            Action::Generate => generate_credentials(form, ctx),
            _ => match form.on_action(action) {
                FormEvent::Cancel => {
                    self.form = None;
                    self.activity.problem = None;
                }
                FormEvent::Submit => match validate(form) {
                    // A second record of one name would make the name mean nothing on
                    // day two (`token --connection NAME`): Enter on a name the account
                    // has uses the connection it means; of several alike, the user picks.
                    Ok((name, login)) => match named(&self.list, &name) {
                        (_, Recognised::Found(connection)) => {
                            let connection = connection.clone();
                            self.form = None;
                            return self.use_existing(connection, ctx);
                        }
                        (_, Recognised::Ambiguous(_)) => {
                            form.reject(FormField::Name);
                            self.activity.fail(Problem::Input(name_taken("connection", &name)));
                        }
                        // Nothing is sent: the plan makes the connection on step 4
                        // (or 5, with a new profile), on the profile, with its codecs,
                        // in one request.
                        (_, Recognised::Missing) => {
                            form.invalid = None;
                            self.activity.problem = None;
                            ctx.draft_connection(name, login);
                            return super::flow::next(Decided::Connection, ctx);
                        }
                    },
                    Err((field, message)) => {
                        form.reject(field);
                        self.activity.fail(Problem::Input(message));
                    }
                },
                FormEvent::Changed(_) | FormEvent::Nothing => {}
            },
        }
        Transition::none()
    }

    /// The form's name is one the account has: what to say as it is typed (Enter uses
    /// that connection, or another name is given), before anything is sent.
    pub fn name_in_use(&self) -> Option<String> {
        let name = self.form.as_ref()?.value(FormField::Name);
        let (count, meant) = named(&self.list, name);
        name_in_use("connection", name, count, &meant, |connection| format!("user {}", connection.user_name))
    }

    /// Goes on with an existing connection: one telnyx-setup made is the setup's own,
    /// unless a new setup was asked for.
    fn use_existing(&mut self, connection: CredentialConnection, ctx: &mut Ctx) -> Transition {
        let ours = ctx.journal.recognise && connection.is_marked();
        ctx.choose_connection(connection, ours, false);
        super::flow::next(Decided::Connection, ctx)
    }

    fn open_form(&mut self, ctx: &mut Ctx) -> Transition {
        self.form = Some(suggested_form(ctx, self.list.items.as_deref().unwrap_or_default()));
        self.reveal = false;
        self.activity.problem = None;
        Transition::none()
    }
}

const REVEAL: &[Action] = &[Action::Reveal];
const GENERATE: &[Action] = &[Action::Generate];

impl Screen for ConnectionStep {
    activity_field!();

    fn title(&self) -> &'static str {
        if self.form.is_some() { "Connection: a new connection" } else { "Connection" }
    }

    fn bindings(&self) -> Vec<Binding> {
        match &self.form {
            Some(form) => {
                let submit = match named(&self.list, form.value(FormField::Name)) {
                    (_, Recognised::Found(_)) => (
                        "use it",
                        "Use the connection that has this name, with its own SIP login (nothing is created).",
                    ),
                    _ => ("next", "Go on: the connection is made on step 4, on the profile chosen there."),
                };
                let mut bindings = Form::<FormField>::bindings(submit, CLOSE_FORM);
                let reveal = if self.reveal { "hide" } else { "reveal" };
                bindings.push(Binding::new(REVEAL, reveal, "Show or hide the SIP password."));
                bindings.push(Binding::new(
                    GENERATE,
                    "regenerate",
                    "Generate a new SIP user name and password.",
                ));
                bindings
            }
            None => self
                .list
                .bindings("choose", "Use the highlighted connection, or open the form on \"Create a new\"."),
        }
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if self.form.is_some() {
            return self.on_form_action(action, ctx);
        }
        match self.list.on_action(action) {
            Pick::Create => self.open_form(ctx),
            Pick::Item(index) => {
                let connection = self.list.get(index).cloned().unwrap_or_default();
                self.use_existing(connection, ctx)
            }
            Pick::Reload => Transition::Stay(self.reload(ctx)),
            Pick::Nothing => Transition::none(),
        }
    }

    form_input!(form);

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ConnectionsListed(page) => {
                self.list.loaded(page);
                let items = self.list.items.as_deref().unwrap_or_default();
                let preselected = super::resume::preselect_connection(items, &ctx.journal);
                self.list.preselect(preselected);
                Transition::none()
            }
            _ => Transition::none(),
        }
    }

    /// The list is read again, and the form closes, unless Telnyx refused the
    /// connection it named (when the plan sent its create, on step 4 or 5): then the
    /// form stays for a fix, with the field Telnyx named focused and its message.
    fn on_return(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let refused = ctx.desired.take_refusal();
        let form = self.form.take();
        let cmds = self.reload(ctx);
        if let (Some(mut form), Some(error)) = (form, refused) {
            form.blame(&error);
            self.form = Some(form);
            self.activity.fail(Problem::Api(error));
        }
        cmds
    }
}
