//! The wizard's state machine and the real worker against the sandbox, with the
//! screen rendered as the loop would: refused input shows Telnyx's message and
//! changes nothing in the account.

use crate::support;
use crate::support::state::{state_with, type_text};
use crate::support::{api_base, client};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;
use telnyx_setup::api::{
    self, ApiError, Client, NewNumberOrder, NumberSearch, OrderedNumberRequest, PageRequest,
    PhoneNumberFilter, TelephonyCredentialFilter,
};
use telnyx_setup::app::{Effects, Flow, dispatch};
use telnyx_setup::clipboard::{CopyMethod, Recording};
use telnyx_setup::msg::{Msg, Reply, Request};
use telnyx_setup::sandbox::{FaultPlan, Sandbox, Seed};
use telnyx_setup::state::{KeySource, State, Step};
use telnyx_setup::worker::{self, execute};

/// The key the tests read the account back with, through the API client.
const CHECK_KEY: &str = "KEYcheck";

struct Wizard {
    state: State,
    effects: Effects,
}

impl Wizard {
    fn new(sandbox: &Sandbox, key: &str) -> Self {
        let base = api_base(&sandbox.base_url());
        let clipboard = Box::new(Recording::answering(Ok(CopyMethod::Osc52)));
        Self {
            state: state_with(Some(key), KeySource::Flag),
            effects: Effects { worker: worker::spawn(base, api::http_client()), clipboard },
        }
    }

    /// Presses a key, then feeds the worker's answers back until nothing is in flight.
    async fn press(&mut self, code: KeyCode) {
        let key = Msg::Key(KeyEvent::new(code, KeyModifiers::NONE));
        if dispatch(&mut self.state, &mut self.effects, key) == Flow::Quit {
            return;
        }
        while self.state.busy() {
            let reply = tokio::time::timeout(Duration::from_secs(10), self.effects.worker.replies.recv())
                .await
                .expect("the worker answers within 10s")
                .expect("the worker is alive");
            dispatch(&mut self.state, &mut self.effects, reply);
        }
    }

    fn screen(&self) -> String {
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal.draw(|frame| telnyx_setup::ui::view(&self.state, frame)).unwrap();
        terminal.backend().to_string()
    }
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
    // The key's check, and steps 2 and 4's lists sent with it: all refused, nothing after.
    let mut seen: Vec<_> =
        sandbox.journal().iter().map(|e| (e.method.clone(), e.path.clone(), e.status)).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("GET".into(), "/balance".into(), 401),
            ("GET".into(), "/credential_connections".into(), 401),
            ("GET".into(), "/outbound_voice_profiles".into(), 401)
        ]
    );
}

/// A SIP user name Telnyx refuses: the form on step 2 sends nothing (the connection is
/// made with it on step 4, on the profile chosen), so the 422 is met there, shown with
/// Telnyx's detail, and nothing is created.
#[tokio::test]
async fn a_422_shows_telnyx_detail_and_creates_nothing() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let api = client(&sandbox.base_url(), CHECK_KEY);
    let before = api.list_credential_connections(PageRequest::default(), None).await.unwrap();
    let profiles = api.list_outbound_voice_profiles(PageRequest::default(), None).await.unwrap();
    let taken = before.data[0].user_name.clone();

    let mut wizard = Wizard::new(&sandbox, "KEYflow");
    wizard.press(KeyCode::Enter).await; // sign in, list connections
    wizard.press(KeyCode::Enter).await; // open the create form
    wizard.press(KeyCode::Tab).await; // to the user name
    for _ in 0..40 {
        wizard.press(KeyCode::Backspace).await;
    }
    type_text(&mut wizard.state, &taken);
    wizard.press(KeyCode::Enter).await; // the connection named: nothing sent
    assert!(matches!(wizard.state.step, Step::Codecs(_)), "{}", wizard.screen());
    assert!(sandbox.journal().iter().all(|e| e.method == "GET"), "step 2 and 3 send nothing");
    wizard.press(KeyCode::Enter).await; // the codecs, set as the connection is made
    wizard.press(KeyCode::Down).await; // the first existing profile
    wizard.press(KeyCode::Enter).await; // make the connection on it

    let screen = wizard.screen();
    assert!(screen.contains("user_name has already been taken"), "{screen}");
    assert!(screen.contains("10015"), "{screen}");
    assert!(matches!(wizard.state.step, Step::Profile(_)), "it stays on step 4: {screen}");
    let last = sandbox.journal().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.as_str(), last.status),
        ("POST", "/credential_connections", 422)
    );
    let writes = sandbox.journal().iter().filter(|e| e.method != "GET").count();
    assert_eq!(writes, 1, "only the refused create was sent");
    let after = api.list_credential_connections(PageRequest::default(), None).await.unwrap();
    assert_eq!(after.data, before.data, "the account is unchanged");
    let profiles_after = api.list_outbound_voice_profiles(PageRequest::default(), None).await.unwrap();
    assert_eq!(profiles_after.data, profiles.data);
}

