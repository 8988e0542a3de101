//! The inspector's screen: the tab's list (only the rows in view are drawn, from lines
//! made when their page arrived, so ten thousand records scroll as fast as ten), the
//! highlighted record's fields or raw JSON with its relations (the one record parsed
//! back from its compact text, once a frame), and the doctor's report over them.

use super::theme::{CURRENT, POINTER, Theme};
use super::widgets::{ellipsize, fact, paragraph};
use crate::doctor::{Report, Verdict};
use crate::sanitize::escape_controls;
use crate::state::{Choices, InspectorStep, MADE_MARK, Tab};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState};
use serde_json::Value;

/// Secret fields ([`crate::secret::SECRET_PATTERNS`]) are never shown, even here, at any
/// depth: support engineers see that a secret is set, not what it is.
const HIDDEN: &str = "•••••• (hidden)";

/// The tab bar, for the header's second line.
pub fn tabs<'a>(theme: &Theme, step: &InspectorStep) -> Line<'a> {
    let spans: Vec<Span> = Tab::ALL
        .iter()
        .enumerate()
        .map(|(index, tab)| {
            let style = if *tab == step.listing.tab { theme.current() } else { theme.dim() };
            let mark = if *tab == step.listing.tab { CURRENT } else { " " };
            Span::styled(format!("{mark}{} {}  ", index + 1, tab.title()), style)
        })
        .collect();
    Line::from(spans)
}

pub fn draw(frame: &mut Frame, area: Rect, theme: &Theme, step: &InspectorStep) {
    let [filter_row, panes] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    draw_filter(frame, filter_row, theme, step);
    if step.listing.tab == Tab::Balance {
        draw_balance(frame, panes, theme, step);
    } else {
        // While the list has the focus, the details take 30% of a wide screen (their
        // lines are short `key: value` pairs, and wrap), at least 34 columns or 45% of a
        // narrow one, so the list's rows fit whole at 120 columns; in the details or the
        // raw JSON, whose lines are long, they take 45%.
        let detail_width = if step.in_detail || step.raw {
            panes.width * 45 / 100
        } else {
            (panes.width * 3 / 10).max(34.min(panes.width * 45 / 100))
        };
        let [list, detail] =
            Layout::horizontal([Constraint::Min(0), Constraint::Length(detail_width)]).areas(panes);
        draw_list(frame, list, theme, step);
        draw_detail(frame, detail, theme, step);
    }
    if let Some(choices) = &step.choices {
        draw_choices(frame, panes, theme, choices);
    }
    if let Some(report) = &step.doctor {
        draw_report(frame, area, theme, report);
    }
}

/// The question of which record a target meant: each record it could be, one a row,
/// over the panes; Enter opens the highlighted one.
fn draw_choices(frame: &mut Frame, area: Rect, theme: &Theme, choices: &Choices) {
    let block = Block::bordered()
        .title(format!(" That could be {} records: which one? ", choices.found.len()))
        .border_style(theme.focused());
    let height = usize::from(block.inner(area).height).max(1);
    let width = usize::from(block.inner(area).width).saturating_sub(Span::raw(POINTER).width());
    // Only the rows in view are drawn: a few digits may match a page of numbers.
    let offset = choices.cursor.saturating_sub(height.saturating_sub(1));
    let items: Vec<ListItem> = choices
        .found
        .iter()
        .skip(offset)
        .take(height)
        // Names are Telnyx's text: never terminal control.
        .map(|found| {
            ListItem::new(ellipsize(Line::raw(escape_controls(&found.describe()).into_owned()), width))
        })
        .collect();
    let list = List::new(items).block(block).highlight_style(theme.selected()).highlight_symbol(POINTER);
    let mut state = ListState::default().with_selected(Some(choices.cursor - offset));
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(list, area, &mut state);
}

