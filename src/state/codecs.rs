//! Step 3: the connection's inbound codecs as toggles. VP8 (browser video) is off on
//! new Telnyx connections, so it starts checked here; Enter saves the list with PATCH.

use super::keys::{Action, Binding, MOVE, MOVE_HELP};
use super::screen::{Screen, activity_field};
use super::{Activity, Ctx, Problem, Step, Transition, move_cursor};
use crate::api::{CredentialConnection, CredentialConnectionUpdate, InboundUpdate};
use crate::msg::{Reply, Request};
use crate::state::profile::ProfileStep;

/// The codecs offered, in the order they are listed and sent, with what each is for.
const OFFERED: [(&str, &str); 7] = [
    ("OPUS", "wideband audio, what browsers prefer"),
    ("G722", "wideband audio"),
    ("G711U", "narrowband audio (PCMU), North America"),
    ("G711A", "narrowband audio (PCMA), rest of the world"),
    ("G729", "low-bandwidth audio"),
    ("H.264", "video"),
    ("VP8", "video, required for video calls from browsers"),
];

/// One row of the codec list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodecChoice {
    pub name: String,
    pub about: &'static str,
    pub enabled: bool,
}

/// The rows for a connection: every offered codec, checked if the connection has it,
/// VP8 checked regardless; codecs the connection has that are not offered are kept.
pub fn codec_choices(current: &[String]) -> Vec<CodecChoice> {
    let mut choices: Vec<CodecChoice> = OFFERED
        .iter()
        .map(|(name, about)| CodecChoice {
            name: (*name).to_owned(),
            about,
            enabled: *name == "VP8" || current.iter().any(|c| c == name),
        })
        .collect();
    for codec in current {
        if !OFFERED.iter().any(|(name, _)| name == codec) {
            choices.push(CodecChoice { name: codec.clone(), about: "set on this connection", enabled: true });
        }
    }
    choices
}

#[derive(Debug)]
pub struct CodecsStep {
    pub connection: CredentialConnection,
    pub choices: Vec<CodecChoice>,
    pub cursor: usize,
    pub activity: Activity,
}

impl CodecsStep {
    pub fn new(connection: CredentialConnection) -> Self {
        let choices = codec_choices(&connection.inbound.codecs);
        Self { connection, choices, cursor: 0, activity: Activity::default() }
    }

    pub fn enabled(&self) -> Vec<String> {
        self.choices.iter().filter(|c| c.enabled).map(|c| c.name.clone()).collect()
    }
}

impl Screen for CodecsStep {
    activity_field!();

    fn title(&self) -> &'static str {
        "Codecs"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut bindings: Vec<Binding> =
            Binding::movement(self.choices.len(), MOVE, MOVE_HELP).into_iter().collect();
        bindings.extend([
            Binding::new(&[Action::Toggle], "toggle", "Turn the highlighted codec on or off."),
            Binding::new(&[Action::Submit], "save", "Save the codecs that are on, in this order, and go on."),
        ]);
        bindings
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        if move_cursor(&mut self.cursor, self.choices.len(), action) {
            return Transition::none();
        }
        match action {
            Action::Toggle => {
                if let Some(choice) = self.choices.get_mut(self.cursor) {
                    choice.enabled = !choice.enabled;
                    self.activity.problem = None;
                }
                Transition::none()
            }
            Action::Submit => {
                let codecs = self.enabled();
                if codecs.is_empty() {
                    self.activity.fail(Problem::Input("Turn on at least one codec (Space).".into()));
                    return Transition::none();
                }
                let update =
                    CredentialConnectionUpdate { inbound: Some(InboundUpdate { codecs }), outbound: None };
                Transition::run(ctx.call(
                    &mut self.activity,
                    "Saving the codecs",
                    Request::UpdateConnection { id: self.connection.id.clone(), update },
                ))
            }
            _ => Transition::none(),
        }
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::ConnectionUpdated(connection) => {
                ctx.setup.codecs_saved = true;
                ctx.setup.connection = Some(connection.clone());
                self.connection = connection.clone();
                let mut next = ProfileStep::new(connection);
                let cmds = next.reload(ctx);
                Transition::next(Step::Profile(next), cmds)
            }
            _ => Transition::none(),
        }
    }
}
