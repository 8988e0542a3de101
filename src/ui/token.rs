//! Step 8's screen: the login token (hidden until `r`), its expiry in local time with a
//! countdown, what the last copy did, how the last login test (`t`) went, the call
//! test's question once a login passed, and how the last call test went.

use super::theme::{DONE, FAILED, Theme};
use super::widgets::{fact, paragraph};
use crate::calltest::CallOutcome;
use crate::clipboard::CopyMethod;
use crate::setup::LoginToken;
use crate::signaling::LoginTest;
use crate::state::TokenStep;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::time::{SystemTime, UNIX_EPOCH};

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    step: &TokenStep,
    now: SystemTime,
    offset: time::UtcOffset,
) {
    let mut lines = vec![
        fact(theme, "Credential", format!("{} ({})", step.credential.sip_username, step.credential.id)),
        Line::raw(""),
    ];
    let Some(token) = &step.token else {
        lines.push(Line::raw("Press Enter to generate a login token (a JWT, valid for 24 hours)."));
        frame.render_widget(paragraph(lines), area);
        return;
    };
    let shown = if step.reveal {
        token.jwt.expose().to_owned()
    } else {
        format!("{}… ({} characters, r reveals)", "•".repeat(24), token.jwt.expose().chars().count())
    };
    lines.push(fact(theme, "Token", shown));
    lines.push(fact(theme, "Expires", expiry_text(token, now, offset)));
    lines.push(Line::raw(""));
    lines.push(match &step.copied {
        None => Line::styled("y copies the token (it does not need revealing).", theme.dim()),
        Some(Ok(CopyMethod::System { kept_after_exit: true })) => {
            Line::styled(format!("{DONE} Copied to the system clipboard."), theme.done())
        }
        Some(Ok(CopyMethod::SystemUntil { cleared_after })) => Line::styled(
            format!(
                "{DONE} Copied to the system clipboard. {}.",
                capitalised(&crate::clipboard::cleared_text(*cleared_after))
            ),
            theme.done(),
        ),
        Some(Ok(CopyMethod::System { kept_after_exit: false })) => Line::styled(
            format!(
                "{DONE} Copied to the system clipboard; paste it before quitting (install xclip to keep it)."
            ),
            theme.done(),
        ),
        Some(Ok(CopyMethod::Osc52)) => Line::styled(
            format!(
                "{DONE} Sent to your terminal's clipboard (OSC 52: no system clipboard here); {}",
                crate::clipboard::OSC52_CHECK
            ),
            theme.done(),
        ),
        Some(Err(error)) => Line::styled(format!("{FAILED} Not copied: {error}"), theme.error()),
    });
    lines.push(login_test_line(theme, step.login_test.as_ref()));
    if let Some(fix) = step.login_test.as_ref().and_then(|test| test.outcome.fix()) {
        lines.push(Line::styled(format!("  {fix}"), theme.dim()));
    }
    if let Some(plan) = &step.call_offer {
        lines.push(Line::styled(format!("Place a test call? {plan}"), theme.current()));
        lines.push(Line::styled("y places it; n, Esc or any other key does not.", theme.current()));
    } else if let Some(outcome) = &step.call_test {
        lines.push(call_test_line(theme, outcome));
        if let Some(fix) = outcome.fix() {
            lines.push(Line::styled(format!("  {fix}"), theme.dim()));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw("The WebRTC SDK logs in with it:  new TelnyxRTC({ login_token: \"<token>\" })"));
    frame.render_widget(paragraph(lines), area);
}

/// `text` with its first letter in capitals.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// "✓ Login test: Logged in to … in 12 ms.", "✗ Login test: …", or how to run one.
pub fn login_test_line(theme: &Theme, test: Option<&LoginTest>) -> Line<'static> {
    match test {
        None => Line::styled("t tests the login now, as the WebRTC SDK would.", theme.dim()),
        Some(test) if test.passed() => {
            Line::styled(format!("{DONE} Login test: {}", test.reason()), theme.done())
        }
        Some(test) => Line::styled(format!("{FAILED} Login test: {}", test.reason()), theme.error()),
    }
}

/// "✓ Call test: Answered in 12 ms; …", or "✗ Call test: …".
pub fn call_test_line(theme: &Theme, outcome: &CallOutcome) -> Line<'static> {
    if outcome.passed() {
        Line::styled(format!("{DONE} Call test: {}", outcome.reason()), theme.done())
    } else {
        Line::styled(format!("{FAILED} Call test: {}", outcome.reason()), theme.error())
    }
}

/// "2026-11-28 19:05 (+01:00), in 23h 59m", or "expired".
pub fn expiry_text(token: &LoginToken, now: SystemTime, offset: time::UtcOffset) -> String {
    let Some(expires_at) = token.expires_at else { return "not stated in the token".to_owned() };
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(expires_at) else { return expires_at.to_string() };
    let format = time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute] ([offset_hour sign:mandatory]:[offset_minute])"
    );
    let local = at.to_offset(offset).format(&format).unwrap_or_default();
    let now = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let left = expires_at - now;
    if left <= 0 {
        format!("{local}, expired: press g for a new token")
    } else {
        format!("{local}, in {}h {:02}m {:02}s", left / 3600, left % 3600 / 60, left % 60)
    }
}
