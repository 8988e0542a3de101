//! Where the API key may come from, and which key files are trusted.
//!
//! - `--api-key-file` and `--api-key-stdin`: the doctor runs with the key they give, a
//!   key file others can read is refused as ssh refuses such an identity file, giving
//!   the key two ways is refused, `--api-key-stdin` on a terminal is refused (it would
//!   echo), and `--help` says why the flag is worse than the variable. The sign-in
//!   screen says where the key came from.
//! - The remembered key file is trusted as ssh trusts a private key: a symlink (to a
//!   file of yours, or another user's), a file or directory of another user, a
//!   directory others may write to, or a FIFO is refused with the reason and the fix,
//!   for loading and for saving; the doctor then sends no request with such a key.
//!
//! The foreign-owner cases chown to uid 65534, which needs root (tests run as root
//! here); elsewhere they say so and pass, except under `CI`, where they fail. Temporary
//! directories are unique per test; the only server is the sandbox on loopback.
#![cfg(unix)]

use crate::support::pty::{CTRL_C, Pty, start_sandbox};
use crate::support::{BIN, TempDir, run_bin};
use std::fs;
use std::io::Write;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;
use std::time::Duration;
use telnyx_setup::config;
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::secret::Secret;

/// A user that is not the one running the tests.
const OTHER_UID: u32 = 65534;

/// A temporary home for the binary: its config directory (`XDG_CONFIG_HOME`) and `HOME`.
struct Home(TempDir);

impl Home {
    fn new(name: &str) -> Self {
        Self(TempDir::new(&format!("keyfiles-{name}")))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// `name` inside, created with `mode` (a private config directory by default).
    fn dir(&self, name: &str, mode: u32) -> PathBuf {
        let dir = self.path().join(name);
        fs::create_dir_all(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        dir
    }

    /// The config directory the binary uses with `XDG_CONFIG_HOME` at `config`.
    fn config_dir(&self) -> PathBuf {
        self.path().join("config").join("telnyx-setup")
    }

    /// Runs the binary with `args`, its config under this directory, `stdin` as input.
    fn run(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
        let own = [("XDG_CONFIG_HOME", self.path().join("config")), ("HOME", self.path().join("home"))];
        let own = own.map(|(name, path)| (name.to_owned(), path.into_os_string()));
        let given = env.iter().map(|(name, value)| (name.to_string(), value.into()));
        run_bin(args, own.into_iter().chain(given), stdin)
    }
}

fn write_file(path: &Path, text: &str, mode: u32) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether this process can give files away (chown), i.e. runs as root: `temp`, which
/// it created, is owned by its effective user. When it cannot, says so on stderr (and
/// fails under `CI`, where tests run as root).
fn can_chown(test: &str, temp: &Home) -> bool {
    use std::os::unix::fs::MetadataExt;
    if fs::metadata(temp.path()).unwrap().uid() == 0 {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "{test} needs root to chown a file to another user");
    let _ =
        writeln!(std::io::stderr(), "notice: skipping {test}: it needs root to chown a file to another user");
    false
}

/// The error `load_key_from(dir)` gives, as text; panics when a key is loaded.
fn refusal(dir: &Path) -> String {
    match config::load_key_from(dir) {
        Ok(Some(key)) => panic!("{} gave the key {:?}: it should be refused", dir.display(), key.expose()),
        Ok(None) => panic!("{} gave no key and no error: it should be refused", dir.display()),
        Err(error) => error.to_string(),
    }
}

fn assert_says(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "expected {part:?} in: {message}");
    }
}

// ----- the remembered key file -----

#[test]
fn a_private_key_file_in_a_private_directory_is_used() {
    let temp = Home::new("ok");
    let dir = temp.dir("telnyx-setup", 0o700);
    write_file(&dir.join("api-key"), "KEYmine\n", 0o600);
    assert_eq!(config::load_key_from(&dir).unwrap().unwrap().expose(), "KEYmine");
    // A directory readable by others is fine (as for ssh): only writing matters there.
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(config::load_key_from(&dir).unwrap().unwrap().expose(), "KEYmine");
}

