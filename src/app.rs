//! The loop: owns the terminal, the worker's channels and the [`State`]; turns terminal
//! events and worker replies into [`Msg`]s, feeds them to update(), runs the [`Cmd`]s,
//! and draws once when nothing else is ready. No business rules live here.

use crate::api::ApiBase;
use crate::clipboard::{Clipboard, SystemClipboard};
use crate::msg::{Cmd, Msg};
use crate::state::State;
use crate::tty::Tty;
use crate::ui;
use crate::worker::{self, WorkerHandle};
use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, Event, EventStream, KeyEventKind};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use std::collections::VecDeque;
use std::io::{self, BufWriter};
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;
use tokio::time::{Interval, MissedTickBehavior, interval};

/// How fast the spinner turns while a request is in flight.
const SPINNER_PERIOD: Duration = Duration::from_millis(100);
/// How often a countdown on screen is refreshed.
const CLOCK_PERIOD: Duration = Duration::from_secs(1);

/// What update()'s commands act on: the API worker, and the clipboard (used on the
/// loop's task, so its escape sequences never interleave with a draw).
pub struct Effects {
    pub worker: WorkerHandle,
    pub clipboard: Box<dyn Clipboard>,
}

/// How long the program waits, on its way out, for the worker's last journal save.
const JOURNAL_FLUSH: std::time::Duration = std::time::Duration::from_secs(3);

/// Runs the wizard on `tty` until the user quits. The terminal is restored on every way
/// out: normal return, error, and panic ([`restore_on_panic`]). Everything is drawn on
/// `tty`, never on stdout, which is left for the summary.
/// Returns the final state, for the summary printed after the terminal is restored.
pub async fn run(
    tty: Tty,
    base: ApiBase,
    http: reqwest::Client,
    journal: Option<std::path::PathBuf>,
    mut state: State,
) -> io::Result<State> {
    let clipboard = SystemClipboard::new(Box::new(tty.try_clone()?));
    // The worker saves the journal too, in order with the requests (see its `run`).
    let worker = worker::spawn_with_journal(base, http, journal);
    let mut effects = Effects { worker, clipboard: Box::new(clipboard) };
    let hook_tty = tty.try_clone()?;
    let mut restore_tty = tty.try_clone()?;
    restore_on_panic(std::panic::take_hook(), hook_tty);
    let result = async {
        let mut terminal = take_over(tty)?;
        run_loop(&mut terminal, forward_terminal_events(), &mut state, &mut effects).await
        // The terminal is dropped here, before the restore: its drop shows the cursor.
    }
    .await;
    restore(&mut restore_tty);
    // The terminal is the user's again; the journal's last record may still be on its
    // way to the disk (fsync on a busy machine): it is waited for, within a bound.
    let Effects { worker, .. } = effects;
    worker.finish(JOURNAL_FLUSH).await;
    result.map(|()| state)
}

/// Raw mode, the alternate screen and bracketed paste on `tty`, and a ratatui terminal
/// drawing there. Buffered: ratatui writes each cell change as its own small write, and
/// flushes once per frame.
fn take_over(tty: Tty) -> io::Result<Terminal<CrosstermBackend<BufWriter<Tty>>>> {
    crossterm::terminal::enable_raw_mode()?;
    let mut writer = BufWriter::new(tty);
    crossterm::execute!(writer, EnterAlternateScreen, EnableBracketedPaste)?;
    Terminal::new(CrosstermBackend::new(writer))
}

/// Gives the terminal back: bracketed paste off, the main screen, the cursor shown,
/// cooked mode. Best effort: it runs on the way out, where nothing can be done about
/// a failure.
fn restore(tty: &mut Tty) {
    let _ = crossterm::execute!(tty, DisableBracketedPaste, LeaveAlternateScreen, Show);
    let _ = crossterm::terminal::disable_raw_mode();
}

/// Restores the terminal on a panic in the UI: a panic on this thread, the one driving
/// the UI loop (main's `block_on`), gets the whole terminal back, bracketed paste
/// included, before `report` (the previous hook) prints the message, so the message
/// lands on the main screen. A panic on another thread ends one task, not the app:
/// restoring then would leave the UI running in a cooked terminal. If it ends the API
/// worker, the loop notices and returns, and [`run`] restores the terminal as on any
/// other exit. Every panic is logged, since stderr is the alternate screen until then.
fn restore_on_panic(report: Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>, tty: Tty) {
    let ui = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!("panic: {info}");
        if std::thread::current().id() == ui {
            // `&Tty` writes: the hook is `Fn`, and the terminal is shared by reference.
            let mut tty = &tty;
            let _ = crossterm::execute!(tty, DisableBracketedPaste, LeaveAlternateScreen, Show);
            let _ = crossterm::terminal::disable_raw_mode();
            report(info);
        }
    }));
}

