//! The wizard as a pure state machine: [`State::update`] takes a [`Msg`] and returns
//! the [`Cmd`]s to run. No I/O, no clock, no channels, so every screen's behaviour is
//! tested by feeding messages and comparing commands.
//!
//! Each screen is a [`Step`] variant that owns its data; the screens behind the current
//! one wait on a history stack, so Esc returns to them as they were.

mod codecs;
mod connection;
mod countries;
mod credential;
mod field;
mod finish;
mod inspector;
mod numbers;
mod pick;
mod profile;
mod sign_in;
mod token;

pub use codecs::{CodecsStep, codec_choices};
pub use connection::{ConnectionForm, ConnectionStep, FormField};
pub use countries::CountriesStep;
pub use credential::{CredentialField, CredentialForm, CredentialStep, DEFAULT_TAG, SIP_DOMAIN};
pub use field::TextField;
pub use finish::FinishStep;
pub use inspector::{InspectorStep, Listing, PAGE_SIZE, Relation, Scope, Tab};
pub use numbers::{NumbersScreen, NumbersStep, SearchField, SearchForm, plural};
pub use pick::{Pick, PickList};
pub use profile::{ProfileForm, ProfileStep};
pub use sign_in::{KeySource, SignInFocus, SignInStep};

pub use token::{LoginToken, TokenStep};

use crate::api::{
    ApiError, Balance, CredentialConnection, OutboundVoiceProfile, PhoneNumber, RetryNotice,
    TelephonyCredential,
};
use crate::msg::{Cmd, Msg, OpId, Reply, Request};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::SystemTime;

/// The wizard's steps in order, as the header names them.
pub const STEP_TITLES: [&str; 8] =
    ["Sign in", "Connection", "Codecs", "Voice profile", "Countries", "Numbers", "Credential", "Token"];

/// The screen on display; each variant owns that screen's data.
// The variants differ in size, but only the current step and a short history exist at
// once, so boxing them would add indirection for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Step {
    SignIn(SignInStep),
    Connection(ConnectionStep),
    Codecs(CodecsStep),
    Profile(ProfileStep),
    Countries(CountriesStep),
    Numbers(NumbersStep),
    Credential(CredentialStep),
    Token(TokenStep),
    /// The summary after the last step.
    Finish(FinishStep),
    /// The read-only inspector (`telnyx-setup inspect`), after sign-in.
    Inspect(InspectorStep),
}

/// A request in flight, and what the screen says while it waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub op: OpId,
    pub what: String,
    /// The retry under way after a transient failure, if any.
    pub retry: Option<RetryNotice>,
}

/// Why the last action did not go through, shown in place until the next attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The API refused or failed.
    Api(ApiError),
    /// The input was rejected before anything was sent.
    Input(String),
    /// The user cancelled the request (it names what was cancelled).
    Cancelled(String),
}

/// The request state every screen shares: at most one request in flight, and the
/// problem left by the last one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub pending: Option<Pending>,
    pub problem: Option<Problem>,
}

impl Activity {
    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    fn fail(&mut self, problem: Problem) {
        self.problem = Some(problem);
    }
}

/// What the user has set up so far: the facts later screens build on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Setup {
    pub balance: Option<Balance>,
    pub connection: Option<CredentialConnection>,
    pub codecs_saved: bool,
    /// The profile attached to the connection.
    pub profile: Option<OutboundVoiceProfile>,
    pub countries_saved: bool,
    /// Numbers bought and assigned to the connection.
    pub numbers: Vec<PhoneNumber>,
    /// The numbers step was skipped (`s`).
    pub numbers_skipped: bool,
    /// The numbers step was completed (with or without numbers bought).
    pub numbers_step_done: bool,
    pub credential: Option<TelephonyCredential>,
    pub token: Option<LoginToken>,
    /// Where "Remember this key" saved the key, or why it could not; `None` when the
    /// user did not ask.
    pub key_saved: Option<Result<std::path::PathBuf, String>>,
}

