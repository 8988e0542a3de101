//! Step 3: the connection's inbound codecs as toggles. VP8 (browser video) is off on
//! new Telnyx connections, so it starts checked here. Enter sets the codecs wanted, and
//! sends the plan's codecs step: nothing when they are as the connection has them, else
//! the PATCH (asked about first on a connection this setup did not make). For a
//! connection still to be made (named on step 2) it sends nothing: the codecs come with
//! its create, on step 4.

use super::change::{self, Change};
use super::keys::{Action, Binding, MOVE, MOVE_HELP};
use super::screen::{Screen, activity_field};
use super::wanted::first_write;
use super::{Activity, Ctx, Problem, Transition, move_cursor};
use crate::api::CredentialConnection;
use crate::msg::Reply;
use crate::setup::plan::Step as PlanStep;
use crate::setup::{CodecChoice, Part, codec_choices};

#[derive(Debug)]
pub struct CodecsStep {
    pub connection: CredentialConnection,
    pub choices: Vec<CodecChoice>,
    pub cursor: usize,
    /// The connection was created in this run (its codecs change without asking).
    pub created: bool,
    /// A change to an existing connection, waiting for `y`.
    pub change: Option<Change>,
    pub activity: Activity,
}

impl CodecsStep {
    pub fn new(connection: CredentialConnection, created: bool) -> Self {
        let choices = codec_choices(&connection.inbound.codecs, created);
        Self { connection, choices, cursor: 0, created, change: None, activity: Activity::default() }
    }

    pub fn enabled(&self) -> Vec<String> {
        self.choices.iter().filter(|c| c.enabled).map(|c| c.name.clone()).collect()
    }

    /// VP8 is unticked: browsers cannot make video calls through this connection.
    pub fn vp8_off(&self) -> bool {
        !self.choices.iter().any(|c| c.name == "VP8" && c.enabled)
    }

    /// The plan's codecs step with the codecs ticked now: nothing to change, or the
    /// update (which asks first on a connection this setup did not make).
    fn planned_step(&self, ctx: &Ctx) -> Result<PlanStep, String> {
        let codecs = self.enabled();
        let plan = ctx.plan_with(|wanted| wanted.codecs = Some(codecs))?;
        plan.step(Part::Codecs).cloned().ok_or_else(|| "The plan has no codecs step.".to_owned())
    }

    fn save(&mut self, ctx: &mut Ctx) -> Transition {
        let codecs = self.enabled();
        if codecs.is_empty() {
            self.activity.fail(Problem::Input("Turn on at least one codec (Space).".into()));
            return Transition::none();
        }
        let step = match self.planned_step(ctx) {
            Ok(step) => step,
            Err(reason) => {
                self.activity.fail(Problem::Input(reason));
                return Transition::none();
            }
        };
        ctx.want(|wanted| wanted.codecs = Some(codecs.clone()));
        let Some((step, request)) = first_write(std::slice::from_ref(&step)) else {
            // Nothing to change: nothing is sent.
            return advance(self.connection.clone(), ctx);
        };
        let request = request.clone();
        if !step.asks() || self.created {
            return Transition::run(ctx.call(&mut self.activity, "Saving the codecs", request));
        }
        // The question names the numbers on the connection: their read first.
        if ctx.wait_for_numbers(&mut self.activity) {
            return Transition::none();
        }
        let mut lines = vec![
            format!("Codecs of “{}”:", self.connection.connection_name),
            format!("  now:   {}", change::or_none(step.before.as_deref())),
            format!("  after: {}", change::or_none(step.after.as_deref())),
            format!(
                "Every device that signs in with this connection (user {}) gets the new codecs.",
                self.connection.user_name
            ),
        ];
        lines.extend(step.affects.iter().map(|affected| format!("Also affects {affected}.")));
        if self.vp8_off() {
            lines.push("VP8 stays off: video calls from browsers will not work.".to_owned());
        }
        self.change = Some(Change {
            title: "Change this connection's codecs?".to_owned(),
            lines,
            request,
            what: "Saving the codecs".to_owned(),
        });
        Transition::none()
    }
}

/// On to the profile step with the connection as saved. This screen's copy of the
/// connection is as it was when the screen opened: returned to after a profile was
/// attached, the connection the account has now (its profile) is the one that goes on,
/// with the codecs saved here, so the profile step highlights the attached profile and
/// Enter on it sends nothing.
/// A connection still to be made (this screen opened on it: no id) is not set: it is
/// made on step 4 with the codecs wanted; made since, it is the one the account has.
fn advance(connection: CredentialConnection, ctx: &mut Ctx) -> Transition {
    let connection = match &ctx.setup.connection {
        Some(now) if now.id == connection.id => {
            Some(CredentialConnection { inbound: connection.inbound, ..now.clone() })
        }
        Some(now) if connection.id.is_empty() => Some(now.clone()),
        _ if connection.id.is_empty() => None,
        _ => Some(connection),
    };
    ctx.setup.codecs_saved = true;
    if connection.is_some() {
        ctx.setup.connection = connection;
    }
    super::flow::next(super::flow::Decided::Codecs, ctx)
}

impl Screen for CodecsStep {
    activity_field!();

    fn planned(&self, ctx: &Ctx) -> Option<Vec<PlanStep>> {
        if self.change.is_some() {
            return None;
        }
        self.planned_step(ctx).ok().map(|step| vec![step])
    }

    fn change(&self) -> Option<&Change> {
        self.change.as_ref()
    }

    fn title(&self) -> &'static str {
        if self.change.is_some() { "Codecs: confirm the change" } else { "Codecs" }
    }

    fn bindings(&self) -> Vec<Binding> {
        if self.change.is_some() {
            return Change::bindings();
        }
        let mut bindings: Vec<Binding> =
            Binding::movement(self.choices.len(), MOVE, MOVE_HELP).into_iter().collect();
        bindings.extend([
            Binding::new(&[Action::Toggle], "toggle", "Turn the highlighted codec on or off."),
            Binding::new(&[Action::Submit], "save", "Save the codecs that are on, in this order, and go on."),
        ]);
        bindings
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if let Some(change) = self.change.take() {
            return change.answer(action, &mut self.activity, ctx);
        }
        if move_cursor(&mut self.cursor, self.choices.len(), action) {
            return Transition::none();
        }
        match action {
            Action::Toggle => {
                if let Some(choice) = self.choices.get_mut(self.cursor) {
                    choice.enabled = !choice.enabled;
                    self.activity.problem = None;
                    self.activity.notice = None;
                }
                Transition::none()
            }
            Action::Submit => self.save(ctx),
            _ => Transition::none(),
        }
    }

    /// The numbers read, Enter goes on to the question that names them.
    fn on_read_ahead(&mut self, ctx: &mut Ctx) -> Transition {
        self.save(ctx)
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ConnectionUpdated(connection) => {
                self.connection = connection.clone();
                advance(connection, ctx)
            }
            _ => Transition::none(),
        }
    }
}
