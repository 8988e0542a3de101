//! The wizard's state machine and the real worker against the sandbox, with the
//! screen rendered as the loop would: refused input shows Telnyx's message and
//! changes nothing in the account.

mod common;

use common::{press, state_with, type_text};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;
use telnyx_setup::api::{self, ApiBase, Client, PageRequest};
use telnyx_setup::app::dispatch;
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{KeySource, State, Step};
use telnyx_setup::worker::{self, WorkerHandle};

struct Wizard {
    state: State,
    worker: WorkerHandle,
}

impl Wizard {
    fn new(sandbox: &Sandbox, key: &str) -> Self {
        let base = ApiBase::parse(&sandbox.base_url()).unwrap();
        Self {
            state: state_with(Some(key), KeySource::Flag),
            worker: worker::spawn(base),
        }
    }

    /// Presses a key, then feeds the worker's answers back until nothing is in flight.
    async fn press(&mut self, code: KeyCode) {
        for cmd in press(&mut self.state, code) {
            if cmd == telnyx_setup::msg::Cmd::Quit {
                return;
            }
            self.worker.send(cmd);
        }
        while self.state.busy() {
            let reply = tokio::time::timeout(Duration::from_secs(10), self.worker.replies.recv())
                .await
                .expect("the worker answers within 10s")
                .expect("the worker is alive");
            dispatch(&mut self.state, &self.worker, reply);
        }
    }

    fn screen(&self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal
            .draw(|frame| telnyx_setup::ui::view(&self.state, frame))
            .unwrap();
        terminal.backend().to_string()
    }
}

fn client(sandbox: &Sandbox) -> Client {
    Client::new(
        api::http_client(),
        ApiBase::parse(&sandbox.base_url()).unwrap(),
        Secret::from("KEYcheck"),
    )
}

#[tokio::test]
async fn a_rejected_key_shows_telnyx_error_and_changes_nothing() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let mut wizard = Wizard::new(&sandbox, "not-a-key");
    wizard.press(KeyCode::Enter).await;
    let screen = wizard.screen();
    assert!(matches!(wizard.state.step, Step::SignIn(_)), "{screen}");
    assert!(screen.contains("Telnyx rejected the API key"), "{screen}");
    assert!(screen.contains("(10009 Authentication"), "{screen}");
    let journal = sandbox.journal();
    assert_eq!(journal.len(), 1, "one request, nothing after it");
    assert_eq!(
        (
            journal[0].method.as_str(),
            journal[0].path.as_str(),
            journal[0].status
        ),
        ("GET", "/balance", 401)
    );
}

#[tokio::test]
async fn a_422_shows_telnyx_detail_keeps_the_form_and_creates_nothing() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let before = client(&sandbox)
        .list_credential_connections(PageRequest::default(), None)
        .await
        .unwrap();
    let taken = before.data[0].user_name.clone();

    let mut wizard = Wizard::new(&sandbox, "KEYflow");
    wizard.press(KeyCode::Enter).await; // sign in, list connections
    wizard.press(KeyCode::Enter).await; // open the create form
    wizard.press(KeyCode::Tab).await; // to the user name
    for _ in 0..40 {
        wizard.press(KeyCode::Backspace).await;
    }
    type_text(&mut wizard.state, &taken);
    wizard.press(KeyCode::Enter).await;

    let screen = wizard.screen();
    assert!(
        screen.contains("user_name has already been taken"),
        "{screen}"
    );
    assert!(screen.contains("10015"), "{screen}");
    let Step::Connection(step) = &wizard.state.step else {
        panic!("{screen}")
    };
    assert!(step.form.is_some(), "the form stays for a fix");
    let last = sandbox.journal().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str(), last.status),
        ("POST", "/credential_connections", 422)
    );
    let after = client(&sandbox)
        .list_credential_connections(PageRequest::default(), None)
        .await
        .unwrap();
    assert_eq!(after.data, before.data, "the account is unchanged");
}

#[tokio::test]
async fn enter_on_every_screen_sets_up_vp8_a_profile_and_countries() {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let mut wizard = Wizard::new(&sandbox, "KEYflow");
    // Sign in; open and submit the connection form; save codecs; open and submit the
    // profile form; save countries.
    for _ in 0..7 {
        wizard.press(KeyCode::Enter).await;
    }
    assert!(
        matches!(wizard.state.step, Step::Finish(_)),
        "{}",
        wizard.screen()
    );
    let api = client(&sandbox);
    let connections = api
        .list_credential_connections(PageRequest::default(), None)
        .await
        .unwrap()
        .data;
    let profiles = api
        .list_outbound_voice_profiles(PageRequest::default(), None)
        .await
        .unwrap()
        .data;
    assert_eq!((connections.len(), profiles.len()), (1, 1));
    assert!(connections[0].inbound.codecs.iter().any(|c| c == "VP8"));
    assert_eq!(
        connections[0].outbound.outbound_voice_profile_id.as_deref(),
        Some(profiles[0].id.as_str())
    );
    assert_eq!(profiles[0].whitelisted_destinations, ["CA", "US"]);
    // Nothing else was written: one create each, two connection updates, one profile update.
    let writes: Vec<String> = sandbox
        .journal()
        .iter()
        .filter(|e| e.method != "GET")
        .map(|e| {
            format!(
                "{} {}",
                e.method,
                e.path.split('/').nth(1).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        writes,
        [
            "POST credential_connections",
            "PATCH credential_connections",
            "POST outbound_voice_profiles",
            "PATCH credential_connections",
            "PATCH outbound_voice_profiles"
        ]
    );
}