impl Setup {
    /// Which of the eight steps are done, in [`STEP_TITLES`] order.
    pub fn done(&self) -> [bool; 8] {
        [
            self.balance.is_some(),
            self.connection.is_some(),
            self.codecs_saved,
            self.profile.is_some(),
            self.countries_saved,
            self.numbers_step_done,
            self.credential.is_some(),
            self.token.is_some(),
        ]
    }
}

/// What the program was started to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The setup wizard.
    #[default]
    Wizard,
    /// The read-only inspector: sign-in leads to it, and it never changes the account.
    Inspector,
}

/// Everything a step may use besides its own data.
#[derive(Debug)]
pub struct Ctx {
    pub mode: Mode,
    next_op: OpId,
    /// Generates suggested user names and passwords; seeded from the OS in the app and
    /// from a constant in tests, so update() stays deterministic.
    pub rng: StdRng,
    pub setup: Setup,
}

impl Ctx {
    /// The id of the last request asked for (0 before the first).
    pub fn last_op(&self) -> OpId {
        self.next_op
    }

    /// Starts `request`, marking `activity` as waiting for it.
    fn call(&mut self, activity: &mut Activity, what: impl Into<String>, request: Request) -> Cmd {
        self.next_op += 1;
        let op = self.next_op;
        activity.pending = Some(Pending { op, what: what.into(), retry: None });
        activity.problem = None;
        Cmd::Call { op, request }
    }
}

/// What a step's handler decided.
#[derive(Debug)]
pub enum Transition {
    /// Stay on this screen and run these commands.
    Stay(Vec<Cmd>),
    /// Move on to `Step`, keeping this one in the history, and run these commands.
    Next(Box<Step>, Vec<Cmd>),
    /// Return to the previous screen.
    Back,
}

impl Transition {
    fn none() -> Self {
        Self::Stay(Vec::new())
    }

    fn next(step: Step, cmds: Vec<Cmd>) -> Self {
        Self::Next(Box::new(step), cmds)
    }

    fn run(cmd: Cmd) -> Self {
        Self::Stay(vec![cmd])
    }
}

#[derive(Debug)]
pub struct State {
    pub step: Step,
    /// Screens to return to with Esc, most recent last.
    history: Vec<Step>,
    pub ctx: Ctx,
    /// Advances while a request is in flight, to animate the spinner.
    pub spinner: usize,
    /// The help overlay for the current screen is open.
    pub help: bool,
    /// Whether the theme may use colour (false under `NO_COLOR`).
    pub color: bool,
    /// The wall clock as of the last tick, for the token's countdown. Time reaches the
    /// state only through messages, so update() and view() never read the clock.
    pub now: SystemTime,
    /// The local time zone's offset, read once at start-up, for showing times.
    pub utc_offset: time::UtcOffset,
    /// Quit was asked for while a purchase is in flight; waiting for `y`.
    pub confirm_quit: bool,
}

/// How the wizard starts: the key (from where), and the seed of its generator.
#[derive(Debug, Clone)]
pub struct Start {
    pub key: Option<crate::secret::Secret>,
    pub key_source: KeySource,
    pub seed: u64,
    pub color: bool,
    pub now: SystemTime,
    pub utc_offset: time::UtcOffset,
    pub mode: Mode,
}

impl State {
    pub fn new(start: Start) -> Self {
        Self {
            step: Step::SignIn(SignInStep::new(start.key, start.key_source)),
            history: Vec::new(),
            ctx: Ctx {
                mode: start.mode,
                next_op: 0,
                rng: StdRng::seed_from_u64(start.seed),
                setup: Setup::default(),
            },
            spinner: 0,
            help: false,
            color: start.color,
            now: start.now,
            utc_offset: start.utc_offset,
            confirm_quit: false,
        }
    }

    /// Something on screen moves with time (the token's countdown), so the loop should
    /// tick even when no request is in flight.
    pub fn shows_clock(&self) -> bool {
        matches!(&self.step, Step::Token(step) if step.token.is_some())
    }

    /// An order is placed or being placed and has not settled: quitting asks first.
    pub fn purchase_in_flight(&self) -> bool {
        matches!(&self.step, Step::Numbers(step) if step.purchase_in_flight())
    }

    /// Quit now, or ask first while a purchase is in flight.
    fn quit(&mut self) -> Vec<Cmd> {
        if self.purchase_in_flight() && !self.confirm_quit {
            self.confirm_quit = true;
            return Vec::new();
        }
        vec![Cmd::Quit]
    }

