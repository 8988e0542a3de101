//! Issue 20: the questions name the numbers on an existing connection. The numbers are
//! read ahead when the connection is chosen (step 2), so the codecs (step 3) and attach
//! (step 4) questions, and their Enter lines, say what else a change affects, as
//! `setup --dry-run` does; Enter on a change that asks waits for that read if it is
//! still on its way; step 6 takes it instead of reading again while it is fresh.
//! update() with replies by hand, then the real binary in a PTY.

use crate::support::pty::{DOWN, ENTER, Pty, SPACE, start_sandbox};

const UP: &str = "\x1b[A";
use crate::support::state::*;
use crate::support::{attach_profile, buy_us_number, client, new_connection};
use crossterm::event::KeyCode;
use std::time::Duration;
use telnyx_setup::api::NewOutboundVoiceProfile;
use telnyx_setup::msg::{Cmd, Msg, Reply, Request};
use telnyx_setup::sandbox::Seed;
use telnyx_setup::state::{PREFETCH_FRESH, State, Step};

const NUMBER: &str = "+13125550100";
const AFFECTS: &str = "Also affects the number +13125550100 on the connection.";

/// The op of the read of the numbers on `connection_id` among `cmds`.
fn numbers_read(cmds: &[Cmd], connection_id: &str) -> u64 {
    cmds.iter()
        .find_map(|cmd| match cmd {
            Cmd::Call { op, request: Request::ListConnectionNumbers { connection_id: id } }
                if id == connection_id =>
            {
                Some(*op)
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no read of the numbers on {connection_id}: {cmds:?}"))
}

/// The existing connection "Office softphones" (on "Office outbound", not made by
/// telnyx-setup) chosen on step 2, and the read of its numbers ahead answered with one
/// number. On the codecs.
fn chosen_with_a_number() -> State {
    let mut state = at_connections();
    press(&mut state, KeyCode::Down);
    let cmds = press(&mut state, KeyCode::Enter);
    let op = numbers_read(&cmds, EXISTING_CONNECTION);
    assert!(matches!(state.step, Step::Codecs(_)) && !state.busy(), "the codecs do not wait for it");
    state.update(Msg::Done { op, outcome: Ok(Reply::ConnectionNumbers(vec![owned(NUMBER)])) });
    state
}

/// On step 4: its list read ("Office outbound", the connection's, and "Lobby
/// outbound"), with "Lobby outbound" highlighted, so Enter moves the connection.
fn highlight_another_profile(state: &mut State) {
    let profiles = vec![
        profile(EXISTING_PROFILE, "Office outbound", &["US"]),
        profile("1293384261075731409", "Lobby outbound", &["US", "CA"]),
    ];
    reply(state, Reply::ProfilesListed(page(profiles)));
    let Step::Profile(step) = &state.step else { panic!("{:?}", state.step) };
    let other = step.list.items.iter().flatten().position(|p| p.name == "Lobby outbound").unwrap() + 1;
    while let Step::Profile(step) = &state.step
        && step.list.cursor != other
    {
        let key = if step.list.cursor < other { KeyCode::Down } else { KeyCode::Up };
        press(state, key);
    }
}

#[test]
fn the_codecs_and_the_move_questions_name_the_number_on_the_connection() {
    let mut state = chosen_with_a_number();
    // A codec off: the Enter line, then the question, name the number.
    press(&mut state, KeyCode::Char(' '));
    let screen = screen_text(&state, 160, 30);
    assert!(screen.contains("also affects the number +13125550100 on the connection"), "{screen}");
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "a change of the user's connection asks first");
    let screen = screen_text(&state, 120, 30);
    assert!(screen.contains("Change this connection's codecs?") && screen.contains(AFFECTS), "{screen}");
    let cmds = press(&mut state, KeyCode::Char('y'));
    assert!(matches!(only_call(&cmds), Request::UpdateConnection { .. }), "{cmds:?}");
    let saved = connection(EXISTING_CONNECTION, "Office softphones", &["G711U"], Some(EXISTING_PROFILE));
    reply(&mut state, Reply::ConnectionUpdated(saved));

    // The profile: a move to another one names it too.
    let Step::Profile(_) = &state.step else { panic!("{:?}", state.step) };
    highlight_another_profile(&mut state);
    let screen = screen_text(&state, 220, 30);
    assert!(screen.contains("also affects the number +13125550100 on the connection"), "{screen}");
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "a move asks first");
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains("Move the connection to another profile?") && screen.contains(AFFECTS),
        "{screen}"
    );
}

