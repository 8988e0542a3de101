//! Step 1's screen: the masked key field, the "Remember this key" checkbox, where the
//! key came from and any start-up warning; and the notice, on the screen after it,
//! saying where a remembered key was saved.

use super::form::{FieldView, draw_with_cursor};
use super::theme::{self, POINTER, Theme};
use super::widgets::{check_style, paragraph, rows};
use crate::accounts::{Saved, Store};
use crate::state::{ApiTarget, KeySource, SignInFocus, SignInStep, State, Step};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &SignInStep, api: &ApiTarget) {
    let checkbox_height = u16::from(step.remember.is_some());
    let [intro, field, checkbox, note] = rows(area, [3, 3, checkbox_height, 0]);
    let kept = if step.remember.is_some() {
        "Sign in with a Telnyx API key. It is checked with Telnyx and kept in memory only, \
         unless you ask to remember it."
    } else {
        "Sign in with a Telnyx API key. It is checked with Telnyx and kept in memory only."
    };
    frame.render_widget(
        paragraph(vec![
            Line::raw(kept),
            Line::styled(
                "Keys are in the portal: Account settings > Keys & Credentials > API Keys.",
                theme.dim(),
            ),
        ]),
        intro,
    );
    let invalid = matches!(step.activity.problem, Some(crate::state::Problem::Input(_)));
    let idle = !step.activity.busy();
    let view = FieldView::new(&step.key, "API key", theme)
        .masked(!step.reveal)
        .focused(idle && step.focus == SignInFocus::Key)
        .invalid(invalid);
    draw_with_cursor(frame, field, &view);
    if let Some(ticked) = step.remember {
        frame.render_widget(
            remember_line(theme, ticked, idle && step.focus == SignInFocus::Remember),
            checkbox,
        );
    }

    let mut lines = vec![Line::styled(api.describe(), theme.dim())];
    let source = match &step.source {
        KeySource::Typed => None,
        KeySource::Flag => Some("The key came from --api-key.".to_owned()),
        KeySource::Env => Some("The key came from the TELNYX_API_KEY environment variable.".to_owned()),
        KeySource::File(path) => Some(format!("The key came from {} (--api-key-file).", path.display())),
        KeySource::Stdin => Some("The key came from standard input (--api-key-stdin).".to_owned()),
        KeySource::Saved(path) => {
            Some(format!("Using the key saved in {} (--forget-key removes it).", path.display()))
        }
        // The name may be Telnyx CLI's, from a file the user may not have written.
        KeySource::Account { name, store } => Some(
            crate::sanitize::escape_controls(&format!("The key of account {name}, from {store}."))
                .into_owned(),
        ),
        KeySource::Demo => {
            Some("Demo mode: a key for the embedded sandbox is filled in. Nothing reaches Telnyx.".to_owned())
        }
    };
    if let Some(source) = source {
        lines.push(Line::styled(source, theme.dim()));
    }
    for warning in &step.warnings {
        lines.push(Line::styled(format!("Warning: {warning}"), theme.warning()));
    }
    frame.render_widget(paragraph(lines), note);
}

/// `[x] Remember this key`, with the pointer and highlight when it has the keyboard.
fn remember_line(theme: &Theme, ticked: bool, focused: bool) -> Line<'static> {
    let mark = if ticked { theme::CHECKED } else { theme::UNCHECKED };
    let style = if focused { theme.selected() } else { check_style(theme, ticked) };
    Line::from(vec![
        Span::styled(if focused { POINTER } else { "  " }, theme.focused()),
        Span::styled(format!("{mark} Remember this key"), style),
        Span::styled("  in the OS keyring (or a file only you can read)", theme.dim()),
    ])
}

/// The status line on the screen right after sign-in (the connection list, or the
/// inspector): where a remembered key was saved, or why it was not. It shows only when
/// the user asked, and only while nothing else needs the status area.
pub fn key_saved_notice<'a>(state: &'a State, theme: &Theme) -> Option<Line<'a>> {
    if !matches!(state.step, Step::Connection(_) | Step::Inspect(_)) {
        return None;
    }
    Some(match state.ctx.setup.key_saved.as_ref()? {
        Ok(Saved { store: Store::File(path), .. }) => Line::from(vec![
            Span::styled(format!("{} ", theme::DONE), theme.done()),
            Span::raw(format!("Saved the key in {}", path.display())),
            Span::styled(
                "  (no keyring answered; only you can read it; --forget-key removes it)",
                theme.dim(),
            ),
        ]),
        Ok(Saved { store, .. }) => Line::from(vec![
            Span::styled(format!("{} ", theme::DONE), theme.done()),
            Span::raw(format!("Saved the key in {store}")),
            Span::styled("  (--forget-key removes it)", theme.dim()),
        ]),
        Err(why) => Line::from(vec![
            Span::styled(format!("{} ", theme::FAILED), theme.warning()),
            Span::raw(format!("The key was not saved: {why}")),
        ]),
    })
}