    /// A request is in flight on the current screen (the spinner runs).
    pub fn busy(&self) -> bool {
        self.step.activity().busy()
    }

    /// The step's number, 1-based, as the header shows it.
    pub fn step_number(&self) -> usize {
        self.step.number()
    }

    /// Whether Esc has a screen to return to.
    pub fn can_go_back(&self) -> bool {
        !self.history.is_empty()
    }

    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) => self.on_key(key),
            Msg::Paste(text) => {
                if !self.help && !self.busy() {
                    self.step.on_paste(&text);
                }
                Vec::new()
            }
            Msg::Tick(now) => {
                self.spinner = self.spinner.wrapping_add(1);
                self.now = now;
                Vec::new()
            }
            Msg::Resized => Vec::new(),
            Msg::Done { op, outcome } => self.on_done(op, outcome),
            Msg::Retrying { op, notice } => {
                if let Some(pending) = &mut self.step.activity_mut().pending
                    && pending.op == op
                {
                    pending.retry = Some(notice);
                }
                Vec::new()
            }
            Msg::KeySaved(outcome) => {
                self.ctx.setup.key_saved = Some(outcome);
                Vec::new()
            }
            Msg::Copied(outcome) => {
                if let Step::Token(step) = &mut self.step {
                    step.copied = Some(outcome);
                }
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        let ctrl_c = key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c');
        if self.confirm_quit {
            // "Quit anyway? [y/N]": y or a second Ctrl-C quits, anything else stays.
            self.confirm_quit = false;
            return if ctrl_c || matches!(key.code, KeyCode::Char('y' | 'Y')) {
                vec![Cmd::Quit]
            } else {
                Vec::new()
            };
        }
        if ctrl_c {
            return self.quit();
        }
        if self.help {
            // Any key closes the overlay and does nothing else.
            self.help = false;
            return Vec::new();
        }
        let typing = self.step.text_focused();
        if let Some(pending) = self.step.activity().pending.clone() {
            return match key.code {
                // An order, once sent, cannot be called back: cancelling the wait would
                // only hide whether it went through (and let q quit without asking).
                KeyCode::Esc if self.purchase_in_flight() => Vec::new(),
                KeyCode::Esc => {
                    let activity = self.step.activity_mut();
                    activity.pending = None;
                    activity.problem = Some(Problem::Cancelled(pending.what));
                    vec![Cmd::Cancel(pending.op)]
                }
                KeyCode::Char('q') if !typing => self.quit(),
                // Everything else waits: the screen must not change under the request.
                _ => Vec::new(),
            };
        }
        if !typing {
            match key.code {
                KeyCode::Char('q') => return self.quit(),
                KeyCode::Char('?') => {
                    self.help = true;
                    return Vec::new();
                }
                _ => {}
            }
        }
        let transition = self.step.on_key(key, &mut self.ctx);
        self.apply(transition)
    }

    fn on_done(&mut self, op: OpId, outcome: Result<Reply, ApiError>) -> Vec<Cmd> {
        let activity = self.step.activity_mut();
        if activity.pending.as_ref().map(|p| p.op) != Some(op) {
            // An answer for a screen the user left or a request they cancelled.
            return Vec::new();
        }
        activity.pending = None;
        let transition = match outcome {
            Ok(reply) => self.step.on_reply(reply, &mut self.ctx),
            Err(error @ ApiError::Unauthorized(_)) if !matches!(self.step, Step::SignIn(_)) => {
                return self.back_to_sign_in(error);
            }
            Err(error) => {
                self.step.on_error(error);
                Transition::none()
            }
        };
        self.apply(transition)
    }

    /// The key stopped working mid-way (revoked or deleted in the portal): every later
    /// request would fail the same way, so the user goes back to sign-in, which says
    /// why. What was set up so far stays set up.
    fn back_to_sign_in(&mut self, error: ApiError) -> Vec<Cmd> {
        self.confirm_quit = false;
        self.help = false;
        // The first screen is always sign-in.
        self.history.truncate(1);
        if let Some(sign_in) = self.history.pop() {
            self.step = sign_in;
        }
        self.step.activity_mut().fail(Problem::Api(error));
        Vec::new()
    }

    fn apply(&mut self, transition: Transition) -> Vec<Cmd> {
        match transition {
            Transition::Stay(cmds) => cmds,
            Transition::Next(step, cmds) => {
                let previous = std::mem::replace(&mut self.step, *step);
                self.history.push(previous);
                cmds
            }
            Transition::Back => match self.history.pop() {
                Some(previous) => {
                    self.step = previous;
                    self.step.on_return(&mut self.ctx)
                }
                None => Vec::new(),
            },
        }
    }
}

