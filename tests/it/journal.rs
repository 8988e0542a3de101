//! The setup journal's file: atomic saves, private permissions, and every file it
//! cannot trust (truncated, not JSON, another version, too open, a link) ignored with a
//! reason instead of a crash.

use crate::support::TempDir;
use std::os::unix::fs::PermissionsExt;
use telnyx_setup::journal::{self, KEPT, Named, Record};

fn record(n: i64) -> Record {
    Record {
        started_at: 1_795_863_720 + n,
        updated_at: 1_795_863_720 + n,
        connection: Some(Named { id: format!("12933842610757314{n:02}"), name: format!("WebRTC {n}") }),
        codecs_saved: n % 2 == 0,
        ..Record::default()
    }
}

#[test]
fn a_saved_record_reads_back_and_only_its_owner_can_read_it() {
    let dir = TempDir::new("journal-roundtrip");
    let path = dir.path().join("state/setups.json");
    journal::save(&path, "acct1", &record(1)).unwrap();
    journal::save(&path, "acct2", &record(2)).unwrap();
    let loaded = journal::load(&path);
    assert_eq!(loaded.ignored, None);
    assert_eq!(loaded.accounts.get("acct1"), Some(&record(1)), "another account's save keeps this one");
    assert_eq!(loaded.accounts.get("acct2"), Some(&record(2)));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers: Vec<_> =
        std::fs::read_dir(path.parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers, ["setups.json"], "no temporary file is left behind");
}

#[test]
fn a_missing_journal_is_empty_and_not_a_problem() {
    let dir = TempDir::new("journal-missing");
    let loaded = journal::load(&dir.path().join("setups.json"));
    assert!(loaded.accounts.is_empty());
    assert_eq!(loaded.ignored, None);
}

#[test]
fn a_reader_never_sees_half_a_save() {
    let dir = TempDir::new("journal-atomic");
    let path = dir.path().join("setups.json");
    journal::save(&path, "acct", &record(0)).unwrap();
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            for n in 0..200 {
                // Records of different lengths, so a torn write would not parse.
                let mut big = record(n % 7);
                big.connection.as_mut().unwrap().name = "x".repeat((n as usize % 5) * 300);
                journal::save(&path, "acct", &big).unwrap();
            }
        })
    };
    let mut reads = 0;
    while !writer.is_finished() || reads == 0 {
        let loaded = journal::load(&path);
        assert_eq!(loaded.ignored, None, "read {reads} saw a torn file");
        assert!(loaded.accounts.contains_key("acct"));
        reads += 1;
    }
    writer.join().unwrap();
}

/// Writes `text` as the journal (mode 0600) and loads it.
fn load_text(name: &str, text: &str) -> (TempDir, journal::Loaded) {
    let dir = TempDir::new(name);
    let path = dir.path().join("setups.json");
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let loaded = journal::load(&path);
    (dir, loaded)
}

#[test]
fn a_truncated_journal_is_ignored_and_replaced_by_the_next_save() {
    let dir = TempDir::new("journal-truncated-src");
    let path = dir.path().join("setups.json");
    journal::save(&path, "acct", &record(1)).unwrap();
    let whole = std::fs::read_to_string(&path).unwrap();
    let (dir, loaded) = load_text("journal-truncated", &whole[..whole.len() / 2]);
    assert!(loaded.accounts.is_empty());
    let reason = loaded.ignored.expect("a reason");
    assert!(reason.contains("was ignored: it is not a journal this program wrote"), "{reason}");
    let path = dir.path().join("setups.json");
    journal::save(&path, "acct", &record(2)).unwrap();
    assert_eq!(journal::load(&path).accounts.get("acct"), Some(&record(2)));
}

#[test]
fn files_that_are_not_this_programs_journal_are_ignored() {
    for (name, text, expected) in [
        ("journal-not-json", "\u{0}\u{1}garbage", "not a journal this program wrote"),
        ("journal-other-json", r#"{"accounts": 3}"#, "not a journal this program wrote"),
        ("journal-version", r#"{"version": 2, "accounts": {}}"#, "of version 2"),
    ] {
        let (_dir, loaded) = load_text(name, text);
        assert!(loaded.accounts.is_empty(), "{name}");
        let reason = loaded.ignored.unwrap_or_default();
        assert!(reason.contains(expected), "{name}: {reason}");
    }
}

#[test]
fn a_journal_others_can_read_or_a_link_is_not_trusted() {
    let dir = TempDir::new("journal-open");
    let path = dir.path().join("setups.json");
    journal::save(&path, "acct", &record(1)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let reason = journal::load(&path).ignored.unwrap_or_default();
    assert!(reason.contains("permissions 0644 let others read or change it"), "{reason}");

    let link = dir.path().join("linked.json");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    let reason = journal::load(&link).ignored.unwrap_or_default();
    assert!(reason.contains("it is a symbolic link"), "{reason}");
}

#[test]
fn the_journal_keeps_the_most_recent_accounts() {
    let dir = TempDir::new("journal-kept");
    let path = dir.path().join("setups.json");
    for n in 0..(KEPT as i64 + 5) {
        journal::save(&path, &format!("acct{n:02}"), &record(n)).unwrap();
    }
    let accounts = journal::load(&path).accounts;
    assert_eq!(accounts.len(), KEPT);
    assert!(!accounts.contains_key("acct00") && accounts.contains_key(&format!("acct{:02}", KEPT + 4)));
}

#[test]
fn the_account_id_holds_nothing_of_the_key() {
    let key = "KEY0123456789abcdefABCDEF";
    let id = journal::account_id("https://api.telnyx.com/v2", key);
    assert_eq!(id.len(), 16);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(!key.contains(&id[..6]) && !id.contains("KEY"));
    assert_ne!(id, journal::account_id("https://api.telnyx.com/v2", "KEYother"), "another key");
    assert_ne!(id, journal::account_id("http://127.0.0.1:4010/v2", key), "another API");
    assert_eq!(
        id,
        journal::account_id("https://api.telnyx.com/v2/", key),
        "a trailing slash is the same API"
    );
}
