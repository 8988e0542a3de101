//! "Remember this key" and TLS by default, end to end.
//!
//! - The key file functions of `config` on a temporary directory: modes, overwrite,
//!   trimming, refusal of a file others can read, `--forget-key`'s removal.
//! - The real binary in a PTY with `XDG_CONFIG_HOME` and `HOME` pointing into a
//!   temporary directory (never the developer's own): type a key, tick the box, sign in;
//!   the next run starts with the saved key; `--forget-key` removes it.
//! - An `http://` API base on another machine is refused before any request unless
//!   `--insecure-http` is given; loopback needs no flag. A base that is not an http(s)
//!   URL, or a bad `--timeout`, is refused with an example of what is expected.
//!
//! Nothing waits for a fixed time: the PTY helpers wait for the screen with a deadline.
//! The only server reached is the sandbox on loopback.
#![cfg(unix)]

use crate::support::pty::{CTRL_C, CTRL_R, ENTER, Pty, SPACE, field_text, start_sandbox};
use crate::support::{BIN, log_path};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use telnyx_setup::config::{self, Forgotten, KeyFileError};
use telnyx_setup::sandbox::Seed;
use telnyx_setup::secret::Secret;

const TAB: &str = "\t";

/// A directory of its own under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "telnyx-setup-remember-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create a temporary directory");
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    /// The config directory the binary uses with this as `XDG_CONFIG_HOME`.
    fn config_dir(&self) -> PathBuf {
        self.0.join("config").join("telnyx-setup")
    }

    fn key_file(&self) -> PathBuf {
        self.config_dir().join("api-key")
    }

    /// The environment that keeps the binary away from the developer's own home.
    fn env(&self) -> Vec<(&'static str, String)> {
        // No keyring answers (no session bus there): a remembered key goes to the file.
        vec![
            ("XDG_CONFIG_HOME", self.0.join("config").display().to_string()),
            ("HOME", self.0.join("home").display().to_string()),
            ("XDG_RUNTIME_DIR", self.0.join("run").display().to_string()),
            ("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", self.0.join("no-bus").display())),
        ]
    }

    fn spawn(&self, name: &str, args: &[&str]) -> Pty {
        let env = self.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Pty::spawn_with_env(name, args, 120, 30, &env)
    }

    /// Runs the binary as a plain process (no terminal) with this home.
    fn run(&self, args: &[&str], log: &Path) -> Output {
        Command::new(BIN)
            .args(args)
            .envs(self.env())
            .env("TELNYX_SETUP_LOG", log)
            .env_remove("TELNYX_API_KEY")
            .env_remove("TELNYX_API_BASE")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {args:?}: {e}"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap_or_else(|e| panic!("stat {}: {e}", path.display())).permissions().mode()
        & 0o7777
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ----- the key file functions -----

#[test]
fn saving_creates_a_private_directory_and_file() {
    let temp = TempDir::new("save");
    let dir = temp.path().join("nested").join("telnyx-setup");
    let path = config::save_key_in(&dir, &Secret::from("KEYfirst")).expect("save the key");
    assert_eq!(path, dir.join("api-key"));
    assert_eq!(mode(&dir), 0o700, "the directory is private");
    assert_eq!(mode(&path), 0o600, "the file is private");
    assert_eq!(fs::read_to_string(&path).unwrap(), "KEYfirst\n");
    // No temporary file is left behind.
    let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["api-key"], "only the key file remains");
}

