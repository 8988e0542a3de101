//! The smaller protections of issue 11, each at the level where it lives:
//!
//! - generated SIP passwords come from the OS's generator, not from the seeded stream
//!   that also makes the (public) user name: two wizards with the same seed never
//!   share a password;
//! - the inspector hides secret fields (one list, shared by its details and raw JSON
//!   views) at any depth, a port-out `external_pin` included;
//! - a negative price counts as unreadable: flagged, and not taken off the total;
//! - while the binary holds a key it is not dumpable (Linux): its /proc files belong
//!   to root, so no other process of its user can read its memory or ptrace it.

use crate::support::state::{at_results_with, available, balance, page, press, raw_page, reply};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::HashSet;
use telnyx_setup::msg::{Msg, Reply};
use telnyx_setup::secret::Secret;
use telnyx_setup::state::{FormField, KeySource, Mode, Start, State, Step};

/// A wizard as the app starts it (the secret generator is the OS's), with `seed` for
/// its public generator, on a fresh connection form: (user name, password).
fn generated_credentials(seed: u64, regenerate: bool) -> (String, String) {
    let mut state = State::new(Start {
        key: Some(Secret::from("KEYpasswords")),
        key_source: KeySource::Flag,
        seed,
        color: false,
        now: std::time::SystemTime::UNIX_EPOCH,
        utc_offset: time::UtcOffset::UTC,
        mode: Mode::Wizard,
        api: telnyx_setup::state::ApiTarget::Production,
    });
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    reply(&mut state, Reply::ConnectionsListed(page(vec![])));
    press(&mut state, KeyCode::Enter);
    if regenerate {
        state.update(Msg::Key(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::CONTROL)));
    }
    let Step::Connection(step) = &state.step else { panic!("on the connection form: {:?}", state.step) };
    let form = step.form.as_ref().expect("the create form is open");
    (form.value(FormField::UserName).to_owned(), form.field(FormField::Password).value().to_owned())
}

#[test]
fn two_runs_with_the_same_seed_never_share_a_password() {
    let mut passwords = HashSet::new();
    for seed in 0..32 {
        for regenerate in [false, true] {
            let (user, first) = generated_credentials(seed, regenerate);
            let (same_user, second) = generated_credentials(seed, regenerate);
            assert_eq!(user, same_user, "the public user name still follows the seed");
            assert_ne!(first, second, "seed {seed}: two runs made the same password");
            assert_eq!(first.chars().count(), 24);
            assert!(first.chars().all(|c| c.is_ascii_alphanumeric()), "{first}");
            for password in [first, second] {
                assert!(passwords.insert(password.clone()), "seed {seed}: {password} was made before");
            }
        }
    }
    assert_eq!(passwords.len(), 128);
}

/// A connection record from a server that nests secrets deep: a password three levels
/// down, tokens in an array, a port-out PIN.
fn record_with_deep_secrets() -> serde_json::Value {
    serde_json::json!({
        "id": "1293384261075731477",
        "record_type": "credential_connection",
        "connection_name": "Deep secrets",
        "active": true,
        "settings": {"auth": {"password": "deep-password-3", "list": [{"token": "deep-token-4"}]}},
        "port_out": {"external_pin": "918273645"},
        "sip": {"sip_password": "sip-password-2"},
        // Named any way a server may name them.
        "Password": "cased-password-5",
        "webhook": {"passwd": "passwd-6", "auth_token": "auth-token-7", "webhook_api_key": "api-key-8"},
    })
}

/// The secrets of [`record_with_deep_secrets`].
const SECRETS: &[&str] = &[
    "deep-password-3",
    "deep-token-4",
    "918273645",
    "sip-password-2",
    "cased-password-5",
    "passwd-6",
    "auth-token-7",
    "api-key-8",
];

