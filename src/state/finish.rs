//! The summary after the last step: everything set up, and an optional last check by
//! the doctor (`d`) of the connection.

use super::{Activity, Ctx, Transition};
use crate::doctor::Report;
use crate::msg::{Cmd, Reply, Request};
use crossterm::event::{KeyCode, KeyEvent};

#[derive(Debug, Default)]
pub struct FinishStep {
    /// The doctor's report, once asked for.
    pub report: Option<Report>,
    pub activity: Activity,
}

impl FinishStep {
    pub(super) fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        if key.code == KeyCode::Esc && self.report.take().is_some() {
            return Transition::none();
        }
        match key.code {
            KeyCode::Enter => Transition::run(Cmd::Quit),
            KeyCode::Char('d') => match &ctx.setup.connection {
                Some(connection) => {
                    let request =
                        Request::Diagnose { connection_id: connection.id.clone(), trial_token: true };
                    Transition::run(ctx.call(&mut self.activity, "Running the doctor", request))
                }
                None => Transition::none(),
            },
            KeyCode::Esc => Transition::Back,
            _ => Transition::none(),
        }
    }

    pub(super) fn on_reply(&mut self, reply: Reply) -> Transition {
        if let Reply::Diagnosed(report) = reply {
            self.report = Some(report);
        }
        Transition::none()
    }
}
