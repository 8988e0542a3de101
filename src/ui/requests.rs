//! The requests pane (L or F2): this session's HTTP requests as they end, newest at
//! the bottom, and where the log file is. Method, path, status and time only.

use super::theme::Theme;
use super::widgets::{paragraph, truncate};
use crate::state::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear};

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, state: &State) {
    let title = match &state.log_file {
        Some(path) => format!(" Requests this session · log: {} ", path.display()),
        None => " Requests this session ".to_owned(),
    };
    let block = Block::bordered().title(title).border_style(theme.dim());
    let rows = usize::from(block.inner(area).height);
    let path_width = usize::from(area.width.saturating_sub(2 + 7 + 6 + 9)).max(8);
    let mut lines: Vec<Line> = state
        .requests
        .iter()
        .rev()
        .take(rows)
        .rev()
        .map(|record| {
            // No answer shows as "—" (the log and --verbose say why).
            let status = record.outcome.as_ref().map_or("—".to_owned(), |status| status.to_string());
            let style = match record.outcome {
                Ok(200..=299) => theme.done(),
                Ok(_) | Err(_) => theme.warning(),
            };
            Line::from(vec![
                Span::styled(format!("{:<7}", record.method), theme.key()),
                Span::raw(format!("{:<path_width$}", truncate(&record.path, path_width))),
                Span::styled(format!("{status:>5} "), style),
                Span::styled(format!("{:>6} ms", record.elapsed.as_millis()), theme.dim()),
            ])
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::styled("No request yet.", theme.dim()));
    }
    frame.render_widget(Clear, area);
    frame.render_widget(paragraph(lines).block(block), area);
}
