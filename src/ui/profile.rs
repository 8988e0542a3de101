//! Step 4's screen: outbound voice profiles with "Create new" first, or the create form.

use super::form::{FormView, Layout, draw_with_cursor};
use super::theme::{CURRENT, Theme};
use super::widgets::{fact, paragraph, pick_list, rows, truncate};
use crate::api::NewOutboundVoiceProfile;
use crate::state::ProfileStep;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &ProfileStep) {
    let [intro, rest] = rows(area, [2, 0]);
    frame.render_widget(
        paragraph(Line::raw(
            "An outbound voice profile lets the connection call out and sets where to. Attach one to the connection.",
        )),
        intro,
    );
    if let Some(form) = &step.form {
        let view = FormView { active: !step.activity.busy(), ..FormView::new(form, theme, Layout::Bordered) };
        let [field, facts] = rows(rest, [view.height(), 0]);
        draw_with_cursor(frame, field, &view);
        // A name the account has, flagged as it is typed: Enter uses that profile, so
        // what a new one would be made with is not shown.
        let lines = match step.name_in_use() {
            Some(flag) => vec![Line::styled(flag, theme.warning())],
            None => vec![
                fact(theme, "Traffic type", NewOutboundVoiceProfile::TRAFFIC_TYPE),
                fact(theme, "Service plan", NewOutboundVoiceProfile::SERVICE_PLAN),
                fact(theme, "Destinations", "US and CA to start; choose more on the next screen"),
            ],
        };
        frame.render_widget(paragraph(lines), facts);
        return;
    }
    pick_list(frame, rest, theme, &step.list, step.activity.busy(), "outbound voice profile", |profile| {
        let attached = step.attached_id() == Some(profile.id.as_str());
        let enabled = if profile.enabled == Some(false) { ", disabled" } else { "" };
        Line::from(vec![
            Span::raw(format!("{:<28} ", truncate(&profile.name, 28))),
            Span::styled(
                format!(
                    "countries {}, connections {}{enabled}",
                    profile.whitelisted_destinations.len(),
                    profile.connections_count.unwrap_or(0)
                ),
                theme.dim(),
            ),
            Span::styled(
                if attached { format!("  {CURRENT} attached") } else { String::new() },
                theme.done(),
            ),
        ])
    });
}
