//! The system clipboard path of step 8's copy, end to end under a real X server.
//!
//! An Xvfb server is started on a free display, the binary runs in a pseudo-terminal
//! (the harness of `tests/it/pty.rs`) with `DISPLAY` pointing at it and against the
//! in-process sandbox, and `y` copies the login token: arboard sets the X11 clipboard,
//! and the app hands the text to `xclip`, whose background process keeps serving it.
//! After the app has exited, `xclip -selection clipboard -o` must still print the token.
//!
//! The app is given its key in `TELNYX_API_KEY`, and finds a wrapper of xclip first on
//! `PATH` that records the environment it was started with: xclip's long-lived owner
//! must see neither the key nor anything else of the app's environment but the display
//! and locale, and the log must name the xclip that was run.
//!
//! Needs `Xvfb` and `xclip` (Debian/Ubuntu packages `xvfb` and `xclip`). Without them
//! the test prints a notice to stderr and passes, so `cargo test` works on machines
//! with no X; when `CI` is set it fails instead, saying what to install (`.ci/run`
//! installs them).
//!
//! Nothing sleeps for a fixed time: Xvfb reports on `-displayfd` once it accepts
//! connections, and every wait has a deadline.
#![cfg(target_os = "linux")]

use crate::support::TempDir;
use crate::support::pty::{
    DEADLINE, ENTER, Pty, credential_and_token, dump_text, enter_through_steps_one_to_five_from,
    revealed_token, start_sandbox,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread;
use telnyx_setup::sandbox::Seed;

/// The display numbers tried, in order; the first free one is used.
const DISPLAYS: std::ops::RangeInclusive<u32> = 90..=99;

/// An Xvfb server, stopped when dropped however the test ends.
struct Xvfb {
    child: Option<Child>,
    /// `:N`, for `DISPLAY`.
    display: String,
}

impl Xvfb {
    /// Starts Xvfb on the first free display of [`DISPLAYS`] and returns once it
    /// accepts connections.
    fn start() -> Self {
        let mut failures = Vec::new();
        for number in DISPLAYS {
            // A socket means a server (or the remains of one) is there: leave it alone.
            if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                continue;
            }
            match Self::start_on(number) {
                Ok(xvfb) => return xvfb,
                Err(failure) => failures.push(failure),
            }
        }
        panic!("could not start Xvfb on any display in {DISPLAYS:?}:\n{}", failures.join("\n"));
    }

    /// Starts Xvfb on `:number`. With `-displayfd 1` it writes the display number to
    /// its stdout once it is listening, which is the signal that it is ready.
    fn start_on(number: u32) -> Result<Self, String> {
        let display = format!(":{number}");
        let mut child = Command::new("Xvfb")
            .args([&display, "-nolisten", "tcp", "-displayfd", "1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{display}: cannot run Xvfb: {e}"))?;
        // Kept for the failure message; read to the end so Xvfb never blocks on it.
        let errors = Arc::new(Mutex::new(Vec::new()));
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let sink = Arc::clone(&errors);
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match stderr.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => sink.lock().unwrap_or_else(PoisonError::into_inner).extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, ready) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = sender.send(BufReader::new(stdout).read_line(&mut line).map(|_| line));
        });
        let xvfb = Self { child: Some(child), display };
        let stderr_text =
            || String::from_utf8_lossy(&errors.lock().unwrap_or_else(PoisonError::into_inner)).into_owned();
        match ready.recv_timeout(DEADLINE) {
            Ok(Ok(line)) if line.trim() == number.to_string() => Ok(xvfb),
            // EOF, most likely: Xvfb exited, perhaps because the display is taken.
            Ok(Ok(line)) => Err(format!(
                "{}: Xvfb exited before it was ready (stdout {line:?}):\n{}",
                xvfb.display,
                stderr_text()
            )),
            Ok(Err(error)) => Err(format!("{}: reading Xvfb's stdout failed: {error}", xvfb.display)),
            Err(_) => {
                Err(format!("{}: Xvfb was not ready within {DEADLINE:?}:\n{}", xvfb.display, stderr_text()))
            }
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        // SIGTERM, so Xvfb removes its lock file and socket (std's kill is SIGKILL);
        // the shell's kill builtin, since nothing else here can send a signal.
        let pid = child.id().to_string();
        let _ = Command::new("sh").args(["-c", "kill -TERM \"$1\"", "sh", &pid]).status();
        let (sender, exited) = mpsc::channel();
        thread::spawn(move || {
            let _ = sender.send(child.wait());
        });
        if exited.recv_timeout(DEADLINE).is_err() {
            // Not reaped yet (the waiting thread still holds it), so the pid is still Xvfb's.
            let _ = Command::new("sh").args(["-c", "kill -KILL \"$1\"", "sh", &pid]).status();
        }
    }
}

