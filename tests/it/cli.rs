//! The command line outside the doctor: the log file's path in `--help`, and
//! `sandbox --verbose` writing each request it serves to stderr.

use crate::support::{BIN, client, log_path};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long the sandbox may take to print a line.
const DEADLINE: Duration = Duration::from_secs(60);

fn help(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("TELNYX_SETUP_LOG").env_remove("XDG_STATE_HOME");
    for (variable, value) in env {
        command.env(variable, value);
    }
    let output = command.output().expect("run --help");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("help is UTF-8")
}

#[test]
fn help_names_the_log_file() {
    let log = log_path("help");
    let log = log.to_str().expect("a UTF-8 temporary path");
    for args in [&["--help"][..], &["doctor", "--help"], &["sandbox", "--help"]] {
        let text = help(args, &[("TELNYX_SETUP_LOG", log)]);
        assert!(text.contains(&format!("Log file: {log}")), "{args:?} should name {log}:\n{text}");
        assert!(text.contains("TELNYX_SETUP_LOG="), "{args:?} should say how to move it:\n{text}");
    }
    // Without TELNYX_SETUP_LOG: the platform's state directory.
    #[cfg(target_os = "linux")]
    {
        let home = std::env::temp_dir().join("telnyx-setup-help-home");
        let home = home.to_str().expect("a UTF-8 temporary path");
        let text = help(&["--help"], &[("HOME", home)]);
        let expected = format!("Log file: {home}/.local/state/telnyx-setup/telnyx-setup.log");
        assert!(text.contains(&expected), "--help should say {expected:?}:\n{text}");
    }
}

/// Kills the server however the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads `reader` line by line on a thread, so the test can wait with a deadline.
fn lines(reader: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, lines) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(reader).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    lines
}

#[test]
fn sandbox_verbose_writes_each_request_it_serves_to_stderr() {
    let log = log_path("sandbox-verbose");
    let mut server = Server(
        Command::new(BIN)
            .args(["sandbox", "--port", "0", "--verbose"])
            .env("TELNYX_SETUP_LOG", &log)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the sandbox"),
    );
    let stdout = lines(server.0.stdout.take().expect("piped"));
    let stderr = lines(server.0.stderr.take().expect("piped"));
    let url = stdout.recv_timeout(DEADLINE).expect("the sandbox prints its URL");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    runtime.block_on(client(&url, "KEYverbose").balance()).expect("GET /balance");
    let _ = runtime.block_on(client(&url, "not-a-key").balance());

    let mut seen = Vec::new();
    while seen.iter().filter(|line: &&String| line.contains(" -> ")).count() < 2 {
        match stderr.recv_timeout(DEADLINE) {
            Ok(line) => seen.push(line),
            Err(_) => panic!("two request lines expected on stderr within {DEADLINE:?}, got {seen:#?}"),
        }
    }
    let requests: Vec<&String> = seen.iter().filter(|line| line.contains(" -> ")).collect();
    assert!(
        requests[0].starts_with("GET /v2/balance -> 200 in ") && requests[0].ends_with(" ms"),
        "{seen:#?}"
    );
    assert!(requests[1].starts_with("GET /v2/balance -> 401 in "), "{seen:#?}");
    assert!(seen.iter().all(|line| !line.contains("KEYverbose")), "no key on stderr: {seen:#?}");
    drop(server);
    let _ = std::fs::remove_file(&log);
}
