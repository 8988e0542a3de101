//! Rendering: `view(&State, &mut Frame)` draws the chrome (header with the step and
//! progress, status line, key hints) around the current step's screen. It reads the
//! state only: no I/O, no clock, no mutation.

mod codecs;
mod connection;
mod countries;
mod credential;
mod curl;
mod finish;
mod form;
mod inspector;
mod numbers;
mod profile;
mod requests;
mod resume;
mod sign_in;
pub mod theme;
mod token;
mod widgets;

use crate::api::ApiError;
use crate::state::{ApiTarget, Change, Mode, Problem, STEP_TITLES, State, Step};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear};
use theme::Theme;
use widgets::paragraph;

/// Below this size the screens cannot be laid out; a notice is shown instead.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// The most lines a screen's Enter line (its step of the plan) wraps to.
pub(super) const PLAN_LINES: u16 = 3;

pub fn view(state: &State, frame: &mut Frame) {
    let theme = Theme::new(state.color);
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, &theme);
        return;
    }
    let status = paragraph(status_lines(state, &theme));
    let footer = paragraph(footer_line(state, &theme, area.width));
    // Wrapped heights, capped so the screen keeps room for the step itself; the footer
    // is one line (the keys that do not fit are in the help).
    let status_height = status.line_count(area.width).min(6) as u16;
    let footer_height = 1;
    let [header, body, status_area, footer_area] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Min(4),
        Constraint::Length(status_height),
        Constraint::Length(footer_height),
    ])
    .areas(area);
    draw_header(frame, header, state, &theme);
    let body = body.inner(ratatui::layout::Margin { horizontal: 1, vertical: 0 });
    // A screen that edits what is wanted says, on its last line, what its Enter does:
    // its step of the plan (`setup::plan`), the same as `setup --dry-run` shows.
    // It wraps (up to PLAN_LINES lines): who else a change affects comes last, and a
    // line cut at the edge would hide them.
    let (body, plan_line) = match state.planned() {
        Some(steps) if body.height > 4 => {
            let writes = steps.iter().any(|s| s.kind.writes());
            let style = if writes { theme.current() } else { theme.dim() };
            let text =
                paragraph(Line::styled(crate::state::enter_line(&steps, &state.ctx.desired.account), style));
            let height = (text.line_count(body.width) as u16).clamp(1, PLAN_LINES).min(body.height - 4);
            let [body, line] = Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(body);
            (body, Some((line, text)))
        }
        _ => (body, None),
    };
    if let Some((line, text)) = plan_line {
        frame.render_widget(text, line);
    }
    // The requests pane takes the lower part of the body while it is open.
    let (body, pane) = if state.show_requests {
        let pane_height = (body.height / 2).clamp(3, 12);
        let [body, pane] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(pane_height)]).areas(body);
        (body, Some(pane))
    } else {
        (body, None)
    };
    match &state.step {
        Step::SignIn(step) => sign_in::draw(frame, body, &theme, step, &state.ctx.api),
        Step::Connection(step) => connection::draw(frame, body, &theme, step),
        Step::Codecs(step) => codecs::draw(frame, body, &theme, step),
        Step::Profile(step) => profile::draw(frame, body, &theme, step),
        Step::Countries(step) => countries::draw(frame, body, &theme, step),
        Step::Numbers(step) => numbers::draw(frame, body, &theme, step, question_account(state)),
        Step::Credential(step) => credential::draw(frame, body, &theme, step, state.ctx.now),
        Step::Token(step) => token::draw(frame, body, &theme, step, state.ctx.now, state.utc_offset),
        Step::Inspect(step) => inspector::draw(frame, body, &theme, step),
        Step::Resume(step) => resume::draw(frame, body, &theme, step, state.ctx.now, state.utc_offset),
        Step::Finish(step) => finish::draw(frame, body, &theme, &state.ctx, step.report.as_ref()),
    }
    if let Some(pane) = pane {
        requests::draw(frame, pane, &theme, state);
    }
    frame.render_widget(status, status_area);
    frame.render_widget(footer, footer_area);
    if let Some(change) = state.step.screen().change() {
        draw_change(frame, body, &theme, change, question_account(state));
    }
    if let Some(panel) = &state.curl {
        curl::draw(frame, body, &theme, panel);
    }
    if state.help {
        draw_help(frame, area, state, &theme);
    }
    if state.confirm_quit {
        let lines = vec![
            Line::styled("A number order is in flight.", theme.warning()),
            Line::raw("It goes on at Telnyx whether or not this program runs."),
            Line::raw(""),
            Line::styled("Quit anyway? [y/N]", theme.current()),
        ];
        draw_popup(frame, area, " Quit? ", lines, (60, 6));
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = Text::from(vec![
        Line::styled("Terminal too small", theme.warning()),
        Line::raw(format!("{}x{}; needs {MIN_WIDTH}x{MIN_HEIGHT}.", area.width, area.height)),
        Line::raw("Enlarge it, or Ctrl-C to quit."),
    ]);
    frame.render_widget(paragraph(text), area);
}

