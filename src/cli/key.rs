//! Where the API key comes from: the command line (`--api-key`, `--api-key-file`,
//! `--api-key-stdin`), `TELNYX_API_KEY`, the key saved with "Remember this key", or the
//! sandbox's under `--demo`; and `--forget-key`.

use super::{Cli, DEMO_KEY};
use crate::config::{self, KeySource};
use crate::output;
use crate::secret::Secret;
use clap::ArgMatches;
use clap::parser::ValueSource;
use std::process::ExitCode;

/// The key the command line gave, and from where: `--api-key-file`, `--api-key-stdin` or
/// `--api-key`, else `TELNYX_API_KEY` (a flag wins over the variable); `None` when none
/// did. The text clap parsed is wiped once it is in a [`Secret`].
pub fn given_key(cli: &mut Cli, matches: &ArgMatches) -> Result<Option<(Secret, KeySource)>, String> {
    let on_command_line = matches.value_source("api_key") == Some(ValueSource::CommandLine);
    choose_key(cli, on_command_line, read_key_from_stdin)
}

/// [`given_key`] once it is known whether `--api-key` (rather than the variable) gave
/// `cli.api_key`; `stdin` reads the key for `--api-key-stdin`.
fn choose_key(
    cli: &mut Cli,
    on_command_line: bool,
    stdin: impl FnOnce() -> Result<Secret, String>,
) -> Result<Option<(Secret, KeySource)>, String> {
    let text = cli.api_key.take().map(zeroize::Zeroizing::new);
    if on_command_line && (cli.api_key_file.is_some() || cli.api_key_stdin) {
        return Err("give the key one way: --api-key, --api-key-file or --api-key-stdin".to_owned());
    }
    if let Some(path) = &cli.api_key_file {
        let key = config::read_key_file(path).map_err(|e| format!("--api-key-file: {e}"))?;
        return Ok(Some((key, KeySource::File(path.clone()))));
    }
    if cli.api_key_stdin {
        return stdin().map(|key| Some((key, KeySource::Stdin)));
    }
    let source = if on_command_line { KeySource::Flag } else { KeySource::Env };
    Ok(text.filter(|text| !text.trim().is_empty()).map(|text| (Secret::new(text.trim()), source)))
}

/// `--api-key-stdin`: the first line of standard input, trimmed. Refused on a terminal,
/// where the key would be echoed: the first screen asks for it, masked, instead.
fn read_key_from_stdin() -> Result<Secret, String> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err("--api-key-stdin reads the key from a pipe (`pass show telnyx | telnyx-setup \
                    --api-key-stdin`); to type it, leave the flag out and the first screen asks for it, \
                    masked"
            .to_owned());
    }
    key_from_line(&mut stdin.lock())
}

/// The key on the first line `input` gives, trimmed (the buffer is wiped after).
fn key_from_line(input: &mut impl std::io::BufRead) -> Result<Secret, String> {
    let mut line = zeroize::Zeroizing::new(String::with_capacity(256));
    input.read_line(&mut line).map_err(|e| format!("--api-key-stdin: cannot read standard input: {e}"))?;
    let key = line.trim();
    if key.is_empty() {
        return Err("--api-key-stdin: standard input held no key".to_owned());
    }
    Ok(Secret::new(key))
}

/// The key to start with when the command line gave none: the
/// sandbox's under `--demo` (the saved key is never read then), else the saved key, if
/// any. A saved key that cannot be used (readable by others, unreadable, empty) is not
/// used, and comes back as a warning instead.
pub fn fallback_key(cli: &Cli) -> (Option<(Secret, KeySource)>, Option<String>) {
    if cli.demo {
        return (Some((Secret::from(DEMO_KEY), KeySource::Demo)), None);
    }
    match config::load_key() {
        Ok(found) => (found.map(|(key, path)| (key, KeySource::Saved(path))), None),
        // No home directory: nothing can have been saved, so there is nothing to say.
        Err(config::KeyFileError::NoConfigDir) => (None, None),
        Err(error) => (None, Some(format!("the saved API key was not used: {error}"))),
    }
}

