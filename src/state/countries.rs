//! Step 5: the destination countries the outbound voice profile may call. The
//! profile's current whitelist starts selected; `/` searches, Space toggles, Enter
//! saves with PATCH (which must repeat the profile's `name`).

use super::{Activity, Ctx, Problem, Step, TextField, Transition, move_cursor};
use crate::api::{OutboundVoiceProfile, OutboundVoiceProfileUpdate};
use crate::countries::{self, Country};
use crate::msg::{Reply, Request};
use crate::state::numbers::NumbersStep;
use crossterm::event::{KeyCode, KeyEvent};
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

    /// The countries matching the search, in name order.
    pub fn visible(&self) -> Vec<&'static Country> {
        countries::all().iter().filter(|c| c.matches(self.filter.value())).collect()
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        if self.filtering {
            match key.code {
                KeyCode::Esc => {
                    self.filter.set("");
                    self.filtering = false;
                }
                KeyCode::Enter | KeyCode::Tab => self.filtering = false,
                KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                    let len = self.visible().len();
                    move_cursor(&mut self.cursor, len, &key, false);
                }
                _ => {
                    if self.filter.on_key(key) {
                        self.cursor = 0;
                    }
                }
            }
            return Transition::none();
        }
        let len = self.visible().len();
        if move_cursor(&mut self.cursor, len, &key, true) {
            return Transition::none();
        }
        match key.code {
            KeyCode::Char('/') => {
                self.filtering = true;
                Transition::none()
            }
            KeyCode::Char(' ') => {
                if let Some(country) = self.visible().get(self.cursor) {
                    if !self.selected.remove(&country.code) {
                        self.selected.insert(country.code.clone());
                    }
                    self.activity.problem = None;
                }
                Transition::none()
            }
            KeyCode::Esc if !self.filter.value().is_empty() => {
                self.filter.set("");
                self.cursor = 0;
                Transition::none()
            }
            KeyCode::Esc => Transition::Back,
            KeyCode::Enter => {
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

    pub(super) fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
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

    pub(super) fn hints(&self) -> Vec<(&'static str, &'static str)> {
        if self.filtering {
            vec![("Enter", "done searching"), ("Esc", "clear search")]
        } else {
            vec![("↑↓", "move"), ("Space", "toggle"), ("/", "search"), ("Enter", "save")]
        }
    }
}