fn draw_header(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let number = state.step_number();
    let balance = Span::styled(
        state
            .ctx
            .setup
            .balance
            .as_ref()
            .map_or(String::new(), |b| format!("   balance {} {}", b.balance, b.currency)),
        theme.dim(),
    );
    let block = Block::new().borders(Borders::BOTTOM).border_style(theme.dim());
    // Which API, always: production in the warning style, since it costs real money.
    let api = &state.ctx.api;
    let api_style = if *api == ApiTarget::Production { theme.warning() } else { theme.dim() };
    // The account too, on every screen: a support engineer may have several open.
    let api = match &state.ctx.account {
        Some(account) => Span::styled(
            format!(" [{} · account {}]", api.tag(), crate::sanitize::escape_controls(&account.name)),
            api_style,
        ),
        None => Span::styled(format!(" [{}]", api.tag()), api_style),
    };
    if state.ctx.mode == Mode::Inspector {
        let title = fit_title(
            vec![
                Span::styled("telnyx-setup", theme.title()),
                api.clone(),
                Span::styled("  READ-ONLY", theme.warning()),
                Span::raw("  account inspector"),
            ],
            balance,
            area.width,
        );
        let second = match &state.step {
            Step::Inspect(step) => inspector::tabs(theme, step),
            _ => Line::raw("Sign in to inspect the account; nothing in it will be changed."),
        };
        frame.render_widget(paragraph(vec![title, second]).block(block), area);
        return;
    }
    let title = fit_title(
        vec![
            Span::styled("telnyx-setup", theme.title()),
            api,
            Span::raw(if matches!(state.step, Step::Finish(_)) {
                "  Setup complete".to_owned()
            } else {
                format!("  Step {number} of {}: {}", STEP_TITLES.len(), STEP_TITLES[number - 1])
            }),
        ],
        balance,
        area.width,
    );
    let done = state.ctx.done();
    // On the summary every step is done and none is current.
    let current = if matches!(state.step, Step::Finish(_)) { 0 } else { number };
    let labels = progress_labels(current, &done, area.width as usize);
    let mut progress = Vec::new();
    for (index, label) in labels.into_iter().enumerate() {
        // The optional numbers step, skipped, is neither done nor to do.
        let skipped = index == 5 && state.ctx.numbers_skipped();
        let (symbol, style) = if index + 1 == current {
            (theme::CURRENT, theme.current())
        } else if skipped && done[index] {
            (theme::SKIPPED, theme.dim())
        } else if done[index] {
            (theme::DONE, theme.done())
        } else {
            (theme::TODO, theme.dim())
        };
        progress.push(Span::styled(format!("{symbol} {label}  "), style));
    }
    frame.render_widget(paragraph(vec![title, Line::from(progress)]).block(block), area);
}

/// The header's first line: the balance goes at the end when it fits, and is left out
/// when it does not (rather than wrap and push the progress line away).
fn fit_title<'a>(mut spans: Vec<Span<'a>>, balance: Span<'a>, width: u16) -> Line<'a> {
    let used: usize = spans.iter().map(Span::width).sum();
    if used + balance.width() <= usize::from(width) {
        spans.push(balance);
    }
    Line::from(spans)
}

