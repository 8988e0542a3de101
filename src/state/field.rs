//! A single-line text field: tui-input's editing keys plus the rules every field
//! shares (a length cap, no control characters, pastes that keep only the first line).

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::to_input_request;
use tui_input::{Input, InputRequest};

#[derive(Clone, Default)]
pub struct TextField {
    input: Input,
    max_chars: usize,
    /// Holds a secret (API key, password): Debug output leaves the value out.
    secret: bool,
    /// The last key or paste did not fit under the cap, and some of it was dropped:
    /// the screen says so rather than cut silently.
    cut: bool,
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("TextField");
        if self.secret {
            debug.field("value", &"<redacted>");
        } else {
            debug.field("value", &self.input.value());
        }
        debug.field("cursor", &self.input.cursor()).field("cut", &self.cut).finish()
    }
}

impl TextField {
    pub fn new(value: &str, max_chars: usize) -> Self {
        let value: String = clean(value).chars().take(max_chars).collect();
        Self { input: Input::new(value), max_chars, secret: false, cut: false }
    }

    /// A field for a secret, which Debug output never shows.
    pub fn secret(value: &str, max_chars: usize) -> Self {
        Self { secret: true, ..Self::new(value, max_chars) }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// The tui-input state, for rendering the cursor and horizontal scroll.
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// The most characters the field holds.
    pub fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// Whether the last key or paste was cut short by the cap.
    pub fn was_cut(&self) -> bool {
        self.cut
    }

    /// Applies an editing key; returns whether the value changed. Typing past the cap
    /// is ignored rather than truncating what is already there, and noted. Only a key
    /// that inserts counts as typing: the editing keys (Ctrl-A, Ctrl-U, Ctrl-W, ...)
    /// edit whatever the length.
    pub fn on_key(&mut self, key: KeyEvent) -> bool {
        let Some(request) = to_input_request(&Event::Key(key)) else { return false };
        let count = self.input.value().chars().count();
        match request {
            InputRequest::InsertChar(c) if c.is_control() => return false,
            InputRequest::InsertChar(_) if count >= self.max_chars => {
                let was_cut = std::mem::replace(&mut self.cut, true);
                // Changed as far as the screen is concerned: it now says why.
                return !was_cut;
            }
            _ => {}
        }
        let changed = self.input.handle(request).is_some_and(|changed| changed.value);
        if changed {
            self.cut = false;
        }
        // Ctrl-Y puts back what Ctrl-U or Ctrl-W took, which may not fit any more.
        if self.input.value().chars().count() > self.max_chars {
            let cursor = self.input.cursor().min(self.max_chars);
            let kept: String = self.input.value().chars().take(self.max_chars).collect();
            self.input = Input::new(kept).with_cursor(cursor);
            self.cut = true;
        }
        changed
    }

    /// Inserts pasted text at the cursor: only its first line, without control
    /// characters, and only as much as the cap allows.
    pub fn paste(&mut self, text: &str) {
        let line = text.trim_matches(['\r', '\n']).lines().next().unwrap_or_default();
        let room = self.max_chars.saturating_sub(self.input.value().chars().count());
        let cleaned = clean(line);
        self.cut = cleaned.chars().count() > room;
        let pasted: String = cleaned.chars().take(room).collect();
        let cursor = self.input.cursor();
        let value = self.input.value();
        let split = value.char_indices().nth(cursor).map_or(value.len(), |(i, _)| i);
        let joined = format!("{}{}{}", &value[..split], pasted, &value[split..]);
        self.input = Input::new(joined).with_cursor(cursor + pasted.chars().count());
    }

    pub fn set(&mut self, value: &str) {
        *self = Self { secret: self.secret, ..Self::new(value, self.max_chars) };
    }
}

fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn pastes_keep_the_first_line_and_respect_the_cap() {
        let mut field = TextField::new("ab", 6);
        field.paste("\nxyz\u{7}w\nsecond line");
        assert_eq!(field.value(), "abxyzw");
        field.paste("more");
        assert_eq!(field.value(), "abxyzw");
        assert!(field.was_cut(), "a paste that did not fit is noted");
        assert!(!field.on_key(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE)), "already noted");
        assert_eq!(field.value(), "abxyzw");
        assert!(field.on_key(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)));
        assert!(!field.was_cut());
        assert_eq!(field.value(), "abxyz");
    }

    #[test]
    fn typing_past_the_cap_is_noted_once() {
        let mut field = TextField::new("abc", 3);
        assert!(!field.was_cut());
        assert!(field.on_key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE)), "the note is a change");
        assert!(field.was_cut());
        assert!(!field.on_key(KeyEvent::new(KeyCode::Char('e'), KeyModifiers::NONE)));
        assert_eq!(field.value(), "abc");
    }

    #[test]
    fn editing_keys_edit_a_full_field() {
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let mut field = TextField::new("2020-01-01", 10);
        assert!(!field.on_key(ctrl('a')), "Ctrl-A moves, it does not type");
        assert!(!field.was_cut());
        assert_eq!(field.input().cursor(), 0);
        assert!(field.on_key(ctrl('k')), "Ctrl-K deletes to the end");
        assert_eq!(field.value(), "");
        field.set("2020-01-01");
        assert!(field.on_key(ctrl('u')), "Ctrl-U deletes the line");
        assert!(!field.was_cut());
        assert_eq!(field.value(), "");
        for c in "2030-06-30".chars() {
            field.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
        assert_eq!(field.value(), "2030-06-30");
        assert!(field.on_key(ctrl('w')), "Ctrl-W deletes a word");
        assert_eq!(field.value(), "2030-06-");
        // What Ctrl-Y puts back never goes past the cap.
        field.on_key(KeyEvent::new(KeyCode::Char('1'), KeyModifiers::NONE));
        field.on_key(ctrl('y'));
        assert_eq!(field.value().chars().count(), 10, "{:?}", field.value());
    }

    #[test]
    fn control_characters_cannot_be_typed() {
        let mut field = TextField::new("ab", 6);
        for c in ['\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{9b}'] {
            assert!(!field.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)), "{c:?}");
        }
        assert_eq!(field.value(), "ab");
    }

    #[test]
    fn secret_fields_stay_out_of_debug_output() {
        let field = TextField::secret("KEYsecret123", 64);
        assert!(!format!("{field:?}").contains("KEYsecret123"));
        let mut field = field;
        field.set("hunter2hunter2");
        assert!(!format!("{field:?}").contains("hunter2"));
        assert!(format!("{:?}", TextField::new("plain", 8)).contains("plain"));
    }

    #[test]
    fn pastes_land_at_the_cursor_in_wide_text() {
        let mut field = TextField::new("日本", 10);
        field.on_key(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        field.paste("語");
        assert_eq!(field.value(), "日語本");
    }
}