/// `--forget-key`: removes the saved key and says what it did.
pub fn forget_key() -> ExitCode {
    match config::forget_key() {
        Ok(done) => match output::print(&format!("{done}\n")) {
            Ok(_) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("telnyx-setup: {done}, but it could not be printed: {error}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("telnyx-setup: {error}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn cli(api_key: Option<&str>, file: Option<&str>, stdin: bool) -> Cli {
        let mut cli = Cli::try_parse_from(["telnyx-setup"]).expect("no arguments parse");
        cli.api_key = api_key.map(str::to_owned);
        cli.api_key_file = file.map(Into::into);
        cli.api_key_stdin = stdin;
        cli
    }

    fn unread() -> Result<Secret, String> {
        panic!("stdin must not be read")
    }

    fn exposed(key: Option<(Secret, KeySource)>) -> Option<(String, KeySource)> {
        key.map(|(key, source)| (key.expose().to_owned(), source))
    }

    #[test]
    fn the_flag_and_the_variable_give_the_key_trimmed_and_say_which() {
        let flag = choose_key(&mut cli(Some(" KEY1 "), None, false), true, unread).unwrap();
        assert_eq!(exposed(flag), Some(("KEY1".to_owned(), KeySource::Flag)));
        let variable = choose_key(&mut cli(Some("KEY2"), None, false), false, unread).unwrap();
        assert_eq!(exposed(variable), Some(("KEY2".to_owned(), KeySource::Env)));
    }

    #[test]
    fn a_blank_key_is_no_key() {
        assert_eq!(exposed(choose_key(&mut cli(Some("  "), None, false), false, unread).unwrap()), None);
        assert_eq!(exposed(choose_key(&mut cli(None, None, false), false, unread).unwrap()), None);
    }

    #[test]
    fn the_key_is_given_one_way_only() {
        let error = choose_key(&mut cli(Some("KEY1"), None, true), true, unread).unwrap_err();
        assert!(error.contains("one way"), "{error}");
        let error =
            choose_key(&mut cli(Some("KEY1"), Some("/nonexistent"), false), true, unread).unwrap_err();
        assert!(error.contains("one way"), "{error}");
    }

    #[test]
    fn stdin_wins_over_the_variable() {
        let from_stdin = || Ok(Secret::from("KEY_PIPED"));
        let key = choose_key(&mut cli(Some("KEY_ENV"), None, true), false, from_stdin).unwrap();
        assert_eq!(exposed(key), Some(("KEY_PIPED".to_owned(), KeySource::Stdin)));
    }

    #[test]
    fn a_missing_key_file_is_named() {
        let error = choose_key(&mut cli(None, Some("/nonexistent/key"), false), false, unread).unwrap_err();
        assert!(error.starts_with("--api-key-file: "), "{error}");
    }

    #[test]
    fn the_parsed_text_is_taken_out_of_the_arguments() {
        let mut cli = cli(Some("KEY1"), None, false);
        choose_key(&mut cli, true, unread).unwrap();
        assert_eq!(cli.api_key, None);
    }

    #[test]
    fn stdin_gives_its_first_line_trimmed() {
        let key = key_from_line(&mut &b"  KEY_LINE \nsecond\n"[..]).unwrap();
        assert_eq!(key.expose(), "KEY_LINE");
        let error = key_from_line(&mut &b"\n"[..]).unwrap_err();
        assert!(error.contains("held no key"), "{error}");
    }

    #[test]
    fn the_demo_uses_the_sandboxs_key_and_never_the_saved_one() {
        let mut cli = cli(None, None, false);
        cli.demo = true;
        let (key, warning) = fallback_key(&cli);
        assert_eq!(exposed(key), Some((DEMO_KEY.to_owned(), KeySource::Demo)));
        assert_eq!(warning, None);
    }
}
