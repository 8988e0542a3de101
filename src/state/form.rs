//! One form for every screen that asks for input: its fields in focus order, which one
//! has the keyboard and which one the last problem is about. A key or paste goes in and
//! a [`FormEvent`] comes out (submit, cancel, a field changed); the step keeps only its
//! fields' definition and its validation.

use super::TextField;
use super::keys::{Action, Binding};
use crate::api::ApiError;
use crossterm::event::KeyEvent;
use std::fmt::Debug;

/// The fields of one form, in focus order.
pub trait Fields: Copy + Eq + Debug + 'static {
    const ALL: &'static [Self];

    fn label(self) -> &'static str;

    /// Rows that are a choice rather than text: typed keys do not reach them.
    fn is_text(self) -> bool {
        true
    }

    /// The field a Telnyx error's `source.pointer` names (`/user_name`), if any.
    fn from_pointer(name: &str) -> Option<Self> {
        let _ = name;
        None
    }
}

/// Declares a form's fields: an enum and its [`Fields`] impl, one line a field, in
/// focus order: `Variant = "Label"`, then optionally `from "pointer" | "other"` (the
/// Telnyx error pointers that name it) or `as choice` (a row that is not text).
macro_rules! fields {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($variant:ident = $label:literal $(from $($pointer:literal)|+)? $(as $choice:ident)?;)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($variant,)*
        }

        impl $crate::state::form::Fields for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)*];

            fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)*
                }
            }

            fn is_text(self) -> bool {
                match self {
                    $($name::$variant => $crate::state::form::fields!(@text $($choice)?),)*
                }
            }

            fn from_pointer(name: &str) -> Option<Self> {
                match name {
                    $($($($pointer)|+ => Some($name::$variant),)?)*
                    _ => None,
                }
            }
        }
    };
    (@text) => { true };
    (@text choice) => { false };
}
pub(crate) use fields;

/// What an action or a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormEvent<F> {
    /// Enter: the step validates and sends.
    Submit,
    /// Esc: the step closes the form.
    Cancel,
    /// A field's text changed; the problem shown may be out of date.
    Changed(F),
    /// The focus moved, or nothing happened.
    Nothing,
}

impl<F: Copy> FormEvent<F> {
    /// The field that changed, if one did.
    pub fn changed(self) -> Option<F> {
        match self {
            FormEvent::Changed(field) => Some(field),
            _ => None,
        }
    }
}

/// Esc on a form that closes it.
pub const CLOSE_FORM: (&str, &str) = ("cancel", "Close the form without sending anything.");

const NEXT: &[Action] = &[Action::NextField, Action::Down];
const PREVIOUS: &[Action] = &[Action::PrevField, Action::Up];
const SUBMIT: &[Action] = &[Action::Submit];
const CANCEL: &[Action] = &[Action::Back];

#[derive(Debug)]
pub struct Form<F: Fields> {
    /// One per [`Fields::ALL`] entry, in that order; rows that are not text keep an
    /// empty, unused field so the indexes line up.
    texts: Vec<TextField>,
    pub focus: F,
    /// The field the last problem is about, marked on screen.
    pub invalid: Option<F>,
}

impl<F: Fields> Form<F> {
    /// A form with `text(field)` for each field, focused on the first.
    pub fn new(text: impl Fn(F) -> TextField) -> Self {
        Self { texts: F::ALL.iter().map(|field| text(*field)).collect(), focus: F::ALL[0], invalid: None }
    }

    fn index(field: F) -> usize {
        F::ALL.iter().position(|f| *f == field).unwrap_or(0)
    }

    pub fn field(&self, field: F) -> &TextField {
        &self.texts[Self::index(field)]
    }

    pub fn field_mut(&mut self, field: F) -> &mut TextField {
        &mut self.texts[Self::index(field)]
    }

    /// The field's text without surrounding spaces, as it is checked and sent.
    pub fn value(&self, field: F) -> &str {
        self.field(field).value().trim()
    }

    pub fn focused_text(&self) -> Option<&TextField> {
        self.focus.is_text().then(|| self.field(self.focus))
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        let focus = self.focus;
        focus.is_text().then(|| self.field_mut(focus))
    }