/// The progress labels that fit in `width`: every name if they fit, else the names
/// of the steps done and the current one, else only the current one's; numbers
/// stand for the rest.
fn progress_labels(current: usize, done: &[bool; 8], width: usize) -> Vec<String> {
    let named = |show: &dyn Fn(usize) -> bool| -> Vec<String> {
        STEP_TITLES
            .iter()
            .enumerate()
            .map(|(index, title)| if show(index) { (*title).to_owned() } else { (index + 1).to_string() })
            .collect()
    };
    let fits = |labels: &Vec<String>| labels.iter().map(|l| l.chars().count() + 4).sum::<usize>() <= width;
    let all = named(&|_| true);
    if fits(&all) {
        return all;
    }
    let reached = named(&|index| done[index] || index + 1 == current);
    if fits(&reached) {
        return reached;
    }
    named(&|index| index + 1 == current)
}

/// The status area: the spinner with what is awaited, or the last problem with
/// Telnyx's detail and what to do next.
fn status_lines<'a>(state: &'a State, theme: &Theme) -> Vec<Line<'a>> {
    let activity = state.step.activity();
    if let Some(pending) = &activity.pending {
        let frame = theme::SPINNER[state.spinner % theme::SPINNER.len()];
        let mut spans =
            vec![Span::styled(format!("{frame} "), theme.current()), Span::raw(format!("{}…", pending.what))];
        if let Some(retry) = &pending.retry {
            spans.push(Span::styled(
                format!(" retrying ({}/{}): {}", retry.attempt, retry.of, retry.reason),
                theme.warning(),
            ));
        }
        // An order in flight cannot be cancelled (see State::on_key), so Esc is not offered.
        if !state.purchase_in_flight() {
            spans.push(Span::styled("  (Esc cancels)", theme.dim()));
        }
        return vec![Line::from(spans)];
    }
    match &activity.problem {
        None if activity.notice.is_some() => {
            vec![Line::raw(activity.notice.as_deref().unwrap_or_default())]
        }
        // Idle and fine: room for the note on where "Remember this key" saved it.
        None => sign_in::key_saved_notice(state, theme).into_iter().collect(),
        Some(Problem::Input(message)) => {
            vec![Line::from(vec![
                Span::styled(format!("{} ", theme::FAILED), theme.warning()),
                Span::raw(message.as_str()),
            ])]
        }
        Some(Problem::Cancelled(what)) => {
            let hint = state.step.screen().retry_hint().unwrap_or("Press Enter to try again.");
            vec![Line::styled(format!("Cancelled: {what}. {hint}"), theme.warning())]
        }
        Some(Problem::Api(error)) => {
            let mut lines =
                vec![Line::from(Span::styled(format!("{} {error}", theme::FAILED), theme.error()))];
            for extra in error.errors().iter().skip(1) {
                lines.push(Line::raw(format!("  • {extra}")));
            }
            if let Some(url) = error.errors().iter().find_map(|e| e.meta.as_ref()?.url.as_deref()) {
                lines.push(Line::styled(format!("  More: {url}"), theme.dim()));
            }
            let screen = state.step.screen();
            let hint = match screen.retry_hint() {
                Some(hint) => hint.to_owned(),
                None => next_step(error, screen.input().and_then(|input| input.invalid_label())),
            };
            lines.push(Line::styled(format!("  {hint}"), theme.dim()));
            lines
        }
    }
}

/// What to do after a failed request: the API's advice and the key that acts on it;
/// `invalid` names the field marked for fixing, if Telnyx named one on screen.
fn next_step(error: &ApiError, invalid: Option<&str>) -> String {
    match (error, error.advice(), invalid) {
        (ApiError::Invalid { .. }, _, Some(field)) => {
            format!("Correct the highlighted field ({field}) and press Enter to retry.")
        }
        (ApiError::Invalid { .. }, Some(advice), None) => format!("{advice}, then press Enter to retry."),
        (ApiError::Forbidden(_), Some(advice), _) => format!("{advice}."),
        (ApiError::NotFound(_), Some(advice), _) => format!("{advice}; press Esc to go back and pick again."),
        (ApiError::Unauthorized(_), Some(advice), _) => {
            format!("{advice}, then press Enter to sign in again.")
        }
        (_, Some(advice), _) => format!("{advice}, then press Enter to try again."),
        (_, None, _) => "Press Enter to try again.".to_owned(),
    }
}

