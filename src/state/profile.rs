//! Step 4: pick or create an outbound voice profile, then attach the connection to it
//! (`outbound.outbound_voice_profile_id`). A new profile is named here and made on
//! step 5 with its countries ([`CountriesStep::draft`]); only one that moves an
//! existing connection off another profile is made here, after the question. Creating
//! and attaching are two requests; a created profile joins the list at once, so a
//! failed attach retries only the attach.

use super::change::Change;
use super::flow::Decided;
use super::form::{CLOSE_FORM, Form, FormEvent, fields};
use super::keys::{Action, Binding};
use super::pick::{Pick, PickList};
use super::screen::{Screen, activity_field, form_input};
use super::{Activity, Ctx, Problem, TextField, Transition};
use crate::api::{
    ApiError, CredentialConnection, CredentialConnectionUpdate, NewOutboundVoiceProfile, OutboundVoiceProfile,
};
use crate::msg::{Cmd, Reply, Request};
use crate::setup::{free_name, name_taken};
use crate::state::countries::ProfileDraft;

const SUGGESTED_NAME: &str = "WebRTC outbound";
const MAX_NAME_CHARS: usize = 255;

#[derive(Debug)]
pub struct ProfileStep {
    /// The connection to attach (from step 2, with step 3's codecs).
    pub connection: CredentialConnection,
    /// This run created the connection (attaching it moves nothing).
    pub connection_created: bool,
    pub list: PickList<OutboundVoiceProfile>,
    pub form: Option<Form<ProfileField>>,
    /// The profile being attached while the attach request runs, and whether this run
    /// created it.
    pub attaching: Option<(OutboundVoiceProfile, bool)>,
    /// Moving an existing connection off the profile it has, waiting for `y`.
    pub change: Option<Change>,
    /// The profile to highlight when the list loads: the one step 5 made from this
    /// form, when the user comes back to this step.
    made_on_step_5: Option<String>,
    pub activity: Activity,
}

fields! {
    /// The create form's one field.
    pub enum ProfileField {
        Name = "Profile name" from "name";
    }
}

impl ProfileStep {
    pub fn new(connection: CredentialConnection, connection_created: bool) -> Self {
        Self {
            connection,
            connection_created,
            list: PickList::default(),
            form: None,
            attaching: None,
            change: None,
            made_on_step_5: None,
            activity: Activity::default(),
        }
    }

    /// The profile the connection uses now, if any.
    pub fn attached_id(&self) -> Option<&str> {
        self.connection.outbound.outbound_voice_profile_id.as_deref()
    }

    pub(super) fn reload(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        self.form = None;
        ctx.fetch_for(self, "Loading your outbound voice profiles", Request::ListProfiles)
    }

    fn on_form_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        let Some(form) = &mut self.form else { return Transition::none() };
        match form.on_action(action) {
            FormEvent::Cancel => {
                self.form = None;
                self.activity.problem = None;
            }
            FormEvent::Submit => {
                let name = form.value(ProfileField::Name).to_owned();
                if name.chars().count() < 3 {
                    form.reject(ProfileField::Name);
                    self.activity
                        .fail(Problem::Input("The profile name needs at least 3 characters.".into()));
                    return Transition::none();
                }
                if self.list.items.iter().flatten().any(|p| p.name == name) {
                    form.reject(ProfileField::Name);
                    self.activity.fail(Problem::Input(name_taken("profile", &name)));
                    return Transition::none();
                }
                form.invalid = None;
                let known = self.list.all_ids(|p| &p.id);
                let first_try = self.list.create_try();
                // Made on the next screen, with the countries chosen there, unless
                // attaching it moves a connection off another profile: that is asked
                // here first, about the profile made now.
                if !self.moves_the_connection() {
                    let draft = ProfileDraft { known, first_try };
                    return super::flow::next(Decided::ProfileDraft { name, draft }, ctx);
                }
                return Transition::run(ctx.call(
                    &mut self.activity,
                    "Creating the outbound voice profile",
                    Request::CreateProfile { body: NewOutboundVoiceProfile::named(name), known, first_try },
                ));
            }
            FormEvent::Changed(_) | FormEvent::Nothing => {}
        }
        Transition::none()
    }

    fn open_form(&mut self) -> Transition {
        let listed = self.list.items.iter().flatten().map(|p| p.name.as_str());
        let name = free_name(SUGGESTED_NAME, listed);
        self.form = Some(Form::new(|_| TextField::new(&name, MAX_NAME_CHARS)));
        self.activity.problem = None;
        Transition::none()
    }

    /// Attaching the connection to another profile would move it off the one it has:
    /// a connection that existed before this run, attached already.
    fn moves_the_connection(&self) -> bool {
        self.attached_id().is_some() && !self.connection_created
    }

    /// The update attaching the connection to `profile`; `None` when it already is.
    fn attach_request(&self, profile: &OutboundVoiceProfile) -> Option<Request> {
        if self.attached_id() == Some(profile.id.as_str()) {
            return None;
        }
        let update = CredentialConnectionUpdate::attach_to(&profile.id);
        Some(Request::UpdateConnection { id: self.connection.id.clone(), update })
    }

    /// Attaches the connection to `profile` (`created` in this run, or not), or moves
    /// on if it already is. Moving a connection that existed before off another profile
    /// is shown first and needs `y`.
    fn attach(&mut self, profile: OutboundVoiceProfile, created: bool, ctx: &mut Ctx) -> Transition {
        let Some(request) = self.attach_request(&profile) else {
            return advance(profile, created, true, ctx);
        };
        let what = format!("Attaching the connection to “{}”", profile.name);
        let replaced = self.attached_id().map(|id| {
            let name = self.list.items.iter().flatten().find(|p| p.id == id).map(|p| p.name.clone());
            name.map_or_else(|| format!("profile {id}"), |name| format!("“{name}”"))
        });
        self.attaching = Some((profile.clone(), created));
        match replaced {
            Some(before) if self.moves_the_connection() => {
                self.change = Some(Change {
                    title: "Move the connection to another profile?".to_owned(),
                    lines: vec![
                        format!("Outbound voice profile of “{}”:", self.connection.connection_name),
                        format!("  now:   {before}"),
                        format!("  after: “{}”", profile.name),
                        "Its outbound calls then follow the new profile's countries and limits.".to_owned(),
                    ],
                    request,
                    what,
                });
                Transition::none()
            }
            _ => Transition::run(ctx.call(&mut self.activity, what, request)),
        }
    }
}