/// Enter on a change that asks, before the numbers read ahead has come, waits for it
/// (the question names them), then asks; Esc instead stops the wait, and the question
/// waits for nothing, while step 6 reads the numbers again.
#[test]
fn a_question_waits_for_the_numbers_read_ahead() {
    // The codecs.
    let mut state = at_connections();
    press(&mut state, KeyCode::Down);
    let op = numbers_read(&press(&mut state, KeyCode::Enter), EXISTING_CONNECTION);
    press(&mut state, KeyCode::Char(' '));
    assert!(press(&mut state, KeyCode::Enter).is_empty(), "nothing sent: the read is on its way");
    assert_eq!(pending_op(&state), op, "the screen waits for the read ahead");
    assert!(screen_text(&state, 120, 30).contains("Reading the numbers on the connection"));
    state.update(Msg::Done { op, outcome: Ok(Reply::ConnectionNumbers(vec![owned(NUMBER)])) });
    let screen = screen_text(&state, 120, 30);
    assert!(!state.busy() && screen.contains("Change this connection's codecs?"), "{screen}");
    assert!(screen.contains(AFFECTS), "{screen}");
    // `n`: nothing changed; the codecs as they were, and on to the profile.
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Char(' '));
    untick_vp8(&mut state);
    press(&mut state, KeyCode::Enter);
    let profiles = vec![
        profile(EXISTING_PROFILE, "Office outbound", &["US"]),
        profile("1293384261075731409", "Lobby outbound", &["US", "CA"]),
    ];
    reply(&mut state, Reply::ProfilesListed(page(profiles)));
    assert!(matches!(state.step, Step::Profile(_)), "{:?}", state.step);

    // The move, on a connection chosen again: its read ahead is on its way again.
    let mut state = at_connections();
    press(&mut state, KeyCode::Down);
    let op = numbers_read(&press(&mut state, KeyCode::Enter), EXISTING_CONNECTION);
    untick_vp8(&mut state);
    press(&mut state, KeyCode::Enter); // the codecs as they are
    highlight_another_profile(&mut state);
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert_eq!(pending_op(&state), op, "the move's question waits for the read ahead");
    // Esc stops waiting (the read is cancelled); Enter then asks without it.
    let cmds = press(&mut state, KeyCode::Esc);
    assert!(cmds.contains(&Cmd::Cancel(op)), "{cmds:?}");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let screen = screen_text(&state, 120, 30);
    assert!(
        screen.contains("Move the connection to another profile?") && !screen.contains(AFFECTS),
        "{screen}"
    );
    // Declined; the profile it has, its countries: step 6 reads the numbers again.
    press(&mut state, KeyCode::Char('n'));
    press(&mut state, KeyCode::Up);
    press(&mut state, KeyCode::Enter);
    assert!(matches!(state.step, Step::Countries(_)), "{:?}", state.step);
    let cmds = press(&mut state, KeyCode::Enter);
    assert_eq!(numbers_read(&cmds, EXISTING_CONNECTION), pending_op(&state), "read again, as its own");
}