/// Whether `program` is an executable file on `PATH`.
fn on_path(program: &str) -> bool {
    find_on_path(program).is_some()
}

/// The first executable file `program` on `PATH`.
fn find_on_path(program: &str) -> Option<std::path::PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths).map(|dir| dir.join(program)).find(|path| {
        std::fs::metadata(path).is_ok_and(|m| {
            use std::os::unix::fs::PermissionsExt;
            m.is_file() && m.permissions().mode() & 0o111 != 0
        })
    })
}

/// A directory holding an `xclip` that writes its environment to `env` and then runs
/// the real one; returns the directory and the wrapper's path.
fn recording_xclip(temp: &TempDir, real: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp.path().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let wrapper = dir.join("xclip");
    let env = temp.path().join("xclip.env");
    let script = format!("#!/bin/sh\n/usr/bin/env > '{}'\nexec '{}' \"$@\"\n", env.display(), real.display());
    std::fs::write(&wrapper, script).unwrap();
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (dir, wrapper)
}

/// `xclip -selection clipboard -o` on `display`: what the clipboard holds.
fn read_clipboard(display: &str) -> String {
    let mut child = Command::new("xclip")
        .args(["-selection", "clipboard", "-o"])
        .env("DISPLAY", display)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run xclip -o");
    let (mut stdout, mut stderr) =
        (child.stdout.take().expect("stdout is piped"), child.stderr.take().expect("stderr is piped"));
    let (sender, read) = mpsc::channel();
    thread::spawn(move || {
        let errors = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut text = String::new();
        let result = stdout.read_to_string(&mut text).map(|_| text);
        let _ = sender.send((result, errors.join().unwrap_or_default()));
    });
    let Ok((result, errors)) = read.recv_timeout(DEADLINE) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("xclip -o on {display} did not answer within {DEADLINE:?}");
    };
    let status = child.wait().expect("reap xclip -o");
    let text = result.unwrap_or_else(|e| panic!("reading xclip -o's output failed: {e}"));
    assert!(status.success(), "xclip -o on {display} failed ({status}): {errors}");
    text
}

