//! Step 4: pick or create an outbound voice profile, then attach the connection to it
//! (`outbound.outbound_voice_profile_id`). Creating and attaching are two requests; a
//! created profile joins the list at once, so a failed attach retries only the attach.

use super::pick::{Pick, PickList};
use super::{Activity, Ctx, Problem, Step, TextField, Transition};
use crate::api::{
    ApiError, CredentialConnection, CredentialConnectionUpdate, NewOutboundVoiceProfile, OutboundUpdate,
    OutboundVoiceProfile,
};
use crate::msg::{Cmd, Reply, Request};
use crate::state::countries::CountriesStep;
use crossterm::event::{KeyCode, KeyEvent};

const SUGGESTED_NAME: &str = "WebRTC outbound";
const MAX_NAME_CHARS: usize = 255;

#[derive(Debug)]
pub struct ProfileStep {
    /// The connection to attach (from step 2, with step 3's codecs).
    pub connection: CredentialConnection,
    pub list: PickList<OutboundVoiceProfile>,
    pub form: Option<ProfileForm>,
    /// The profile being attached while the attach request runs.
    pub attaching: Option<OutboundVoiceProfile>,
    pub activity: Activity,
}

#[derive(Debug)]
pub struct ProfileForm {
    pub name: TextField,
}

impl ProfileStep {
    pub fn new(connection: CredentialConnection) -> Self {
        Self {
            connection,
            list: PickList::default(),
            form: None,
            attaching: None,
            activity: Activity::default(),
        }
    }

    /// The profile the connection uses now, if any.
    pub fn attached_id(&self) -> Option<&str> {
        self.connection.outbound.outbound_voice_profile_id.as_deref()
    }

    pub(super) fn reload(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.form = None;
        vec![ctx.call(&mut self.activity, "Loading your outbound voice profiles", Request::ListProfiles)]
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        if let Some(form) = &mut self.form {
            return match key.code {
                KeyCode::Esc => {
                    self.form = None;
                    self.activity.problem = None;
                    Transition::none()
                }
                KeyCode::Enter => {
                    let name = form.name.value().trim().to_owned();
                    if name.chars().count() < 3 {
                        self.activity
                            .fail(Problem::Input("The profile name needs at least 3 characters.".into()));
                        return Transition::none();
                    }
                    Transition::run(ctx.call(
                        &mut self.activity,
                        "Creating the outbound voice profile",
                        Request::CreateProfile {
                            body: NewOutboundVoiceProfile::named(name),
                            known: self.list.all_ids(|p| &p.id),
                        },
                    ))
                }
                _ => {
                    if form.name.on_key(key) {
                        self.activity.problem = None;
                    }
                    Transition::none()
                }
            };
        }
        match self.list.on_key(&key) {
            Pick::Create => self.open_form(),
            Pick::Item(index) => match self.list.get(index).cloned() {
                Some(profile) => self.attach(profile, ctx),
                None => Transition::none(),
            },
            Pick::Back => Transition::Back,
            Pick::Reload => Transition::Stay(self.reload(ctx)),
            Pick::Nothing => Transition::none(),
        }
    }

    fn open_form(&mut self) -> Transition {
        self.form = Some(ProfileForm { name: TextField::new(SUGGESTED_NAME, MAX_NAME_CHARS) });
        self.activity.problem = None;
        Transition::none()
    }

    /// Attaches the connection to `profile`, or moves on if it already is.
    fn attach(&mut self, profile: OutboundVoiceProfile, ctx: &mut Ctx) -> Transition {
        if self.attached_id() == Some(profile.id.as_str()) {
            return advance(profile, ctx);
        }
        let update = CredentialConnectionUpdate {
            inbound: None,
            outbound: Some(OutboundUpdate { outbound_voice_profile_id: profile.id.clone() }),
        };
        let request = Request::UpdateConnection { id: self.connection.id.clone(), update };
        let what = format!("Attaching the connection to “{}”", profile.name);
        self.attaching = Some(profile);
        Transition::run(ctx.call(&mut self.activity, what, request))
    }

    pub(super) fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ProfilesListed(page) => {
                // Highlight the profile already attached: Enter then keeps it.
                let attached = self.attached_id().and_then(|id| page.data.iter().position(|p| p.id == id));
                self.list.loaded(page);
                self.list.cursor = attached.map_or(0, |index| index + 1);
                Transition::none()
            }
            Reply::ProfileCreated(profile) => {
                self.form = None;
                self.list.insert_first(profile.clone());
                self.attach(profile, ctx)
            }
            Reply::ConnectionUpdated(connection) => {
                ctx.setup.connection = Some(connection.clone());
                self.connection = connection;
                match self.attaching.take() {
                    Some(profile) => advance(profile, ctx),
                    None => Transition::none(),
                }
            }
            _ => Transition::none(),
        }
    }

    pub(super) fn on_error(&mut self, error: ApiError) {
        self.attaching = None;
        self.activity.fail(Problem::Api(error));
    }

    pub(super) fn hints(&self) -> Vec<(&'static str, &'static str)> {
        match &self.form {
            Some(_) => vec![("Enter", "create"), ("Esc", "cancel")],
            None => self.list.hints("use"),
        }
    }
}

fn advance(profile: OutboundVoiceProfile, ctx: &mut Ctx) -> Transition {
    ctx.setup.profile = Some(profile.clone());
    Transition::next(Step::Countries(CountriesStep::new(profile)), Vec::new())
}
