//! Step 4: pick or create an outbound voice profile, then attach the connection to it
//! (`outbound.outbound_voice_profile_id`). Enter sets the profile wanted and sends the
//! plan's attach step: nothing when the connection uses it already, else the PATCH,
//! asked about first when it moves (or first attaches) a connection this setup did not
//! make. A new profile is named here and made on step 5 with its countries
//! ([`CountriesStep::draft`](super::CountriesStep::draft)), then attached there; the
//! move it makes is asked about here, before anything is made. A connection named on
//! step 2 and not made yet is made by Enter on an existing profile: the plan's create,
//! on that profile, with step 3's codecs (a create never asks).

use super::change::Change;
use super::flow::Decided;
use super::form::{CLOSE_FORM, Form, FormEvent, fields};
use super::keys::{Action, Binding};
use super::pick::{Pick, PickList};
use super::screen::{Input, Screen, activity_field};
use super::wanted::{first_write, steps_of};
use super::{Activity, Ctx, Problem, TextField, Transition};
use crate::api::{ApiError, CredentialConnection, OutboundVoiceProfile};
use crate::msg::{Cmd, Reply, Request};
use crate::setup::plan::Step as PlanStep;
use crate::setup::{Part, Pick as Wanted, Recognised, free_name, name_in_use, name_taken};

const SUGGESTED_NAME: &str = "WebRTC outbound";