#[test]
fn saving_over_an_open_file_leaves_a_private_file_with_the_new_key() {
    let temp = TempDir::new("overwrite");
    let dir = temp.config_dir();
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("api-key");
    fs::write(&path, "KEYold\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    config::save_key_in(&dir, &Secret::from("KEYnew")).expect("save over the old key");
    assert_eq!(mode(&path), 0o600);
    assert_eq!(fs::read_to_string(&path).unwrap(), "KEYnew\n");
    let loaded = config::load_key_from(&dir).expect("load").expect("a key is saved");
    assert_eq!(loaded.expose(), "KEYnew");
}

#[test]
fn loading_trims_and_reports_nothing_saved() {
    let temp = TempDir::new("load");
    let dir = temp.config_dir();
    assert!(config::load_key_from(&dir).expect("a missing directory is not an error").is_none());
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("api-key");
    fs::write(&path, "  KEYtrimmed \r\n\n").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let key = config::load_key_from(&dir).expect("load").expect("a key is saved");
    assert_eq!(key.expose(), "KEYtrimmed");
    fs::write(&path, " \n").unwrap();
    let empty = config::load_key_from(&dir).expect_err("an empty file is no key");
    assert!(matches!(empty, KeyFileError::Empty { .. }), "{empty}");
}

#[test]
fn a_file_others_can_read_is_refused_like_ssh_does() {
    let temp = TempDir::new("open");
    let dir = temp.config_dir();
    config::save_key_in(&dir, &Secret::from("KEYexposed")).unwrap();
    let path = dir.join("api-key");
    for open in [0o640, 0o604, 0o644, 0o660] {
        fs::set_permissions(&path, fs::Permissions::from_mode(open)).unwrap();
        let error = config::load_key_from(&dir).expect_err("a readable key file must be refused");
        let message = error.to_string();
        assert!(matches!(error, KeyFileError::TooOpen { mode, .. } if mode == open), "{message}");
        assert!(message.contains(&format!("{open:04o}")), "names the mode: {message}");
        assert!(message.contains(&path.display().to_string()), "names the file: {message}");
        assert!(message.contains("chmod 600"), "says how to fix it: {message}");
        assert!(!message.contains("KEYexposed"), "never shows the key: {message}");
    }
    // Owner-only modes are fine, read-only included.
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    assert_eq!(config::load_key_from(&dir).unwrap().unwrap().expose(), "KEYexposed");
}

#[test]
fn forgetting_removes_the_file_and_says_when_there_was_none() {
    let temp = TempDir::new("forget");
    let dir = temp.config_dir();
    let path = config::save_key_in(&dir, &Secret::from("KEYgone")).unwrap();
    assert_eq!(config::forget_key_in(&dir).unwrap(), Forgotten::Removed(path.clone()));
    assert!(!path.exists());
    assert_eq!(config::forget_key_in(&dir).unwrap(), Forgotten::NothingSaved(path.clone()));
    assert_eq!(Forgotten::Removed(path.clone()).to_string(), format!("Removed {}", path.display()));
    assert_eq!(
        Forgotten::NothingSaved(path.clone()).to_string(),
        format!("No saved key at {}", path.display())
    );
}

// ----- the binary -----

/// First run, with no keyring answering: type a key, tick "Remember this key", sign
/// in; the file holds the key, readable by the owner only, and the screen says so. Second run: the key comes from the file, the screen says
/// so, and signing in works. `--forget-key` then removes it.
#[test]
fn a_remembered_key_is_saved_privately_used_next_time_and_forgotten() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let base_url = sandbox.base_url();
    let temp = TempDir::new("pty");
    let key_file = temp.key_file();
    let shown_path = key_file.display().to_string();

    let mut app = temp.spawn("remember-first", &["--api-base", &base_url]);
    app.wait_idle_with(&["Step 1 of 8: Sign in", "[ ] Remember this key", "Tab remember option"]);
    app.send("KEYremembered");
    app.wait_for_text(&["•••••••••••••"]);
    app.send(TAB);
    app.wait_for_text(&["▶ [ ] Remember this key", "Space tick"]);
    app.send(SPACE);
    app.wait_for_text(&["▶ [x] Remember this key", "Space untick"]);
    app.send(ENTER);
    app.wait_idle_with(&[
        "Step 2 of 8: Connection",
        "balance 250.00 USD",
        &format!("Saved the key in {shown_path}"),
    ]);
    app.send("q");
    app.expect_restored();
    let logged = app.log_tail();
    assert!(logged.contains("saved the API key"), "the save is logged\n{logged}");
    assert!(!logged.contains("KEYremembered"), "with its path only, never the key\n{logged}");

    assert_eq!(mode(&temp.config_dir()), 0o700, "the config directory is private");
    assert_eq!(mode(&key_file), 0o600, "the key file is private");
    assert_eq!(fs::read_to_string(&key_file).unwrap(), "KEYremembered\n");

    let mut app = temp.spawn("remember-second", &["--api-base", &base_url]);
    let screen =
        app.wait_idle_with(&["Step 1 of 8: Sign in", &format!("Using the key saved in {shown_path}")]);
    assert!(screen.contains("[ ] Remember this key"), "the box starts unticked\n{screen}");
    app.send(CTRL_R);
    let revealed = app.wait_for_text(&["Ctrl-R hide"]);
    assert_eq!(field_text(&revealed, "API key").as_deref(), Some("KEYremembered"), "{revealed}");
    app.send(ENTER);
    let next = app.wait_idle_with(&["Step 2 of 8: Connection", "balance 250.00 USD"]);
    assert!(!next.contains("Saved the key"), "nothing was saved this time\n{next}");
    app.send("q");
    app.expect_restored();
    let sign_ins = sandbox.journal().iter().filter(|e| e.path.ends_with("/balance")).count();
    assert_eq!(sign_ins, 2, "both runs signed in");

    let log = log_path("forget");
    let forgot = temp.run(&["--forget-key"], &log);
    assert!(forgot.status.success(), "--forget-key exits 0: {forgot:?}");
    assert_eq!(text(&forgot.stdout), format!("Removed {shown_path}\n"));
    assert!(!key_file.exists(), "the key file is gone");
    let again = temp.run(&["--forget-key"], &log);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(text(&again.stdout), format!("No saved key at {shown_path}\n"));
    let logged = fs::read_to_string(&log).unwrap_or_default();
    assert!(!logged.contains("KEYremembered"), "the key never reaches the log: {logged}");
    let _ = fs::remove_file(&log);
}

