//! The end of the wizard as far as it goes today: what was set up, and that steps 6-8
//! (numbers, credential, token) are not available yet.

use super::{Activity, Transition};
use crate::msg::Cmd;
use crossterm::event::{KeyCode, KeyEvent};

#[derive(Debug, Default)]
pub struct FinishStep {
    /// Never busy; kept so every step has the same shape.
    pub activity: Activity,
}

impl FinishStep {
    pub(super) fn on_key(&mut self, key: KeyEvent) -> Transition {
        match key.code {
            KeyCode::Enter => Transition::run(Cmd::Quit),
            KeyCode::Esc => Transition::Back,
            _ => Transition::none(),
        }
    }
}