#[test]
fn a_symlinked_key_file_is_refused_even_to_a_file_of_yours() {
    let temp = Home::new("link-file");
    let dir = temp.dir("telnyx-setup", 0o700);
    let elsewhere = temp.path().join("someone-elses-key");
    write_file(&elsewhere, "KEYplanted\n", 0o600);
    symlink(&elsewhere, dir.join("api-key")).unwrap();
    let message = refusal(&dir);
    assert_says(&message, &["api-key is a symbolic link", "--forget-key"]);
    // --forget-key removes the link, not what it points to.
    config::forget_key_in(&dir).unwrap();
    assert!(elsewhere.exists() && !dir.join("api-key").exists());
}

#[test]
fn a_symlinked_config_directory_is_refused() {
    let temp = Home::new("link-dir");
    let real = temp.dir("real", 0o700);
    write_file(&real.join("api-key"), "KEYplanted\n", 0o600);
    let dir = temp.path().join("telnyx-setup");
    symlink(&real, &dir).unwrap();
    let message = refusal(&dir);
    assert_says(&message, &["telnyx-setup is a symbolic link", "mkdir -m 700"]);
    let saved = config::save_key_in(&dir, &Secret::from("KEYnew"));
    assert!(saved.is_err(), "a key is not saved through a symlinked directory: {saved:?}");
    assert_eq!(fs::read_to_string(real.join("api-key")).unwrap(), "KEYplanted\n");
}

#[test]
fn a_config_directory_others_may_write_to_is_refused() {
    for mode in [0o777, 0o770, 0o702, 0o1777] {
        let temp = Home::new("writable-dir");
        let dir = temp.dir("telnyx-setup", 0o700);
        write_file(&dir.join("api-key"), "KEYmine\n", 0o600);
        fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
        let message = refusal(&dir);
        assert_says(&message, &[&format!("permissions {mode:04o}"), "too open", "chmod 700"]);
        let saved = config::save_key_in(&dir, &Secret::from("KEYnew"));
        assert!(saved.is_err(), "{mode:04o}: no key is saved where others could swap it: {saved:?}");
    }
}

#[test]
fn a_key_file_of_another_user_is_refused_though_it_is_0600() {
    let temp = Home::new("foreign-file");
    if !can_chown("a_key_file_of_another_user_is_refused_though_it_is_0600", &temp) {
        return;
    }
    let dir = temp.dir("telnyx-setup", 0o700);
    let path = dir.join("api-key");
    write_file(&path, "KEYtheirs\n", 0o600);
    std::os::unix::fs::chown(&path, Some(OTHER_UID), None).unwrap();
    let message = refusal(&dir);
    assert_says(&message, &[&format!("belongs to user {OTHER_UID}, not to you"), "--forget-key"]);
}

#[test]
fn a_config_directory_of_another_user_is_refused() {
    let temp = Home::new("foreign-dir");
    if !can_chown("a_config_directory_of_another_user_is_refused", &temp) {
        return;
    }
    let dir = temp.dir("telnyx-setup", 0o700);
    write_file(&dir.join("api-key"), "KEYmine\n", 0o600);
    std::os::unix::fs::chown(&dir, Some(OTHER_UID), None).unwrap();
    let message = refusal(&dir);
    assert_says(&message, &[&format!("telnyx-setup belongs to user {OTHER_UID}, not to you"), "mv "]);
}

#[test]
fn a_fifo_in_place_of_the_key_file_is_refused_without_hanging() {
    let temp = Home::new("fifo");
    let dir = temp.dir("telnyx-setup", 0o700);
    let status = Command::new("mkfifo").args(["-m", "600"]).arg(dir.join("api-key")).status().unwrap();
    assert!(status.success());
    let (sender, result) = mpsc::channel();
    let probe = dir.clone();
    std::thread::spawn(move || {
        let _ = sender.send(config::load_key_from(&probe).map(|key| key.map(|k| k.expose().to_owned())));
    });
    let loaded = result.recv_timeout(Duration::from_secs(10)).unwrap_or_else(|_| {
        // Unblock the reader stuck in open(2), so the thread ends.
        let _ = fs::OpenOptions::new().write(true).open(dir.join("api-key"));
        panic!("loading a FIFO as the key file hung");
    });
    let message = loaded.expect_err("a FIFO is no key file").to_string();
    assert_says(&message, &["is not a regular file"]);
}

