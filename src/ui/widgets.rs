//! Pieces the screens share: selectable lists, paragraphs, facts, checkboxes.

use super::theme::{POINTER, TIED, Theme};
use crate::state::PickList;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

pub use crate::setup::truncate;

/// `line` cut to `width` columns, the cut marked with "…" (padding before the cut is
/// dropped, so "Chicago, IL   …" does not happen); a line that fits is unchanged.
pub fn ellipsize(line: Line<'_>, width: usize) -> Line<'_> {
    if line.width() <= width {
        return line;
    }
    let room = width.saturating_sub(1);
    let mut used = 0;
    let mut spans = Vec::new();
    for span in line.spans {
        let mut kept = String::new();
        for ch in span.content.chars() {
            let mut buf = [0; 4];
            let ch_width = Span::raw(&*ch.encode_utf8(&mut buf)).width();
            if used + ch_width > room {
                break;
            }
            used += ch_width;
            kept.push(ch);
        }
        let full = kept.len() == span.content.len();
        spans.push(Span::styled(kept, span.style));
        if !full {
            break;
        }
    }
    if let Some(last) = spans.last_mut() {
        let trimmed = last.content.trim_end().to_owned();
        last.content = format!("{trimmed}…").into();
    }
    Line::from(spans).style(line.style)
}

/// How many rows `paragraph` takes wrapped at `width`, so an intro whose text wraps
/// onto one row more at 60 columns pushes what is below it down instead of being cut.
pub fn height(paragraph: &Paragraph, width: u16) -> u16 {
    paragraph.line_count(width) as u16
}

/// A list with one highlighted row, scrolled so the highlight is visible. Rows wider
/// than the list end in "…" rather than being cut silently.
pub fn select_list(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    items: Vec<Line>,
    cursor: usize,
    block: Block,
) {
    let width = usize::from(block.inner(area).width).saturating_sub(Span::raw(POINTER).width());
    let items: Vec<ListItem> = items.into_iter().map(|line| ListItem::new(ellipsize(line, width))).collect();
    let list = List::new(items).block(block).highlight_style(theme.selected()).highlight_symbol(POINTER);
    let mut state = ListState::default().with_selected(Some(cursor));
    frame.render_stateful_widget(list, area, &mut state);
}

/// Wrapped text.
pub fn paragraph<'a>(text: impl Into<Text<'a>>) -> Paragraph<'a> {
    Paragraph::new(text).wrap(Wrap { trim: false })
}

/// A `label: value` line with the label dimmed.
pub fn fact<'a>(theme: &Theme, label: &'a str, value: impl Into<String>) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{label}: "), theme.dim()), Span::raw(value.into())])
}

/// Splits `area` into rows of the given heights, the last taking the rest.
pub fn rows<const N: usize>(area: Rect, heights: [u16; N]) -> [Rect; N] {
    let mut constraints = heights.map(Constraint::Length);
    if let Some(last) = constraints.last_mut() {
        *last = Constraint::Min(0);
    }
    Layout::vertical(constraints).areas(area)
}

/// A style for one row of a checkbox list.
pub fn check_style(theme: &Theme, enabled: bool) -> Style {
    if enabled { theme.done() } else { Style::new() }
}

/// A one-row choice among labels, the chosen one marked, in `width` columns. Where the
/// options do not all fit (60 columns), the row scrolls so the highlighted one shows,
/// and "…" marks the options out of view on either side.
pub fn inline_choice<'a>(
    theme: &Theme,
    label: &str,
    focused: bool,
    options: impl Iterator<Item = (&'a str, bool, bool)>,
    width: u16,
) -> Line<'a> {
    let label_style = if focused { theme.focused() } else { theme.dim() };
    let marker = if focused { POINTER } else { "  " };
    let label_width = usize::from(super::form::INLINE_LABEL_WIDTH) - 2;
    let mut spans = vec![Span::styled(format!("{marker}{label:<label_width$}"), label_style)];
    let mut choices = Vec::new();
    for (name, chosen, highlighted) in options {
        let mark = if chosen { "[x] " } else { "[ ] " };
        let style = if highlighted && focused { theme.selected() } else { check_style(theme, chosen) };
        choices.push((Span::styled(format!("{mark}{name}  "), style), highlighted));
    }
    let room = usize::from(width).saturating_sub(spans[0].width());
    let shown = |from: usize, to: usize| -> usize { choices[from..=to].iter().map(|(s, _)| s.width()).sum() };
    let mut start = 0;
    if let Some(highlighted) = choices.iter().position(|(_, h)| *h) {
        // Room for "… " before, and for "…" after when more follows.
        while start < highlighted && shown(start, highlighted) + 4 > room {
            start += 1;
        }
    }
    if start > 0 {
        spans.push(Span::styled("… ", theme.dim()));
    }
    spans.extend(choices.into_iter().skip(start).map(|(span, _)| span));
    let mut line = Line::from(spans);
    // Trailing spaces after the last option are not a cut.
    if let Some(last) = line.spans.last_mut() {
        last.content = last.content.trim_end().to_owned().into();
    }
    ellipsize(line, usize::from(width))
}

/// A [`PickList`]: "Loading…" while it loads (`loading`), then "+ Create a new …" followed by
/// one row per item, under a title that counts them.
pub fn pick_list<T>(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    list: &PickList<T>,
    loading: bool,
    noun: &str,
    row: impl Fn(&T) -> Line<'static>,
) {
    let Some(items) = &list.items else {
        // Not loaded: still on its way, or it failed (the status line says why).
        let text = if loading {
            format!("Loading {noun}s…")
        } else {
            format!("The {noun}s are not loaded; Enter loads them again.")
        };
        frame.render_widget(paragraph(Line::styled(text, theme.dim())), area);
        return;
    };
    let mut rows = vec![Line::styled(format!("+ Create a new {noun}"), theme.current())];
    rows.extend(items.iter().map(row));
    let mut area = area;
    if let Some(tie) = &list.tie {
        // Records the preselection cannot tell apart: the question above the list, and
        // each of them marked in it (the others indented to keep the columns).
        let question = paragraph(Line::from(vec![
            Span::styled(format!("{TIED} "), theme.warning()),
            Span::styled(tie.question.clone(), theme.warning()),
        ]));
        let [above, below] = super::widgets::rows(area, [height(&question, area.width), 0]);
        frame.render_widget(question, above);
        area = below;
        for (index, line) in rows.iter_mut().enumerate() {
            let tied = index > 0 && list.is_tied(index - 1);
            let mark = if tied { Span::styled(format!("{TIED} "), theme.warning()) } else { Span::raw("  ") };
            line.spans.insert(0, mark);
        }
    }
    let title = if list.total > items.len() as u64 {
        format!(" {noun}s (first {} of {}) ", items.len(), list.total)
    } else {
        format!(" {noun}s ({}) ", items.len())
    };
    let title = title[..2].to_uppercase() + &title[2..];
    select_list(frame, area, theme, rows, list.cursor, Block::bordered().title(title));
}

/// A moment in local time, as a person says it: "14:02" today, "2026-11-30 14:02"
/// another day.
pub fn local_time(unix: i64, now: std::time::SystemTime, offset: time::UtcOffset) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else { return unix.to_string() };
    let at = at.to_offset(offset);
    let today = time::OffsetDateTime::from(now).to_offset(offset).date();
    let format = if at.date() == today {
        time::macros::format_description!("[hour]:[minute]")
    } else {
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]")
    };
    at.format(&format).unwrap_or_default()
}
