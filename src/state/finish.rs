//! The summary after the last step: everything set up, and an optional last check by
//! the doctor (`d`) of the connection.

use super::keys::{Action, Binding};
use super::screen::{Screen, activity_field};
use super::{Activity, Ctx, Transition};
use crate::doctor::Report;
use crate::msg::{Cmd, Reply, Request};

#[derive(Debug, Default)]
pub struct FinishStep {
    /// The doctor's report, once asked for.
    pub report: Option<Report>,
    pub activity: Activity,
}

impl Screen for FinishStep {
    activity_field!();

    fn title(&self) -> &'static str {
        if self.report.is_some() { "Summary: the doctor's report" } else { "Summary" }
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut bindings = vec![
            Binding::new(&[Action::Submit], "quit", "Quit; the summary is printed (without secrets)."),
            Binding::new(
                &[Action::Doctor],
                "run the doctor",
                "Check the connection for what stops WebRTC calls.",
            ),
        ];
        if self.report.is_some() {
            bindings.push(Binding::new(&[Action::Back], "close the report", "Close the doctor's report."));
        }
        bindings
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        match action {
            Action::Back => {
                self.report = None;
                Transition::none()
            }
            Action::Submit => Transition::run(Cmd::Quit),
            Action::Doctor => match &ctx.setup.connection {
                Some(connection) => {
                    let request =
                        Request::Diagnose { connection_id: connection.id.clone(), trial_token: true };
                    Transition::run(ctx.call(&mut self.activity, "Running the doctor", request))
                }
                None => Transition::none(),
            },
            _ => Transition::none(),
        }
    }

    fn on_reply(&mut self, reply: Reply, _ctx: &mut Ctx) -> Transition {
        if let Reply::Diagnosed(report) = reply {
            self.report = Some(report);
        }
        Transition::none()
    }
}