/// End to end: another user's key behind a symlink in your config directory is not
/// sent; the doctor says why and sends nothing.
#[test]
fn the_doctor_sends_no_request_with_a_refused_saved_key() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let temp = Home::new("doctor-link");
    let dir = temp.config_dir();
    fs::create_dir_all(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    let elsewhere = temp.path().join("planted-key");
    write_file(&elsewhere, "KEYplanted\n", 0o600);
    symlink(&elsewhere, dir.join("api-key")).unwrap();
    let output = temp.run(&["doctor", "--connection", "1", "--api-base", &sandbox.base_url()], &[], None);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_says(&stderr, &["the saved API key was not used", "is a symbolic link", "an API key is needed"]);
    assert!(sandbox.journal().is_empty(), "a request was sent with the planted key: {stderr}");
}

// ----- --api-key-file and --api-key-stdin -----

/// A sandbox and the doctor's arguments against it.
fn doctor_args(sandbox: &Sandbox) -> Vec<String> {
    ["doctor", "--connection", "1", "--api-base", &sandbox.base_url()].map(str::to_owned).to_vec()
}

#[test]
fn api_key_file_gives_the_key_and_a_file_others_can_read_is_refused() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let temp = Home::new("given-file");
    let file = temp.path().join("telnyx.key");
    write_file(&file, "  KEYfromfile\n", 0o600);
    let mut args = doctor_args(&sandbox);
    args.extend(["--api-key-file".to_owned(), file.display().to_string()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = temp.run(&args, &[], None);
    let stderr = text(&output.stderr);
    // Exit 1: the connection does not exist, which the doctor could find out.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    // Two GETs with the file's key: the id, then the connection's name (the doctor
    // takes either).
    assert_eq!(sandbox.journal().len(), 2, "the doctor's lookups with the file's key: {stderr}");

    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    let output = temp.run(&args, &[], None);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_says(&stderr, &["--api-key-file", "permissions 0644", "chmod 600"]);
    assert_eq!(sandbox.journal().len(), 2, "nothing sent with a key others can read");
}

#[test]
fn api_key_stdin_reads_one_line_from_a_pipe() {
    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let temp = Home::new("stdin");
    let mut args = doctor_args(&sandbox);
    args.push("--api-key-stdin".to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // The variable is set too: the explicit flag wins.
    let output = temp.run(&args, &[("TELNYX_API_KEY", "WRONGkey")], Some("KEYfromstdin\nignored\n"));
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "the sandbox accepted the key from stdin: {stderr}");
    assert_eq!(sandbox.journal().len(), 2, "the lookups by id and by name");
    assert_eq!(sandbox.journal()[0].status, 404, "signed in: the connection is simply not there");

    let output = temp.run(&args, &[], Some("\n"));
    assert_eq!(output.status.code(), Some(2));
    assert_says(&text(&output.stderr), &["standard input held no key"]);
}

#[test]
fn the_key_is_given_one_way_only() {
    let temp = Home::new("two-ways");
    let file = temp.path().join("k");
    write_file(&file, "KEYa\n", 0o600);
    let file = file.display().to_string();
    for args in [
        vec!["doctor", "--connection", "1", "--api-key", "KEYb", "--api-key-file", &file],
        vec!["doctor", "--connection", "1", "--api-key", "KEYb", "--api-key-stdin"],
        vec!["doctor", "--connection", "1", "--api-key-file", &file, "--api-key-stdin"],
    ] {
        let output = temp.run(&args, &[], Some("KEYc\n"));
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--api-key"), "{args:?}: {stderr}");
    }
}

#[test]
fn help_says_why_the_flag_is_the_worst_way_to_give_the_key() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    let help = text(&output.stdout);
    assert_says(&help, &["--api-key-file <PATH>", "--api-key-stdin", "`ps`", "history", "TELNYX_API_KEY"]);
}

#[test]
fn api_key_stdin_on_a_terminal_is_refused_rather_than_echoed() {
    let mut app = Pty::spawn(
        "stdin-tty",
        &["doctor", "--connection", "1", "--api-key-stdin", "--api-base", "http://127.0.0.1:9/v2"],
        100,
        20,
    );
    app.wait_for_text(&["--api-key-stdin reads the key from a pipe"]);
}

#[test]
fn the_sign_in_screen_says_the_key_came_from_the_file() {
    let temp = Home::new("sign-in-file");
    let file = temp.path().join("telnyx.key");
    write_file(&file, "KEYscreen\n", 0o600);
    let mut app =
        Pty::spawn("sign-in-file", &["--demo", "--api-key-file", &file.display().to_string()], 120, 30);
    app.wait_idle_with(&["Step 1 of 8: Sign in", "(--api-key-file)", "telnyx.key"]);
    app.send(CTRL_C);
    app.expect_restored_with(130);
}
