//! The equivalent curl (`c`): the panel's behaviour in update(), its snapshots, and
//! the two promises behind it: the calls [`curl::calls_of`] names for a request are
//! the ones the worker sends (no drift), and the rendered commands, run by a shell,
//! send requests that keep the OpenAPI contract.

use crate::support::contract::Contract;
use crate::support::state::*;
use crate::support::{client, new_connection};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::process::Command;
use telnyx_setup::api::{
    self, Call, CredentialConnectionUpdate, InboundUpdate, NewNumberOrder, NewOutboundVoiceProfile,
    NewTelephonyCredential, NumberSearch, OrderedNumberRequest, OutboundVoiceProfileUpdate,
};
use telnyx_setup::clipboard::CopyMethod;
use telnyx_setup::curl;
use telnyx_setup::msg::{Cmd, Msg, Request};
use telnyx_setup::sandbox::{Exchange, Sandbox, Seed};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::State;

fn render(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| telnyx_setup::ui::view(state, frame)).unwrap();
    terminal
}

/// The connection form submitted with its defaults and refused: Esc closes the form,
/// so `c` is a key again, and the panel shows the create that failed.
/// The connection named on step 2 is made on step 4, on the profile chosen: Telnyx
/// refuses it there.
fn after_a_refused_create() -> State {
    let mut state = at_profiles();
    press(&mut state, KeyCode::Down);
    press(&mut state, KeyCode::Enter);
    fail(&mut state, api::ApiError::Invalid { status: 422, errors: vec![].into() });
    state
}

fn panel_text(state: &State) -> String {
    state.curl.as_ref().expect("the panel is open").text()
}

#[test]
fn c_shows_what_enter_sends_and_what_was_sent() {
    // The codecs of an existing connection: a new one's go in its create, on step 4.
    let mut state = at_existing_codecs(&["G722", "G711U"]);
    press(&mut state, KeyCode::End);
    press(&mut state, KeyCode::Char(' '));
    press(&mut state, KeyCode::Char('c'));
    let text = panel_text(&state);
    assert!(text.contains("# Enter sends:"), "{text}");
    assert!(
        text.contains(&format!(
            "-X PATCH 'http://127.0.0.1:4010/v2/credential_connections/{EXISTING_CONNECTION}'"
        )) || text.contains("-X PATCH"),
        "{text}"
    );
    assert!(text.contains("\"codecs\": ["), "the body pretty-printed: {text}");
    assert!(text.contains("Bearer $TELNYX_API_KEY"));
    assert!(!text.contains("KEYtest"), "never the key: {text}");
    // Esc closes it and changes nothing else.
    press(&mut state, KeyCode::Esc);
    assert!(state.curl.is_none());
    assert!(
        matches!(state.step, telnyx_setup::state::Step::Codecs(_)),
        "Esc closed the panel, not the screen"
    );
}