    /// The form's own keys: `submit` is what Enter does here ("create", "search") and
    /// `cancel` what Esc does, each as (footer words, help sentence).
    pub fn bindings(
        submit: (&'static str, &'static str),
        cancel: (&'static str, &'static str),
    ) -> Vec<Binding> {
        let mut bindings = vec![Binding::new(SUBMIT, submit.0, submit.1)];
        if F::ALL.len() > 1 {
            bindings.push(Binding::new(NEXT, "next field", "Move to the next field (also ↓)."));
            bindings.push(
                Binding::new(PREVIOUS, "previous field", "Move to the previous field (also ↑).").quiet(),
            );
        }
        bindings.push(Binding::new(CANCEL, cancel.0, cancel.1));
        bindings
    }

    pub fn on_action(&mut self, action: Action) -> FormEvent<F> {
        match action {
            Action::Submit => FormEvent::Submit,
            Action::Back => FormEvent::Cancel,
            Action::NextField | Action::Down => {
                self.cycle(true);
                FormEvent::Nothing
            }
            Action::PrevField | Action::Up => {
                self.cycle(false);
                FormEvent::Nothing
            }
            _ => FormEvent::Nothing,
        }
    }

    fn cycle(&mut self, forward: bool) {
        self.focus = cycle(F::ALL, self.focus, forward);
    }

    /// An editing key for the focused text field.
    pub fn on_text_key(&mut self, key: KeyEvent) -> FormEvent<F> {
        let focus = self.focus;
        if self.focused_text_mut().is_some_and(|field| field.on_key(key)) {
            self.changed(focus)
        } else {
            FormEvent::Nothing
        }
    }

    pub fn paste(&mut self, text: &str) -> FormEvent<F> {
        let focus = self.focus;
        match self.focused_text_mut() {
            Some(field) => {
                field.paste(text);
                self.changed(focus)
            }
            None => FormEvent::Nothing,
        }
    }

    /// A field changed: a mark on it no longer holds.
    fn changed(&mut self, field: F) -> FormEvent<F> {
        if self.invalid == Some(field) {
            self.invalid = None;
        }
        FormEvent::Changed(field)
    }

    /// Whether a change to `field` makes the problem on screen out of date: it was
    /// about that field, or about none.
    pub fn clears_problem(&self, field: F) -> bool {
        self.invalid.is_none_or(|invalid| invalid == field)
    }

    /// Marks `field` as the one to fix and moves there.
    pub fn reject(&mut self, field: F) {
        self.focus = field;
        self.invalid = Some(field);
    }

    /// Marks the field Telnyx's error names, if it names one of this form's.
    pub fn blame(&mut self, error: &ApiError) {
        let field = error.errors().iter().filter_map(|e| e.field()).find_map(|f| F::from_pointer(&f));
        if let Some(field) = field {
            self.focus = field;
        }
        self.invalid = field;
    }
}

/// The item after (or before) `current` in `all`, wrapping around.
pub fn cycle<T: Copy + PartialEq>(all: &[T], current: T, forward: bool) -> T {
    let index = all.iter().position(|f| *f == current).unwrap_or(0);
    let len = all.len();
    all[if forward { (index + 1) % len } else { (index + len - 1) % len }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Field {
        Name,
        Kind,
        Size,
    }

    impl Fields for Field {
        const ALL: &'static [Self] = &[Field::Name, Field::Kind, Field::Size];

        fn label(self) -> &'static str {
            "label"
        }

        fn is_text(self) -> bool {
            self != Field::Kind
        }
    }

    fn form() -> Form<Field> {
        Form::new(|field| TextField::new(if field == Field::Name { "ab" } else { "" }, 4))
    }

    #[test]
    fn tab_cycles_and_choice_rows_take_no_text() {
        let mut form = form();
        assert_eq!(form.on_action(Action::NextField), FormEvent::Nothing);
        assert_eq!(form.focus, Field::Kind);
        assert!(form.focused_text().is_none());
        let x = KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE);
        assert_eq!(form.on_text_key(x), FormEvent::Nothing);
        form.on_action(Action::PrevField);
        form.on_action(Action::PrevField);
        assert_eq!(form.focus, Field::Size);
        assert_eq!(form.on_text_key(x), FormEvent::Changed(Field::Size));
        assert_eq!(form.value(Field::Size), "x");
    }

    #[test]
    fn editing_the_rejected_field_clears_its_mark() {
        let mut form = form();
        form.reject(Field::Size);
        assert_eq!(form.focus, Field::Size);
        assert!(!form.clears_problem(Field::Name));
        form.paste("12");
        assert_eq!(form.invalid, None);
        assert_eq!(form.value(Field::Size), "12");
        assert_eq!(form.value(Field::Name), "ab");
    }
}
