//! Property: however runs of the wizard are cut short (after any key, with any of the
//! answers in flight lost) and started again, a last run that goes to the end leaves
//! the account with one connection, one profile, one order and one credential.
//!
//! The wizard runs in process here (state machine, real worker, the journal on disk),
//! which makes many interleavings cheap; tests/it/rerun.rs kills the real binary.

use crate::support::state::state_with;
use crate::support::{TempDir, client};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use std::path::Path;
use std::time::Duration;
use telnyx_setup::api::{self, PageRequest, PhoneNumberFilter, TelephonyCredentialFilter};
use telnyx_setup::app::{Effects, dispatch};
use telnyx_setup::clipboard::{CopyMethod, Recording};
use telnyx_setup::journal;
use telnyx_setup::msg::Msg;
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::state::{KeySource, NumbersScreen, State, Step};
use telnyx_setup::worker;

/// One run of the wizard, with the key a user of the Enter-only path presses next.
struct Run {
    state: State,
    effects: Effects,
}

impl Run {
    fn start(sandbox: &Sandbox, journal_path: &Path) -> Self {
        let mut state = state_with(Some("KEYprop"), KeySource::Flag);
        state.use_journal(journal::load(journal_path), false);
        let base = crate::support::api_base(&sandbox.base_url());
        let clipboard = Box::new(Recording::answering(Ok(CopyMethod::Osc52)));
        let worker = worker::spawn(base, api::http_client());
        Self { state, effects: Effects { worker, clipboard, journal: Some(journal_path.to_owned()) } }
    }

    fn finished(&self) -> bool {
        matches!(self.state.step, Step::Finish(_))
    }

    /// Presses what the user would next: `y` at the purchase question, else Enter.
    fn press(&mut self) {
        let buy = matches!(&self.state.step, Step::Numbers(step) if step.screen == NumbersScreen::Confirm);
        let code = if buy { KeyCode::Char('y') } else { KeyCode::Enter };
        dispatch(&mut self.state, &mut self.effects, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    /// Feeds the worker's messages back until nothing is in flight, or only the first
    /// `limit` of them.
    async fn settle(&mut self, limit: Option<usize>) {
        let mut taken = 0;
        while self.state.busy() && limit.is_none_or(|limit| taken < limit) {
            let msg = tokio::time::timeout(Duration::from_secs(10), self.effects.worker.replies.recv())
                .await
                .expect("the worker answers within 10s")
                .expect("the worker is alive");
            dispatch(&mut self.state, &mut self.effects, msg);
            taken += 1;
        }
    }
}

/// Where a run is cut: after `keys` keys, with `messages` of the last key's answers
/// taken in before the process "dies" (the run is dropped, its requests aborted).
#[derive(Debug, Clone)]
struct Cut {
    keys: usize,
    messages: usize,
}

fn cuts() -> impl Strategy<Value = Vec<Cut>> {
    prop::collection::vec((0..24usize, 0..3usize).prop_map(|(keys, messages)| Cut { keys, messages }), 1..4)
}

async fn holdings(sandbox: &Sandbox) -> (usize, usize, usize, usize, usize) {
    let api = client(&sandbox.base_url(), "KEYcheck");
    let first = || PageRequest::first(250);
    let connections = api.list_credential_connections(first(), None).await.unwrap().data;
    let profiles = api.list_outbound_voice_profiles(first(), None).await.unwrap().data;
    let orders = api.list_number_orders(first(), None).await.unwrap().data;
    let filter = TelephonyCredentialFilter::default();
    let credentials = api.list_telephony_credentials(first(), &filter).await.unwrap().data;
    let numbers = api.list_phone_numbers(first(), &PhoneNumberFilter::default()).await.unwrap().data;
    let assigned = numbers.iter().filter(|n| n.connection_id.is_some()).count();
    (connections.len(), profiles.len(), orders.len(), credentials.len(), assigned)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn interrupted_runs_then_a_whole_one_make_one_of_each(cuts in cuts()) {
        let runtime = crate::support::pty::runtime();
        runtime.block_on(async {
            let seed = Seed { order_settles_after: Duration::from_millis(50), ..Seed::empty() };
            let sandbox = Sandbox::start_local(&seed).await.unwrap();
            let dir = TempDir::new("rerun-prop");
            let journal_path = dir.path().join("setups.json");
            for cut in &cuts {
                let mut run = Run::start(&sandbox, &journal_path);
                for pressed in 0..=cut.keys {
                    if run.finished() {
                        break;
                    }
                    run.press();
                    let last = pressed == cut.keys;
                    run.settle(last.then_some(cut.messages)).await;
                }
                // Dropped here: the worker and whatever it was sending die with it.
            }
            let mut run = Run::start(&sandbox, &journal_path);
            for _ in 0..40 {
                if run.finished() {
                    break;
                }
                run.press();
                run.settle(None).await;
            }
            prop_assert!(run.finished(), "the last run reached the summary");
            prop_assert_eq!(holdings(&sandbox).await, (1, 1, 1, 1, 1), "after cuts {:?}", cuts);
            Ok(())
        })?;
    }
}