/// With a real Secret Service (gnome-keyring on a D-Bus session of its own), "Remember
/// this key" keeps the key in the keyring, as `accounts add` does, and in no file; the
/// screen says so; the next run uses it, and `--forget-key` removes it from the keyring.
/// Without `dbus-run-session` and `gnome-keyring-daemon` it says so, and fails under CI,
/// whose `.ci/run` installs them.
#[test]
fn a_remembered_key_goes_to_the_keyring_when_one_answers() {
    let missing: Vec<&str> =
        ["dbus-run-session", "gnome-keyring-daemon"].into_iter().filter(|tool| !on_path(tool)).collect();
    if !missing.is_empty() {
        assert!(
            std::env::var_os("CI").is_none(),
            "this test needs {} (.ci/run installs them)",
            missing.join(" and ")
        );
        eprintln!(
            "notice: not testing the keyring: {} missing (apt-get install dbus-daemon gnome-keyring)",
            missing.join(" and ")
        );
        return;
    }
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let temp = TempDir::new("keyring");
    let out = temp.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::create_dir_all(temp.path().join("run")).unwrap();
    // One session bus for both runs; the keyring unlocked with a password on stdin.
    let script = r#"
        printf 'test-password' | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90
        "$BIN" --api-base "$BASE" || exit 91
        "$BIN" accounts --json >"$OUT/list.json" 2>"$OUT/list.err"
        "$BIN" --api-base "$BASE" || exit 92
        "$BIN" --forget-key >"$OUT/forget.out" 2>"$OUT/forget.err"
        "$BIN" accounts --json >"$OUT/after.json" 2>"$OUT/after.err"
    "#;
    let mut env = temp.env();
    env.retain(|(name, _)| *name != "DBUS_SESSION_BUS_ADDRESS");
    let (base, bin, out_dir) = (sandbox.base_url(), BIN.to_owned(), out.display().to_string());
    let mut env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend([("BASE", base.as_str()), ("BIN", bin.as_str()), ("OUT", out_dir.as_str())]);
    let mut app = Pty::spawn_program(
        "remember-keyring",
        "dbus-run-session",
        &["--", "sh", "-c", script],
        120,
        30,
        &env,
    );
    app.wait_idle_with(&["Step 1 of 8: Sign in", "[ ] Remember this key"]);
    app.send("KEYinthering");
    app.wait_for_text(&["••••••••••••"]);
    app.send(TAB);
    app.wait_for_text(&["▶ [ ] Remember this key"]);
    app.send(SPACE);
    app.wait_for_text(&["▶ [x] Remember this key"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Saved the key in the OS keyring (Secret Service)"]);
    app.send("q");
    // The second run takes the key from the keyring.
    app.wait_idle_with(&[
        "Step 1 of 8: Sign in",
        "The key of account default, from the OS keyring (Secret Service).",
    ]);
    app.send(CTRL_R);
    let revealed = app.wait_for_text(&["Ctrl-R hide"]);
    assert_eq!(field_text(&revealed, "API key").as_deref(), Some("KEYinthering"), "{revealed}");
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "balance 250.00 USD"]);
    app.send("q");
    app.expect_restored();
    let read = |name: &str| fs::read_to_string(out.join(name)).unwrap_or_default();
    let listed: serde_json::Value = serde_json::from_str(&read("list.json")).expect("the list");
    assert_eq!(listed["accounts"][0]["name"], "default", "{listed}");
    assert_eq!(listed["accounts"][0]["store"], "keyring", "{listed}");
    assert!(
        read("forget.out").contains("Removed the saved key from the OS keyring (Secret Service)"),
        "{}{}",
        read("forget.out"),
        read("forget.err")
    );
    let after: serde_json::Value = serde_json::from_str(&read("after.json")).expect("the list after");
    assert_eq!(after["accounts"], serde_json::json!([]), "{after}");
    // The key was in the keyring only: no file of ours holds it.
    for entry in fs::read_dir(temp.config_dir()).unwrap() {
        let path = entry.unwrap().path();
        let content = fs::read_to_string(&path).unwrap_or_default();
        assert!(!content.contains("KEYinthering"), "{} holds the key", path.display());
    }
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
}

