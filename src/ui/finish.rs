//! The closing summary: everything created or chosen, and how a WebRTC client logs in.

use super::theme::{DONE, FAILED, Theme};
use super::widgets::{fact, paragraph};
use crate::doctor::Report;
use crate::state::{Ctx, SIP_DOMAIN, Setup};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

/// The records listed are those the header marks done ([`Ctx::set_up`]), so the two
/// cannot disagree.
pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, ctx: &Ctx, report: Option<&Report>) {
    if let Some(report) = report {
        super::inspector::draw_report(frame, area, theme, report);
        return;
    }
    let (setup, set_up) = (&ctx.setup, ctx.set_up());
    let mut lines = headline(theme, setup);
    if let Some(connection) = set_up.connection {
        lines.push(fact(
            theme,
            "Connection",
            format!("{} (id {})", connection.connection_name, connection.id),
        ));
    }
    if let Some(codecs) = set_up.codecs {
        lines.push(fact(theme, "Codecs", codecs.join(", ")));
    }
    if let Some(profile) = set_up.profile {
        lines.push(fact(theme, "Voice profile", format!("{} (id {})", profile.name, profile.id)));
    }
    if let Some(countries) = set_up.countries {
        lines.push(fact(theme, "Countries", crate::countries::listed(countries)));
    }
    lines.push(fact(theme, "Numbers", set_up.numbers.clone()));
    if let Some(credential) = set_up.credential {
        lines.push(fact(
            theme,
            "Credential",
            format!("{}@{SIP_DOMAIN} (id {})", credential.sip_username, credential.id),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw("Token login:      new TelnyxRTC({ login_token: \"<token from step 8>\" })"));
    if let Some(connection) = set_up.connection {
        lines.push(Line::raw(format!(
            "Connection login: new TelnyxRTC({{ login: \"{}\", password: \"<the connection's SIP password>\" }})",
            connection.user_name
        )));
        lines.push(Line::styled(
            "The credential above logs in by token; calls to the connection's numbers ring the connection login only.",
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw("Press d for a last check by the doctor, Enter or q to quit (the summary is printed, without secrets)."));
    // Where it all does not fit (60x20), the blank lines go, then if need be the last
    // sentence (the footer says the same keys), rather than the facts below the fold.
    let fits =
        |lines: &Vec<Line>| paragraph(lines.clone()).line_count(area.width) <= usize::from(area.height);
    if !fits(&lines) {
        lines.retain(|line| line.width() > 0);
        if !fits(&lines) {
            lines.pop();
        }
    }
    frame.render_widget(paragraph(lines), area);
}

/// The claim the summary makes: a working login only after a login test passed, and a
/// client that can call only after a call test passed too.
fn headline(theme: &Theme, setup: &Setup) -> Vec<Line<'static>> {
    let login = match &setup.login_test {
        Some(test) if test.passed() => match &setup.call_test {
            Some(call) if call.passed() => {
                return vec![Line::styled(
                    format!("{DONE} Your WebRTC client can log in and call: {}", call.reason()),
                    theme.done(),
                )];
            }
            _ => {
                Line::styled(format!("{DONE} Your WebRTC client can log in: {}", test.reason()), theme.done())
            }
        },
        Some(test) => Line::styled(
            format!(
                "{FAILED} The login test failed: {} Esc goes back to the token, where t tests again.",
                test.reason()
            ),
            theme.error(),
        ),
        None => Line::styled(
            "The login was not tested: Esc goes back to the token, where t tests it.",
            theme.dim(),
        ),
    };
    let call = match &setup.call_test {
        Some(call) => Line::styled(
            format!(
                "{FAILED} The call test failed: {} Esc goes back to the token, which says what to do.",
                call.reason()
            ),
            theme.error(),
        ),
        None => Line::styled(
            "The call was not tested: Esc goes back to the token, where t tests the login, then offers a \
             test call.",
            theme.dim(),
        ),
    };
    if setup.login_test.as_ref().is_some_and(|test| test.passed()) { vec![login, call] } else { vec![login] }
}