#[tokio::test]
async fn enter_space_and_y_complete_the_whole_wizard() {
    let seed = Seed { order_settles_after: Duration::from_millis(300), ..Seed::empty() };
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let mut wizard = Wizard::new(&sandbox, "KEYflow");
    let clipboard = Recording::answering(Ok(CopyMethod::Osc52));
    wizard.effects.clipboard = Box::new(clipboard.clone());
    // Steps 1-5: sign in; open and submit the connection form (it sends nothing); the
    // codecs (nothing sent either); open and submit the profile form; countries: the
    // profile is made with them, then the connection on it.
    for _ in 0..7 {
        wizard.press(KeyCode::Enter).await;
    }
    assert!(matches!(wizard.state.step, Step::Numbers(_)), "{}", wizard.screen());
    // Step 6: open the search, search, add the highlighted number, open the cart,
    // review, buy.
    for _ in 0..5 {
        wizard.press(KeyCode::Enter).await;
    }
    assert!(wizard.screen().contains("[y/N]"), "{}", wizard.screen());
    wizard.press(KeyCode::Char('y')).await;
    assert!(wizard.screen().contains("bought and assigned"), "{}", wizard.screen());
    // Step 7: continue, open the form, create; step 8: continue, generate, copy.
    for _ in 0..5 {
        wizard.press(KeyCode::Enter).await;
    }
    assert!(wizard.screen().contains("Expires"), "{}", wizard.screen());
    wizard.press(KeyCode::Char('y')).await;
    wizard.press(KeyCode::Enter).await;
    assert!(matches!(wizard.state.step, Step::Finish(_)), "{}", wizard.screen());

    let api = client(&sandbox.base_url(), CHECK_KEY);
    let connections = api.list_credential_connections(PageRequest::default(), None).await.unwrap().data;
    let profiles = api.list_outbound_voice_profiles(PageRequest::default(), None).await.unwrap().data;
    assert_eq!((connections.len(), profiles.len()), (1, 1));
    let connection = &connections[0];
    assert!(connection.inbound.codecs.iter().any(|c| c == "VP8"));
    assert_eq!(connection.outbound.outbound_voice_profile_id.as_deref(), Some(profiles[0].id.as_str()));
    assert_eq!(profiles[0].whitelisted_destinations, ["US", "CA"], "the profile's order is kept");
    let orders = api.list_number_orders(PageRequest::default(), None).await.unwrap().data;
    assert_eq!(orders.len(), 1, "exactly one order");
    let numbers =
        api.list_phone_numbers(PageRequest::default(), &PhoneNumberFilter::default()).await.unwrap().data;
    assert_eq!(numbers.len(), 1);
    assert_eq!(numbers[0].connection_id.as_deref(), Some(connection.id.as_str()));
    assert_eq!(numbers[0].status, "active");
    let filter =
        TelephonyCredentialFilter { resource_id: Some(format!("connection:{}", connection.id)), tag: None };
    let credentials = api.list_telephony_credentials(PageRequest::default(), &filter).await.unwrap().data;
    assert_eq!(credentials.len(), 1);
    let copies = clipboard.copies();
    assert_eq!(copies.len(), 1, "the token was copied once");
    assert_eq!(copies[0].split('.').count(), 3, "a JWT has three parts");
    let Some(token) = &wizard.state.ctx.setup.token else { panic!("no token") };
    assert_eq!(token.jwt.expose(), copies[0]);
    let lifetime = token.expires_at.unwrap() - support::state::now_unix_secs_real();
    assert!((24 * 3600 - 120..=24 * 3600 + 5).contains(&lifetime), "expires in {lifetime}s");
    let writes: Vec<String> = sandbox
        .journal()
        .iter()
        .filter(|e| e.method != "GET")
        .map(|e| format!("{} {}", e.method, e.path.split('/').nth(1).unwrap_or_default()))
        .collect();
    assert_eq!(
        writes,
        [
            // The profile first, then the connection made on it with its codecs (VP8
            // on): no PATCH for either.
            "POST outbound_voice_profiles",
            "POST credential_connections",
            "POST number_orders",
            "POST telephony_credentials",
            "POST telephony_credentials",
        ],
        "one create of each, and only the updates the screens ask for"
    );
}

