//! The plain-text summary printed to stdout when the wizard ends: what was set up and
//! how to log in. Secrets are left out unless the user passed `--print-secrets`.
//!
//! The connection, codecs, profile, countries and credential lines come from the same
//! facts as the header's marks ([`Ctx::set_up`]): a line is there exactly when its step
//! is marked done. The numbers line reads what the header's numbers mark reads: the
//! numbers wanted, those on the connection, and the order on its way.
//!
//! Every value is the API's text, printed on the user's terminal after the full-screen
//! UI has gone, so control characters in it are escaped ([`escape_controls`]).

use crate::sanitize::{Escaped, escape_controls};
use crate::state::{Ctx, SIP_DOMAIN, SetUp, Setup};
use std::fmt::Write;

/// What the wizard says on stderr when it ends before a connection was made or chosen.
pub const NOTHING_SET_UP: &str = "telnyx-setup: nothing was set up.";

/// The summary of the wizard's setup as `ctx` holds it.
pub fn text(ctx: &Ctx, print_secrets: bool) -> String {
    write(&ctx.set_up(), &ctx.setup, print_secrets)
}

/// The summary of `set_up` (the records the header marks done, and the numbers), with
/// the token and tests of `setup`.
pub fn write(set_up: &SetUp, setup: &Setup, print_secrets: bool) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        let _ = writeln!(out, "{label:<18}{}", escape_controls(value));
    };
    let Some(connection) = set_up.connection else {
        return format!("{NOTHING_SET_UP}\n");
    };
    line("Connection", &format!("{} (id {})", connection.connection_name, connection.id));
    line("SIP user name", &connection.user_name);
    if print_secrets {
        line("SIP password", connection.password.expose());
    }
    if let Some(codecs) = set_up.codecs {
        line("Codecs", &codecs.join(", "));
    }
    if let Some(profile) = set_up.profile {
        line("Voice profile", &format!("{} (id {})", profile.name, profile.id));
    }
    if let Some(countries) = set_up.countries {
        line("Countries", &crate::countries::listed(countries));
    }
    line("Numbers", if set_up.numbers.is_empty() { "none" } else { &set_up.numbers });
    if let Some(credential) = set_up.credential {
        line("Credential", &format!("{} (id {})", credential.sip_username, credential.id));
        line("SIP address", &format!("{}@{SIP_DOMAIN}", credential.sip_username));
        if print_secrets {
            line("Credential pass", credential.sip_password.expose());
        }
    }
    if let Some(token) = &setup.token {
        if let Some(at) = token.expires_at.and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok()) {
            let at = at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
            line("Token expires", &at);
        }
        if print_secrets {
            line("Login token", token.jwt.expose());
        }
    }
    match &setup.login_test {
        Some(test) if test.passed() => line("Login test", &format!("passed: {}", test.reason())),
        Some(test) => line("Login test", &format!("FAILED: {}", test.reason())),
        None if setup.token.is_some() => line("Login test", "not run (t on the token screen runs it)"),
        None => {}
    }
    match &setup.call_test {
        Some(call) if call.passed() => line("Call test", &format!("passed: {}", call.reason())),
        Some(call) => line("Call test", &format!("FAILED: {}", call.reason())),
        None if setup.token.is_some() => {
            line("Call test", "not run (t on the token screen offers it once the login passes)")
        }
        None => {}
    }
    out.push('\n');
    let token =
        if print_secrets && setup.token.is_some() { "<the login token above>" } else { "<login token>" };
    let _ = writeln!(out, "WebRTC token login:      new TelnyxRTC({{ login_token: \"{token}\" }})");
    // The user name as a JSON string literal, which is a JavaScript one: a `"` or `\\`
    // in it cannot end the string and write code into a snippet meant to be pasted.
    // serde leaves DEL and C1 raw, which escape_controls writes as `\\u{9b}`: a
    // JavaScript escape of the same character, so the string stays the same.
    let login = serde_json::to_string(&connection.user_name).unwrap_or_else(|_| "\"\"".into());
    let _ = writeln!(
        out,
        "WebRTC connection login: new TelnyxRTC({{ login: {}, password: \"<the connection's SIP password>\" }})",
        Escaped(&login)
    );
    if !print_secrets {
        let _ = writeln!(out, "(Secrets are not printed; run with --print-secrets to include them.)");
    }
    out
}
