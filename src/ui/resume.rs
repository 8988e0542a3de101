//! The prompt after sign-in when an earlier setup on this account is in the journal:
//! what it made, how far it got, and the fate of an order it never heard back about.

use super::theme::{DONE, Theme};
use super::widgets::{fact, local_time, paragraph};
use crate::state::{ResumeStep, STEP_TITLES};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use std::time::SystemTime;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    step: &ResumeStep,
    now: SystemTime,
    offset: time::UtcOffset,
) {
    let record = &step.record;
    let at = |unix| local_time(unix, now, offset);
    let connection = record.connection.as_ref().map(|c| format!("connection “{}”", c.name));
    let mut lines = Vec::new();
    if record.finished {
        lines.push(Line::raw(format!(
            "The setup finished at {}{}: continue it (step 8 makes a fresh token), or start a new setup?",
            at(record.updated_at),
            connection.map(|c| format!(" ({c})")).unwrap_or_default()
        )));
    } else {
        let done = match record.reached() {
            0 | 1 => "nothing made yet".to_owned(),
            reached => format!("done up to {}", STEP_TITLES[reached - 1]),
        };
        let made = connection.map(|c| format!("{c}, ")).unwrap_or_default();
        lines.push(Line::raw(format!(
            "Continue the setup started at {} ({made}{done})?",
            at(record.started_at)
        )));
    }
    lines.push(Line::raw(""));
    // `setup --yes` records some ids without a name: the id alone, then.
    let named = |named: &crate::journal::Named| match named.name.as_str() {
        "" => format!("id {}", named.id),
        name => format!("{name} (id {})", named.id),
    };
    if let Some(connection) = &record.connection {
        lines.push(fact(theme, "Connection", named(connection)));
    }
    if let Some(profile) = &record.profile {
        lines.push(fact(theme, "Voice profile", named(profile)));
    }
    if let Some(credential) = &record.credential {
        lines.push(fact(theme, "Credential", named(credential)));
    }
    match (&step.order, step.unsettled_order(), &record.order) {
        (Some(Some(order)), _, _) => {
            let placed =
                record.order.as_ref().map_or(String::new(), |note| format!(" at {}", at(note.placed_at)));
            lines.push(Line::styled(
                format!("{DONE} Found the order placed{placed}: {}.", order.status),
                theme.done(),
            ));
        }
        (Some(None), _, _) => {
            lines.push(Line::raw("The order the earlier run sent never reached Telnyx: nothing was bought."))
        }
        (None, Some(note), _) => lines.push(Line::raw(format!(
            "The earlier run sent an order at {} and never heard back: it is looked up first.",
            at(note.placed_at)
        ))),
        (None, None, Some(note)) if !note.numbers.is_empty() => {
            lines.push(fact(theme, "Numbers", note.numbers.join(", ")));
        }
        _ => {}
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Enter continues it: each step offers what this setup made, and Enter keeps it, so nothing \
         is made or bought twice. n starts a new setup.",
        theme.dim(),
    ));
    frame.render_widget(paragraph(lines), area);
}
