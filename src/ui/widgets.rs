//! Pieces the screens share: labelled text fields, selectable lists, paragraphs.

use super::theme::{POINTER, Theme};
use crate::state::{PickList, TextField};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, List, ListItem, ListState, Paragraph, Wrap};

/// How a text field's value is shown.
pub enum Shown {
    Clear,
    /// Bullets, one per character, so the user sees a paste landed.
    Masked,
}

/// How a text field is drawn this frame.
pub struct Look<'a> {
    pub label: &'a str,
    pub shown: Shown,
    /// Has the keyboard: highlighted, with the terminal cursor in it.
    pub focused: bool,
    /// The last problem is about this field.
    pub invalid: bool,
}

/// A bordered, labelled single-line field.
pub fn text_field(frame: &mut Frame, area: Rect, theme: &Theme, field: &TextField, look: Look) {
    let Look { label, shown, focused, invalid } = look;
    let border = if invalid {
        theme.invalid()
    } else if focused {
        theme.focused()
    } else {
        theme.dim()
    };
    let block = Block::bordered().title(format!(" {label} ")).border_style(border);
    let inner = block.inner(area);
    let width = inner.width.max(1) as usize;
    let input = field.input();
    let scroll = input.visual_scroll(width);
    let text = match shown {
        Shown::Clear => field.value().to_owned(),
        Shown::Masked => "•".repeat(field.value().chars().count()),
    };
    let paragraph = Paragraph::new(text).scroll((0, scroll as u16)).block(block);
    frame.render_widget(paragraph, area);
    if focused && inner.height > 0 {
        let x = input.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position((inner.x + x.min(inner.width.saturating_sub(1)), inner.y));
    }
}

/// A list with one highlighted row, scrolled so the highlight is visible.
pub fn select_list(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    items: Vec<ListItem>,
    cursor: usize,
    block: Block,
) {
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

/// A one-row field, `label  value`, for forms too long for bordered fields.
pub fn inline_field(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    label: &str,
    field: &TextField,
    focused: bool,
) {
    const LABEL_WIDTH: u16 = 22;
    let label_style = if focused { theme.focused() } else { theme.dim() };
    let marker = if focused { POINTER } else { "  " };
    frame.render_widget(Line::styled(format!("{marker}{label}"), label_style), area);
    let value_area = Rect { x: area.x + LABEL_WIDTH, width: area.width.saturating_sub(LABEL_WIDTH), ..area };
    let width = value_area.width.max(1) as usize;
    let input = field.input();
    let scroll = input.visual_scroll(width);
    let style = if focused { theme.selected() } else { Style::new() };
    // A trailing space shows the field's extent (and the cursor) when it is empty.
    let text = Paragraph::new(Line::styled(format!("{} ", field.value()), style)).scroll((0, scroll as u16));
    frame.render_widget(text, value_area);
    if focused && value_area.width > 0 {
        let x = input.visual_cursor().saturating_sub(scroll) as u16;
        frame.set_cursor_position((value_area.x + x.min(value_area.width - 1), value_area.y));
    }
}

/// A one-row choice among labels, the chosen one marked.
pub fn inline_choice<'a>(
    theme: &Theme,
    label: &str,
    focused: bool,
    options: impl Iterator<Item = (&'a str, bool, bool)>,
) -> Line<'a> {
    let label_style = if focused { theme.focused() } else { theme.dim() };
    let marker = if focused { POINTER } else { "  " };
    let mut spans = vec![Span::styled(format!("{marker}{label:<20}"), label_style)];
    for (name, chosen, highlighted) in options {
        let mark = if chosen { "[x] " } else { "[ ] " };
        let style = if highlighted && focused { theme.selected() } else { check_style(theme, chosen) };
        spans.push(Span::styled(format!("{mark}{name}"), style));
        spans.push(Span::raw("  "));
    }
    Line::from(spans)
}

/// A [`PickList`]: "Loading…" until it has loaded, then "+ Create a new …" followed by
/// one row per item, under a title that counts them.
pub fn pick_list<T>(
    frame: &mut Frame,
    area: Rect,
    theme: &Theme,
    list: &PickList<T>,
    noun: &str,
    row: impl Fn(&T) -> ListItem<'static>,
) {
    let Some(items) = &list.items else {
        frame.render_widget(paragraph(Line::styled(format!("Loading {noun}s…"), theme.dim())), area);
        return;
    };
    let mut rows = vec![ListItem::new(Line::styled(format!("+ Create a new {noun}"), theme.current()))];
    rows.extend(items.iter().map(row));
    let title = if list.total > items.len() as u64 {
        format!(" {noun}s (first {} of {}) ", items.len(), list.total)
    } else {
        format!(" {noun}s ({}) ", items.len())
    };
    let title = title[..2].to_uppercase() + &title[2..];
    select_list(frame, area, theme, rows, list.cursor, Block::bordered().title(title));
}
