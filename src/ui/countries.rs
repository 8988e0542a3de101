//! Step 5's screen: the searchable country list with checkboxes.

use super::form::{FieldView, draw_with_cursor};
use super::theme::{CHECKED, Theme, UNCHECKED};
use super::widgets::{check_style, fact, height, paragraph, rows, select_list};
use crate::state::CountriesStep;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &CountriesStep) {
    let selected: Vec<&str> = step.selected.iter().map(String::as_str).collect();
    let intro = paragraph(vec![
        fact(
            theme,
            "Profile",
            if step.draft {
                format!("{} (new: Enter makes it with these countries)", step.profile.name)
            } else {
                step.profile.name.clone()
            },
        ),
        fact(theme, "Allowed", if selected.is_empty() { "none".to_owned() } else { selected.join(", ") }),
        Line::styled(
            "Calls elsewhere are refused. International calls cost more than domestic ones.",
            theme.warning(),
        ),
    ]);
    let [intro_area, search, list] = rows(area, [height(&intro, area.width).min(6), 3, 0]);
    frame.render_widget(intro, intro_area);
    draw_with_cursor(
        frame,
        search,
        &FieldView::new(&step.filter, "Search (/)", theme).focused(step.filtering),
    );
    let visible = step.visible();
    if visible.is_empty() {
        frame.render_widget(paragraph(Line::styled("No country matches the search.", theme.dim())), list);
        return;
    }
    let items = visible
        .iter()
        .map(|country| {
            let on = step.selected.contains(&country.code);
            let mark = if on { CHECKED } else { UNCHECKED };
            Line::from(vec![
                Span::styled(format!("{mark} {} {}", country.code, country.name), check_style(theme, on)),
                Span::styled(format!("  {}", country.region), theme.dim()),
            ])
        })
        .collect();
    let title = format!(" Countries ({} shown) ", visible.len());
    select_list(frame, list, theme, items, step.cursor, Block::bordered().title(title));
}
