//! Step 2: pick a credential connection, or create one with a generated SIP user name
//! and password. Row 0 of the list is "Create new"; existing connections follow.

use super::pick::{Pick, PickList, cycle};
use super::{Activity, Ctx, Problem, Step, TextField, Transition};
use crate::api::{ApiError, CredentialConnection, NewCredentialConnection};
use crate::msg::{Cmd, Reply, Request};
use crate::secret::Secret;
use crate::state::codecs::CodecsStep;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rand::Rng;
use rand::distr::{Alphanumeric, SampleString};

const MAX_NAME_CHARS: usize = 255;
const SUGGESTED_NAME: &str = "WebRTC (telnyx-setup)";

#[derive(Debug)]
pub struct ConnectionStep {
    pub list: PickList<CredentialConnection>,
    /// The create form, while it is open.
    pub form: Option<ConnectionForm>,
    pub activity: Activity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormField {
    Name,
    UserName,
    Password,
}

impl FormField {
    pub const ALL: [FormField; 3] = [FormField::Name, FormField::UserName, FormField::Password];

    pub fn label(self) -> &'static str {
        match self {
            FormField::Name => "Connection name",
            FormField::UserName => "SIP user name",
            FormField::Password => "SIP password",
        }
    }

    /// The field a Telnyx error pointer (`/user_name`) is about.
    fn from_pointer(field: &str) -> Option<Self> {
        match field {
            "connection_name" => Some(FormField::Name),
            "user_name" => Some(FormField::UserName),
            "password" => Some(FormField::Password),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub struct ConnectionForm {
    pub name: TextField,
    pub user_name: TextField,
    pub password: TextField,
    pub focus: FormField,
    /// The password is shown in clear (Ctrl-R).
    pub reveal: bool,
    /// The field the last problem is about, to mark it on screen.
    pub invalid: Option<FormField>,
}

impl ConnectionForm {
    /// A form with a suggested name and freshly generated credentials.
    fn suggested(rng: &mut impl Rng) -> Self {
        let mut form = Self {
            name: TextField::new(SUGGESTED_NAME, MAX_NAME_CHARS),
            user_name: TextField::new("", 32),
            password: TextField::secret("", 128),
            focus: FormField::Name,
            reveal: false,
            invalid: None,
        };
        form.generate_credentials(rng);
        form
    }

    /// A user name that meets Telnyx's rule (letters first, 4-32 alphanumerics) and a
    /// 24-character alphanumeric password (about 142 bits; no symbols that SIP clients
    /// would need escaped).
    fn generate_credentials(&mut self, rng: &mut impl Rng) {
        let suffix = Alphanumeric.sample_string(rng, 8).to_lowercase();
        self.user_name.set(&format!("webrtc{suffix}"));
        self.password.set(&Alphanumeric.sample_string(rng, 24));
    }

    pub fn field(&self, field: FormField) -> &TextField {
        match field {
            FormField::Name => &self.name,
            FormField::UserName => &self.user_name,
            FormField::Password => &self.password,
        }
    }

    pub(super) fn focused_field_mut(&mut self) -> &mut TextField {
        match self.focus {
            FormField::Name => &mut self.name,
            FormField::UserName => &mut self.user_name,
            FormField::Password => &mut self.password,
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        self.focus = cycle(&FormField::ALL, self.focus, forward);
    }

    /// Checks the input against Telnyx's rules so a request that would be refused is
    /// never sent.
    fn validate(&self) -> Result<NewCredentialConnection, (FormField, String)> {
        let name = self.name.value().trim();
        if name.is_empty() {
            return Err((FormField::Name, "Give the connection a name.".into()));
        }
        let user_name = self.user_name.value().trim();
        if let Err(reason) = crate::api::check_user_name(user_name) {
            return Err((FormField::UserName, format!("The SIP {}.", reason.replace('_', " "))));
        }
        let password = self.password.value();
        if !(8..=128).contains(&password.chars().count()) {
            return Err((FormField::Password, "The SIP password must be 8 to 128 characters.".into()));
        }
        Ok(NewCredentialConnection {
            connection_name: name.to_owned(),
            user_name: user_name.to_owned(),
            password: Secret::new(password),
        })
    }
}

impl Default for ConnectionStep {
    fn default() -> Self {
        Self::new()
    }
}

impl ConnectionStep {
    pub fn new() -> Self {
        Self { list: PickList::default(), form: None, activity: Activity::default() }
    }

    /// (Re)loads the list, closing the form: used on entry and on return with Esc.
    pub(super) fn reload(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.form = None;
        vec![ctx.call(&mut self.activity, "Loading your credential connections", Request::ListConnections)]
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        if let Some(form) = &mut self.form {
            return match key.code {
                KeyCode::Esc => {
                    self.form = None;
                    self.activity.problem = None;
                    Transition::none()
                }
                KeyCode::Tab | KeyCode::Down => {
                    form.cycle_focus(true);
                    Transition::none()
                }
                KeyCode::BackTab | KeyCode::Up => {
                    form.cycle_focus(false);
                    Transition::none()
                }
                KeyCode::Char('r') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    form.reveal = !form.reveal;
                    Transition::none()
                }
                KeyCode::Char('g') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    form.generate_credentials(&mut ctx.rng);
                    Transition::none()
                }
                KeyCode::Enter => match form.validate() {
                    Ok(body) => {
                        form.invalid = None;
                        Transition::run(ctx.call(
                            &mut self.activity,
                            "Creating the connection",
                            Request::CreateConnection(body),
                        ))
                    }
                    Err((field, message)) => {
                        form.focus = field;
                        form.invalid = Some(field);
                        self.activity.fail(Problem::Input(message));
                        Transition::none()
                    }
                },
                _ => {
                    if form.focused_field_mut().on_key(key) && form.invalid == Some(form.focus) {
                        form.invalid = None;
                        self.activity.problem = None;
                    }
                    Transition::none()
                }
            };
        }
        match self.list.on_key(&key) {
            Pick::Create => self.open_form(ctx),
            Pick::Item(index) => {
                let connection = self.list.get(index).cloned().unwrap_or_default();
                ctx.setup.connection = Some(connection.clone());
                Transition::next(Step::Codecs(CodecsStep::new(connection)), Vec::new())
            }
            Pick::Back => Transition::Back,
            Pick::Reload => Transition::Stay(self.reload(ctx)),
            Pick::Nothing => Transition::none(),
        }
    }

    fn open_form(&mut self, ctx: &mut Ctx) -> Transition {
        self.form = Some(ConnectionForm::suggested(&mut ctx.rng));
        self.activity.problem = None;
        Transition::none()
    }

    pub(super) fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ConnectionsListed(page) => {
                self.list.loaded(page);
                Transition::none()
            }
            Reply::ConnectionCreated(connection) => {
                ctx.setup.connection = Some(connection.clone());
                Transition::next(Step::Codecs(CodecsStep::new(connection)), Vec::new())
            }
            _ => Transition::none(),
        }
    }

    /// Shows the error, and in the form moves to the field Telnyx named.
    pub(super) fn on_error(&mut self, error: ApiError) {
        if let Some(form) = &mut self.form {
            let field =
                error.errors().iter().filter_map(|e| e.field()).find_map(|f| FormField::from_pointer(&f));
            if let Some(field) = field {
                form.focus = field;
            }
            form.invalid = field;
        }
        self.activity.fail(Problem::Api(error));
    }

    pub(super) fn hints(&self) -> Vec<(&'static str, &'static str)> {
        match &self.form {
            Some(form) => vec![
                ("Enter", "create"),
                ("Tab", "next field"),
                ("Ctrl-R", if form.reveal { "hide" } else { "reveal" }),
                ("Ctrl-G", "regenerate"),
                ("Esc", "cancel"),
            ],
            None => self.list.hints("choose"),
        }
    }
}
