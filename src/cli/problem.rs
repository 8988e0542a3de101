//! How a command says it failed: [`Problem`] for the commands without a terminal
//! (exit 2, a line on stderr, or under `doctor --json` an object on stdout), and
//! [`Failed`] for the sandbox, the wizard and the inspector.

use super::{INTERRUPTED, USAGE_ERROR};
use crate::api::ApiError;
use crate::output;
use std::path::Path;
use std::process::ExitCode;

/// The account whose key this run uses (`--profile`, `TELNYX_PROFILE` or the default
/// account), once the key is chosen: a refused key's fix then names the account to give
/// a new key, rather than the flags that give one directly.
static KEY_ACCOUNT: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Says which account's key this run uses (see [`KEY_ACCOUNT`]).
pub fn key_of_account(name: &str) {
    let _ = KEY_ACCOUNT.set(name.to_owned());
}

/// The account whose key this run uses, when [`key_of_account`] said one.
pub fn account_in_use() -> Option<&'static str> {
    KEY_ACCOUNT.get().map(String::as_str)
}

/// The commands whose `--json` covers their errors too.
pub const JSON_COMMANDS: [&str; 4] = ["setup", "token", "doctor", "inspect"];

/// The command whose `--json` the command line asks for, read from the raw arguments for
/// when clap could not parse them: its usage error is then JSON too.
pub fn json_requested() -> Option<&'static str> {
    let args: Vec<_> = std::env::args_os().skip(1).collect();
    let command = args.iter().find_map(|arg| JSON_COMMANDS.iter().find(|name| arg == **name))?;
    args.iter().any(|arg| arg == "--json").then_some(*command)
}

/// A clap error as one line: what is wrong, and the usage.
pub fn clap_message(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let mut paragraphs = text.split("\n\n").map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
    let what = paragraphs.next().unwrap_or_default();
    let what = what.strip_prefix("error: ").unwrap_or(&what).to_owned();
    match paragraphs.find(|p| p.starts_with("Usage:")) {
        Some(usage) => format!("{what}. {usage}"),
        None => what,
    }
}

/// Why a command without a terminal stopped short: exit 2, with a line on stderr, or
/// under `--json` (setup, token, doctor, inspect) one object on stdout, the same shape
/// for every command: `{"error": {"code", "title", "detail", "request_id"}}`, with
/// `"ids"` when several records fit (see [`Problem::to_json`]).
pub struct Problem {
    /// The command, for the message's prefix (`doctor`, `token`).
    pub who: &'static str,
    /// `usage` (the command line is wrong), `ambiguous_connection` or `ambiguous_target`
    /// (a name several records have; `ids` lists them), `not_found`, `declined` (a
    /// question answered no), `api` (Telnyx or the network failed), `report` (a file
    /// could not be written), or `internal` (a bug). JSON's `code`.
    pub kind: &'static str,
    /// What failed, why, and what to do. JSON's `detail`.
    pub message: String,
    pub ids: Vec<String>,
    /// Telnyx's `x-request-id` of the answer that failed, when there was one: what
    /// Telnyx's support asks for.
    pub request_id: Option<String>,
}

impl Problem {
    /// `who`'s problem of `kind` (see [`Problem::kind`]).
    pub fn new(who: &'static str, kind: &'static str, message: impl Into<String>) -> Self {
        Self { who, kind, message: message.into(), ids: Vec::new(), request_id: None }
    }

    /// The same problem, naming the records that fit.
    pub fn with_ids(self, ids: Vec<String>) -> Self {
        Self { ids, ..self }
    }

