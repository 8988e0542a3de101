//! What every screen is to the state machine: its bindings and what it does with each
//! action, its text field, its replies and errors. [`State`](super::State) holds one
//! [`Step`](super::Step) and reaches the screen inside through
//! [`Step::screen`](super::Step::screen), the one place that matches the variants.

use super::change::Change;
use super::form::{Fields, Form};
use super::keys::{Action, Binding};
use super::{Activity, Ctx, Problem, TextField, Transition};
use crate::api::ApiError;
use crate::clipboard::{CopyError, CopyMethod};
use crate::msg::{Cmd, Reply, Request};
use crossterm::event::KeyEvent;

/// `activity` and `activity_mut` for a screen whose [`Activity`] is its `activity` field.
macro_rules! activity_field {
    () => {
        fn activity(&self) -> &$crate::state::Activity {
            &self.activity
        }

        fn activity_mut(&mut self) -> &mut $crate::state::Activity {
            &mut self.activity
        }
    };
}
pub(crate) use activity_field;

/// `input` and `input_mut` for a screen whose typing goes to the form in `$field`
/// (an `Option<Form<_>>`) while it is open.
macro_rules! form_input {
    ($field:ident) => {
        fn input(&self) -> Option<&dyn $crate::state::screen::Input> {
            self.$field.as_ref().map(|form| form as &dyn $crate::state::screen::Input)
        }

        fn input_mut(&mut self) -> Option<&mut dyn $crate::state::screen::Input> {
            self.$field.as_mut().map(|form| form as &mut dyn $crate::state::screen::Input)
        }
    };
}
pub(crate) use form_input;

pub trait Screen {
    fn activity(&self) -> &Activity;
    fn activity_mut(&mut self) -> &mut Activity;

    /// The help overlay's title: the step and, where it has several, the part of it.
    fn title(&self) -> &'static str;

    /// The keys this screen answers to now, with what each does. Back, help and quit
    /// are added by the state machine where the screen does not bind Esc itself.
    fn bindings(&self) -> Vec<Binding>;

    /// The keys the screen answers to while its request is in flight (besides Esc to
    /// cancel it): none, unless the wait is one the user may leave.
    fn bindings_while_busy(&self) -> Vec<Binding> {
        Vec::new()
    }

    /// Carries out an action from [`Screen::bindings`].
    fn on_action(&mut self, action: Action, ctx: &mut Ctx) -> Transition;

    /// Where typed keys and pastes go, if anywhere: a text field or a form.
    fn input(&self) -> Option<&dyn Input> {
        None
    }

    fn input_mut(&mut self) -> Option<&mut dyn Input> {
        None
    }

    /// A text field has the keyboard, so letters type instead of acting as shortcuts.
    fn typing(&self) -> bool {
        self.input().is_some_and(|input| input.text().is_some())
    }

    /// The text changed (typed or pasted), so the problem on screen is out of date.
    fn edited(&mut self) {
        self.activity_mut().problem = None;
    }

    /// A key no binding took, while a text field has the keyboard.
    fn on_text_key(&mut self, key: KeyEvent) {
        if self.input_mut().is_some_and(|input| input.on_key(key)) {
            self.edited();
        }
    }

    fn on_paste(&mut self, text: &str) {
        if self.input_mut().is_some_and(|input| input.paste(text)) {
            self.edited();
        }
    }

    fn on_reply(&mut self, reply: Reply, ctx: &mut Ctx) -> Transition {
        let _ = (reply, ctx);
        Transition::none()
    }

    /// Shows the error; a form moves to the field Telnyx named.
    fn on_error(&mut self, error: ApiError) {
        if let Some(input) = self.input_mut() {
            input.blame(&error);
        }
        self.activity_mut().fail(Problem::Api(error));
    }

    /// A copy this screen asked for finished: the status line says where it went.
    fn on_copied(&mut self, outcome: Result<CopyMethod, CopyError>) {
        self.activity_mut().copied(outcome);
    }

    /// A read sent ahead that the screen waited for ([`Ctx::wait_for_numbers`]) has
    /// its answer (the account has taken it): the screen goes on with what it was
    /// doing.
    fn on_read_ahead(&mut self, ctx: &mut Ctx) -> Transition {
        let _ = ctx;
        Transition::none()
    }

    /// Esc brought the user back to this screen.
    fn on_return(&mut self, ctx: &mut Ctx) -> Vec<Cmd> {
        let _ = ctx;
        Vec::new()
    }

    /// The requests Enter would send now (`y` on a purchase's question), for the curl
    /// panel, built by the same code as the action itself; empty where Enter sends
    /// nothing (it moves on, or opens a form).
    fn enter_requests(&self) -> Vec<Request> {
        Vec::new()
    }

    /// The steps of the plan (`setup::plan`) this screen's Enter carries out now, with
    /// the screen's choice as it stands, for the screens that edit what is wanted
    /// (codecs, profile, countries, credential); `None` for the others, whose
    /// [`Screen::enter_requests`] say what Enter sends. Their requests are what the curl
    /// panel shows, and the screen's line says what they do.
    fn planned(&self, ctx: &Ctx) -> Option<Vec<crate::setup::plan::Step>> {
        let _ = ctx;
        None
    }

    /// A change to an existing record waiting for `y`, shown over the screen.
    fn change(&self) -> Option<&Change> {
        None
    }

    /// What to do after a failed request here, where it is not "Press Enter to try
    /// again".
    fn retry_hint(&self) -> Option<&'static str> {
        None
    }
}

/// Something that takes typed keys and pastes: one text field, or a form's focused one.
pub trait Input {
    /// The field that has the keyboard; `None` on a form row that is not text.
    fn text(&self) -> Option<&TextField>;
    /// Applies an editing key; true when the problem on screen is now out of date.
    fn on_key(&mut self, key: KeyEvent) -> bool;
    /// Inserts pasted text; true when the problem on screen is now out of date.
    fn paste(&mut self, text: &str) -> bool;
    /// Marks what a refused request's error names, where it names a field here.
    fn blame(&mut self, error: &ApiError) {
        let _ = error;
    }
    /// The label of the field marked for fixing, if one is.
    fn invalid_label(&self) -> Option<&'static str> {
        None
    }
}

impl Input for TextField {
    fn text(&self) -> Option<&TextField> {
        Some(self)
    }

    fn on_key(&mut self, key: KeyEvent) -> bool {
        TextField::on_key(self, key)
    }

    fn paste(&mut self, text: &str) -> bool {
        TextField::paste(self, text);
        true
    }
}

impl<F: Fields> Input for Form<F> {
    fn text(&self) -> Option<&TextField> {
        self.focused_text()
    }

    fn on_key(&mut self, key: KeyEvent) -> bool {
        self.on_text_key(key).changed().is_some_and(|field| self.clears_problem(field))
    }

    fn paste(&mut self, text: &str) -> bool {
        Form::paste(self, text).changed().is_some_and(|field| self.clears_problem(field))
    }

    fn blame(&mut self, error: &ApiError) {
        Form::blame(self, error);
    }

    fn invalid_label(&self) -> Option<&'static str> {
        self.invalid.map(Fields::label)
    }
}