fn draw_filter(frame: &mut Frame, area: Rect, theme: &Theme, step: &InspectorStep) {
    let listing = &step.listing;
    let mut spans = Vec::new();
    if let Some(scope) = &listing.scope {
        spans.push(Span::styled(format!("{}  ", scope.label()), theme.current()));
    }
    let prompt = match (&step.filter_input, &step.goto_input) {
        (Some(input), _) => Some((format!("/ {} > ", listing.tab.filter_hint()), input)),
        (None, Some(input)) => {
            Some(("g go to: id, UUID, phone number or SIP user name > ".to_owned(), input))
        }
        (None, None) => None,
    };
    match prompt {
        Some((prefix, input)) => {
            let x = area.x + (prefix.chars().count() + spans.iter().map(|s| s.width()).sum::<usize>()) as u16;
            spans.push(Span::styled(prefix, theme.focused()));
            spans.push(Span::raw(input.value().to_owned()));
            frame.set_cursor_position((x + input.input().visual_cursor() as u16, area.y));
        }
        None if !listing.filter.is_empty() => {
            spans.push(Span::styled(format!("filter: {}", listing.filter), theme.warning()));
            spans.push(Span::styled("  (Esc clears)", theme.dim()));
        }
        None => {}
    }
    frame.render_widget(Line::from(spans), area);
}

fn draw_list(frame: &mut Frame, area: Rect, theme: &Theme, step: &InspectorStep) {
    let listing = &step.listing;
    let visible = listing.visible();
    let shown = if listing.next_page.is_some() {
        format!("{} of {}", visible.len(), listing.total.max(visible.len() as u64))
    } else {
        visible.len().to_string()
    };
    let block = Block::bordered()
        .title(format!(" {} ({shown}) ", listing.tab.title()))
        .border_style(if step.in_detail { theme.dim() } else { theme.focused() });
    let height = block.inner(area).height as usize;
    if visible.is_empty() {
        let text = if listing.next_page.is_some() { "Loading…" } else { "Nothing here." };
        frame.render_widget(paragraph(Line::styled(text, theme.dim())).block(block), area);
        return;
    }
    let width = usize::from(block.inner(area).width).saturating_sub(Span::raw(POINTER).width());
    // Only the rows in view are drawn: the rest may be thousands.
    let offset = listing.cursor.saturating_sub(height.saturating_sub(1));
    let records = listing.records();
    let items: Vec<ListItem> = visible
        .iter()
        .skip(offset)
        .take(height.max(1))
        .map(|&index| ListItem::new(fit_row(records[index].row(), width)))
        .collect();
    let list = List::new(items).block(block).highlight_style(theme.selected()).highlight_symbol(POINTER);
    let mut state = ListState::default().with_selected(Some(listing.cursor - offset));
    frame.render_stateful_widget(list, area, &mut state);
}

/// A list row cut to `width` with "…", keeping the "made by telnyx-setup" mark at its
/// end in view.
fn fit_row(row: &str, width: usize) -> Line<'_> {
    match row.strip_suffix(MADE_MARK) {
        Some(rest) => {
            let mark = Span::raw(MADE_MARK).width();
            let mut line = ellipsize(Line::raw(rest), width.saturating_sub(mark));
            line.spans.push(Span::raw(MADE_MARK));
            line
        }
        None => ellipsize(Line::raw(row), width),
    }
}

/// A record's fields, one per line (nested objects one level deep, indented under
/// their name; deeper ones as JSON), secrets hidden at every depth.
fn fields(mut shown: Value) -> Vec<String> {
    let mut lines = Vec::new();
    crate::secret::redact_json(&mut shown, HIDDEN);
    let Some(object) = shown.as_object() else { return vec![shown.to_string()] };
    for (key, value) in object {
        match value {
            // A nested object's fields go under its name, indented, so a narrow pane
            // wraps between a name and its value rather than inside a long dotted name.
            Value::Object(inner) => {
                lines.push(format!("{key}:"));
                for (sub, value) in inner {
                    lines.push(format!("  {sub}: {}", scalar(sub, value)));
                }
            }
            _ => lines.push(format!("{key}: {}", scalar(key, value))),
        }
    }
    lines
}

fn scalar(_key: &str, value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Array(items) => format!("[{} items]", items.len()),
        other => other.to_string(),
    }
}

