//! Keys, in one place: the [`Action`]s a screen can bind, the keys each action answers
//! to, and the [`Binding`]s a screen offers. update() reads every key through the
//! current screen's bindings, and the footer and the help overlay are drawn from the
//! same bindings, so a key shown is a key that works and a key that works is shown.
//!
//! One rule for letters: they are shortcuts only where no text field has the keyboard;
//! in a text field they type, and the few actions that still make sense there move to
//! Ctrl (reveal Ctrl-R, generate Ctrl-G) or F1 (help). Ctrl-C quits everywhere.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key asks for. A screen gives each action it binds its own meaning (Enter
/// creates on a form and continues on a summary); the keys behind an action are the
/// same on every screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Enter: the screen's main action.
    Submit,
    /// Esc: back one screen, close a form or search, cancel.
    Back,
    /// Tab.
    NextField,
    /// Shift-Tab.
    PrevField,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    Left,
    Right,
    /// Space.
    Toggle,
    /// Delete or Backspace: take out of a list.
    Remove,
    /// `/`.
    Filter,
    /// `n`: create new.
    New,
    /// `n` where a question is asked: no.
    No,
    /// `s`: skip an optional step.
    Skip,
    /// `y`: copy.
    Copy,
    /// `y` where a question is asked: yes.
    Yes,
    /// `r`, or Ctrl-R in a text field: reveal or hide a secret.
    Reveal,
    /// `g`, or Ctrl-G in a text field: generate anew.
    Generate,
    /// `R`: load again from Telnyx.
    Reload,
    /// `J`: the raw JSON.
    Raw,
    /// `d`: the doctor.
    Doctor,
    /// `t`: log in now as the WebRTC SDK would (the login test).
    TestLogin,
    /// `g`: go to a record by its id, number or SIP user name (the inspector).
    GoTo,
    /// `1`-`9`: the tab of that number.
    Tab(u8),
    /// Any key not bound otherwise, where a question treats every other key as no.
    AnyOther,
    /// `L`, or F2 anywhere: the pane of this session's requests.
    Requests,
    /// `c`: the equivalent curl of the screen's requests.
    Curl,
    /// `?`, or F1 in a text field.
    Help,
    /// `q`; Ctrl-C everywhere.
    Quit,
}

/// Movement in a list: bound together, shown as one footer hint.
pub const MOVE: &[Action] =
    &[Action::Up, Action::Down, Action::PageUp, Action::PageDown, Action::Home, Action::End];

/// What [`MOVE`] does, in the help overlay.
pub const MOVE_HELP: &str = "Move the highlight (also j/k, Home, End).";

impl Action {
    /// Whether `key` asks for this action; `typing` is true while a text field has the
    /// keyboard, where plain letters belong to the field.
    pub fn matches(self, key: &KeyEvent, typing: bool) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let plain = !ctrl && !key.modifiers.contains(KeyModifiers::ALT);
        let letter = |c: char| plain && !typing && key.code == KeyCode::Char(c);
        let ctrl_letter = |c: char| ctrl && key.code == KeyCode::Char(c);
        match self {
            Action::Submit => key.code == KeyCode::Enter,
            Action::Back => key.code == KeyCode::Esc,
            Action::NextField => key.code == KeyCode::Tab,
            Action::PrevField => key.code == KeyCode::BackTab,
            Action::Up => key.code == KeyCode::Up || letter('k'),
            Action::Down => key.code == KeyCode::Down || letter('j'),
            Action::PageUp => key.code == KeyCode::PageUp,
            Action::PageDown => key.code == KeyCode::PageDown,
            // In a text field these move the text cursor.
            Action::Home => !typing && key.code == KeyCode::Home,
            Action::End => !typing && key.code == KeyCode::End,
            Action::Left => !typing && key.code == KeyCode::Left,
            Action::Right => !typing && key.code == KeyCode::Right,
            Action::Toggle => letter(' '),
            Action::Remove => !typing && matches!(key.code, KeyCode::Delete | KeyCode::Backspace),
            Action::Filter => letter('/'),
            Action::New | Action::No => letter('n') || letter('N'),
            Action::Skip => letter('s'),
            Action::Copy | Action::Yes => letter('y') || letter('Y'),
            Action::Reveal => letter('r') || ctrl_letter('r'),
            Action::Generate => letter('g') || ctrl_letter('g'),
            Action::Reload => letter('R'),
            Action::Raw => letter('J'),
            Action::Doctor => letter('d'),
            Action::TestLogin => letter('t'),
            Action::GoTo => letter('g'),
            Action::Tab(n) => letter(char::from(b'0' + n)),
            Action::AnyOther => true,
            Action::Requests => letter('L') || key.code == KeyCode::F(2),
            Action::Curl => letter('c'),
            Action::Help => letter('?') || key.code == KeyCode::F(1),
            Action::Quit => letter('q') || ctrl_letter('c'),
        }
    }

    /// The key as the footer and help name it.
    pub fn label(self, typing: bool) -> &'static str {
        match self {
            Action::Submit => "Enter",
            Action::Back => "Esc",
            Action::NextField => "Tab",
            Action::PrevField => "Shift-Tab",
            Action::Up => "↑",
            Action::Down => "↓",
            Action::PageUp => "PgUp",
            Action::PageDown => "PgDn",
            Action::Home => "Home",
            Action::End => "End",
            Action::Left => "←",
            Action::Right => "→",
            Action::Toggle => "Space",
            Action::Remove => "Delete",
            Action::Filter => "/",
            Action::New | Action::No => "n",
            Action::Skip => "s",
            Action::Copy | Action::Yes => "y",
            Action::Reveal if typing => "Ctrl-R",
            Action::Reveal => "r",
            Action::Generate if typing => "Ctrl-G",
            Action::Generate => "g",
            Action::Reload => "R",
            Action::Raw => "J",
            Action::Doctor => "d",
            Action::TestLogin => "t",
            Action::GoTo => "g",
            Action::Tab(n) => ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"][usize::from(n).min(9)],
            Action::AnyOther => "any other key",
            Action::Requests if typing => "F2",
            Action::Requests => "L",
            Action::Curl => "c",
            Action::Help if typing => "F1",
            Action::Help => "?",
            Action::Quit if typing => "Ctrl-C",
            Action::Quit => "q",
        }
    }
}

