//! Step 5: the destination countries the outbound voice profile may call. The
//! profile's current whitelist starts selected; `/` searches (Enter there ticks the
//! highlighted match, or asks which one when the name is two countries'), Space
//! toggles. Enter sets the countries wanted and sends the plan's steps for the profile:
//! nothing when they are as the profile has them, else the PATCH (which must repeat
//! the profile's `name`), asked about first on a profile this setup did not make, with
//! the other connections that use it. A new profile is made here, with its countries in
//! its create body, and the connection attached to it (or, named on step 2 and not
//! made yet, made on it with its codecs): one write fewer than making it on step 4 and
//! changing its countries after. Each answer re-plans, and the next write goes.

use super::change::{self, Change};
use super::keys::{Action, Binding, MOVE, MOVE_HELP};
use super::screen::{Input, Screen, activity_field};
use super::wanted::{first_write, steps_of};
use super::{Activity, Ctx, Problem, TextField, Transition, move_cursor};
use crate::api::{ApiError, OutboundVoiceProfile};
use crate::countries::{self, Country};
use crate::msg::Reply;
use crate::setup::plan::Step as PlanStep;
use crate::setup::{Part, Pick};
use std::collections::BTreeSet;

#[derive(Debug)]
pub struct CountriesStep {
    pub profile: OutboundVoiceProfile,
    /// Alpha-2 codes to whitelist.
    pub selected: BTreeSet<String>,
    pub filter: TextField,
    /// The search field has the keyboard.
    pub filtering: bool,
    /// The highlight was moved since the search last changed: Enter ticks that row
    /// even when the name typed is two countries'.
    pub picked: bool,
    /// Index into [`CountriesStep::visible`].
    pub cursor: usize,
    /// The profile was created in this run (its countries change without asking).
    pub created: bool,
    /// A change to an existing profile, waiting for `y`.
    pub change: Option<Change>,
    /// The profile is still to be made (named on step 4): Enter creates it.
    pub draft: bool,
    /// The profile was made here and the connection is still to be attached to it
    /// (Enter tries again after a failure).
    attach_pending: bool,
    /// The request in flight is the create of the connection named on step 2, and
    /// Telnyx refused its details (fixed on step 2's form).
    creating_connection: bool,
    refused_connection: bool,
    pub activity: Activity,
}

impl CountriesStep {
    pub fn new(profile: OutboundVoiceProfile, created: bool) -> Self {
        let selected = profile.whitelisted_destinations.iter().cloned().collect();
        Self {
            profile,
            selected,
            filter: TextField::new("", 64),
            filtering: false,
            picked: false,
            cursor: 0,
            created,
            change: None,
            draft: false,
            attach_pending: false,
            creating_connection: false,
            refused_connection: false,
            activity: Activity::default(),
        }
    }

    /// The countries of a profile named `name` that is still to be made, starting
    /// with Telnyx's default ones.
    pub fn draft(name: String) -> Self {
        let profile = OutboundVoiceProfile {
            name,
            whitelisted_destinations: crate::setup::new_profile_countries(),
            ..OutboundVoiceProfile::default()
        };
        Self { draft: true, ..Self::new(profile, true) }
    }

    /// The selection as it is saved: the profile's countries kept in their order (the
    /// first is the numbers step's default), then the added ones alphabetically.
    pub fn whitelist(&self) -> Vec<String> {
        let kept = self.profile.whitelisted_destinations.iter().filter(|c| self.selected.contains(*c));
        let added = self.selected.iter().filter(|c| !self.profile.whitelisted_destinations.contains(c));
        kept.chain(added).cloned().collect()
    }

    /// The countries matching the search, best match first (every country, in name
    /// order, without a search).
    pub fn visible(&self) -> Vec<&'static Country> {
        countries::search(self.filter.value())
    }

    fn on_search_action(&mut self, action: Action) -> Transition {
        match action {
            Action::Back => {
                self.filter.set("");
                self.filtering = false;
            }
            Action::Submit => self.tick_highlighted(),
            Action::NextField => self.filtering = false,
            _ => {
                let len = self.visible().len();
                self.picked |= move_cursor(&mut self.cursor, len, action);
            }
        }
        Transition::none()
    }

    /// Enter in the search: ticks the highlighted match and goes back to the list,
    /// unless the name typed is two countries' (`congo`, `korea`) and the highlight
    /// was not moved to the one meant: then it asks.
    fn tick_highlighted(&mut self) {
        let Some(country) = self.visible().get(self.cursor).copied() else {
            self.filtering = false;
            return;
        };
        let named = countries::named(self.filter.value());
        if named.len() > 1 && !self.picked {
            let which: Vec<String> = named.iter().map(|c| format!("{} ({})", c.name, c.code)).collect();
            self.activity.fail(Problem::Input(format!(
                "“{}” is the name of {} countries: {}. Move to the one you mean, then press Enter.",
                self.filter.value().trim(),
                named.len(),
                which.join(", ")
            )));
            return;
        }
        self.selected.insert(country.code.clone());
        self.filtering = false;
        self.activity.problem = None;
        self.activity.notice = Some(format!("Ticked {} ({}).", country.name, country.code));
    }
}