/// The order a search offered, placed through the worker the way the wizard does.
async fn offered_order(api: &Client, connection_id: &str) -> NewNumberOrder {
    let search = NumberSearch { country_code: "US".into(), limit: 1, ..Default::default() };
    let offered = api.search_available_numbers(&search).await.unwrap();
    NewNumberOrder {
        phone_numbers: vec![OrderedNumberRequest { phone_number: offered[0].phone_number.clone() }],
        connection_id: Some(connection_id.to_owned()),
        customer_reference: Some("telnyx-setup-test-cart".into()),
    }
}

#[tokio::test]
async fn an_order_whose_answer_was_lost_is_found_not_bought_again() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let api = client(&sandbox.base_url(), CHECK_KEY);
    let connection =
        api.list_credential_connections(PageRequest::default(), None).await.unwrap().data.remove(0);
    let body = offered_order(&api, &connection.id).await;
    // The first attempt reached Telnyx, but its answer never came back (a timeout).
    let placed = api.create_number_order(&body).await.unwrap();
    // The retry looks the order up by its reference instead of buying again.
    let retry = execute(&api, Request::PlaceOrder { body: body.clone(), first_try: false }).await.unwrap();
    let Reply::OrderPlaced { order, existing } = retry else { panic!("{retry:?}") };
    assert!(existing);
    assert_eq!(order.id, placed.id);
    let orders = api.list_number_orders(PageRequest::default(), None).await.unwrap();
    assert_eq!(orders.data.len(), 1, "exactly one order");
    let posts = sandbox.journal().iter().filter(|e| e.method == "POST" && e.path == "/number_orders").count();
    assert_eq!(posts, 1);
}

#[tokio::test]
async fn a_refused_order_carries_telnyx_detail_and_buys_nothing() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let api = client(&sandbox.base_url(), CHECK_KEY);
    let body = NewNumberOrder {
        phone_numbers: vec![OrderedNumberRequest { phone_number: "+13125550000".into() }],
        connection_id: None,
        customer_reference: Some("telnyx-setup-never-offered".into()),
    };
    let error = execute(&api, Request::PlaceOrder { body, first_try: false }).await.unwrap_err();
    let ApiError::Invalid { status: 422, errors } = &error else { panic!("{error:?}") };
    assert_eq!(errors[0].field().as_deref(), Some("phone_numbers.0.phone_number"));
    assert!(error.to_string().contains("search for available numbers first"), "{error}");
    assert!(api.list_number_orders(PageRequest::default(), None).await.unwrap().data.is_empty());
    assert_eq!(api.balance().await.unwrap().balance, "250.00", "nothing was charged");
}

/// The next message from the worker, with a deadline.
async fn next_reply(wizard: &mut Wizard) -> Msg {
    crate::support::next_answer(&mut wizard.effects.worker.replies).await
}

#[tokio::test]
async fn a_retry_is_shown_on_screen_while_it_waits() {
    let faults = FaultPlan::parse(["GET /credential_connections=503:1"]).unwrap();
    let sandbox = Sandbox::start_local(&Seed { faults, ..Seed::empty() }).await.unwrap();
    let mut wizard = Wizard::new(&sandbox, "KEYflow");
    let enter = Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    dispatch(&mut wizard.state, &mut wizard.effects, enter);
    // The key's check and the profiles sent ahead may answer in either order around
    // the retry: every message is handled until the retry's notice.
    loop {
        let msg = next_reply(&mut wizard).await;
        let retrying = matches!(msg, Msg::Retrying { .. });
        dispatch(&mut wizard.state, &mut wizard.effects, msg);
        if retrying {
            break;
        }
    }
    let screen = wizard.screen();
    assert!(screen.contains("Loading your credential connections… retrying (2/4): HTTP 503"), "{screen}");
    while wizard.state.busy() {
        let msg = next_reply(&mut wizard).await;
        dispatch(&mut wizard.state, &mut wizard.effects, msg);
    }
    let screen = wizard.screen();
    assert!(!screen.contains("retrying"), "{screen}");
    assert!(screen.contains("Create a new credential connection"), "{screen}");
}

