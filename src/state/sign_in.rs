//! Step 1: the API key, masked while typed, checked with `GET /balance`.
//!
//! Below the field, "Remember this key" (off by default, Tab to reach it, Space to
//! tick it): once Telnyx accepts the key, a ticked box asks the loop to save it
//! ([`Cmd::SaveKey`]); the outcome comes back as `Msg::KeySaved` and is kept in
//! [`super::Setup::key_saved`], so the next screen can say where the key went.

use super::keys::{Action, Binding};
use super::screen::{Input, Screen, activity_field};
use super::{Activity, Ctx, Problem, Step, Transition};
use crate::msg::{Cmd, Reply, Request};
use crate::secret::Secret;
use crate::state::{InspectorStep, Mode, ResumeStep};

/// Telnyx keys are about 60 characters; this leaves room without letting a runaway
/// paste fill the screen.
const MAX_KEY_CHARS: usize = 200;

/// Said when the key holds a `?`, which no Telnyx key has: the key field takes typed
/// keys, so `?` typed instead of opening help.
pub const QUESTION_MARK_TYPED: &str = "The key now has a '?' in it (Telnyx keys have none): help is F1 while typing here; Backspace removes it.";

pub use crate::config::KeySource;

/// What has the keyboard on the sign-in screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignInFocus {
    #[default]
    Key,
    /// The "Remember this key" checkbox.
    Remember,
}

#[derive(Debug)]
pub struct SignInStep {
    pub key: super::TextField,
    pub source: KeySource,
    /// The key is shown in clear.
    pub reveal: bool,
    /// "Remember this key": ticked or not, or `None` where it is not offered
    /// (`--demo`, whose key opens only the embedded sandbox).
    pub remember: Option<bool>,
    pub focus: SignInFocus,
    /// Start-up warnings (plain HTTP, a saved key file refused), shown under the field
    /// because stderr is hidden behind the full-screen UI.
    pub warnings: Vec<String>,
    pub activity: Activity,
}

impl SignInStep {
    pub fn new(key: Option<Secret>, source: KeySource) -> Self {
        let value = key.as_ref().map(Secret::expose).unwrap_or_default();
        let remember = (source != KeySource::Demo).then_some(false);
        Self {
            key: super::TextField::secret(value, MAX_KEY_CHARS),
            source,
            reveal: false,
            remember,
            focus: SignInFocus::Key,
            warnings: Vec::new(),
            activity: Activity::default(),
        }
    }

    /// Withdraws "Remember this key" (`--demo`, even with a key from `--api-key`).
    pub fn without_remember(&mut self) {
        self.remember = None;
        self.focus = SignInFocus::Key;
    }

    /// Two places to be, so Tab and Shift-Tab both go to the other one.
    fn switch_focus(&mut self) {
        if self.remember.is_some() {
            self.focus = match self.focus {
                SignInFocus::Key => SignInFocus::Remember,
                SignInFocus::Remember => SignInFocus::Key,
            };
        }
    }

    /// The key as it is sent: keys are often pasted with a stray space or newline.
    fn entered_key(&self) -> &str {
        self.key.value().trim()
    }

    fn submit(&mut self, ctx: &mut Ctx) -> Transition {
        let key = self.entered_key().to_owned();
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
        let mut cmds = vec![ctx.call(
            &mut self.activity,
            "Checking the key with Telnyx (GET /balance)",
            Request::SignIn { key: Secret::new(key) },
        )];
        // Steps 2 and 4's lists are read with the key's check, not after it: one round
        // trip, and step 4 opens at once however quickly the user gets there.
        if ctx.mode == Mode::Wizard {
            // Read with this key: what an earlier try's key read is not this account's.
            ctx.forget_reads_ahead();
            cmds.extend(ctx.prefetch(Request::ListConnections));
            cmds.extend(ctx.prefetch(Request::ListProfiles));
        }
        Transition::Stay(cmds)
    }
}

const TAB: &[Action] = &[Action::NextField, Action::PrevField];

impl Screen for SignInStep {
    activity_field!();