/// A saved key that others can read is not used: the sign-in screen starts empty and
/// says why, and so does `doctor`.
#[test]
fn an_exposed_key_file_is_refused_with_a_warning() {
    let temp = TempDir::new("exposed");
    let path = config::save_key_in(&temp.config_dir(), &Secret::from("KEYexposed")).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();

    let mut app = temp.spawn("exposed", &["--api-base", "http://127.0.0.1:9/v2"]);
    let screen = app.wait_idle_with(&["Step 1 of 8: Sign in", "permissions 0644", "are too open"]);
    assert!(!screen.contains("Using the key saved"), "{screen}");
    assert_eq!(field_text(&screen, "API key").as_deref(), Some(""), "the field starts empty\n{screen}");
    app.send(CTRL_C);
    app.expect_restored_with(130);

    let log = log_path("exposed-doctor");
    let doctor = temp.run(&["--api-base", "http://127.0.0.1:9/v2", "doctor", "--connection", "1"], &log);
    let stderr = text(&doctor.stderr);
    assert_eq!(doctor.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("are too open"), "{stderr}");
    assert!(stderr.contains("an API key is needed"), "{stderr}");
    let _ = fs::remove_file(&log);
}

/// `--demo` never reads the saved key and offers no box.
#[test]
fn demo_ignores_the_saved_key_and_offers_no_remember_box() {
    let temp = TempDir::new("demo");
    config::save_key_in(&temp.config_dir(), &Secret::from("KEYsaved")).unwrap();
    let mut app = temp.spawn("demo", &["--demo"]);
    let screen = app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    assert!(!screen.contains("Remember this key"), "{screen}");
    assert!(!screen.contains("Using the key saved"), "{screen}");
    app.send(CTRL_C);
    app.expect_restored_with(130);
}

