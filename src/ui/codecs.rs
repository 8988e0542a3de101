//! Step 3's screen: codec toggles with what each is for.

use super::theme::{CHECKED, Theme, UNCHECKED};
use super::widgets::{check_style, fact, height, paragraph, rows, select_list};
use crate::state::CodecsStep;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &CodecsStep) {
    let intro = paragraph(vec![
        fact(
            theme,
            "Connection",
            format!("{} (user {})", step.connection.connection_name, step.connection.user_name),
        ),
        Line::raw(if step.created {
            "Inbound codecs: all on for the new connection, VP8 (browser video) included."
        } else {
            "Inbound codecs. VP8, needed for browser video, is off unless turned on here."
        }),
    ]);
    let [intro_area, list, note] = rows(area, [height(&intro, area.width), step.choices.len() as u16 + 2, 0]);
    frame.render_widget(intro, intro_area);
    let items = step
        .choices
        .iter()
        .map(|choice| {
            let mark = if choice.enabled { CHECKED } else { UNCHECKED };
            Line::from(vec![
                Span::styled(format!("{mark} {:<7}", choice.name), check_style(theme, choice.enabled)),
                Span::styled(format!(" {}", choice.about), theme.dim()),
            ])
        })
        .collect();
    let count = step.choices.iter().filter(|c| c.enabled).count();
    select_list(
        frame,
        list,
        theme,
        items,
        step.cursor,
        Block::bordered().title(format!(" Codecs ({count} on) ")),
    );
    let mut lines = Vec::new();
    if step.vp8_off() {
        lines.push(Line::styled(
            "VP8 is off: video calls from browsers will not work (Space on VP8 turns it on).",
            theme.warning(),
        ));
    }
    lines.push(Line::styled(
        "Codecs are offered in this order. There is no transport to set: each device picks one \
         when it registers, and WebRTC clients always use a secure WebSocket. SIP phones that \
         register over UDP get neither OPUS nor H.264.",
        theme.dim(),
    ));
    frame.render_widget(paragraph(lines), note);
}
