//! Issue 20: a model-based property test of the wizard. Random keys (Enter, Esc, ↑↓,
//! `n`, `s`, `y`, Space, a typed letter) through `update()` with the real worker against the
//! sandbox, from a fresh setup and then from a resumed one (the same journal, a second
//! run). After every key:
//!
//! - no kind of record is made twice with one name (a connection, a profile, a
//!   credential): what day two would trip over;
//! - a record the account had before never changes without a `y` to a question that
//!   named it;
//! - Enter on a screen just returned to with Esc, unchanged, sends no write;
//! - on the summary, the header's mark for the numbers and the summary's numbers agree.

use crate::support::TempDir;
use crate::support::state::{screen_text, state_with};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;
use telnyx_setup::api;
use telnyx_setup::app::{Effects, dispatch};
use telnyx_setup::clipboard::{CopyMethod, Recording};
use telnyx_setup::journal;
use telnyx_setup::msg::{Msg, Request};
use telnyx_setup::sandbox::{Exchange, Sandbox, Seed};
use telnyx_setup::state::{KeySource, State, Step};
use telnyx_setup::worker;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Enter,
    Esc,
    Up,
    Down,
    N,
    S,
    Y,
    Space,
    Letter,
}

impl Key {
    fn code(self) -> KeyCode {
        match self {
            Key::Enter => KeyCode::Enter,
            Key::Esc => KeyCode::Esc,
            Key::Up => KeyCode::Up,
            Key::Down => KeyCode::Down,
            Key::N => KeyCode::Char('n'),
            Key::S => KeyCode::Char('s'),
            Key::Y => KeyCode::Char('y'),
            Key::Space => KeyCode::Char(' '),
            Key::Letter => KeyCode::Char('x'),
        }
    }
}

fn keys() -> impl Strategy<Value = Vec<Key>> {
    let key = prop_oneof![
        6 => Just(Key::Enter),
        2 => Just(Key::Esc),
        1 => Just(Key::Up),
        2 => Just(Key::Down),
        1 => Just(Key::N),
        1 => Just(Key::S),
        2 => Just(Key::Y),
        1 => Just(Key::Space),
        1 => Just(Key::Letter),
    ];
    prop::collection::vec(key, 10..45)
}

/// One run of the wizard in process: the state machine and the real worker.
struct Run {
    state: State,
    effects: Effects,
}

impl Run {
    fn start(sandbox: &Sandbox, journal_path: &Path) -> Self {
        let mut state = state_with(Some("KEYmodel"), KeySource::Flag);
        state.use_journal(journal::load(journal_path), false);
        let base = crate::support::api_base(&sandbox.base_url());
        let clipboard = Box::new(Recording::answering(Ok(CopyMethod::Osc52)));
        let worker = worker::spawn_with_journal(base, api::http_client(), Some(journal_path.to_owned()));
        Self { state, effects: Effects { worker, clipboard } }
    }

    /// Feeds the worker's answers back until nothing is in flight.
    async fn settle(&mut self) {
        while self.state.busy() {
            let msg = tokio::time::timeout(Duration::from_secs(20), self.effects.worker.replies.recv())
                .await
                .expect("the worker answers within 20s")
                .expect("the worker is alive");
            dispatch(&mut self.state, &mut self.effects, msg);
        }
        // Whatever else is ready (a background order's check), without waiting.
        while let Ok(msg) = self.effects.worker.replies.try_recv() {
            dispatch(&mut self.state, &mut self.effects, msg);
        }
    }

    fn press(&mut self, key: Key) {
        let event = KeyEvent::new(key.code(), KeyModifiers::NONE);
        dispatch(&mut self.state, &mut self.effects, Msg::Key(event));
    }

    fn typing(&self) -> bool {
        self.state.step.screen().input().is_some()
    }
}

/// A write the sandbox answered with success.
fn made(exchange: &Exchange) -> bool {
    exchange.method != "GET" && (200..300).contains(&exchange.status)
}

