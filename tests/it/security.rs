//! The smaller protections of issue 11, each at the level where it lives:
//!
//! - generated SIP passwords come from the OS's generator, not from the seeded stream
//!   that also makes the (public) user name: two wizards with the same seed never
//!   share a password.

use crate::support::state::{balance, page, press, reply};
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