/// The record as JSON, secrets replaced at every depth.
fn raw_json(mut shown: Value) -> String {
    crate::secret::redact_json(&mut shown, "(hidden)");
    serde_json::to_string_pretty(&shown).unwrap_or_default()
}

fn draw_detail(frame: &mut Frame, area: Rect, theme: &Theme, step: &InspectorStep) {
    let title = if step.raw { " Raw JSON (J) " } else { " Details (J: raw JSON) " };
    let block = Block::bordered().title(title).border_style(if step.in_detail {
        theme.focused()
    } else {
        theme.dim()
    });
    let Some(record) = step.listing.highlighted() else {
        frame.render_widget(block, area);
        return;
    };
    // Parsed once here for the relations and the body; the views redact this copy.
    let item = step.listing.value(record);
    let relations = step.relations_of(&item);
    let mut lines: Vec<Line> = Vec::new();
    if !relations.is_empty() {
        for (index, relation) in relations.iter().enumerate() {
            let selected = step.in_detail && index == step.relation_cursor;
            let style = if selected { theme.selected() } else { theme.current() };
            lines.push(Line::styled(format!("→ {}", relation.label), style));
        }
        lines.push(Line::raw(""));
    }
    let body = if step.raw { raw_json(item).lines().map(str::to_owned).collect() } else { fields(item) };
    lines.extend(body.into_iter().map(Line::raw));
    frame.render_widget(paragraph(lines).block(block).scroll((step.detail_scroll, 0)), area);
}

fn draw_balance(frame: &mut Frame, area: Rect, theme: &Theme, step: &InspectorStep) {
    let lines = match &step.balance {
        Some(balance) => vec![
            fact(theme, "Balance", format!("{} {}", balance.balance, balance.currency)),
            fact(theme, "Available credit", format!("{} {}", balance.available_credit, balance.currency)),
            fact(theme, "Credit limit", format!("{} {}", balance.credit_limit, balance.currency)),
            fact(theme, "Pending", format!("{} {}", balance.pending, balance.currency)),
        ],
        None => vec![Line::styled("Loading…", theme.dim())],
    };
    frame.render_widget(paragraph(lines).block(Block::bordered().title(" Balance ")), area);
}

/// The doctor's findings in a box over `area` (all of it, so nothing of the panes
/// behind shows through): the inspector and the summary show it. Reasons and fixes
/// wrap under themselves, not under the verdict.
pub fn draw_report(frame: &mut Frame, area: Rect, theme: &Theme, report: &Report) {
    const ID_WIDTH: usize = 17;
    let indent = " ".repeat(5 + ID_WIDTH + 1);
    let text_width = usize::from(area.width.saturating_sub(2)).saturating_sub(indent.len()).max(10);
    let mut lines = Vec::new();
    for check in &report.checks {
        let (label, style) = match check.verdict {
            Verdict::Pass => ("PASS", theme.done()),
            Verdict::Warn => ("WARN", theme.warning()),
            Verdict::Fail => ("FAIL", theme.error()),
        };
        let reason = textwrap::wrap(&check.reason, text_width);
        for (index, part) in reason.iter().enumerate() {
            let mut spans = Vec::new();
            if index == 0 {
                spans.push(Span::styled(format!("{label} "), style));
                spans.push(Span::styled(format!("{:<ID_WIDTH$} ", check.id), theme.key()));
            } else {
                spans.push(Span::raw(indent.clone()));
            }
            spans.push(Span::raw(part.to_string()));
            lines.push(Line::from(spans));
        }
        if let Some(fix) = &check.fix {
            for part in textwrap::wrap(&format!("fix: {fix}"), text_width) {
                lines.push(Line::styled(format!("{indent}{part}"), theme.dim()));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(if report.ok { "No check failed." } else { "Some checks failed." }));
    let title = format!(" Doctor: connection {} ", report.connection_id);
    frame.render_widget(Clear, area);
    frame.render_widget(paragraph(lines).block(Block::bordered().title(title)), area);
}