#[test]
fn passwords_are_hidden_until_revealed_and_y_copies_what_is_shown() {
    let mut state = after_a_refused_create();
    press(&mut state, KeyCode::Char('c'));
    let hidden = panel_text(&state);
    assert!(hidden.contains("# Last sent by this screen:"), "{hidden}");
    assert!(hidden.contains("-X POST"), "{hidden}");
    assert!(hidden.contains(r#""password": "'"${SIP_PASSWORD}"'""#), "{hidden}");
    let cmds = press(&mut state, KeyCode::Char('y'));
    let [Cmd::Copy(copied)] = cmds.as_slice() else { panic!("{cmds:?}") };
    assert_eq!(copied.expose(), hidden);
    state.update(Msg::Copied(Ok(CopyMethod::Osc52)));
    assert!(state.curl.as_ref().unwrap().copied.is_some(), "the panel says where the copy went");
    press(&mut state, KeyCode::Char('r'));
    let revealed = panel_text(&state);
    assert!(!revealed.contains("${SIP_PASSWORD}"), "{revealed}");
    assert_ne!(revealed, hidden);
}

#[test]
fn in_a_text_field_c_types() {
    let mut state = at_connections();
    press(&mut state, KeyCode::Char('n'));
    assert!(state.typing());
    press(&mut state, KeyCode::Char('c'));
    assert!(state.curl.is_none(), "c typed into the field");
}

#[test]
fn the_inspector_shows_the_get_behind_its_list() {
    let mut state = inspector();
    press(&mut state, KeyCode::Char('c'));
    let text = panel_text(&state);
    assert!(
        text.contains(
            "curl -sS -g --fail-with-body 'http://127.0.0.1:4010/v2/credential_connections?page[number]=1"
        ),
        "{text}"
    );
    assert!(!text.contains("-X "), "reads only: {text}");
}

#[test]
fn snapshots_of_the_panel() {
    // VP8 proposed on a connection without it: a change.
    let mut codecs = at_existing_codecs(&["G722", "G711U"]);
    press(&mut codecs, KeyCode::Char('c'));
    insta::assert_snapshot!("curl_codecs", render(&codecs, 80, 24).backend());
    let mut created = after_a_refused_create();
    press(&mut created, KeyCode::Char('c'));
    insta::assert_snapshot!("curl_refused_create", render(&created, 80, 24).backend());
    press(&mut created, KeyCode::Down);
    press(&mut created, KeyCode::Down);
    insta::assert_snapshot!("curl_refused_create_scrolled", render(&created, 80, 24).backend());
    let mut inspected = inspector();
    press(&mut inspected, KeyCode::Char('c'));
    insta::assert_snapshot!("curl_inspector", render(&inspected, 80, 24).backend());
}

/// The calls of every kind of request the worker sends, on one account.
async fn every_request(api: &api::Client) -> Vec<Request> {
    let connection =
        api.create_credential_connection(&new_connection("Curl base", "curlbase01")).await.unwrap();
    let profile = api
        .create_outbound_voice_profile(&NewOutboundVoiceProfile::named("Curl base profile"))
        .await
        .unwrap();
    let credential = api
        .create_telephony_credential(&NewTelephonyCredential {
            connection_id: connection.id.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    let search = NumberSearch { country_code: "US".into(), limit: 2, ..Default::default() };
    let offered = api.search_available_numbers(&search).await.unwrap();
    let codecs = CredentialConnectionUpdate {
        inbound: Some(InboundUpdate { codecs: vec!["OPUS".into(), "VP8".into()] }),
        outbound: None,
    };
    vec![
        Request::SignIn { key: Secret::from("KEYcurl") },
        Request::ListConnections,
        Request::CreateConnection { body: new_connection("Curl made", "curlmade01"), first_try: false },
        Request::UpdateConnection { id: connection.id.clone(), update: codecs },
        Request::ListProfiles,
        Request::CreateProfile {
            body: NewOutboundVoiceProfile::named("Curl made profile"),
            known: Some(vec![]),
            // A first try: the worker skips the look, and so does the curl.
            first_try: true,
        },
        Request::UpdateProfile {
            id: profile.id.clone(),
            update: OutboundVoiceProfileUpdate {
                name: profile.name.clone(),
                whitelisted_destinations: vec!["US".into(), "IE".into()],
            },
        },
        Request::SearchNumbers(search),
        Request::PlaceOrder {
            body: NewNumberOrder {
                phone_numbers: vec![OrderedNumberRequest { phone_number: offered[0].phone_number.clone() }],
                connection_id: Some(connection.id.clone()),
                customer_reference: Some("curl-test-order".into()),
            },
            first_try: false,
        },
        Request::ListCredentials { connection_id: connection.id.clone() },
        Request::CreateCredential {
            body: NewTelephonyCredential {
                connection_id: connection.id.clone(),
                name: Some("Curl made credential".into()),
                tag: Some("telnyx-setup".into()),
                expires_at: None,
            },
            known: Some(vec![credential.id.clone()]),
            first_try: false,
        },
        Request::CreateToken { credential_id: credential.id.clone() },
        Request::Browse { collection: "phone_numbers", page: 1, size: 20, filters: vec![] },
        Request::Fetch { collection: "outbound_voice_profiles", id: profile.id.clone() },
        Request::ReadBalance,
    ]
}

/// What one call or exchange sent: method, path, query pairs and JSON body.
type Sent = (String, String, Vec<(String, String)>, Option<serde_json::Value>);

fn sent_by_call(call: &Call) -> Sent {
    let query = call.query.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    (call.method.as_str().to_owned(), call.path_text(), query, call.body.clone())
}

fn sent_by_exchange(exchange: &Exchange) -> Sent {
    let query = exchange
        .query
        .as_deref()
        .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let body =
        (!exchange.request_body.is_empty()).then(|| serde_json::from_slice(&exchange.request_body).unwrap());
    (exchange.method.clone(), exchange.path.clone(), query, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_calls_named_are_the_calls_the_worker_sends() {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let api = client(&sandbox.base_url(), "KEYcurl");
    for request in every_request(&api).await {
        let before = sandbox.journal().len();
        let named: Vec<Sent> = curl::calls_of(&request).iter().map(sent_by_call).collect();
        telnyx_setup::worker::execute(&api, request.clone())
            .await
            .unwrap_or_else(|e| panic!("{request:?}: {e}"));
        let sent: Vec<Sent> = sandbox.journal()[before..].iter().map(sent_by_exchange).collect();
        // In order, each named call among those sent (the worker may send more: the
        // doctor's reads, a look repeated after an unknown outcome).
        let mut rest = sent.iter();
        for call in &named {
            assert!(rest.any(|s| s == call), "{request:?}: {call:?} was not sent; sent: {sent:#?}");
        }
    }
    Contract::load().check_all(&sandbox.journal()).assert_clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_curl_commands_run_and_keep_the_contract() {
    let sandbox = Sandbox::start_local(&Seed::empty()).await.unwrap();
    let api = client(&sandbox.base_url(), "KEYcurl");
    let requests = every_request(&api).await;
    let before = sandbox.journal().len();
    for command in curl::render_all(&sandbox.base_url(), &requests, true) {
        let base = sandbox.base_url();
        let output = tokio::task::spawn_blocking(move || {
            Command::new("sh").arg("-c").arg(&command).env("TELNYX_API_KEY", "KEYcurl").output().unwrap()
        })
        .await
        .unwrap();
        assert!(
            output.status.success(),
            "against {base}: {}\n{}",
            String::from_utf8_lossy(&output.stderr),
            String::from_utf8_lossy(&output.stdout)
        );
    }
    let journal = sandbox.journal();
    let ran = &journal[before..];
    assert_eq!(ran.len(), requests.iter().map(|r| curl::calls_of(r).len()).sum::<usize>());
    assert!(ran.iter().all(|e| (200..300).contains(&e.status)), "{ran:#?}");
    Contract::load().check_all(ran).assert_clean();
}

/// The real binary in a terminal: `c` on the connections list shows the GET that
/// loaded it; on the codecs screen, after a toggle, the PATCH Enter sends; Esc closes
/// it each time and the screen is as it was.
#[cfg(unix)]
#[test]
fn the_panel_opens_on_two_screens_in_a_terminal() {
    use crate::support::pty::{DOWN, ENTER, Pty, SPACE};
    const ESC: &str = "\x1b";
    let mut app = Pty::spawn("curl-panel", &["--demo"], 100, 40);
    app.wait_idle_with(&["Step 1 of 8: Sign in"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Office softphones"]);
    app.send("c");
    app.wait_idle_with(&[
        "The equivalent curl",
        "# Last sent by this screen:",
        "/v2/credential_connections?page[number]=1&page[size]=250'",
        "Esc close",
    ]);
    app.send(ESC);
    app.wait_for("the panel closed", |screen| {
        let text = screen.contents();
        !text.contains("The equivalent curl") && text.contains("Office softphones")
    });
    app.send(DOWN);
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8: Codecs"]);
    app.send(SPACE);
    app.send("c");
    let shown = app.wait_idle_with(&["# Enter sends:", "-X PATCH", "\"codecs\": ["]);
    assert!(!shown.contains("KEY_DEMO_SANDBOX"), "never the key:\n{shown}");
    app.send(ESC);
    app.wait_for("the panel closed", |screen| !screen.contents().contains("The equivalent curl"));
    app.send("q");
    app.expect_restored();
}