#[test]
fn the_inspector_hides_secrets_at_any_depth_in_both_views() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let mut state = State::new(Start {
        key: Some(Secret::from("KEYinspect")),
        key_source: KeySource::Flag,
        seed: 1,
        color: false,
        now: std::time::SystemTime::UNIX_EPOCH,
        utc_offset: time::UtcOffset::UTC,
        mode: Mode::Inspector,
        api: telnyx_setup::state::ApiTarget::Production,
    });
    press(&mut state, KeyCode::Enter);
    reply(&mut state, Reply::KeyAccepted(balance()));
    reply(&mut state, Reply::Browsed(raw_page(vec![record_with_deep_secrets()], 1, 1)));
    press(&mut state, KeyCode::Enter);
    for view in ["details", "raw JSON"] {
        let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
        terminal.draw(|frame| telnyx_setup::ui::view(&state, frame)).unwrap();
        let screen = terminal.backend().to_string();
        assert!(screen.contains("Deep secrets"), "{view}: the record is on screen:\n{screen}");
        assert!(screen.contains("hidden"), "{view}: secrets are marked hidden:\n{screen}");
        for secret in SECRETS {
            assert!(!screen.contains(secret), "{view} shows {secret}:\n{screen}");
        }
        press(&mut state, KeyCode::Char('J'));
    }
    // Nor does the state's Debug output, where the records are kept.
    let debug = format!("{state:?} {state:#?}");
    assert!(debug.contains("Deep secrets"), "the record is in the state");
    for secret in SECRETS {
        assert!(!debug.contains(secret), "Debug output shows {secret}");
    }
}

#[test]
fn a_negative_price_is_flagged_and_not_taken_off_the_total() {
    let mut state = at_results_with(vec![
        available("+13125550100", "-100.00", "1.00"),
        available("+13125550101", "1.00", "-0.50"),
        available("+13125550102", "1.00", "1.00"),
    ]);
    for _ in 0..3 {
        press(&mut state, KeyCode::Char(' '));
        press(&mut state, KeyCode::Down);
    }
    let Step::Numbers(step) = &state.step else { panic!("on the numbers screen") };
    assert_eq!(step.cart.len(), 3);
    assert_eq!(step.unpriced(), 2, "both negative prices are flagged");
    assert_eq!(step.total_text(), "2.00 USD now, 2.00 USD a month");
}

/// The binary, holding a key and waiting for an API that never answers, is not
/// dumpable: the files in its /proc directory belong to root, not to its user. Run as
/// another user (65534) when the tests run as root, so the two can be told apart; that
/// user runs a copy in a directory it can enter, since the build's own may be under a
/// home or a `mktemp -d` only root may enter.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_is_not_dumpable_while_it_holds_the_key() {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::process::CommandExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v2", listener.local_addr().unwrap());
    let home = crate::support::TempDir::new("dumpable");
    let as_root = std::fs::metadata(home.path()).unwrap().uid() == 0;
    let binary = if as_root {
        use std::os::unix::fs::PermissionsExt;
        let copy = home.path().join("telnyx-setup");
        std::fs::copy(crate::support::BIN, &copy).expect("copy the binary where uid 65534 can reach it");
        for (path, mode) in [(home.path(), 0o755), (copy.as_path(), 0o755)] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        copy
    } else {
        std::path::PathBuf::from(crate::support::BIN)
    };
    let mut command = std::process::Command::new(&binary);
    command
        .args(["doctor", "--connection", "1", "--api-base", &base, "--timeout", "30s"])
        .env("TELNYX_API_KEY", "KEYdumpable")
        // Wherever the other user can write: logging fails quietly otherwise.
        .env("TELNYX_SETUP_LOG", home.path().join("no-such-dir").join("log"))
        .env("HOME", home.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if as_root {
        command.uid(65534).gid(65534);
    }
    // A copy just written may be open in a child another test forked before its exec
    // closed the descriptor ("Text file busy"): that passes within moments.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut child = loop {
        match command.spawn() {
            Err(error)
                if error.raw_os_error() == Some(libc::ETXTBSY) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            started => break started.expect("start the doctor"),
        }
    };
    // Once it connects it holds the key and is sending it: look then.
    let accepted = tokio::time::timeout(std::time::Duration::from_secs(20), listener.accept()).await;
    let owner = std::fs::metadata(format!("/proc/{}/status", child.id())).map(|m| m.uid());
    let _ = child.kill();
    let _ = child.wait();
    let (_connection, _) = accepted.expect("the doctor connected").unwrap();
    let owner = owner.expect("the doctor was still running");
    assert_eq!(owner, 0, "/proc/PID/status belongs to uid {owner}: the process is dumpable");
}
