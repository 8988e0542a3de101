//! Step 2's screen: the connection list with "Create new" first, or the create form.

use super::theme::{CHECKED, Theme};
use super::widgets::{Look, Shown, fact, paragraph, pick_list, rows, text_field};
use crate::state::{ConnectionForm, ConnectionStep, FormField};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::ListItem;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &ConnectionStep) {
    if let Some(form) = &step.form {
        draw_form(frame, area, theme, form, step.activity.busy());
        return;
    }
    let [intro, list] = rows(area, [2, 0]);
    frame.render_widget(
        paragraph(Line::raw(
            "A credential connection is the SIP endpoint your WebRTC client signs in to. Create one or reuse one.",
        )),
        intro,
    );
    pick_list(frame, list, theme, &step.list, "credential connection", |connection| {
        let video = if connection.inbound.codecs.iter().any(|c| c == "VP8") { "VP8 on" } else { "VP8 off" };
        let profile = if connection.outbound.outbound_voice_profile_id.is_some() {
            "profile set"
        } else {
            "no profile"
        };
        ListItem::new(Line::from(vec![
            Span::raw(format!("{:<28} ", truncate(&connection.connection_name, 28))),
            Span::styled(
                format!(
                    "user {:<18} {video}, {profile}{}",
                    connection.user_name,
                    inactive(connection.active)
                ),
                theme.dim(),
            ),
        ]))
    });
}

fn inactive(active: bool) -> &'static str {
    if active { "" } else { ", inactive" }
}

fn draw_form(frame: &mut Frame, area: Rect, theme: &Theme, form: &ConnectionForm, busy: bool) {
    let [intro, name, user, password, notes] = rows(area, [2, 3, 3, 3, 0]);
    frame.render_widget(
        paragraph(Line::raw(
            "New credential connection. The user name and password were generated; edit them if you like.",
        )),
        intro,
    );
    for (field, field_area) in FormField::ALL.into_iter().zip([name, user, password]) {
        let shown = if field == FormField::Password && !form.reveal { Shown::Masked } else { Shown::Clear };
        text_field(
            frame,
            field_area,
            theme,
            form.field(field),
            Look {
                label: field.label(),
                shown,
                focused: form.focus == field && !busy,
                invalid: form.invalid == Some(field),
            },
        );
    }
    frame.render_widget(
        paragraph(vec![
            fact(
                theme,
                "Rules",
                "user name 4-32 letters or digits, a letter among the first 5; password 8-128 characters",
            ),
            Line::from(vec![
                Span::styled(format!("{CHECKED} "), theme.done()),
                Span::raw("Telnyx's defaults for everything else (anchor site: lowest latency)"),
            ]),
        ]),
        notes,
    );
}

/// Cuts `text` to `max` characters, marking the cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}
