//! Step 5: the destination countries the outbound voice profile may call. The
//! profile's current whitelist starts selected; `/` searches, Space toggles, Enter
//! saves with PATCH (which must repeat the profile's `name`).

use super::keys::{Action, Binding, MOVE, MOVE_HELP};
use super::screen::{Input, Screen, activity_field};
use super::{Activity, Ctx, Problem, Step, TextField, Transition, move_cursor};
use crate::api::{OutboundVoiceProfile, OutboundVoiceProfileUpdate};
use crate::countries::{self, Country};
use crate::msg::{Reply, Request};
use crate::state::numbers::NumbersStep;
use std::collections::BTreeSet;

#[derive(Debug)]
pub struct CountriesStep {
    pub profile: OutboundVoiceProfile,
    /// Alpha-2 codes to whitelist.
    pub selected: BTreeSet<String>,
    pub filter: TextField,
    /// The search field has the keyboard.
    pub filtering: bool,
    /// Index into [`CountriesStep::visible`].
    pub cursor: usize,
    pub activity: Activity,
}

impl CountriesStep {
    pub fn new(profile: OutboundVoiceProfile) -> Self {
        let selected = profile.whitelisted_destinations.iter().cloned().collect();
        Self {
            profile,
            selected,
            filter: TextField::new("", 64),
            filtering: false,
            cursor: 0,
            activity: Activity::default(),
        }
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
            Action::Submit | Action::NextField => self.filtering = false,
            _ => {
                let len = self.visible().len();
                move_cursor(&mut self.cursor, len, action);
            }
        }
        Transition::none()
    }
}

const SEARCH_MOVE: &[Action] = &[Action::Up, Action::Down, Action::PageUp, Action::PageDown];

impl Screen for CountriesStep {
    activity_field!();

    fn title(&self) -> &'static str {
        if self.filtering { "Countries: search" } else { "Countries" }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.filtering {
            let mut bindings = vec![Binding::new(
                &[Action::Submit, Action::NextField],
                "done searching",
                "Keep the search and go back to the list.",
            )];
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
            Binding::new(&[Action::Submit], "save", "Save the allowed countries on the profile and go on."),
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
                let update = OutboundVoiceProfileUpdate {
                    name: self.profile.name.clone(),
                    whitelisted_destinations: self.whitelist(),
                };
                Transition::run(ctx.call(
                    &mut self.activity,
                    "Saving the destination countries",
                    Request::UpdateProfile { id: self.profile.id.clone(), update },
                ))
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
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ProfileUpdated(profile) => {
                ctx.setup.countries_saved = true;
                ctx.setup.profile = Some(profile.clone());
                self.profile = profile;
                let connection = ctx.setup.connection.clone().unwrap_or_default();
                let next = NumbersStep::new(connection, &self.profile.whitelisted_destinations);
                Transition::next(Step::Numbers(next), Vec::new())
            }
            _ => Transition::none(),
        }
    }
}
