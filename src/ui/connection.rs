//! Step 2's screen: the connection list with "Create new" first, or the create form.

use super::form::{FormView, Layout, draw_with_cursor};
use super::theme::{CHECKED, Theme};
use super::widgets::{fact, paragraph, pick_list, rows, truncate};
use crate::state::form::Form;
use crate::state::{ConnectionStep, FormField};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &ConnectionStep) {
    if let Some(form) = &step.form {
        draw_form(frame, area, theme, step, form);
        return;
    }
    let [intro, list] = rows(area, [2, 0]);
    frame.render_widget(
        paragraph(Line::raw(
            "A credential connection is the SIP endpoint your WebRTC client signs in to. Create one or reuse one.",
        )),
        intro,
    );
    pick_list(frame, list, theme, &step.list, step.activity.busy(), "credential connection", |connection| {
        let video = if connection.inbound.codecs.iter().any(|c| c == "VP8") { "VP8 on" } else { "VP8 off" };
        let profile = if connection.outbound.outbound_voice_profile_id.is_some() {
            "profile set"
        } else {
            "no profile"
        };
        Line::from(vec![
            Span::raw(format!("{:<28} ", truncate(&connection.connection_name, 28))),
            Span::styled(
                format!(
                    "user {:<18} {video}, {profile}{}",
                    connection.user_name,
                    inactive(connection.active)
                ),
                theme.dim(),
            ),
        ])
    });
}

fn inactive(active: bool) -> &'static str {
    if active { "" } else { ", inactive" }
}

fn draw_form(frame: &mut Frame, area: Rect, theme: &Theme, step: &ConnectionStep, form: &Form<FormField>) {
    let view = FormView {
        active: !step.activity.busy(),
        masked: &|field| field == FormField::Password && !step.reveal,
        ..FormView::new(form, theme, Layout::Bordered)
    };
    let [intro, fields, notes] = rows(area, [2, view.height(), 0]);
    frame.render_widget(
        paragraph(Line::raw(
            "New credential connection. The user name and password were generated; edit them if you like.",
        )),
        intro,
    );
    draw_with_cursor(frame, fields, &view);
    // A name the account has, flagged as it is typed: Enter uses that connection.
    let in_use = step.name_in_use().map(|flag| Line::styled(flag, theme.warning()));
    frame.render_widget(
        paragraph(in_use.into_iter().chain([
            fact(
                theme,
                "Rules",
                "user name 4-32 ASCII letters or digits, a letter among the first 5; password 8-128 characters",
            ),
            Line::from(vec![
                Span::styled(format!("{CHECKED} "), theme.done()),
                Span::raw("Telnyx's defaults for everything else (anchor site: lowest latency)"),
            ]),
        ]).collect::<Vec<_>>()),
        notes,
    );
}