impl Screen for ProfileStep {
    activity_field!();

    /// Enter on a profile attaches the connection to it (a new one is made in the form).
    fn enter_requests(&self) -> Vec<Request> {
        if self.form.is_some() || self.list.cursor == 0 {
            return Vec::new();
        }
        self.list
            .get(self.list.cursor - 1)
            .and_then(|profile| self.attach_request(profile))
            .into_iter()
            .collect()
    }

    fn change(&self) -> Option<&Change> {
        self.change.as_ref()
    }

    fn title(&self) -> &'static str {
        if self.change.is_some() {
            "Voice profile: confirm the change"
        } else if self.form.is_some() {
            "Voice profile: a new profile"
        } else {
            "Voice profile"
        }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.change.is_some() {
            return Change::bindings();
        }
        match &self.form {
            Some(_) => Form::<ProfileField>::bindings(
                if self.moves_the_connection() {
                    ("create", "Create the profile and attach the connection to it.")
                } else {
                    ("next", "Choose the new profile's countries: it is made with them.")
                },
                CLOSE_FORM,
            ),
            None => self.list.bindings("use", "Attach the connection to the highlighted profile."),
        }
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if let Some(change) = self.change.take() {
            if action != Action::Yes {
                self.attaching = None;
            }
            return change.answer(action, &mut self.activity, ctx);
        }
        if self.form.is_some() {
            return self.on_form_action(action, ctx);
        }
        match self.list.on_action(action) {
            Pick::Create => self.open_form(),
            Pick::Item(index) => match self.list.get(index).cloned() {
                Some(profile) => {
                    let ours = ctx.journal.recognise && profile.is_marked();
                    self.attach(profile, ours, ctx)
                }
                None => Transition::none(),
            },
            Pick::Reload => Transition::Stay(self.reload(ctx)),
            Pick::Nothing => Transition::none(),
        }
    }

    form_input!(form);

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ProfilesListed(page) => {
                let made = self.made_on_step_5.take();
                let chosen = match made.and_then(|id| page.data.iter().position(|p| p.id == id)) {
                    Some(index) => super::pick::Preselected::Row(index),
                    None => super::resume::preselect_profile(&page.data, &ctx.journal, self.attached_id()),
                };
                let picked = self.list.cursor;
                self.list.loaded(page);
                // Nothing meant is "Create new"; a tie keeps a tied row the user picked.
                self.list.cursor =
                    if matches!(chosen, super::pick::Preselected::Tied(_)) { picked } else { 0 };
                self.list.preselect(chosen);
                Transition::none()
            }
            Reply::ProfileCreated(profile) => {
                self.form = None;
                self.list.insert_first(profile.clone());
                self.attach(profile, true, ctx)
            }
            Reply::ConnectionUpdated(connection) => {
                ctx.setup.connection = Some(connection.clone());
                self.connection = connection;
                match self.attaching.take() {
                    Some((profile, created)) => advance(profile, created, false, ctx),
                    None => Transition::none(),
                }
            }
            _ => Transition::none(),
        }
    }

    fn on_error(&mut self, error: ApiError) {
        self.attaching = None;
        if let Some(form) = &mut self.form {
            form.blame(&error);
        }
        self.activity.fail(Problem::Api(error));
    }

    fn on_return(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        // The connection as it is now: a profile attached since this screen opened
        // (made on the countries step) is the attached one, highlighted, and Enter on
        // it sends nothing.
        if let Some(now) = ctx.setup.connection.as_ref().filter(|c| c.id == self.connection.id) {
            self.connection = now.clone();
        }
        // Back from the countries of a profile named in the form and made there: the
        // form closes, so Enter cannot make it twice, and the list highlights it.
        if self.form.is_some()
            && let Some(made) = &ctx.setup.profile
        {
            self.form = None;
            self.made_on_step_5 = Some(made.id.clone());
        }
        self.reload(ctx)
    }
}

/// On to the countries of `profile`; `counted` says whether the profile's
/// `connections_count` already includes this connection (it was attached before).
fn advance(profile: OutboundVoiceProfile, created: bool, counted: bool, ctx: &mut Ctx) -> Transition {
    ctx.setup.profile_chosen(profile, created);
    super::flow::next(Decided::Profile { counted }, ctx)
}