/// The key hints of the current screen that fit on one line `width` wide: where they
/// do not all fit, the last ones give way, but never Enter, Esc, help or quit (help
/// lists them all), so the footer never wraps and never cuts a hint in half.
pub fn footer_hints(state: &State, width: u16) -> Vec<(String, &'static str)> {
    let mut hints = state.hints();
    let entry = |(key, action): &(String, &str)| Line::raw(format!("{key} {action}")).width();
    // Each hint and the two spaces before the next.
    let total =
        |hints: &[(String, &str)]| hints.iter().map(|hint| entry(hint) + 2).sum::<usize>().saturating_sub(2);
    let kept_last = |hint: &(String, &str)| {
        hint.0.starts_with("Enter") || hint.0 == "Esc" || matches!(hint.1, "help" | "quit")
    };
    while total(&hints) > usize::from(width) {
        let Some(drop) = hints.iter().rposition(|hint| !kept_last(hint)) else { break };
        hints.remove(drop);
    }
    hints
}

/// The key hints of the current screen, on one line.
fn footer_line(state: &State, theme: &Theme, width: u16) -> Line<'static> {
    let mut spans = Vec::new();
    for (key, action) in footer_hints(state, width) {
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {action}  ")));
    }
    Line::from(spans)
}

/// A change to an existing record, over the screen, with the question.
/// The account the question before a write names (see
/// [`crate::accounts::named_in_question`]), escaped for the screen.
fn question_account(state: &State) -> Option<String> {
    let production = state.ctx.api == ApiTarget::Production;
    crate::accounts::named_in_question(state.ctx.account.as_ref(), production)
        .map(|name| crate::sanitize::escape_controls(name).into_owned())
}

fn draw_change(frame: &mut Frame, area: Rect, theme: &Theme, change: &Change, account: Option<String>) {
    let mut lines: Vec<Line> = change.lines.iter().map(|line| Line::raw(line.as_str())).collect();
    lines.push(Line::raw(""));
    let question = match account {
        Some(name) => format!("Change it in account {name}? [y/N]"),
        None => "Change it? [y/N]".to_owned(),
    };
    lines.push(Line::styled(question, theme.current()));
    let width = area.width.min(76);
    let height = (paragraph(lines.clone()).line_count(width.saturating_sub(2)) as u16 + 2).min(area.height);
    draw_popup(frame, area, &format!(" {} ", change.title), lines, (width, height));
}

/// A bordered box of `size` (width, height) centred over `area`, with what was under
/// it cleared.
fn draw_popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, (width, height): (u16, u16)) {
    let [popup] = Layout::horizontal([Constraint::Length(width)]).flex(Flex::Center).areas(area);
    let [popup] = Layout::vertical([Constraint::Length(height)]).flex(Flex::Center).areas(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(paragraph(lines).block(Block::bordered().title(title.to_owned())), popup);
}

/// The help overlay: what every key of this screen does, from the same bindings the
/// screen reads its keys through; sentences wrap under themselves, not under the keys.
fn draw_help(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let typing = state.typing();
    let mut rows: Vec<(String, &str)> =
        state.bindings().iter().map(|binding| (binding.all_labels(typing), binding.help)).collect();
    if typing {
        rows.push(("other keys".to_owned(), "Type in the highlighted field (←→ Home End move in it)."));
    }
    let width = area.width.saturating_sub(4).min(100);
    let key_width = rows.iter().map(|(keys, _)| keys.chars().count()).max().unwrap_or(0).min(26);
    let text_width = usize::from(width.saturating_sub(2)).saturating_sub(key_width + 2).max(10);
    let mut lines = vec![Line::styled(state.step.screen().title(), theme.title()), Line::raw("")];
    for (keys, help) in rows {
        for (index, part) in textwrap::wrap(help, text_width).into_iter().enumerate() {
            let keys = if index == 0 { keys.as_str() } else { "" };
            lines.push(Line::from(vec![
                Span::styled(format!("{keys:>key_width$}  "), theme.key()),
                Span::raw(part.into_owned()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Ctrl-C quits from anywhere. Any key closes this help.", theme.dim()));
    let height = (paragraph(lines.clone()).line_count(width.saturating_sub(2)) as u16 + 2).min(area.height);
    draw_popup(frame, area, " Help ", lines, (width, height));
}