impl CountriesStep {
    /// The plan's steps for the profile with the countries ticked now: the draft's
    /// create and the attach, then the countries' change (or nothing to change).
    fn planned_steps(&self, ctx: &Ctx) -> Result<Vec<PlanStep>, String> {
        let whitelist = self.whitelist();
        let plan = ctx.plan_with(|wanted| wanted.countries = Some(whitelist))?;
        Ok(steps_of(&plan, &[Part::Profile, Part::Connection, Part::Attach, Part::Countries]))
    }

    /// Sends the plan's next write for the profile, or goes on when there is none.
    /// A change of a profile this setup did not make is asked about first; the attach
    /// of a profile made here was asked about on step 4, when it moves the connection.
    fn save(&mut self, ctx: &mut Ctx) -> Transition {
        let whitelist = self.whitelist();
        let steps = match self.planned_steps(ctx) {
            Ok(steps) => steps,
            Err(reason) => {
                self.activity.fail(Problem::Input(reason));
                return Transition::none();
            }
        };
        let Some((step, request)) = first_write(&steps) else {
            // Nothing to change: nothing is sent.
            ctx.want(|wanted| wanted.countries = Some(whitelist));
            return advance(self.profile.clone(), ctx);
        };
        let request = request.clone();
        let what = match step.part {
            Part::Profile => "Creating the outbound voice profile with these countries".to_owned(),
            Part::Connection => format!("Creating the connection on “{}”", self.profile.name),
            Part::Attach => format!("Attaching the connection to “{}”", self.profile.name),
            _ => "Saving the destination countries".to_owned(),
        };
        self.creating_connection = step.part == Part::Connection;
        if step.part != Part::Countries || !step.asks() || self.created {
            ctx.want(|wanted| wanted.countries = Some(whitelist));
            return Transition::run(ctx.call(&mut self.activity, what, request));
        }
        let others = match step.affects.len() {
            0 => "No other connection uses this profile.".to_owned(),
            1 => "1 other connection uses this profile: its calls get the same countries.".to_owned(),
            n => format!("{n} other connections use this profile: their calls get the same countries."),
        };
        let mut lines = vec![
            format!("Countries “{}” may call:", self.profile.name),
            format!("  now:   {}", change::list(&self.profile.whitelisted_destinations)),
            format!("  after: {}", change::list(&whitelist)),
            others,
        ];
        lines.extend(step.affects.iter().map(|affected| format!("  {affected}")));
        self.change =
            Some(Change { title: "Change this profile's countries?".to_owned(), lines, request, what });
        Transition::none()
    }
}

/// On to the numbers step with the profile as saved.
fn advance(profile: OutboundVoiceProfile, ctx: &mut Ctx) -> Transition {
    ctx.setup.countries_saved = true;
    ctx.setup.profile = Some(profile);
    super::flow::next(super::flow::Decided::Countries, ctx)
}

const SEARCH_MOVE: &[Action] = &[Action::Up, Action::Down, Action::PageUp, Action::PageDown];

impl Screen for CountriesStep {
    activity_field!();

    fn planned(&self, ctx: &Ctx) -> Option<Vec<PlanStep>> {
        // In the search, Enter ticks a country.
        if self.filtering || self.change.is_some() {
            return None;
        }
        self.planned_steps(ctx).ok()
    }

    fn change(&self) -> Option<&Change> {
        self.change.as_ref()
    }