/// The record kind and name of a create, if `exchange` is one.
fn created(exchange: &Exchange) -> Option<(String, String)> {
    if exchange.method != "POST" || !made(exchange) {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(&exchange.request_body).ok()?;
    let name = match exchange.path.as_str() {
        "/credential_connections" => body["connection_name"].as_str(),
        "/outbound_voice_profiles" => body["name"].as_str(),
        "/telephony_credentials" => body["name"].as_str(),
        _ => None,
    }?;
    Some((exchange.path.clone(), name.to_owned()))
}

/// What the model checks as the keys go.
struct Model {
    /// The ids of the records the account had before the setup.
    seeded: HashSet<String>,
    /// The ids a `y` to a change question named.
    confirmed: HashSet<String>,
}

impl Model {
    fn check(&self, sandbox: &Sandbox, history: &[Key]) -> Result<(), TestCaseError> {
        let journal = sandbox.journal();
        let mut names: HashMap<(String, String), usize> = HashMap::new();
        for exchange in &journal {
            if let Some(made) = created(exchange) {
                *names.entry(made).or_default() += 1;
            }
        }
        for (made, count) in &names {
            prop_assert!(*count == 1, "{made:?} made {count} times after {history:?}");
        }
        for exchange in journal.iter().filter(|e| e.method == "PATCH" && made(e)) {
            let id = exchange.path.rsplit('/').next().unwrap_or_default();
            prop_assert!(
                !self.seeded.contains(id) || self.confirmed.contains(id),
                "{} changed without a y naming it, after {history:?}",
                exchange.path
            );
        }
        Ok(())
    }
}

fn writes(sandbox: &Sandbox) -> usize {
    sandbox.journal().iter().filter(|e| e.method != "GET" && !e.path.ends_with("/token")).count()
}

/// The header's mark for the numbers step and the summary's numbers line agree.
fn header_agrees_with_summary(state: &State) -> Result<(), TestCaseError> {
    if !matches!(state.step, Step::Finish(_)) {
        return Ok(());
    }
    let screen = screen_text(state, 140, 40);
    let skipped = screen.lines().take(3).any(|line| line.contains("– Numbers"));
    let listed = screen
        .lines()
        .find(|line| line.trim_start().starts_with("Numbers:"))
        .is_some_and(|line| line.contains('+'));
    prop_assert!(!(skipped && listed), "the header says skipped, the summary lists numbers:\n{screen}");
    Ok(())
}

/// Runs `keys` on `run`, checking the model after each.
async fn walk(
    run: &mut Run,
    sandbox: &Sandbox,
    model: &mut Model,
    keys: &[Key],
) -> Result<(), TestCaseError> {
    let mut history = Vec::new();
    let mut returned = false;
    for &key in keys {
        // Letters go to a text field; on a list they may be keys (n, s, y) or nothing.
        let before_step = run.state.step.number();
        let asked = run.state.step.screen().change().map(|change| change.request.clone());
        let unchanged_return = returned && key == Key::Enter && !run.typing() && asked.is_none();
        let written = writes(sandbox);
        run.press(key);
        history.push(key);
        if key == Key::Y
            && let Some(request) = asked
        {
            match request {
                Request::UpdateConnection { id, .. } | Request::UpdateProfile { id, .. } => {
                    model.confirmed.insert(id);
                }
                _ => {}
            }
        }
        run.settle().await;
        model.check(sandbox, &history)?;
        header_agrees_with_summary(&run.state)?;
        if unchanged_return {
            prop_assert_eq!(writes(sandbox), written, "Enter after Esc wrote, after {:?}", history);
        }
        returned = key == Key::Esc && run.state.step.number() < before_step;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_keys_from_a_fresh_and_a_resumed_setup_keep_the_setup_s_promises(
        first in keys(),
        second in keys(),
        seeded in any::<bool>(),
    ) {
        let runtime = crate::support::pty::runtime();
        runtime.block_on(async {
            let seed = if seeded { Seed::default() } else { Seed::empty() };
            let seed = Seed { order_settles_after: Duration::ZERO, ..seed };
            let sandbox = Sandbox::start_local(&seed).await.unwrap();
            let dir = TempDir::new("setup-model");
            let journal_path = dir.path().join("setups.json");
            let api = crate::support::client(&sandbox.base_url(), "KEYmodel");
            let first_page = api::PageRequest::first(250);
            let mut ids: HashSet<String> = HashSet::new();
            ids.extend(api.list_credential_connections(first_page, None).await.unwrap().data.into_iter().map(|c| c.id));
            ids.extend(api.list_outbound_voice_profiles(first_page, None).await.unwrap().data.into_iter().map(|p| p.id));
            let mut model = Model { seeded: ids, confirmed: HashSet::new() };

            let mut run = Run::start(&sandbox, &journal_path);
            run.settle().await;
            walk(&mut run, &sandbox, &mut model, &first).await?;
            drop(run);
            // A second run: the journal offers to continue the setup (Enter) or not (n).
            let mut run = Run::start(&sandbox, &journal_path);
            run.settle().await;
            walk(&mut run, &sandbox, &mut model, &second).await?;
            Ok::<(), TestCaseError>(())
        })?;
    }
}