impl Step {
    /// The step's place among [`STEP_TITLES`], 1-based.
    pub fn number(&self) -> usize {
        match self {
            Step::SignIn(_) => 1,
            Step::Connection(_) => 2,
            Step::Codecs(_) => 3,
            Step::Profile(_) => 4,
            Step::Countries(_) => 5,
            Step::Numbers(_) => 6,
            Step::Credential(_) => 7,
            Step::Token(_) | Step::Finish(_) => 8,
            // The inspector is not a wizard step; the header names it instead.
            Step::Inspect(_) => 1,
        }
    }

    pub fn activity(&self) -> &Activity {
        match self {
            Step::SignIn(s) => &s.activity,
            Step::Connection(s) => &s.activity,
            Step::Codecs(s) => &s.activity,
            Step::Profile(s) => &s.activity,
            Step::Countries(s) => &s.activity,
            Step::Numbers(s) => &s.activity,
            Step::Credential(s) => &s.activity,
            Step::Token(s) => &s.activity,
            Step::Finish(s) => &s.activity,
            Step::Inspect(s) => &s.activity,
        }
    }

    fn activity_mut(&mut self) -> &mut Activity {
        match self {
            Step::SignIn(s) => &mut s.activity,
            Step::Connection(s) => &mut s.activity,
            Step::Codecs(s) => &mut s.activity,
            Step::Profile(s) => &mut s.activity,
            Step::Countries(s) => &mut s.activity,
            Step::Numbers(s) => &mut s.activity,
            Step::Credential(s) => &mut s.activity,
            Step::Token(s) => &mut s.activity,
            Step::Finish(s) => &mut s.activity,
            Step::Inspect(s) => &mut s.activity,
        }
    }

    /// A text field has the keyboard, so letters type instead of acting as shortcuts.
    pub fn text_focused(&self) -> bool {
        match self {
            Step::SignIn(s) => s.typing(),
            Step::Connection(s) => s.form.is_some(),
            Step::Profile(s) => s.form.is_some(),
            Step::Countries(s) => s.filtering,
            Step::Numbers(s) => s.text_focused(),
            Step::Credential(s) => s.form.is_some(),
            Step::Inspect(s) => s.text_focused(),
            Step::Codecs(_) | Step::Token(_) | Step::Finish(_) => false,
        }
    }

    fn on_key(&mut self, key: KeyEvent, ctx: &mut Ctx) -> Transition {
        match self {
            Step::SignIn(s) => s.on_key(key, ctx),
            Step::Connection(s) => s.on_key(key, ctx),
            Step::Codecs(s) => s.on_key(key, ctx),
            Step::Profile(s) => s.on_key(key, ctx),
            Step::Countries(s) => s.on_key(key, ctx),
            Step::Numbers(s) => s.on_key(key, ctx),
            Step::Credential(s) => s.on_key(key, ctx),
            Step::Token(s) => s.on_key(key, ctx),
            Step::Finish(s) => s.on_key(key, ctx),
            Step::Inspect(s) => s.on_key(key, ctx),
        }
    }