    fn title(&self) -> &'static str {
        if self.change.is_some() {
            "Countries: confirm the change"
        } else if self.filtering {
            "Countries: search"
        } else {
            "Countries"
        }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.change.is_some() {
            return Change::bindings();
        }
        if self.filtering {
            let mut bindings = vec![
                Binding::new(
                    &[Action::Submit],
                    "tick",
                    "Tick the highlighted country and go back to the list (Space there unticks it).",
                ),
                Binding::new(
                    &[Action::NextField],
                    "done searching",
                    "Keep the search and go back to the list.",
                ),
            ];
            bindings.extend(Binding::movement(
                self.visible().len(),
                SEARCH_MOVE,
                "Move the highlight in the matching countries.",
            ));
            bindings.push(Binding::new(
                &[Action::Back],
                "clear search",
                "Clear the search and go back to the list.",
            ));
            return bindings;
        }
        let mut bindings: Vec<Binding> =
            Binding::movement(self.visible().len(), MOVE, MOVE_HELP).into_iter().collect();
        bindings.extend([
            Binding::new(&[Action::Toggle], "toggle", "Allow or disallow calls to the highlighted country."),
            Binding::new(&[Action::Filter], "search", "Search by name, code or region."),
            if self.draft {
                Binding::new(
                    &[Action::Submit],
                    "create",
                    "Create the profile with these countries, put the connection on it, and go on.",
                )
            } else if self.attach_pending {
                Binding::new(
                    &[Action::Submit],
                    "attach",
                    "Attach the connection to the profile made here (a new one is made on it), and go on.",
                )
            } else {
                Binding::new(
                    &[Action::Submit],
                    "save",
                    "Save the allowed countries on the profile and go on.",
                )
            },
        ]);
        if !self.filter.value().is_empty() {
            bindings.push(Binding::new(
                &[Action::Back],
                "clear search",
                "Clear the search and show every country.",
            ));
        }
        bindings
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if let Some(change) = self.change.take() {
            if action == Action::Yes {
                let whitelist = self.whitelist();
                ctx.want(|wanted| wanted.countries = Some(whitelist));
            }
            return change.answer(action, &mut self.activity, ctx);
        }
        if self.filtering {
            return self.on_search_action(action);
        }
        let len = self.visible().len();
        if move_cursor(&mut self.cursor, len, action) {
            return Transition::none();
        }
        match action {
            Action::Filter => {
                self.filtering = true;
                Transition::none()
            }
            Action::Toggle => {
                if let Some(country) = self.visible().get(self.cursor) {
                    if !self.selected.remove(&country.code) {
                        self.selected.insert(country.code.clone());
                    }
                    self.activity.problem = None;
                    self.activity.notice = None;
                }
                Transition::none()
            }
            Action::Back => {
                self.filter.set("");
                self.cursor = 0;
                Transition::none()
            }
            Action::Submit => {
                if self.selected.is_empty() {
                    self.activity.fail(Problem::Input(
                        "Select at least one country (Space), or calls can go nowhere.".into(),
                    ));
                    return Transition::none();
                }
                self.save(ctx)
            }
            _ => Transition::none(),
        }
    }

    fn input(&self) -> Option<&dyn Input> {
        self.filtering.then_some(&self.filter as &dyn Input)
    }

    fn input_mut(&mut self) -> Option<&mut dyn Input> {
        self.filtering.then_some(&mut self.filter as &mut dyn Input)
    }

    /// The matches changed: start at the first.
    fn edited(&mut self) {
        self.cursor = 0;
        self.picked = false;
        self.activity.problem = None;
    }

    fn on_error(&mut self, error: ApiError) {
        self.refused_connection = self.creating_connection && matches!(error, ApiError::Invalid { .. });
        self.activity.fail(Problem::Api(error));
    }

    fn retry_hint(&self) -> Option<&'static str> {
        self.refused_connection.then_some(super::profile::REFUSED_CONNECTION)
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ProfileUpdated(profile) => {
                self.profile = profile.clone();
                advance(profile, ctx)
            }
            Reply::ProfileCreated(profile) => {
                ctx.setup.profile_chosen(profile.clone(), true);
                ctx.want(|wanted| wanted.profile = Some(Pick::Existing(profile.id.clone())));
                self.selected = profile.whitelisted_destinations.iter().cloned().collect();
                self.profile = profile;
                self.draft = false;
                self.attach_pending = true;
                // On to the plan's next step: the attach.
                self.save(ctx)
            }
            // The connection named on step 2, made on the profile made here.
            Reply::ConnectionCreated(connection) => {
                ctx.connection_made(connection);
                self.attach_pending = false;
                self.save(ctx)
            }
            Reply::ConnectionUpdated(connection) => {
                ctx.setup.connection = Some(connection);
                self.attach_pending = false;
                // On, or first the countries changed since the profile was made (while
                // its attach was failing).
                self.save(ctx)
            }
            _ => Transition::none(),
        }
    }
}
