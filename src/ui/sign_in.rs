//! Step 1's screen: the masked key field and where the key came from.

use super::theme::Theme;
use super::widgets::{Look, Shown, paragraph, rows, text_field};
use crate::state::{KeySource, SignInStep};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &SignInStep) {
    let [intro, field, note] = rows(area, [3, 3, 0]);
    frame.render_widget(
        paragraph(vec![
            Line::raw("Sign in with a Telnyx API key. It is checked with Telnyx and kept in memory only."),
            Line::styled(
                "Keys are in the portal: Account settings > Keys & Credentials > API Keys.",
                theme.dim(),
            ),
        ]),
        intro,
    );
    let shown = if step.reveal { Shown::Clear } else { Shown::Masked };
    let invalid = matches!(step.activity.problem, Some(crate::state::Problem::Input(_)));
    text_field(
        frame,
        field,
        theme,
        &step.key,
        Look { label: "API key", shown, focused: !step.activity.busy(), invalid },
    );
    let source = match step.source {
        KeySource::Typed => None,
        KeySource::Flag => Some("The key came from --api-key."),
        KeySource::Env => Some("The key came from the TELNYX_API_KEY environment variable."),
        KeySource::Demo => {
            Some("Demo mode: a key for the embedded sandbox is filled in. Nothing reaches Telnyx.")
        }
    };
    if let Some(source) = source {
        frame.render_widget(paragraph(Line::styled(source, theme.dim())), note);
    }
}