/// One line of the footer and of the help overlay: the actions it binds, a word or
/// two for the footer, and a sentence for the help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub actions: &'static [Action],
    /// The footer's words ("move", "reveal").
    pub hint: &'static str,
    /// The help overlay's sentence: what the key does on this screen.
    pub help: &'static str,
    /// Shown in the help overlay only, to keep the footer to what matters most.
    pub help_only: bool,
}

impl Binding {
    pub const fn new(actions: &'static [Action], hint: &'static str, help: &'static str) -> Self {
        Self { actions, hint, help, help_only: false }
    }

    /// Movement among `rows` rows with `actions` (usually [`MOVE`]): offered only where
    /// there is somewhere to move.
    /// The help sentence should name the keys the label leaves out (j/k, Home, End).
    pub fn movement(rows: usize, actions: &'static [Action], help: &'static str) -> Option<Self> {
        (rows > 1).then(|| Self::new(actions, "move", help))
    }

    /// A binding the help overlay lists and the footer leaves out.
    pub const fn quiet(self) -> Self {
        Self { help_only: true, ..self }
    }

    pub fn matches(&self, key: &KeyEvent, typing: bool) -> Option<Action> {
        self.actions.iter().copied().find(|action| *action != Action::AnyOther && action.matches(key, typing))
    }

    /// The keys as the footer shows them: the first key, or one label for a group
    /// ("↑↓" for movement, "←→", "PgUp/PgDn").
    pub fn label(&self, typing: bool) -> String {
        match self.actions {
            [Action::Up, Action::Down, ..] => "↑↓".to_owned(),
            [Action::Left, Action::Right, ..] => "←→".to_owned(),
            [Action::PageUp, Action::PageDown] => "PgUp/PgDn".to_owned(),
            [first, ..] => first.label(typing).to_owned(),
            [] => String::new(),
        }
    }

    /// Every key, as the help overlay lists them ("Enter, →"). Movement shows its main
    /// keys ("↑↓ PgUp PgDn"); its sentence names the rest.
    pub fn all_labels(&self, typing: bool) -> String {
        let (mut labels, actions, separator): (Vec<&str>, &[Action], &str) = match self.actions {
            [Action::Up, Action::Down, rest @ ..] => (vec!["↑↓"], rest, " "),
            actions => (Vec::new(), actions, ", "),
        };
        let movement = separator == " ";
        for action in actions.iter().filter(|action| **action != Action::AnyOther) {
            if movement && matches!(action, Action::Home | Action::End) {
                continue;
            }
            let label = action.label(typing);
            if !labels.contains(&label) {
                labels.push(label);
            }
        }
        labels.join(separator)
    }
}

/// The action `key` asks for among `bindings`, and the binding that has it: exact keys
/// first, then a catch-all ([`Action::AnyOther`]) if one is bound.
pub fn resolve<'a>(bindings: &'a [Binding], key: &KeyEvent, typing: bool) -> Option<(Action, &'a Binding)> {
    bindings.iter().find_map(|binding| binding.matches(key, typing).map(|action| (action, binding))).or_else(
        || {
            bindings
                .iter()
                .find(|binding| binding.actions.contains(&Action::AnyOther))
                .map(|binding| (Action::AnyOther, binding))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn letters_are_shortcuts_only_outside_text_fields() {
        let r = key(KeyCode::Char('r'), KeyModifiers::NONE);
        let ctrl_r = key(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert!(Action::Reveal.matches(&r, false));
        assert!(!Action::Reveal.matches(&r, true));
        assert!(Action::Reveal.matches(&ctrl_r, true));
        assert!(Action::Reveal.matches(&ctrl_r, false));
        assert_eq!(Action::Reveal.label(true), "Ctrl-R");
        assert_eq!(Action::Reveal.label(false), "r");
        let question = key(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert!(Action::Help.matches(&question, false));
        assert!(!Action::Help.matches(&question, true));
        assert!(Action::Help.matches(&key(KeyCode::F(1), KeyModifiers::NONE), true));
    }

    #[test]
    fn exact_keys_win_over_a_catch_all() {
        const YES: &[Action] = &[Action::Yes];
        const NO: &[Action] = &[Action::No, Action::Back, Action::AnyOther];
        let bindings = [Binding::new(NO, "no", "No."), Binding::new(YES, "yes", "Yes.")];
        let y = key(KeyCode::Char('y'), KeyModifiers::NONE);
        assert_eq!(resolve(&bindings, &y, false).map(|(a, _)| a), Some(Action::Yes));
        let x = key(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(resolve(&bindings, &x, false).map(|(a, _)| a), Some(Action::AnyOther));
        assert_eq!(resolve(&bindings[1..], &x, false), None);
    }

    #[test]
    fn movement_shows_as_one_hint() {
        let binding = Binding::new(MOVE, "move", "Move.");
        assert_eq!(binding.label(false), "↑↓");
        assert_eq!(binding.all_labels(false), "↑↓ PgUp PgDn");
    }
}