/// `y` on step 8 with an X display: the screen says the token went to the system
/// clipboard (not OSC 52), and after the app has exited `xclip -o` prints that token.
#[test]
fn the_token_copied_to_the_x11_clipboard_outlives_the_app() {
    let missing: Vec<&str> = ["Xvfb", "xclip"].into_iter().filter(|program| !on_path(program)).collect();
    if !missing.is_empty() {
        let advice = format!(
            "the X11 clipboard test needs {} on PATH; install the packages xvfb and xclip \
             (Debian/Ubuntu: apt-get install xvfb xclip)",
            missing.join(" and ")
        );
        assert!(std::env::var_os("CI").is_none(), "{advice}. CI is set, so this is a failure, not a skip.");
        // Straight to stderr: libtest captures eprintln! of a passing test.
        let _ = writeln!(std::io::stderr(), "notice: skipping the X11 clipboard test: {advice}.");
        return;
    }

    let (_runtime, sandbox) = start_sandbox(&Seed::empty());
    let base_url = sandbox.base_url();
    let xvfb = Xvfb::start();
    let temp = TempDir::new("x11");
    let real = find_on_path("xclip").expect("checked above");
    let (wrapper_dir, wrapper) = recording_xclip(&temp, &real);
    let path = format!("{}:{}", wrapper_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut app = Pty::spawn_with_env(
        "x11",
        &["--api-base", &base_url],
        100,
        30,
        &[
            ("DISPLAY", &xvfb.display),
            ("PATH", &path),
            ("TELNYX_API_KEY", "KEYx11"),
            ("TELNYX_SETUP_CANARY", "inherited"),
        ],
    );
    enter_through_steps_one_to_five_from(
        &mut app,
        "The key came from the TELNYX_API_KEY environment variable.",
    );

    // Skip the numbers; create a credential and a token.
    credential_and_token(&mut app, "s");

    // "Copied to the system clipboard." with a full stop: xclip took the text over. (Without
    // xclip the line goes on "; paste it before quitting".)
    app.send("y");
    app.wait_for_text(&["Copied to the system clipboard."]);
    let copies = app.osc52_copies();
    assert!(copies.is_empty(), "with a display the copy should not use OSC 52: {copies:?}");
    app.send("r");
    let revealed = app.wait_for("the token revealed", |screen| revealed_token(&screen.contents()).is_some());
    let token = revealed_token(&revealed).expect("checked by the wait");
    assert_eq!(token.split('.').count(), 3, "the token should be a JWT\n{}", dump_text(&revealed));

    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "Enter or q to quit"]);
    app.send("q");
    app.expect_restored();

    let seen = std::fs::read_to_string(temp.path().join("xclip.env")).expect("the app ran the xclip on PATH");
    let names: Vec<&str> =
        seen.lines().filter_map(|line| line.split_once('=').map(|(name, _)| name)).collect();
    assert!(names.contains(&"DISPLAY"), "xclip needs the display: {names:?}");
    for leaked in ["TELNYX_API_KEY", "TELNYX_SETUP_CANARY", "TELNYX_SETUP_LOG", "TERM"] {
        assert!(!names.contains(&leaked), "xclip's owner was given {leaked}: {names:?}");
    }
    let log = std::fs::read_to_string(app.log_file()).unwrap_or_default();
    assert!(
        log.contains(&format!("program={}", wrapper.display())),
        "the log names the xclip that was run:\n{}",
        app.log_tail()
    );

    let clipboard = read_clipboard(&xvfb.display);
    assert_eq!(
        clipboard,
        token,
        "after the app exited the X11 clipboard should still hold the token{}",
        app.log_tail()
    );
    drop(app);
    drop(xvfb);
    drop(sandbox);
}

