//! Text fields and forms as widgets: [`FieldView`] draws one field (bordered, or as an
//! inline `label  value` row), [`FormView`] every field of a [`Form`] in focus order.
//! Each also says where the terminal cursor goes, which a widget cannot set itself;
//! [`draw`] renders one and places the cursor.

use super::theme::{POINTER, Theme};
use crate::state::TextField;
use crate::state::form::{Fields, Form};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Widget};

/// The width of an inline row's label column.
pub const INLINE_LABEL_WIDTH: u16 = 22;

/// How a form's rows are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// A bordered box of three rows per field, for short forms.
    Bordered,
    /// One `label  value` row per field, for long ones.
    Inline,
}

impl Layout {
    fn rows_per_field(self) -> u16 {
        match self {
            Layout::Bordered => 3,
            Layout::Inline => 1,
        }
    }
}

/// A widget that may want the terminal cursor.
pub trait Cursor {
    /// Where the cursor goes when the widget is drawn in `area`, if anywhere.
    fn cursor(&self, area: Rect) -> Option<Position>;
}

/// Renders `widget` in `area` and puts the terminal cursor where it asks.
pub fn draw_with_cursor<W>(frame: &mut Frame, area: Rect, widget: &W)
where
    for<'w> &'w W: Widget,
    W: Cursor,
{
    frame.render_widget(widget, area);
    if let Some(position) = widget.cursor(area) {
        frame.set_cursor_position(position);
    }
}

/// One text field.
pub struct FieldView<'a> {
    pub field: &'a TextField,
    pub label: &'a str,
    pub theme: &'a Theme,
    pub layout: Layout,
    /// Bullets, one per character, so the user sees a paste landed.
    pub masked: bool,
    /// Has the keyboard: highlighted, with the terminal cursor in it.
    pub focused: bool,
    /// The last problem is about this field.
    pub invalid: bool,
}

impl<'a> FieldView<'a> {
    pub fn new(field: &'a TextField, label: &'a str, theme: &'a Theme) -> Self {
        Self { field, label, theme, layout: Layout::Bordered, masked: false, focused: false, invalid: false }
    }

    pub fn focused(self, focused: bool) -> Self {
        Self { focused, ..self }
    }

    pub fn masked(self, masked: bool) -> Self {
        Self { masked, ..self }
    }

    pub fn invalid(self, invalid: bool) -> Self {
        Self { invalid, ..self }
    }

    /// Where the value is drawn within `area`.
    fn value_area(&self, area: Rect) -> Rect {
        match self.layout {
            Layout::Bordered => Block::bordered().inner(area),
            Layout::Inline => Rect {
                x: area.x + INLINE_LABEL_WIDTH,
                width: area.width.saturating_sub(INLINE_LABEL_WIDTH),
                height: area.height.min(1),
                ..area
            },
        }
    }

    /// How far the value is scrolled so the cursor shows, and the cursor's column.
    fn scrolled(&self, width: u16) -> (u16, u16) {
        let input = self.field.input();
        let scroll = input.visual_scroll(width.max(1) as usize);
        let cursor = input.visual_cursor().saturating_sub(scroll) as u16;
        (scroll as u16, cursor.min(width.saturating_sub(1)))
    }

    /// The label, with a note when the last key or paste was cut short by the cap.
    fn title(&self) -> String {
        if self.field.was_cut() {
            format!(" {} (at most {} characters: the rest was cut) ", self.label, self.field.max_chars())
        } else {
            format!(" {} ", self.label)
        }
    }

    fn shown(&self) -> String {
        if self.masked {
            "•".repeat(self.field.value().chars().count())
        } else {
            self.field.value().to_owned()
        }
    }
}

impl Widget for &FieldView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let value_area = self.value_area(area);
        let (scroll, _) = self.scrolled(value_area.width);
        // The border (or the inline label) says which field is focused or to fix.
        let frame_style = if self.invalid {
            theme.invalid()
        } else if self.focused {
            theme.focused()
        } else {
            theme.dim()
        };
        match self.layout {
            Layout::Bordered => {
                let block = Block::bordered().title(self.title()).border_style(frame_style);
                Paragraph::new(self.shown()).scroll((0, scroll)).block(block).render(area, buf);
            }
            Layout::Inline => {
                let marker = if self.focused { POINTER } else { "  " };
                let label = if self.field.was_cut() {
                    format!("{marker}{} (max {})", self.label, self.field.max_chars())
                } else {
                    format!("{marker}{}", self.label)
                };
                Line::styled(label, frame_style).render(area, buf);
                let style = if self.focused { theme.selected() } else { Style::new() };
                // A trailing space shows the field's extent (and the cursor) when empty.
                Paragraph::new(Line::styled(format!("{} ", self.shown()), style))
                    .scroll((0, scroll))
                    .render(value_area, buf);
            }
        }
    }
}

impl Cursor for FieldView<'_> {
    fn cursor(&self, area: Rect) -> Option<Position> {
        let value_area = self.value_area(area);
        if !self.focused || value_area.width == 0 || value_area.height == 0 {
            return None;
        }
        let (_, cursor) = self.scrolled(value_area.width);
        Some(Position::new(value_area.x + cursor, value_area.y))
    }
}

/// A [`Form`]: every field in focus order, the focused one highlighted and the one the
/// last problem is about marked.
pub struct FormView<'a, F: Fields> {
    pub form: &'a Form<F>,
    pub theme: &'a Theme,
    pub layout: Layout,
    /// The keyboard is the form's (no request in flight).
    pub active: bool,
    /// Which fields are shown as bullets.
    pub masked: &'a dyn Fn(F) -> bool,
    /// Draws a row that is not text (inline layout), given whether it has focus.
    pub choice: &'a dyn Fn(F, bool) -> Line<'a>,
}

impl<'a, F: Fields> FormView<'a, F> {
    pub fn new(form: &'a Form<F>, theme: &'a Theme, layout: Layout) -> Self {
        Self { form, theme, layout, active: true, masked: &|_| false, choice: &|_, _| Line::default() }
    }

    /// The rows the form takes.
    pub fn height(&self) -> u16 {
        F::ALL.len() as u16 * self.layout.rows_per_field()
    }

    /// Each field with the rows it is drawn in; fields that do not fit are left out.
    fn rows(&self, area: Rect) -> impl Iterator<Item = (F, Rect)> + '_ {
        let height = self.layout.rows_per_field();
        F::ALL.iter().copied().enumerate().map_while(move |(index, field)| {
            let row = Rect { y: area.y.saturating_add(index as u16 * height), height, ..area };
            (row.bottom() <= area.bottom()).then_some((field, row))
        })
    }

    fn field(&self, field: F) -> FieldView<'a> {
        FieldView {
            layout: self.layout,
            masked: (self.masked)(field),
            focused: self.active && self.form.focus == field,
            invalid: self.form.invalid == Some(field),
            ..FieldView::new(self.form.field(field), field.label(), self.theme)
        }
    }
}

impl<F: Fields> Widget for &FormView<'_, F> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        for (field, row) in self.rows(area) {
            if field.is_text() {
                self.field(field).render(row, buf);
            } else {
                let focused = self.active && self.form.focus == field;
                (self.choice)(field, focused).render(row, buf);
            }
        }
    }
}

impl<F: Fields> Cursor for FormView<'_, F> {
    fn cursor(&self, area: Rect) -> Option<Position> {
        let (field, row) = self.rows(area).find(|(field, _)| *field == self.form.focus)?;
        field.is_text().then(|| self.field(field).cursor(row)).flatten()
    }
}