    fn title(&self) -> &'static str {
        "Sign in"
    }

    fn bindings(&self) -> Vec<Binding> {
        let mut bindings = vec![Binding::new(
            &[Action::Submit],
            "sign in",
            "Check the key with Telnyx and go on if it is accepted.",
        )];
        match (self.focus, self.remember) {
            (SignInFocus::Remember, Some(ticked)) => {
                bindings.push(Binding::new(
                    &[Action::Toggle],
                    if ticked { "untick" } else { "tick" },
                    "Tick or untick \"Remember this key\" (saved only once Telnyx accepts it).",
                ));
                bindings.push(Binding::new(TAB, "key field", "Back to the key field."));
            }
            (_, Some(_)) => {
                bindings.push(Binding::new(TAB, "remember option", "Move to the \"Remember this key\" box."));
            }
            (_, None) => {}
        }
        bindings.push(Binding::new(
            &[Action::Reveal],
            if self.reveal { "hide" } else { "reveal" },
            "Show or hide the key as typed.",
        ));
        bindings
    }

    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition {
        match action {
            Action::Reveal => self.reveal = !self.reveal,
            Action::Submit => return self.submit(ctx),
            Action::NextField | Action::PrevField => self.switch_focus(),
            Action::Toggle => {
                if let Some(ticked) = &mut self.remember {
                    *ticked = !*ticked;
                }
            }
            _ => {}
        }
        Transition::none()
    }

    fn input(&self) -> Option<&dyn Input> {
        (self.focus == SignInFocus::Key).then_some(&self.key as &dyn Input)
    }

    fn input_mut(&mut self) -> Option<&mut dyn Input> {
        (self.focus == SignInFocus::Key).then_some(&mut self.key as &mut dyn Input)
    }

    /// The key is now the user's own, whatever filled the field before. A `?` in it
    /// was most likely meant for help, which is F1 while the key field has the keyboard.
    fn edited(&mut self) {
        self.source = KeySource::Typed;
        self.activity.problem = None;
        self.activity.notice = self.key.value().contains('?').then(|| QUESTION_MARK_TYPED.to_owned());
    }

    /// Pasted text goes into the key field, wherever the focus is.
    fn on_paste(&mut self, text: &str) {
        self.key.paste(text);
        self.edited();
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match reply {
            Reply::KeyAccepted(balance) => {
                ctx.setup.balance = Some(balance);
                // A key typed here is no account's, whatever filled the field first.
                if self.source == KeySource::Typed {
                    ctx.account = None;
                }
                // Saved only now: a key Telnyx refused is never written anywhere. The
                // field cannot change while the check runs, so it holds the key checked.
                let mut cmds = Vec::new();
                if self.remember == Some(true) {
                    cmds.push(Cmd::SaveKey(Secret::new(self.entered_key())));
                }
                if ctx.mode == Mode::Inspector {
                    let (inspector, open) = InspectorStep::open(ctx);
                    cmds.extend(open);
                    return Transition::next(Step::Inspect(inspector), cmds);
                }
                let account = crate::journal::account_id(ctx.api.base_url(), self.entered_key());
                ctx.journal.account = Some(account.clone());
                if let Some(earlier) = ctx.journal.earlier(&account).cloned() {
                    if earlier.connection.is_some() || earlier.order.is_some() {
                        let (resume, find) = ResumeStep::open(earlier, ctx);
                        cmds.extend(find);
                        return Transition::next(Step::Resume(resume), cmds);
                    }
                    // Nothing was made (the run quit while its first create was in
                    // flight): no setup to offer. It is continued quietly all the same,
                    // so a connection that create did make is the one highlighted.
                    ctx.journal.continue_with(earlier);
                }
                // Said once, where the setup begins: the journal could not be used.
                let notice = ctx.journal.loaded.ignored.take();
                match super::flow::next(super::flow::Decided::SignedIn { notice }, ctx) {
                    Transition::Next(next, load) => {
                        cmds.extend(load);
                        Transition::Next(next, cmds)
                    }
                    other => other,
                }
            }
            _ => Transition::none(),
        }
    }
}