/// Step 6 takes the read sent when the connection was chosen while it is fresh (no
/// second read); one older than [`PREFETCH_FRESH`] is read again.
#[test]
fn the_numbers_step_takes_the_read_ahead_while_it_is_fresh() {
    for late in [false, true] {
        let mut state = chosen_with_a_number();
        if late {
            state.update(Msg::Now(now() + PREFETCH_FRESH + Duration::from_secs(1)));
        }
        untick_vp8(&mut state);
        press(&mut state, KeyCode::Enter); // the codecs as they are
        let profiles = vec![profile(EXISTING_PROFILE, "Office outbound", &["US"])];
        reply(&mut state, Reply::ProfilesListed(page(profiles)));
        press(&mut state, KeyCode::Enter); // the profile it has
        assert!(matches!(state.step, Step::Countries(_)), "{:?}", state.step);
        let cmds = press(&mut state, KeyCode::Enter); // its countries
        let Step::Numbers(step) = &state.step else { panic!("{:?}", state.step) };
        let reads: Vec<_> =
            sent(&cmds).into_iter().filter(|r| matches!(r, Request::ListConnectionNumbers { .. })).collect();
        if late {
            assert_eq!(reads.len(), 1, "an old read is made again: {cmds:?}");
            assert!(step.activity.busy());
        } else {
            assert!(reads.is_empty(), "the read ahead is taken: {cmds:?}");
            assert_eq!(step.existing.as_deref(), Some(&[owned(NUMBER)][..]), "its answer, at once");
            let screen = screen_text(&state, 120, 30);
            assert!(screen.contains("Enter continue"), "the numbers it has: {screen}");
        }
    }
}

/// The real binary against the sandbox: an existing connection with a number, on a
/// profile, and another profile. The codecs question and the move question name the
/// number, as their Enter lines do.
#[test]
fn in_the_terminal_the_questions_name_the_number_on_the_connection() {
    const KEY: &str = "KEYnumbersnamed";
    let seed = Seed { order_settles_after: Duration::ZERO, ..Seed::empty() };
    let (runtime, sandbox) = start_sandbox(&seed);
    let number = runtime.block_on(async {
        let api = client(&sandbox.base_url(), KEY);
        let connection =
            api.create_credential_connection(&new_connection("Lobby", "lobby0001")).await.unwrap();
        let named =
            |name: &str| NewOutboundVoiceProfile { tags: Vec::new(), ..NewOutboundVoiceProfile::named(name) };
        let own = api.create_outbound_voice_profile(&named("Lobby outbound")).await.unwrap();
        api.create_outbound_voice_profile(&named("Zebra outbound")).await.unwrap();
        attach_profile(&api, &connection.id, &own.id).await;
        buy_us_number(&api, &connection.id).await.0
    });
    let affects = format!("the number {number} on the connection");
    let mut app =
        Pty::spawn("numbers_named", &["--api-base", &sandbox.base_url(), "--api-key", KEY], 220, 40);
    app.wait_idle_with(&["Step 1 of 8: Sign in"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Lobby"]);
    app.send(DOWN);
    app.wait_idle_with(&["▶ Lobby"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8: Codecs"]);
    app.send(SPACE);
    app.wait_idle_with(&["Enter: change codecs of “Lobby”", &format!("also affects {affects}")]);
    app.send(ENTER);
    app.wait_idle_with(&["Change this connection's codecs?", &format!("Also affects {affects}.")]);
    app.send("y");
    // The attached profile is highlighted; the other is the row below or above it.
    let screen = app.wait_idle_with(&["Step 4 of 8: Voice profile", "▶ Lobby outbound", "Zebra outbound"]);
    let row = |name: &str| screen.lines().position(|line| line.contains(name));
    app.send(if row("Zebra outbound") > row("Lobby outbound") { DOWN } else { UP });
    app.wait_idle_with(&["▶ Zebra outbound", &format!("also affects {affects}")]);
    app.send(ENTER);
    app.wait_idle_with(&["Move the connection to another profile?", &format!("Also affects {affects}.")]);
    app.send("n");
    app.wait_idle_with(&["Step 4 of 8: Voice profile", "▶ Zebra outbound"]);
    app.send("q");
    app.expect_restored();
}