    /// The command line is wrong.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new("doctor", "usage", message)
    }

    /// The same problem, said by another command.
    pub fn of(self, who: &'static str) -> Self {
        Self { who, ..self }
    }

    /// An API failure of the doctor's, with what to do about it from a command line.
    pub fn api(error: &ApiError) -> Self {
        Self::api_of("doctor", error)
    }

    /// An API failure of `who`'s (`doctor`, `token`, `setup`), with what to do about
    /// it: when nothing more specific fits, to run that same command again.
    pub fn api_of(who: &'static str, error: &ApiError) -> Self {
        let again = match who {
            "setup" => "Run the same setup again in a moment: it reuses what this run made",
            "token" => "Run the same token command again in a moment",
            _ => "Run the doctor again in a moment",
        };
        let message = match (error, error.advice()) {
            (ApiError::Unauthorized(_), Some(advice)) => match KEY_ACCOUNT.get() {
                Some(name) => format!(
                    "{error}. That is the key of account {name}. {advice}, then give the account a new \
                     one with `telnyx-setup accounts add {name}`."
                ),
                None => format!(
                    "{error}. {advice}, then give it in TELNYX_API_KEY, --api-key-file or --api-key-stdin."
                ),
            },
            (_, Some(advice)) => format!("{error}. {advice}."),
            // Its message already says when to try again.
            (ApiError::RateLimited { .. }, None) => format!("{error}."),
            (_, None) => format!("{error}. {again}."),
        };
        Self { request_id: error.request_id().map(str::to_owned), ..Self::new(who, "api", message) }
    }

    /// Says it (as [`Self::to_json`] on stdout under `json`, else [`Self::line`] on
    /// stderr) and gives exit status 2.
    pub fn report(self, json: bool) -> ExitCode {
        if json {
            // Nothing more can be said if stdout fails too.
            let _ = output::print(&format!("{:#}\n", self.to_json()));
        } else {
            eprintln!("{}", self.line());
        }
        ExitCode::from(USAGE_ERROR)
    }

    /// A short name for [`Self::kind`], JSON's `title`.
    pub fn title(&self) -> &'static str {
        match self.kind {
            "usage" => "Usage error",
            "api" => "Telnyx API error",
            "not_found" => "Not found",
            "ambiguous_connection" | "ambiguous_target" => "Several records fit",
            "declined" => "Declined",
            "report" => "Report not written",
            _ => "Internal error",
        }
    }

    /// `{"error": {"code", "title", "detail", "request_id"}}` (`request_id` null when
    /// no answer of Telnyx's failed), with `"ids"` when there are some.
    pub fn to_json(&self) -> serde_json::Value {
        let mut error = serde_json::json!({
            "code": self.kind,
            "title": self.title(),
            "detail": self.message,
            "request_id": self.request_id,
        });
        if !self.ids.is_empty() {
            error["ids"] = serde_json::json!(self.ids);
        }
        serde_json::json!({ "error": error })
    }

    /// The line for stderr: `telnyx-setup WHO: MESSAGE`, the message's control
    /// characters escaped (it may quote what the server said).
    pub fn line(&self) -> String {
        format!("telnyx-setup {}: {}", self.who, crate::sanitize::Escaped(&self.message))
    }
}

/// Why the sandbox, the wizard or the inspector stopped short.
pub enum Failed {
    /// Ctrl-C: exit 130 (128 + SIGINT), as an interrupted command does; what was made is
    /// printed all the same.
    Interrupted,
    /// No terminal to draw on: exit 2, with what to run instead.
    NoTerminal(String),
    /// Anything else: exit 1, with the message and where the log is.
    Other(String),
}

impl From<String> for Failed {
    fn from(message: String) -> Self {
        Self::Other(message)
    }
}

impl Failed {
    /// Says it on stderr, with where the log is after any other failure: exit 2 without a
    /// terminal, else 1.
    pub fn report(self, log: Option<&Path>) -> ExitCode {
        match self {
            Self::Interrupted => ExitCode::from(INTERRUPTED),
            Self::NoTerminal(message) => {
                eprintln!("telnyx-setup: {message}");
                ExitCode::from(USAGE_ERROR)
            }
            Self::Other(message) => {
                eprintln!("telnyx-setup: {}", crate::sanitize::Escaped(&message));
                if let Some(log) = log {
                    eprintln!("The log is at {}", log.display());
                }
                ExitCode::FAILURE
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usage_problem_is_said_by_the_command_that_met_it() {
        let problem = Problem::usage("--connection needs a name").of("token");
        assert_eq!(problem.line(), "telnyx-setup token: --connection needs a name");
        assert_eq!(problem.kind, "usage");
        assert_eq!(Problem::usage("x").who, "doctor");
    }

    #[test]
    fn the_json_form_lists_ids_only_when_there_are_some() {
        let plain = Problem::usage("bad").to_json();
        assert_eq!(
            plain,
            serde_json::json!({ "error": {
                "code": "usage", "title": "Usage error", "detail": "bad", "request_id": null
            } })
        );
        let ambiguous =
            Problem::new("doctor", "ambiguous_connection", "two").with_ids(vec!["1".into(), "2".into()]);
        assert_eq!(ambiguous.to_json()["error"]["ids"], serde_json::json!(["1", "2"]));
    }

    #[test]
    fn server_text_in_a_message_cannot_reach_the_terminal_as_control() {
        let line = Problem::usage("name \u{1b}[2J\u{7}").line();
        assert!(!line.contains('\u{1b}') && !line.contains('\u{7}'), "{line:?}");
    }

    #[test]
    fn an_api_failure_says_what_to_do() {
        let problem = Problem::api(&ApiError::Unauthorized(Vec::new().into()));
        assert_eq!(problem.kind, "api");
        assert!(problem.message.contains("TELNYX_API_KEY"), "{}", problem.message);
        assert!(problem.message.contains("--api-key-file"), "{}", problem.message);
    }

    #[test]
    fn a_clap_error_becomes_one_line_with_its_usage() {
        let error = super::super::command()
            .try_get_matches_from(["telnyx-setup", "doctor", "--json"])
            .expect_err("--connection is required");
        let message = clap_message(&error);
        assert!(!message.contains('\n'), "{message}");
        assert!(message.contains("--connection"), "{message}");
        assert!(message.contains("Usage: telnyx-setup doctor"), "{message}");
    }
}
