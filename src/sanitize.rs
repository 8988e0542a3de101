//! Text from the API or the network, made safe to print to a terminal or a log.
//!
//! A record's name, a SIP user name or Telnyx's error `detail` is whatever the server
//! sent. Printed raw, an escape sequence in it acts on the terminal that shows it: it
//! retitles the window (`ESC ] 0 ; … BEL`), clears the screen (`ESC [ 2 J`), or writes
//! the clipboard (OSC 52); a newline forges a line in the log. [`escape_controls`] is
//! the one function every such string goes through before it is printed (the doctor's
//! text report, the summary on exit, error messages on stderr) or logged (the log
//! writer passes every line through it). The full-screen UI needs no help: ratatui drops
//! control characters, and the JSON outputs are escaped by serde.

use std::borrow::Cow;
use std::fmt;

/// Whether `c` is a control character that must not reach a terminal raw: C0
/// (U+0000-U+001F, newline and tab included), DEL (U+007F) and C1 (U+0080-U+009F,
/// which some terminals obey as 8-bit `CSI`, `OSC`, ...).
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// `text` with every control character written out as visible text: `\n`, `\r` and
/// `\t` as those two characters, every other as `\u{1b}` (its code in hex, as Rust
/// writes it). Everything else, non-ASCII text included, is kept as it is. Escaping an
/// escaped text changes nothing, so a string may pass through it twice (an error
/// message inside the doctor's report, a logged error). Borrows when there is nothing
/// to escape, which is nearly always.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text` with every control character but the newline escaped as [`escape_controls`]
/// does: for a whole text of several lines on its way to stdout or stderr
/// ([`crate::output`]), the last guard of every byte the program writes there. Server
/// text inside it must still be escaped (or quoted) where it is put in, since a newline
/// it holds would start a line of its own here.
pub fn escape_controls_but_newlines(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| c != '\n' && is_control(c)) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<'_, str>> = text.split('\n').map(escape_controls).collect();
    Cow::Owned(lines.join("\n"))
}

/// Displays a string through [`escape_controls`]: `format!("{}", Escaped(&name))`.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_controls(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible_and_the_rest_is_kept() {
        assert_eq!(
            escape_controls("a\u{1b}]0;TITLE\u{7}b\u{1b}[2J\u{9b}c\u{7f}"),
            "a\\u{1b}]0;TITLE\\u{7}b\\u{1b}[2J\\u{9b}c\\u{7f}"
        );
        assert_eq!(escape_controls("line\nforged\r\tx\0"), "line\\nforged\\r\\tx\\u{0}");
        assert_eq!(escape_controls("Büro “Lobby” 電話 ✓ \\u{1b}"), "Büro “Lobby” 電話 ✓ \\u{1b}");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed("plain")));
        assert_eq!(Escaped("x\u{1b}y").to_string(), "x\\u{1b}y");
    }

    #[test]
    fn a_text_of_lines_keeps_its_newlines_and_nothing_else() {
        assert_eq!(escape_controls_but_newlines("a\u{1b}[2J\nb\r\n\tc\n"), "a\\u{1b}[2J\nb\\r\n\\tc\n");
        assert!(matches!(escape_controls_but_newlines("a\nb\n"), Cow::Borrowed("a\nb\n")));
    }

    #[test]
    fn escaping_twice_changes_nothing_more() {
        for text in ["\u{1b}[2J", "a\nb", "\u{9b}\u{85}\u{a0}", "ok"] {
            let once = escape_controls(text).into_owned();
            assert!(!once.chars().any(is_control), "{once:?}");
            assert_eq!(escape_controls(&once), once);
        }
    }

    #[test]
    fn every_control_and_nothing_else_is_escaped() {
        for code in 0..=0x2ffu32 {
            let Some(c) = char::from_u32(code) else { continue };
            let expected = code < 0x20 || (0x7f..=0x9f).contains(&code);
            assert_eq!(is_control(c), expected, "U+{code:04X}");
            let escaped = escape_controls(&c.to_string()).into_owned();
            assert_eq!(escaped != c.to_string(), expected, "U+{code:04X}: {escaped:?}");
        }
    }
}