/// What to do when Telnyx refused the details of the connection named on step 2, whose
/// create step 4 or 5 sent: Enter would send them again.
pub(super) const REFUSED_CONNECTION: &str =
    "Esc twice: fix the field Telnyx refused on step 2's form, then Enter there.";
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
    /// The profile the question in `change` is about: wanted once the answer is `y`.
    asking: Option<Wanted>,
    /// The profile to highlight when the list loads: the one step 5 made from this
    /// form, when the user comes back to this step.
    made_on_step_5: Option<String>,
    /// Telnyx refused the details of the connection named on step 2 (its create, sent
    /// here): they are fixed on step 2's form, not by Enter here.
    refused_connection: bool,
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
            asking: None,
            made_on_step_5: None,
            refused_connection: false,
            activity: Activity::default(),
        }
    }

    /// The profile the connection uses now, if any.
    pub fn attached_id(&self) -> Option<&str> {
        self.connection.outbound.outbound_voice_profile_id.as_deref()
    }

    /// The form's name is one the account has: what to say as it is typed (Enter uses
    /// that profile, or another name is given), before anything is sent.
    pub fn name_in_use(&self) -> Option<String> {
        let name = self.form.as_ref()?.value(ProfileField::Name);
        let (count, meant) = named(&self.list, name);
        name_in_use("profile", name, count, &meant, |profile| format!("id {}", profile.id))
    }

    /// The profile the form's name means, when the account has one of that name that
    /// the recogniser tells apart: Enter uses it.
    fn named_in_form(&self) -> Option<&OutboundVoiceProfile> {
        match named(&self.list, self.form.as_ref()?.value(ProfileField::Name)) {
            (_, Recognised::Found(profile)) => Some(profile),
            _ => None,
        }
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
                // A second profile of one name would make the name mean nothing on day
                // two (`setup --voice-profile NAME`): Enter on a name the account has
                // uses the profile it means, as Enter on its row would (the move of the
                // connection to it asked the same way); of several alike, the user picks.
                let meant = match named(&self.list, &name) {
                    (_, Recognised::Found(profile)) => Some(profile.id.clone()),
                    (_, Recognised::Ambiguous(_)) => {
                        form.reject(ProfileField::Name);
                        self.activity.fail(Problem::Input(name_taken("profile", &name)));
                        return Transition::none();
                    }
                    (_, Recognised::Missing) => None,
                };
                if let Some(id) = meant {
                    let row = self.list.items.iter().flatten().position(|p| p.id == id);
                    self.form = None;
                    self.activity.problem = None;
                    self.list.cursor = row.map_or(0, |row| row + 1);
                    return self.on_action(Action::Submit, ctx);
                }
                if name.chars().count() < 3 {
                    form.reject(ProfileField::Name);
                    self.activity
                        .fail(Problem::Input("The profile name needs at least 3 characters.".into()));
                    return Transition::none();
                }
                form.invalid = None;
                // Made on the next screen, with the countries chosen there; a move of
                // the connection it makes is asked about here first.
                let pick = Wanted::New(name.clone());
                let steps = match self.planned_for(&pick, ctx) {
                    Ok(steps) => steps,
                    Err(reason) => {
                        self.activity.fail(Problem::Input(reason));
                        return Transition::none();
                    }
                };
                let attach = steps.iter().find(|s| s.part == Part::Attach && s.kind.writes());
                if let Some((step, request)) = attach.and_then(|s| s.requests.first().map(|r| (s, r)))
                    && step.asks()
                    && !self.connection_created
                {
                    // The question names the numbers on the connection: their read first.
                    if ctx.wait_for_numbers(&mut self.activity) {
                        return Transition::none();
                    }
                    let what = format!("Attaching the connection to “{name}”");
                    self.change = Some(self.question(step, &name, request.clone(), what));
                    self.asking = Some(pick);
                    return Transition::none();
                }
                want(pick, ctx);
                return super::flow::next(Decided::ProfileDraft { name }, ctx);
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

    /// The plan's profile, connection and attach steps if `pick` were the profile
    /// wanted (a connection named on step 2 is made on it, with its codecs).
    fn planned_for(&self, pick: &Wanted, ctx: &Ctx) -> Result<Vec<PlanStep>, String> {
        let plan = ctx.plan_with(|wanted| choose(wanted, pick.clone()))?;
        Ok(steps_of(&plan, &[Part::Profile, Part::Connection, Part::Attach]))
    }

    /// The question before the plan's attach `step` (a move, or a first profile, of a
    /// connection this setup did not make) to the profile named `name`.
    fn question(&self, step: &PlanStep, name: &str, request: Request, what: String) -> Change {
        let before = self.attached_id().map(|id| {
            let name = self.list.items.iter().flatten().find(|p| p.id == id).map(|p| p.name.clone());
            name.map_or_else(|| format!("profile {id}"), |name| format!("“{name}”"))
        });
        let (title, follow) = match &before {
            Some(_) => (
                "Move the connection to another profile?",
                "Its outbound calls then follow the new profile's countries and limits.",
            ),
            None => (
                "Attach the connection to this profile?",
                "Its outbound calls then follow the profile's countries and limits.",
            ),
        };
        let mut lines = vec![
            format!("Outbound voice profile of “{}”:", self.connection.connection_name),
            format!("  now:   {}", before.as_deref().unwrap_or("none")),
            format!("  after: “{name}”"),
            follow.to_owned(),
        ];
        lines.extend(step.affects.iter().map(|affected| format!("Also affects {affected}.")));
        Change { title: title.to_owned(), lines, request, what }
    }

    /// Attaches the connection to `profile` (`created` by this setup, or not): the
    /// plan's attach step, nothing when it is attached already, asked about first
    /// when it moves (or first attaches) a connection this setup did not make.
    fn attach(&mut self, profile: OutboundVoiceProfile, created: bool, ctx: &mut Ctx) -> Transition {
        let pick = Wanted::Existing(profile.id.clone());
        let steps = match self.planned_for(&pick, ctx) {
            Ok(steps) => steps,
            Err(reason) => {
                self.activity.fail(Problem::Input(reason));
                return Transition::none();
            }
        };
        let Some((step, request)) = first_write(&steps) else {
            want(pick, ctx);
            return advance(profile, created, ctx);
        };
        let what = match step.part {
            Part::Connection => format!("Creating the connection on “{}”", profile.name),
            _ => format!("Attaching the connection to “{}”", profile.name),
        };
        self.attaching = Some((profile.clone(), created));
        if step.asks() && !self.connection_created {
            // The question names the numbers on the connection: their read first.
            if ctx.wait_for_numbers(&mut self.activity) {
                return Transition::none();
            }
            self.change = Some(self.question(step, &profile.name, request.clone(), what));
            self.asking = Some(pick);
            return Transition::none();
        }
        want(pick, ctx);
        Transition::run(ctx.call(&mut self.activity, what, request.clone()))
    }
}

/// How many profiles of `list` have `name`, and which of them it means ([`prefer`]: the
/// one; of several, telnyx-setup's newest).
fn named<'a>(
    list: &'a PickList<OutboundVoiceProfile>,
    name: &str,
) -> (usize, Recognised<&'a OutboundVoiceProfile>) {
    crate::setup::named(list.items.iter().flatten(), name)
}

/// `pick` as the profile wanted: the countries wanted were another profile's.
fn choose(wanted: &mut crate::setup::Wanted, pick: Wanted) {
    if wanted.profile.as_ref() != Some(&pick) {
        wanted.countries = None;
    }
    wanted.profile = Some(pick);
}

fn want(pick: Wanted, ctx: &mut Ctx) {
    ctx.want(|wanted| choose(wanted, pick));
}