#[tokio::test]
async fn a_key_refused_after_sign_in_leads_back_to_sign_in() {
    let faults = FaultPlan::parse(["GET /credential_connections=401"]).unwrap();
    let sandbox = Sandbox::start_local(&Seed { faults, ..Seed::empty() }).await.unwrap();
    let mut wizard = Wizard::new(&sandbox, "KEYflow");
    wizard.press(KeyCode::Enter).await;
    let screen = wizard.screen();
    assert!(matches!(wizard.state.step, Step::SignIn(_)), "{screen}");
    assert!(screen.contains("Telnyx rejected the API key"), "{screen}");
    assert!(screen.contains("sign in again"), "{screen}");
    let lists = sandbox.journal().iter().filter(|e| e.path == "/credential_connections").count();
    assert_eq!(lists, 1, "a refused key is not retried");
}

/// The key may not create connections: the 403 is met on step 4, where the connection
/// named on step 2 is made on the profile chosen.
#[tokio::test]
async fn a_forbidden_action_shows_telnyx_title_and_detail() {
    let faults = FaultPlan::parse(["POST /credential_connections=403"]).unwrap();
    let sandbox = Sandbox::start_local(&Seed { faults, ..Seed::empty() }).await.unwrap();
    let api = client(&sandbox.base_url(), CHECK_KEY);
    let body = api::NewOutboundVoiceProfile::with_countries("Desk outbound", vec!["US".into()]);
    api.create_outbound_voice_profile(&body).await.unwrap();
    let mut wizard = Wizard::new(&sandbox, "KEYflow");
    wizard.press(KeyCode::Enter).await; // sign in
    wizard.press(KeyCode::Enter).await; // the create form
    wizard.press(KeyCode::Enter).await; // the connection named
    wizard.press(KeyCode::Enter).await; // the codecs
    let Step::Profile(step) = &wizard.state.step else { panic!("{}", wizard.screen()) };
    if step.list.cursor == 0 {
        wizard.press(KeyCode::Down).await; // the profile
    }
    wizard.press(KeyCode::Enter).await; // create the connection on it
    let screen = wizard.screen();
    assert!(screen.contains("This API key is not allowed to do that"), "{screen}");
    assert!(matches!(wizard.state.step, Step::Profile(_)), "{screen}");
    let posts: Vec<_> = sandbox.journal().into_iter().filter(|e| e.method == "POST").collect();
    // The profile made through the client, then the one create, refused.
    assert_eq!(posts.len(), 2, "a 403 is not retried: {posts:?}");
    assert_eq!((posts[1].path.as_str(), posts[1].status), ("/credential_connections", 403));
}

/// The requests of the default path (Enter everywhere, `y` to buy) on an empty account,
/// method and path, in order.
async fn default_path_requests(seed: Seed) -> Vec<String> {
    let sandbox = Sandbox::start_local(&seed).await.unwrap();
    let mut wizard = Wizard::new(&sandbox, "KEYcount");
    for _ in 0..40 {
        if matches!(wizard.state.step, Step::Finish(_)) {
            break;
        }
        let buy = matches!(&wizard.state.step, Step::Numbers(n) if n.screen == telnyx_setup::state::NumbersScreen::Confirm);
        wizard.press(if buy { KeyCode::Char('y') } else { KeyCode::Enter }).await;
    }
    assert!(matches!(wizard.state.step, Step::Finish(_)), "{}", wizard.screen());
    sandbox.journal().iter().map(|e| format!("{} {}", e.method, e.path)).collect()
}

#[tokio::test]
async fn the_default_path_sends_at_most_14_requests() {
    let requests = default_path_requests(Seed::empty()).await;
    assert!(requests.len() <= 14, "{} requests: {requests:#?}", requests.len());
    // The new connection is made on its profile with its codecs: no attach, no PATCH
    // (13 requests since; 14 with the attach).
    assert!(!requests.iter().any(|r| r.starts_with("PATCH")), "{requests:#?}");
}
