//! The questions a command asks: `[y/N]` on stderr, answered on stdin (only `y`, `Y`
//! or `yes` is a yes; anything else, an empty line or no input at all is a no); and a
//! secret typed on the terminal, masked ([`masked`]).

use std::io::{BufRead, Write};

/// Asks `question` on stderr and reads the answer from stdin: `true` for a yes.
pub fn confirm(question: &str) -> bool {
    confirm_on(question, &mut std::io::stdin().lock(), &mut std::io::stderr())
}

/// `Go ahead? [y/N] ` before a command's writes to the API at `base`, naming the
/// account whose key is in use when it is a production account other than the default
/// ([`crate::accounts::named_in_question`]): a write meant for one customer's account
/// must not land in another's unnoticed.
pub fn go_ahead(base: &crate::api::ApiBase) -> String {
    let production =
        base.as_str().trim_end_matches('/') == crate::api::DEFAULT_API_BASE.trim_end_matches('/');
    let account = super::problem::account_in_use().map(|name| {
        let default = crate::accounts::Accounts::of_user().ok().and_then(|accounts| accounts.default_name());
        crate::accounts::InUse { default: default.as_deref() == Some(name), name: name.to_owned() }
    });
    go_ahead_for(account.as_ref(), production)
}

/// [`go_ahead`]'s question for `account`, against production or not.
pub fn go_ahead_for(account: Option<&crate::accounts::InUse>, production: bool) -> String {
    match crate::accounts::named_in_question(account, production) {
        Some(name) => format!("Go ahead in account {}? [y/N] ", crate::sanitize::escape_controls(name)),
        None => "Go ahead? [y/N] ".to_owned(),
    }
}

/// [`confirm`] on any reader and writer. The question is flushed before the answer is
/// read, so it shows without a newline; a write that fails (a closed stderr) does not
/// stop the reading, and a read that fails is a no.
pub fn confirm_on(question: &str, input: &mut impl BufRead, output: &mut impl Write) -> bool {
    // Through the one escaping of everything written to a terminal (crate::output).
    let question = crate::sanitize::escape_controls_but_newlines(question);
    let _ = output.write_all(question.as_bytes()).and_then(|()| output.flush());
    let mut answer = String::new();
    if input.read_line(&mut answer).is_err() {
        return false;
    }
    is_yes(&answer)
}

/// Asks for a secret on the terminal (`/dev/tty`), showing a bullet for each character
/// typed or pasted, so the user sees the paste landed and nothing more. Enter gives it,
/// Backspace takes a character back, Ctrl-U clears; Esc or Ctrl-C cancel (`Ok(None)`).
/// The terminal leaves raw mode however this ends.
pub fn masked(label: &str) -> Result<Option<crate::secret::Secret>, String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers};
    use crossterm::terminal;
    let mut tty = crate::tty::Tty::open().map_err(|e| e.to_string())?;
    terminal::enable_raw_mode().map_err(|e| format!("cannot read the key from the terminal: {e}"))?;
    struct Cooked;
    impl Drop for Cooked {
        fn drop(&mut self) {
            let _ = terminal::disable_raw_mode();
        }
    }
    let _cooked = Cooked;
    let label = crate::sanitize::escape_controls(label);
    let _ = write!(tty, "{label}").and_then(|()| tty.flush());
    let mut typed = zeroize::Zeroizing::new(String::new());
    loop {
        let event = crossterm::event::read().map_err(|e| format!("cannot read the terminal: {e}"))?;
        let Event::Key(key) = event else { continue };
        if key.kind != KeyEventKind::Press {
            continue;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => break,
            KeyCode::Esc => {
                let _ = write!(tty, "\r\n");
                return Ok(None);
            }
            KeyCode::Char('c') if ctrl => {
                let _ = write!(tty, "\r\n");
                return Ok(None);
            }
            KeyCode::Char('u') if ctrl => {
                for _ in typed.chars() {
                    let _ = write!(tty, "\u{8} \u{8}");
                }
                typed.clear();
            }
            KeyCode::Backspace if typed.pop().is_some() => {
                let _ = write!(tty, "\u{8} \u{8}");
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => {
                typed.push(c);
                let _ = write!(tty, "\u{2022}");
            }
            _ => {}
        }
        let _ = tty.flush();
    }
    let _ = write!(tty, "\r\n").and_then(|()| tty.flush());
    let key = typed.trim();
    if key.is_empty() {
        return Err("no key was typed".to_owned());
    }
    Ok(Some(crate::secret::Secret::new(key)))
}

/// Whether an answer line says yes.
fn is_yes(answer: &str) -> bool {
    matches!(answer.trim(), "y" | "Y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The call test's question (and any command's before a write) names a production
    /// account that is not the default one, and only that.
    #[test]
    fn the_question_names_a_production_account_that_is_not_the_default() {
        use crate::accounts::InUse;
        let other = InUse { name: "acme-prod".into(), default: false };
        assert_eq!(go_ahead_for(Some(&other), true), "Go ahead in account acme-prod? [y/N] ");
        assert_eq!(go_ahead_for(Some(&other), false), "Go ahead? [y/N] ");
        let default = InUse { name: "mine".into(), default: true };
        assert_eq!(go_ahead_for(Some(&default), true), "Go ahead? [y/N] ");
        assert_eq!(go_ahead_for(None, true), "Go ahead? [y/N] ");
    }

    fn ask(input: &[u8]) -> (bool, String) {
        let mut output = Vec::new();
        let yes = confirm_on("Go ahead? [y/N] ", &mut &input[..], &mut output);
        (yes, String::from_utf8(output).unwrap())
    }

    #[test]
    fn only_y_or_yes_is_a_yes() {
        for yes in ["y\n", "Y\n", "yes\n", "  y  \n", "y"] {
            assert!(ask(yes.as_bytes()).0, "{yes:?}");
        }
        for no in ["\n", "n\n", "N\n", "no\n", "yes please\n", "YES\n", "ja\n", ""] {
            assert!(!ask(no.as_bytes()).0, "{no:?}");
        }
    }

    #[test]
    fn the_question_is_written_without_a_newline() {
        assert_eq!(ask(b"n\n").1, "Go ahead? [y/N] ");
    }

    #[test]
    fn a_closed_output_still_reads_the_answer() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        assert!(confirm_on("?", &mut &b"y\n"[..], &mut Closed));
    }

    #[test]
    fn an_unreadable_answer_is_a_no() {
        let invalid_utf8: &[u8] = &[0xff, 0xfe, b'\n'];
        assert!(!confirm_on("?", &mut &invalid_utf8[..], &mut Vec::new()));
    }
}