impl Screen for ProfileStep {
    activity_field!();

    /// Enter on a profile attaches the connection to it (a new one is named in the
    /// form, and made on the next screen).
    fn planned(&self, ctx: &Ctx) -> Option<Vec<PlanStep>> {
        // A name the account has in the form: Enter attaches that profile.
        if let Some(profile) = self.named_in_form().filter(|_| self.change.is_none()) {
            return self.planned_for(&Wanted::Existing(profile.id.clone()), ctx).ok();
        }
        // The form, or the row that opens it: Enter sends nothing (made on step 5).
        if self.form.is_some() || self.list.cursor == 0 || self.change.is_some() {
            return None;
        }
        let profile = self.list.get(self.list.cursor - 1)?;
        self.planned_for(&Wanted::Existing(profile.id.clone()), ctx).ok()
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
            Some(_) if self.named_in_form().is_some() => Form::<ProfileField>::bindings(
                ("use it", "Attach the connection to the profile that has this name (nothing is created)."),
                CLOSE_FORM,
            ),
            Some(_) => Form::<ProfileField>::bindings(
                ("next", "Choose the new profile's countries: it is made with them."),
                CLOSE_FORM,
            ),
            None => self.list.bindings("use", "Attach the connection to the highlighted profile."),
        }
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if let Some(change) = self.change.take() {
            let asked = self.asking.take();
            if action != Action::Yes {
                self.attaching = None;
                return change.answer(action, &mut self.activity, ctx);
            }
            match asked {
                // A new profile: made on the next screen, where the move is not asked again.
                Some(Wanted::New(name)) => {
                    want(Wanted::New(name.clone()), ctx);
                    return super::flow::next(Decided::ProfileDraft { name }, ctx);
                }
                Some(pick) => want(pick, ctx),
                None => {}
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

    /// The form takes typed keys, but not while the question over it is open (`y`
    /// answers it).
    fn input(&self) -> Option<&dyn Input> {
        self.form.as_ref().filter(|_| self.change.is_none()).map(|form| form as &dyn Input)
    }

    fn input_mut(&mut self) -> Option<&mut dyn Input> {
        let asking = self.change.is_some();
        self.form.as_mut().filter(|_| !asking).map(|form| form as &mut dyn Input)
    }

    /// The numbers read, Enter goes on to the question that names them.
    fn on_read_ahead(&mut self, ctx: &mut Ctx) -> Transition {
        if self.form.is_some() {
            return self.on_form_action(Action::Submit, ctx);
        }
        match self.attaching.take() {
            Some((profile, created)) => self.attach(profile, created, ctx),
            None => Transition::none(),
        }
    }

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
            Reply::ConnectionUpdated(connection) => {
                ctx.setup.connection = Some(connection.clone());
                self.connection = connection;
                match self.attaching.take() {
                    Some((profile, created)) => advance(profile, created, ctx),
                    None => Transition::none(),
                }
            }
            // The connection named on step 2, made on the profile: on to the plan's
            // next step for it (nothing left to send: it is made on it).
            Reply::ConnectionCreated(connection) => {
                ctx.connection_made(connection.clone());
                self.connection = connection;
                match self.attaching.take() {
                    Some((profile, created)) => self.attach(profile, created, ctx),
                    None => Transition::none(),
                }
            }
            _ => Transition::none(),
        }
    }

    fn on_error(&mut self, error: ApiError) {
        self.attaching = None;
        // Only the create of a connection not made yet is sent from a screen that
        // opened on it (no id): its refused fields are step 2's form's.
        self.refused_connection =
            matches!(error, ApiError::Invalid { .. }) && self.connection.id.is_empty() && self.form.is_none();
        if let Some(form) = &mut self.form {
            form.blame(&error);
        }
        self.activity.fail(Problem::Api(error));
    }

    fn retry_hint(&self) -> Option<&'static str> {
        self.refused_connection.then_some(REFUSED_CONNECTION)
    }

    fn on_return(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        // The connection as it is now: a profile attached since this screen opened
        // (made on the countries step) is the attached one, highlighted, and Enter on
        // it sends nothing.
        // A connection this screen opened on before it was made is the one made since.
        let drafted = self.connection.id.is_empty();
        if let Some(now) = ctx.setup.connection.as_ref().filter(|c| drafted || c.id == self.connection.id) {
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

/// On to the countries of `profile`.
fn advance(profile: OutboundVoiceProfile, created: bool, ctx: &mut Ctx) -> Transition {
    ctx.setup.profile_chosen(profile, created);
    super::flow::next(Decided::Profile, ctx)
}