/// Terminal events arrive on a channel fed by a task reading crossterm's EventStream.
/// A channel, unlike the stream, can be drained without waiting (`try_recv`): polling
/// the stream with a no-op waker would lose its next wake-up.
pub type Events = mpsc::UnboundedReceiver<io::Result<Event>>;

fn forward_terminal_events() -> Events {
    let (sender, events) = mpsc::unbounded_channel();
    // Created before the first draw, not in the task: this registers crossterm's SIGWINCH
    // handler, and a resize that came before it would be lost until the next key.
    let mut stream = EventStream::new();
    tokio::spawn(async move {
        while let Some(event) = stream.next().await {
            if sender.send(event).is_err() {
                break;
            }
        }
    });
    events
}

/// The event loop, generic over the backend so tests can drive it with a TestBackend
/// and scripted events.
pub async fn run_loop<B>(
    terminal: &mut Terminal<B>,
    mut events: Events,
    state: &mut State,
    effects: &mut Effects,
) -> io::Result<()>
where
    B: Backend,
    B::Error: Into<io::Error>,
{
    let mut signals = Signals::new()?;
    let mut timer: Option<(Duration, Interval)> = None;
    if dispatch(state, effects, Msg::Started) == Flow::Quit {
        return Ok(());
    }
    draw(terminal, state)?;
    loop {
        // The timer exists only while something animates (a spinner, a countdown):
        // idle means no wake-ups.
        let period = if state.busy() {
            Some(SPINNER_PERIOD)
        } else if state.shows_clock() {
            Some(CLOCK_PERIOD)
        } else {
            None
        };
        if period != timer.as_ref().map(|(p, _)| *p) {
            timer = period.map(|period| {
                let mut ticks = interval(period);
                // The first tick comes at once, so a new countdown starts from now.
                ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
                (period, ticks)
            });
        }
        let msg = tokio::select! {
            biased;
            reply = effects.worker.replies.recv() => match reply {
                Some(msg) => msg,
                None => return Err(io::Error::other("the API worker stopped unexpectedly")),
            },
            event = events.recv() => match event {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(error)) => return Err(error),
                None => return Ok(()),
            },
            () = signals.recv() => return Ok(()),
            () = tick(&mut timer) => Msg::Tick(SystemTime::now()),
        };
        if dispatch_now(state, effects, msg) == Flow::Quit {
            return Ok(());
        }
        // Drain whatever else is ready, then draw once.
        loop {
            let msg = if let Ok(msg) = effects.worker.replies.try_recv() {
                msg
            } else if let Ok(event) = events.try_recv() {
                match to_msg(event?) {
                    Some(msg) => msg,
                    None => continue,
                }
            } else {
                break;
            };
            if dispatch_now(state, effects, msg) == Flow::Quit {
                return Ok(());
            }
        }
        draw(terminal, state)?;
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Quit,
}

/// [`dispatch`], with the clock given first ([`Msg::Now`]): keys and answers are
/// handled knowing the time even while no timer runs.
fn dispatch_now(state: &mut State, effects: &mut Effects, msg: Msg) -> Flow {
    if !matches!(msg, Msg::Tick(_)) {
        dispatch(state, effects, Msg::Now(SystemTime::now()));
    }
    dispatch(state, effects, msg)
}

/// Feeds one message to update() and runs what it asks for: UI commands here, on the
/// loop's task (a copy's outcome goes straight back to update()), API commands, journal
/// records and a key to remember on the worker.
pub fn dispatch(state: &mut State, effects: &mut Effects, msg: Msg) -> Flow {
    let mut flow = Flow::Continue;
    let mut queue = VecDeque::from([msg]);
    while let Some(msg) = queue.pop_front() {
        for cmd in state.update(msg) {
            match cmd {
                Cmd::Quit => flow = Flow::Quit,
                Cmd::Copy(text) => queue.push_back(Msg::Copied(effects.clipboard.copy(text.expose()))),
                Cmd::CopySecret(text) => {
                    queue.push_back(Msg::Copied(effects.clipboard.copy_secret(text.expose())))
                }
                other => effects.worker.send(other),
            }
        }
    }
    flow
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, state: &State) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    terminal.draw(|frame| ui::view(state, frame)).map(|_| ()).map_err(Into::into)
}

/// Key presses, pastes and resizes become messages; releases, repeats, focus and mouse
/// events are dropped.
fn to_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => {
            crate::crash::here(crate::crash::Crash::Ui);
            Some(Msg::Key(key))
        }
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(..) => Some(Msg::Resized),
        _ => None,
    }
}

async fn tick(timer: &mut Option<(Duration, Interval)>) {
    match timer {
        Some((_, ticks)) => {
            ticks.tick().await;
        }
        None => std::future::pending().await,
    }
}

/// SIGTERM and SIGHUP end the loop like a quit, so the terminal is restored.
struct Signals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self { terminate: signal(SignalKind::terminate())?, hangup: signal(SignalKind::hangup())? })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.terminate.recv() => {}
            _ = self.hangup.recv() => {}
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
