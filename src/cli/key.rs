//! Where the API key comes from: the command line (`--api-key`, `--api-key-file`,
//! `--api-key-stdin`), `TELNYX_API_KEY`, an account (`--profile`, `TELNYX_PROFILE`, or
//! the default one: the key saved with "Remember this key" is the account `default`),
//! or the sandbox's under `--demo`; and `--forget-key`.

use super::{Cli, DEMO_KEY};
use crate::accounts::{Accounts, DEFAULT_ACCOUNT, Store};
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
    let profile_flag = matches.value_source("profile") == Some(ValueSource::CommandLine);
    let key = choose_key(cli, on_command_line, read_key_from_stdin)?;
    choose_account(key, cli.profile.as_deref(), profile_flag, account_key)
}

/// The account's key when `--profile` or `TELNYX_PROFILE` names one and no key given
/// more directly wins: a flag wins over a variable, and at the same level the key wins
/// (`--profile` with a key flag is refused as giving the key twice). `resolve` reads
/// the account's key.
fn choose_account(
    key: Option<(Secret, KeySource)>,
    profile: Option<&str>,
    profile_flag: bool,
    resolve: impl FnOnce(&str) -> Result<(Secret, KeySource), String>,
) -> Result<Option<(Secret, KeySource)>, String> {
    let Some(name) = profile.map(str::trim).filter(|name| !name.is_empty()) else { return Ok(key) };
    match &key {
        None => {}
        // `--profile` wins over TELNYX_API_KEY; TELNYX_API_KEY over TELNYX_PROFILE.
        Some((_, KeySource::Env)) if profile_flag => {}
        Some(_) if profile_flag => {
            return Err(
                "give the key one way: --profile, or --api-key, --api-key-file or --api-key-stdin".to_owned()
            );
        }
        Some(_) => return Ok(key),
    }
    resolve(name).map(Some)
}

/// Account `name`'s key, from the keyring, its file or Telnyx's CLI's profiles.
fn account_key(name: &str) -> Result<(Secret, KeySource), String> {
    let accounts = Accounts::of_user().map_err(|e| format!("--profile {name}: {e}"))?;
    let (key, store) = accounts.key_of(name).map_err(|e| format!("--profile {name}: {e}"))?;
    Ok((key, KeySource::Account { name: name.to_owned(), store }))
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
pub(super) fn key_from_line(input: &mut impl std::io::BufRead) -> Result<Secret, String> {
    let mut line = zeroize::Zeroizing::new(String::with_capacity(256));
    input.read_line(&mut line).map_err(|e| format!("--api-key-stdin: cannot read standard input: {e}"))?;
    let key = line.trim();
    if key.is_empty() {
        return Err("--api-key-stdin: standard input held no key".to_owned());
    }
    Ok(Secret::new(key))
}

/// The key to start with when the command line gave none: the
/// sandbox's under `--demo` (the saved key is never read then), else the default
/// account's (the one `accounts default` chose, else the key saved with "Remember this
/// key", else Telnyx's CLI's default profile), if any. A saved key that cannot be used (readable by others, unreadable, empty) is not
/// used, and comes back as a warning instead.
pub fn fallback_key(cli: &Cli) -> (Option<(Secret, KeySource)>, Option<String>) {
    if cli.demo {
        return (Some((Secret::from(DEMO_KEY), KeySource::Demo)), None);
    }
    // The accounts cannot be read (their directory is refused, or there is no home):
    // the saved key's own reading says why.
    let Ok(accounts) = Accounts::of_user() else { return saved_key() };
    match accounts.default_name() {
        // The key "Remember this key" saved, read as it always was.
        Some(name) if name == DEFAULT_ACCOUNT && matches!(accounts.store_of(&name), Some(Store::File(_))) => {
            saved_key()
        }
        Some(name) => match accounts.key_of(&name) {
            Ok((key, store)) => (Some((key, KeySource::Account { name, store })), None),
            Err(error) => (None, Some(format!("the default account's key was not used: {error}"))),
        },
        None => (None, accounts.cli_refused.map(|why| format!("Telnyx CLI's profiles were not used: {why}"))),
    }
}

/// The key saved with "Remember this key", as [`fallback_key`] gives it.
fn saved_key() -> (Option<(Secret, KeySource)>, Option<String>) {
    match config::load_key() {
        Ok(found) => (found.map(|(key, path)| (key, KeySource::Saved(path))), None),
        // No home directory: nothing can have been saved, so there is nothing to say.
        Err(config::KeyFileError::NoConfigDir) => (None, None),
        Err(error) => (None, Some(format!("the saved API key was not used: {error}"))),
    }
}

/// `--forget-key`: removes the key "Remember this key" saved, wherever it went (the
/// keyring or the file: the account [`DEFAULT_ACCOUNT`], as `accounts remove default`
/// does), and says what it did.
pub fn forget_key() -> ExitCode {
    let remembered = Accounts::of_user().ok().filter(|accounts| {
        matches!(accounts.store_of(DEFAULT_ACCOUNT), Some(Store::Keyring | Store::File(_)))
    });
    let forgotten = match remembered {
        Some(mut accounts) => accounts.remove(DEFAULT_ACCOUNT).map(|store| match store {
            Store::Keyring => format!("Removed the saved key from {}", crate::accounts::keyring_name()),
            file => format!("Removed {file}"),
        }),
        None => config::forget_key().map(|done| done.to_string()).map_err(|error| error.to_string()),
    };
    match forgotten {
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

    fn account(name: &str) -> Result<(Secret, KeySource), String> {
        let store = crate::accounts::Store::Keyring;
        Ok((Secret::new(format!("KEY_OF_{name}")), KeySource::Account { name: name.to_owned(), store }))
    }

    fn unresolved(_: &str) -> Result<(Secret, KeySource), String> {
        panic!("the account must not be read")
    }

    fn given(source: KeySource) -> Option<(Secret, KeySource)> {
        Some((Secret::from("KEY_GIVEN"), source))
    }

    #[test]
    fn a_profile_flag_wins_over_the_variable_and_the_key_variable_over_the_profile_variable() {
        let by_flag = choose_account(given(KeySource::Env), Some("acme"), true, account).unwrap();
        assert_eq!(exposed(by_flag).unwrap().0, "KEY_OF_acme");
        let by_variable = choose_account(given(KeySource::Env), Some("acme"), false, unresolved).unwrap();
        assert_eq!(exposed(by_variable), Some(("KEY_GIVEN".to_owned(), KeySource::Env)));
        let alone = choose_account(None, Some(" acme "), false, account).unwrap();
        assert_eq!(exposed(alone).unwrap().0, "KEY_OF_acme");
        assert_eq!(exposed(choose_account(None, Some("  "), true, unresolved).unwrap()), None);
    }

    #[test]
    fn a_key_flag_beside_the_profile_flag_is_the_key_given_twice() {
        for source in [KeySource::Flag, KeySource::Stdin, KeySource::File("/k".into())] {
            let error = choose_account(given(source.clone()), Some("acme"), true, unresolved).unwrap_err();
            assert!(error.contains("one way"), "{error}");
            // TELNYX_PROFILE gives way to a key flag.
            let key = choose_account(given(source.clone()), Some("acme"), false, unresolved).unwrap();
            assert_eq!(exposed(key), Some(("KEY_GIVEN".to_owned(), source)));
        }
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