// ----- TLS by default -----

/// Every command that uses the API base refuses plain HTTP to another machine before
/// any request: the log, where every request attempt is recorded, stays free of them.
#[test]
fn plain_http_to_another_machine_is_refused_before_any_request() {
    let temp = TempDir::new("http");
    for args in [
        vec!["--api-base", "http://example.com/v2", "doctor", "--connection", "1", "--api-key", "KEYx"],
        vec!["--api-base", "http://example.com/v2", "--api-key", "KEYx"],
        vec!["--api-base", "http://example.com/v2", "inspect", "--api-key", "KEYx"],
    ] {
        let log = log_path("http-refused");
        let output = temp.run(&args, &log);
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "{args:?} must fail: {stderr}");
        assert!(stderr.contains("--insecure-http"), "{args:?} names the flag: {stderr}");
        assert!(stderr.contains("example.com"), "{args:?} names the host: {stderr}");
        let logged = fs::read_to_string(&log).unwrap_or_default();
        assert!(!logged.contains("request"), "{args:?} must not attempt a request: {logged}");
        let _ = fs::remove_file(&log);
    }
}

/// The control for the test above: a loopback `http://` base needs no flag, and the
/// doctor's requests reach the sandbox and show in the log.
#[test]
fn plain_http_to_loopback_needs_no_flag() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let temp = TempDir::new("loopback");
    let log = log_path("http-loopback");
    let output = temp
        .run(&["--api-base", &sandbox.base_url(), "doctor", "--connection", "1", "--api-key", "KEYx"], &log);
    let stderr = text(&output.stderr);
    assert!(!stderr.contains("--insecure-http"), "{stderr}");
    assert!(!stderr.contains("Plain HTTP"), "no warning for loopback: {stderr}");
    assert!(!sandbox.journal().is_empty(), "the doctor reached the sandbox: {stderr}");
    let logged = fs::read_to_string(&log).unwrap_or_default();
    assert!(logged.contains("request"), "requests are logged, so the test above can see them: {logged}");
    let _ = fs::remove_file(&log);
}

/// A base that is not an http(s) URL, and a timeout that is not a duration, are
/// refused with a message saying what is expected, before any terminal set-up.
#[test]
fn a_bad_api_base_or_timeout_is_refused_with_an_example() {
    let temp = TempDir::new("bad-args");
    for (args, expected) in [
        (
            vec!["--api-base", "api.telnyx.com", "--api-key", "KEYx"],
            "expected e.g. https://api.telnyx.com/v2",
        ),
        (vec!["--api-base", "ftp://api.telnyx.com", "--api-key", "KEYx"], "is not an http(s) URL"),
        (vec!["--timeout", "soon", "--api-key", "KEYx"], "write e.g. 10s or 500ms"),
        (vec!["--timeout", "5ms", "--api-key", "KEYx"], "must be at least 100ms"),
    ] {
        let log = log_path("bad-args");
        let output = temp.run(&args, &log);
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "{args:?} must fail: {stderr}");
        assert!(stderr.contains(expected), "{args:?} should say {expected:?}: {stderr}");
        assert!(!text(&output.stdout).contains('\x1b'), "{args:?} must not touch the terminal");
        let _ = fs::remove_file(&log);
    }
}

/// With `--insecure-http` the wizard starts, and the sign-in screen carries the warning
/// (nothing is sent until Enter, which this test never presses).
#[test]
fn insecure_http_is_allowed_with_the_flag_and_warned_about() {
    let temp = TempDir::new("insecure");
    let mut app = temp
        .spawn("insecure", &["--api-base", "http://example.com/v2", "--insecure-http", "--api-key", "KEYx"]);
    app.wait_idle_with(&[
        "Step 1 of 8: Sign in",
        "Plain HTTP to example.com: the API key travels unencrypted",
    ]);
    app.send(CTRL_C);
    let printed = app.expect_restored_with(130);
    assert!(!printed.contains("KEYx"), "{printed}");
}