/// What the X11 clipboard holds on `display`, or `None` when it holds nothing (no
/// owner: `xclip -o` fails), read within [`DEADLINE`].
fn clipboard_now(display: &str) -> Option<String> {
    let display = display.to_owned();
    let (sender, read) = mpsc::channel();
    thread::spawn(move || {
        let output = Command::new("xclip")
            .args(["-selection", "clipboard", "-o"])
            .env("DISPLAY", &display)
            .stdin(Stdio::null())
            .output();
        let _ = sender.send(output);
    });
    let output = read.recv_timeout(DEADLINE).expect("xclip -o answers").expect("xclip -o runs");
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Waits until `check` holds for what the clipboard holds, and returns that.
fn wait_for_clipboard(display: &str, what: &str, check: impl Fn(&Option<String>) -> bool) -> Option<String> {
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        let now = clipboard_now(display);
        if check(&now) {
            return now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waiting for the clipboard to {what}: it holds {now:?}"
        );
        thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Waits until process `pid` has ended (gone, or a zombie nobody reaped yet).
fn wait_for_exit(pid: &str) {
    let deadline = std::time::Instant::now() + DEADLINE;
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit_once(") ").map(|(_, rest)| rest.chars().next());
        if stat.is_empty() || state == Some(Some('Z')) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "process {pid} (timeout) did not end: {stat}");
        thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `token --copy` with an X display: the token is in the clipboard once the command
/// has exited, and gone when the clearing time (`TELNYX_SETUP_CLIPBOARD_CLEAR`, here
/// 2 s) is up; but had something else been copied meanwhile, that stays. A `timeout`
/// first on `PATH` notes its process id, so the test knows when the time is up
/// rather than sleeping for it.
#[test]
fn a_copied_token_is_cleared_after_a_time_if_it_is_still_there() {
    let missing: Vec<&str> =
        ["Xvfb", "xclip", "timeout"].into_iter().filter(|program| !on_path(program)).collect();
    if !missing.is_empty() {
        let advice =
            format!("the clipboard clearing test needs {} on PATH (xvfb, xclip)", missing.join(" and "));
        assert!(std::env::var_os("CI").is_none(), "{advice}. CI is set, so this is a failure, not a skip.");
        let _ = writeln!(std::io::stderr(), "notice: skipping: {advice}.");
        return;
    }
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let api = crate::support::client(&sandbox.base_url(), "KEYclear");
    let credential = runtime.block_on(async {
        let body = crate::support::new_connection("Clear", "cleartest01");
        let connection = api.create_credential_connection(&body).await.unwrap().id;
        let body =
            telnyx_setup::api::NewTelephonyCredential { connection_id: connection, ..Default::default() };
        api.create_telephony_credential(&body).await.unwrap().id
    });
    let xvfb = Xvfb::start();
    let temp = TempDir::new("x11-clear");
    let pids = temp.path().join("timeout.pids");
    let dir = temp.path().join("bin");
    std::fs::create_dir_all(&dir).unwrap();
    let real = find_on_path("timeout").expect("checked above");
    let script = format!("#!/bin/sh\necho $$ >> '{}'\nexec '{}' \"$@\"\n", pids.display(), real.display());
    std::fs::write(dir.join("timeout"), script).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("timeout"), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default());
    let copy = || {
        let log = crate::support::log_path("x11-clear");
        let output = Command::new(crate::support::BIN)
            .args(["token", "--api-base", &sandbox.base_url(), "--credential", &credential, "--copy"])
            .env("DISPLAY", &xvfb.display)
            .env("PATH", &path)
            .env("TELNYX_API_KEY", "KEYclear")
            .env("TELNYX_SETUP_CLIPBOARD_CLEAR", "2s")
            .env("TELNYX_SETUP_LOG", &log)
            .env("TELNYX_SETUP_STATE_DIR", temp.path())
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");
        let _ = std::fs::remove_file(&log);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains("the clipboard is cleared in 2s if it still holds it"),
            "it says so: {stderr}"
        );
        let pid = std::fs::read_to_string(&pids).unwrap().lines().last().expect("timeout ran").to_owned();
        let held = wait_for_clipboard(&xvfb.display, "hold the token", |held| {
            held.as_deref().is_some_and(|text| text.split('.').count() == 3)
        });
        (pid, held.unwrap())
    };

    // Still there when the time is up: cleared.
    let (pid, _token) = copy();
    wait_for_exit(&pid);
    wait_for_clipboard(&xvfb.display, "be cleared", Option::is_none);

    // Something else copied meanwhile: it stays.
    let (pid, _token) = copy();
    let mut mine = Command::new("xclip")
        .args(["-selection", "clipboard", "-in"])
        .env("DISPLAY", &xvfb.display)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    mine.stdin.take().unwrap().write_all(b"my own text").unwrap();
    let _ = mine.wait();
    wait_for_clipboard(&xvfb.display, "hold my own text", |held| held.as_deref() == Some("my own text"));
    wait_for_exit(&pid);
    assert_eq!(clipboard_now(&xvfb.display).as_deref(), Some("my own text"), "what was copied since stays");
    drop(xvfb);
    drop(sandbox);
}