    fn on_paste(&mut self, text: &str) {
        match self {
            Step::SignIn(s) => s.paste(text),
            Step::Connection(s) => {
                if let Some(form) = &mut s.form {
                    form.focused_field_mut().paste(text);
                }
            }
            Step::Profile(s) => {
                if let Some(form) = &mut s.form {
                    form.name.paste(text);
                }
            }
            Step::Countries(s) => {
                if s.filtering {
                    s.filter.paste(text);
                    s.cursor = 0;
                }
            }
            Step::Numbers(s) => {
                if let Some(field) = s.form.focused_text_mut().filter(|_| s.screen == NumbersScreen::Search) {
                    field.paste(text);
                }
            }
            Step::Credential(s) => {
                if let Some(form) = &mut s.form {
                    form.focused_field_mut().paste(text);
                }
            }
            Step::Inspect(s) => {
                if let Some(input) = &mut s.filter_input {
                    input.paste(text);
                }
            }
            Step::Codecs(_) | Step::Token(_) | Step::Finish(_) => {}
        }
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        match self {
            Step::SignIn(s) => s.on_reply(reply, ctx),
            Step::Connection(s) => s.on_reply(reply, ctx),
            Step::Codecs(s) => s.on_reply(reply, ctx),
            Step::Profile(s) => s.on_reply(reply, ctx),
            Step::Countries(s) => s.on_reply(reply, ctx),
            Step::Numbers(s) => s.on_reply(reply, ctx),
            Step::Credential(s) => s.on_reply(reply),
            Step::Token(s) => s.on_reply(reply, ctx),
            Step::Finish(s) => s.on_reply(reply),
            Step::Inspect(s) => s.on_reply(reply, ctx),
        }
    }

    fn on_error(&mut self, error: ApiError) {
        match self {
            Step::Connection(s) => s.on_error(error),
            Step::Profile(s) => s.on_error(error),
            Step::Numbers(s) => {
                s.on_error();
                s.activity.fail(Problem::Api(error));
            }
            other => other.activity_mut().fail(Problem::Api(error)),
        }
    }

    /// Called when Esc brings the user back to this screen: lists reload, since the
    /// screens after it may have created something.
    fn on_return(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        match self {
            Step::Connection(s) => s.reload(ctx),
            Step::Profile(s) => s.reload(ctx),
            Step::Credential(s) => s.reload(ctx),
            _ => Vec::new(),
        }
    }

    /// The keys this screen answers to, for the footer: (key, what it does).
    pub fn hints(&self, can_go_back: bool) -> Vec<(&'static str, &'static str)> {
        let mut hints = match self {
            Step::SignIn(s) => s.hints(),
            Step::Connection(s) => s.hints(),
            Step::Codecs(_) => vec![("↑↓", "move"), ("Space", "toggle"), ("Enter", "save")],
            Step::Profile(s) => s.hints(),
            Step::Countries(s) => s.hints(),
            Step::Numbers(s) => s.hints(),
            Step::Credential(s) => s.hints(),
            Step::Token(s) => s.hints(),
            Step::Finish(_) => vec![("Enter", "quit"), ("d", "run the doctor")],
            Step::Inspect(s) => s.hints(),
        };
        if self.activity().busy() {
            // An order in flight cannot be cancelled (see State::on_key).
            let ordering = matches!(self, Step::Numbers(s) if s.purchase_in_flight());
            hints = if ordering { Vec::new() } else { vec![("Esc", "cancel")] };
        } else if can_go_back && !hints.iter().any(|(key, _)| *key == "Esc") {
            hints.push(("Esc", "back"));
        }
        if !self.text_focused() {
            hints.push(("?", "help"));
            hints.push(("q", "quit"));
        } else {
            hints.push(("Ctrl-C", "quit"));
        }
        hints
    }
}

/// Moves a list cursor for the usual keys; returns whether the key was a movement.
/// `len` counts every row, `page` is how far PageUp/PageDown jump.
pub(crate) fn move_cursor(cursor: &mut usize, len: usize, key: &KeyEvent, letters: bool) -> bool {
    let last = len.saturating_sub(1);
    let page = 10;
    *cursor = match key.code {
        KeyCode::Up => cursor.saturating_sub(1),
        KeyCode::Char('k') if letters => cursor.saturating_sub(1),
        KeyCode::Down => (*cursor + 1).min(last),
        KeyCode::Char('j') if letters => (*cursor + 1).min(last),
        KeyCode::PageUp => cursor.saturating_sub(page),
        KeyCode::PageDown => (*cursor + page).min(last),
        KeyCode::Home => 0,
        KeyCode::End => last,
        _ => return false,
    };
    true
}
