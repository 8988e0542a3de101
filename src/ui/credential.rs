//! Step 7's screens: the connection's credentials with "Create new" first, the create
//! form, and the chosen credential's SIP details.

use super::form::{FormView, Layout, draw_with_cursor};
use super::theme::{POINTER, Theme};
use super::widgets::{fact, paragraph, pick_list, rows, truncate};
use crate::setup::is_expired;
use crate::state::{CredentialStep, SIP_DOMAIN, SipDetail};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::time::SystemTime;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &CredentialStep, now: SystemTime) {
    let [intro, rest] = rows(area, [2, 0]);
    frame.render_widget(
        paragraph(Line::raw(
            "An on-demand credential belongs to the connection; the login token of the next step is made from it.",
        )),
        intro,
    );
    if let Some(form) = &step.form {
        let view = FormView { active: !step.activity.busy(), ..FormView::new(form, theme, Layout::Bordered) };
        let [fields, notes] = rows(rest, [view.height(), 0]);
        draw_with_cursor(frame, fields, &view);
        // A name the connection's credentials have, flagged as it is typed.
        if let Some(flag) = step.name_in_use() {
            frame.render_widget(paragraph(Line::styled(flag, theme.warning())), notes);
        }
        return;
    }
    if let Some(credential) = &step.chosen {
        let password = if step.reveal {
            credential.sip_password.expose().to_owned()
        } else {
            credential.sip_password.masked()
        };
        let mut lines = vec![
            fact(
                theme,
                "Credential",
                format!("{} ({})", credential.name.as_deref().unwrap_or("unnamed"), credential.id),
            ),
            detail(theme, step, SipDetail::UserName, "SIP user name", credential.sip_username.clone()),
            detail(theme, step, SipDetail::Password, "SIP password", password),
            detail(
                theme,
                step,
                SipDetail::Address,
                "SIP address",
                format!("{}@{SIP_DOMAIN}", credential.sip_username),
            ),
            fact(theme, "Expires", credential.expires_at.as_deref().unwrap_or("never")),
        ];
        lines.push(Line::raw(""));
        if is_expired(credential, now) {
            lines.push(Line::styled(
                "This credential has expired and cannot log in: create a new one (Esc, then n).",
                theme.error(),
            ));
        } else {
            lines.push(Line::raw("Press Enter to make a login token from it."));
        }
        frame.render_widget(paragraph(lines), rest);
        return;
    }
    pick_list(frame, rest, theme, &step.list, step.activity.busy(), "credential", |credential| {
        let state = if is_expired(credential, now) { "expired" } else { "active" };
        Line::from(vec![
            Span::raw(format!("{:<32} ", truncate(credential.name.as_deref().unwrap_or("unnamed"), 32))),
            Span::styled(format!("{}  {state}", credential.sip_username), theme.dim()),
        ])
    });
}

/// A SIP detail's line, marked when `y` would copy it.
fn detail<'a>(
    theme: &Theme,
    step: &CredentialStep,
    which: SipDetail,
    label: &'a str,
    value: String,
) -> Line<'a> {
    let mut line = fact(theme, label, value);
    if step.detail == which {
        line.spans.insert(0, Span::styled(POINTER, theme.focused()));
        line = line.style(theme.selected());
    } else {
        line.spans.insert(0, Span::raw("  "));
    }
    line
}
