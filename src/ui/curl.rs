//! The curl panel (`c`): the screen's requests as curl commands, over the screen's
//! body, scrolled with ↑↓; its title says where a copy went.

use super::theme::Theme;
use super::widgets::paragraph;
use crate::clipboard::CopyMethod;
use crate::state::CurlPanel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, panel: &CurlPanel) {
    let copied = match &panel.copied {
        None => String::new(),
        Some(Ok(CopyMethod::System { .. } | CopyMethod::SystemUntil { .. })) => {
            " · copied to the clipboard".to_owned()
        }
        Some(Ok(CopyMethod::Osc52)) => " · sent by OSC 52: paste to check it arrived".to_owned(),
        Some(Err(error)) => format!(" · {error}"),
    };
    let title = format!(" The equivalent curl · API key as $TELNYX_API_KEY{copied} ");
    let block = Block::bordered().title(title).border_style(theme.dim());
    // What the server named (a connection's name) is text, never terminal control.
    let text = panel.text();
    let lines: Vec<Line> = text
        .lines()
        .map(|line| crate::sanitize::escape_controls(line).into_owned())
        .map(|line| {
            if line.starts_with('#') {
                Line::styled(line.to_owned(), theme.dim())
            } else {
                Line::raw(line.to_owned())
            }
        })
        .collect();
    let inner = block.inner(area);
    let widget = paragraph(lines);
    // Scrolling stops at the last screenful.
    let total = widget.line_count(inner.width) as u16;
    let scroll = panel.scroll.min(total.saturating_sub(inner.height));
    frame.render_widget(Clear, area);
    frame.render_widget(widget.scroll((scroll, 0)).block(block), area);
}
