//! Step 7: an on-demand telephony credential for the connection: pick one of its
//! credentials or create one (optional name, tag and expiry; Enter accepts defaults),
//! then see its SIP user name and password.

use super::pick::{Pick, PickList, cycle};
use super::{Activity, Ctx, Problem, Step, TextField, Transition};
use crate::api::{CredentialConnection, NewTelephonyCredential, TelephonyCredential};
use crate::msg::{Cmd, Reply, Request};
use crate::state::token::TokenStep;
use crossterm::event::{KeyCode, KeyEvent};

/// The tag new credentials get, so they can be found (and cleaned up) together.
pub const DEFAULT_TAG: &str = "telnyx-setup";
/// The domain a credential's SIP URI uses.
pub const SIP_DOMAIN: &str = "sip.telnyx.com";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialField {
    Name,
    Tag,
    Expires,
}

impl CredentialField {
    pub const ALL: [CredentialField; 3] =
        [CredentialField::Name, CredentialField::Tag, CredentialField::Expires];

    pub fn label(self) -> &'static str {
        match self {
            CredentialField::Name => "Name (optional)",
            CredentialField::Tag => "Tag (optional)",
            CredentialField::Expires => "Expires on (YYYY-MM-DD, empty: never)",
        }
    }
}

#[derive(Debug)]
pub struct CredentialForm {
    pub name: TextField,
    pub tag: TextField,
    pub expires: TextField,
    pub focus: CredentialField,
}

impl CredentialForm {
    fn new(connection: &CredentialConnection) -> Self {
        Self {
            name: TextField::new(&format!("WebRTC login for {}", connection.connection_name), 255),
            tag: TextField::new(DEFAULT_TAG, 255),
            expires: TextField::new("", 10),
            focus: CredentialField::Name,
        }
    }

    pub fn field(&self, field: CredentialField) -> &TextField {
        match field {
            CredentialField::Name => &self.name,
            CredentialField::Tag => &self.tag,
            CredentialField::Expires => &self.expires,
        }
    }

    pub(super) fn focused_field_mut(&mut self) -> &mut TextField {
        match self.focus {
            CredentialField::Name => &mut self.name,
            CredentialField::Tag => &mut self.tag,
            CredentialField::Expires => &mut self.expires,
        }
    }

    fn cycle_focus(&mut self, forward: bool) {
        self.focus = cycle(&CredentialField::ALL, self.focus, forward);
    }

    fn body(&self, connection_id: &str) -> Result<NewTelephonyCredential, (CredentialField, String)> {
        let optional = |field: &TextField| Some(field.value().trim().to_owned()).filter(|v| !v.is_empty());
        let expires_at = match optional(&self.expires) {
            None => None,
            Some(date) => {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                time::Date::parse(&date, &format).map_err(|_| {
                    (CredentialField::Expires, format!("“{date}” is not a date; write it as YYYY-MM-DD."))
                })?;
                Some(format!("{date}T00:00:00Z"))
            }
        };
        Ok(NewTelephonyCredential {
            connection_id: connection_id.to_owned(),
            name: optional(&self.name),
            tag: optional(&self.tag),
            expires_at,
        })
    }
}

#[derive(Debug)]
pub struct CredentialStep {
    pub connection: CredentialConnection,
    /// The connection's credentials.
    pub list: PickList<TelephonyCredential>,
    pub form: Option<CredentialForm>,
    /// The credential chosen or created, shown with its SIP details.
    pub chosen: Option<TelephonyCredential>,
    /// The SIP password is shown in clear (`r`).
    pub reveal: bool,
    pub activity: Activity,
}

impl CredentialStep {
    pub fn new(connection: CredentialConnection) -> Self {
        Self {
            connection,
            list: PickList::default(),
            form: None,
            chosen: None,
            reveal: false,
            activity: Activity::default(),
        }
    }

    pub(super) fn reload(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.form = None;
        self.chosen = None;
        let request = Request::ListCredentials { connection_id: self.connection.id.clone() };
        vec![ctx.call(&mut self.activity, "Loading the connection's credentials", request)]
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
                KeyCode::Enter => match form.body(&self.connection.id) {
                    Ok(body) => Transition::run(ctx.call(
                        &mut self.activity,
                        "Creating the credential",
                        Request::CreateCredential { body, known: self.list.all_ids(|c| &c.id) },
                    )),
                    Err((field, message)) => {
                        form.focus = field;
                        self.activity.fail(Problem::Input(message));
                        Transition::none()
                    }
                },
                _ => {
                    if form.focused_field_mut().on_key(key) {
                        self.activity.problem = None;
                    }
                    Transition::none()
                }
            };
        }
        if let Some(chosen) = &self.chosen {
            return match key.code {
                KeyCode::Char('r') => {
                    self.reveal = !self.reveal;
                    Transition::none()
                }
                KeyCode::Enter => {
                    ctx.setup.credential = Some(chosen.clone());
                    Transition::next(Step::Token(TokenStep::new(chosen.clone())), Vec::new())
                }
                KeyCode::Esc => {
                    self.chosen = None;
                    self.reveal = false;
                    Transition::none()
                }
                _ => Transition::none(),
            };
        }
        match self.list.on_key(&key) {
            Pick::Create => self.open_form(),
            Pick::Item(index) => {
                self.chosen = self.list.get(index).cloned();
                Transition::none()
            }
            Pick::Back => Transition::Back,
            Pick::Reload => Transition::Stay(self.reload(ctx)),
            Pick::Nothing => Transition::none(),
        }
    }

    fn open_form(&mut self) -> Transition {
        self.form = Some(CredentialForm::new(&self.connection));
        self.activity.problem = None;
        Transition::none()
    }

    pub(super) fn on_reply(&mut self, reply: Reply) -> Transition {
        match reply {
            Reply::CredentialsListed(page) => self.list.loaded(page),
            Reply::CredentialCreated(credential) => {
                self.form = None;
                self.list.insert_first(credential.clone());
                self.chosen = Some(credential);
            }
            _ => {}
        }
        Transition::none()
    }

    pub(super) fn hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.form.is_some() {
            vec![("Enter", "create"), ("Tab", "next field"), ("Esc", "cancel")]
        } else if self.chosen.is_some() {
            vec![("Enter", "continue"), ("r", if self.reveal { "hide" } else { "reveal" }), ("Esc", "list")]
        } else {
            self.list.hints("choose")
        }
    }
}
