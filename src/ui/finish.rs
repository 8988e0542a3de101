//! The closing screen: what steps 1-5 set up, and what is not available yet.

use super::theme::{DONE, Theme};
use super::widgets::{fact, paragraph};
use crate::state::Setup;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, setup: &Setup) {
    let mut lines = vec![Line::styled(
        format!("{DONE} The connection is ready for outbound calls."),
        theme.done(),
    )];
    lines.push(Line::raw(""));
    if let Some(connection) = &setup.connection {
        lines.push(fact(
            theme,
            "Connection",
            format!("{} (id {})", connection.connection_name, connection.id),
        ));
        lines.push(fact(theme, "SIP user name", connection.user_name.as_str()));
        lines.push(fact(theme, "Codecs", connection.inbound.codecs.join(", ")));
    }
    if let Some(profile) = &setup.profile {
        lines.push(fact(
            theme,
            "Voice profile",
            format!("{} (id {})", profile.name, profile.id),
        ));
        lines.push(fact(
            theme,
            "Countries",
            profile.whitelisted_destinations.join(", "),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Steps 6-8 (phone numbers, on-demand credential, login token) are not available yet in this version.",
        theme.warning(),
    ));
    lines.push(Line::raw("Press Enter or q to quit."));
    frame.render_widget(paragraph(lines), area);
}
