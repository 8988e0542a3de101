//! Step 1: the API key, masked while typed, checked with `GET /balance`.

use super::{Activity, Ctx, Problem, Step, Transition};
use crate::msg::{Reply, Request};
use crate::secret::Secret;
use crate::state::connection::ConnectionStep;
use crate::state::{InspectorStep, Mode};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Telnyx keys are about 60 characters; this leaves room without letting a runaway
/// paste fill the screen.
const MAX_KEY_CHARS: usize = 200;

/// Where the key in the field came from, so the screen can say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Typed,
    Flag,
    Env,
    /// `--demo`: a key the embedded sandbox accepts.
    Demo,
}

#[derive(Debug)]
pub struct SignInStep {
    pub key: super::TextField,
    pub source: KeySource,
    /// The key is shown in clear (Ctrl-R).
    pub reveal: bool,
    pub activity: Activity,
}

impl SignInStep {
    pub fn new(key: Option<Secret>, source: KeySource) -> Self {
        let value = key.as_ref().map(Secret::expose).unwrap_or_default();
        Self {
            key: super::TextField::secret(value, MAX_KEY_CHARS),
            source,
            reveal: false,
            activity: Activity::default(),
        }
    }

    pub(super) fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        match key.code {
            KeyCode::Char('r') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.reveal = !self.reveal;
                Transition::none()
            }
            KeyCode::Enter => self.submit(ctx),
            _ => {
                if self.key.on_key(key) {
                    self.source = KeySource::Typed;
                    self.activity.problem = None;
                }
                Transition::none()
            }
        }
    }

    fn submit(&mut self, ctx: &mut Ctx) -> Transition {
        // Keys are often pasted with a stray space or newline around them.
        let key = self.key.value().trim().to_owned();
        if key.is_empty() {
            self.activity.fail(Problem::Input(
                "Enter your Telnyx API key (portal: Account settings > Keys & Credentials).".into(),
            ));
            return Transition::none();
        }
        if key.chars().any(char::is_whitespace) {
            self.activity
                .fail(Problem::Input("An API key has no spaces in it; check what was pasted.".into()));
            return Transition::none();
        }
        Transition::run(ctx.call(
            &mut self.activity,
            "Checking the key with Telnyx (GET /balance)",
            Request::SignIn { key: Secret::new(key) },
        ))
    }

    pub(super) fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::KeyAccepted(balance) => {
                ctx.setup.balance = Some(balance);
                if ctx.mode == Mode::Inspector {
                    let (inspector, cmds) = InspectorStep::open(ctx);
                    return Transition::next(Step::Inspect(inspector), cmds);
                }
                let mut next = ConnectionStep::new();
                let cmds = next.reload(ctx);
                Transition::next(Step::Connection(next), cmds)
            }
            _ => Transition::none(),
        }
    }

    pub(super) fn hints(&self) -> Vec<(&'static str, &'static str)> {
        vec![("Enter", "sign in"), ("Ctrl-R", if self.reveal { "hide" } else { "reveal" })]
    }
}
