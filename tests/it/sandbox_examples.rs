//! The examples of docs/sandbox.md's "Test your app against the sandbox", run as they
//! stand against `telnyx-setup sandbox --port 0` on loopback, so the page cannot go
//! stale: `curl`, Telnyx's official Node library (`telnyx` 7.24) and Python library
//! (`telnyx` 4.x, with `_strict_response_validation=True`), and the official WebRTC SDK
//! (`@telnyx/webrtc`) logging in at `ws://127.0.0.1:PORT/rtc`.
//!
//! Each code block whose first line is a comment naming a file (`# check.sh`,
//! `// app.mjs`) is written to a temporary directory under that name and run there with
//! the variables the page exports (`TELNYX_BASE_URL`, `TELNYX_API_KEY`,
//! `TELNYX_RTC_URL`). The Node packages are those `npm ci` installs in
//! `tests/sandbox-examples` (from its package-lock.json), linked into that directory;
//! Python is the venv `.ci/run` makes at `target/sandbox-examples-venv` from
//! `tests/sandbox-examples/requirements.txt` (exact versions, with hashes).
//!
//! Without Node, curl, the packages or the venv, a test prints a notice and passes, so
//! `cargo test` works on machines without them; when `CI` is set it fails instead,
//! saying what to do (the rule of `tests/it/webrtc_sdk.rs`).

use crate::support::{SandboxProcess, TempDir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The section of docs/sandbox.md the examples are in.
const SECTION: &str = "## Test your app against the sandbox";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The packages' directory: package.json, package-lock.json, requirements.txt.
fn packages() -> PathBuf {
    repo().join("tests").join("sandbox-examples")
}

/// The venv `.ci/run` installs the Python library into.
fn python() -> PathBuf {
    repo().join("target").join("sandbox-examples-venv").join("bin").join("python")
}

/// The code blocks of the section, as (info string, text).
fn blocks() -> Vec<(String, String)> {
    let page = std::fs::read_to_string(repo().join("docs").join("sandbox.md")).expect("docs/sandbox.md");
    let section = page.split(SECTION).nth(1).unwrap_or_else(|| panic!("docs/sandbox.md has no {SECTION:?}"));
    let section = section.split("\n## ").next().unwrap_or_default();
    let mut found = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else { continue };
        let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
        found.push((info.trim().to_owned(), body.join("\n") + "\n"));
    }
    found
}

/// The example the page names `file` (its first line `# file` or `// file`).
fn example(file: &str) -> String {
    let blocks = blocks();
    blocks
        .iter()
        .find(|(_, body)| {
            let first = body.lines().next().unwrap_or_default();
            first == format!("# {file}") || first == format!("// {file}")
        })
        .map(|(_, body)| body.clone())
        .unwrap_or_else(|| panic!("docs/sandbox.md's {SECTION:?} has no example {file}: {blocks:#?}"))
}

/// Passes with a notice (or fails under CI) when `reason` says the example cannot run.
fn cannot_run(what: &str, reason: Option<String>) -> bool {
    let Some(reason) = reason else { return false };
    let advice = format!("The {what} example of docs/sandbox.md cannot run: {reason}");
    assert!(std::env::var_os("CI").is_none(), "{advice}. CI is set, so this is a failure, not a skip.");
    eprintln!("{advice}; skipped.");
    true
}

/// Why `program --version` does not run here, if it does not.
fn missing_program(program: &str, install: &str) -> Option<String> {
    let runs = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|output| output.status.success());
    (!runs).then(|| format!("{program} is not installed ({install})"))
}

/// Why the Node examples cannot run here, if they cannot.
fn missing_node() -> Option<String> {
    missing_program("node", "apt-get install nodejs npm").or_else(|| {
        (!packages().join("node_modules/telnyx/package.json").is_file()
            || !packages().join("node_modules/@telnyx/webrtc/package.json").is_file())
        .then(|| format!("the packages are not installed: run `npm ci` in {}", packages().display()))
    })
}

/// The signaling URL beside the API at `base_url`: `ws://127.0.0.1:PORT/rtc`.
fn rtc_url(base_url: &str) -> String {
    base_url.replacen("http://", "ws://", 1).replace("/v2", "/rtc")
}

/// Writes the example `file` to a directory of its own (with the Node packages linked
/// in) and runs it with `program` against a new sandbox: its exit status and output.
fn run(program: &Path, file: &str) -> (bool, String) {
    // `telnyx-setup sandbox --port 0`, as the page starts it.
    let served = SandboxProcess::start();
    let dir = TempDir::new("sandbox-example");
    std::fs::write(dir.path().join(file), example(file)).expect("write the example");
    #[cfg(unix)]
    std::os::unix::fs::symlink(packages().join("node_modules"), dir.path().join("node_modules"))
        .expect("link the packages");
    let output = Command::new(program)
        .arg(file)
        .current_dir(dir.path())
        .env("TELNYX_BASE_URL", &served.base_url)
        .env("TELNYX_API_KEY", "KEYexamples")
        .env("TELNYX_RTC_URL", rtc_url(&served.base_url))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the example's interpreter runs");
    let said = format!(
        "{file} exited {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

#[test]
fn the_page_starts_the_sandbox_and_exports_what_the_examples_read() {
    let (info, setup) = blocks().into_iter().next().expect("a first block");
    assert_eq!(info, "sh");
    assert!(setup.starts_with("telnyx-setup sandbox --port 8765 &"), "{setup}");
    for line in [
        "export TELNYX_BASE_URL=http://127.0.0.1:8765/v2",
        "export TELNYX_API_KEY=KEY",
        "export TELNYX_RTC_URL=ws://127.0.0.1:8765/rtc",
    ] {
        assert!(setup.contains(line), "{line} in {setup}");
    }
    // Every other block is an example this module runs.
    let named: Vec<String> =
        blocks().iter().skip(1).map(|(_, body)| body.lines().next().unwrap().to_owned()).collect();
    assert_eq!(named, ["# check.sh", "// app.mjs", "# app.py", "// phone.mjs"]);
}

#[test]
fn the_curl_example_runs() {
    if cannot_run("curl", missing_program("curl", "apt-get install curl")) {
        return;
    }
    let (ok, said) = run(Path::new("bash"), "check.sh");
    assert!(ok, "{said}");
    for expected in [
        r#""balance":"250.00""#,
        r#""name":"My app""#,
        r#""page_size":250"#,
        r#""code":"10005""#,
        r#""path":"/outbound_voice_profiles""#,
        r#""reset":true"#,
    ] {
        assert!(said.contains(expected), "{expected} in {said}");
    }
}

#[test]
fn the_official_node_library_example_runs() {
    if cannot_run("Node library", missing_node()) {
        return;
    }
    let (ok, said) = run(Path::new("node"), "app.mjs");
    assert!(ok, "{said}");
    assert!(said.contains("a token of 3 parts") && said.contains("not found: 404 10005"), "{said}");
}

#[test]
fn the_official_python_library_example_runs_with_strict_validation() {
    let python = python();
    let missing = (!python.is_file()).then(|| {
        format!(
            "no venv at {}: python3 -m venv there, then pip install --require-hashes -r {}",
            python.display(),
            packages().join("requirements.txt").display()
        )
    });
    if cannot_run("Python library", missing) {
        return;
    }
    assert!(example("app.py").contains("_strict_response_validation=True"));
    let (ok, said) = run(&python, "app.py");
    assert!(ok, "{said}");
    for expected in ["a token of 3 parts", "balance 250.00", "not found: 404 10005"] {
        assert!(said.contains(expected), "{expected} in {said}");
    }
}

#[test]
fn the_webrtc_sdk_example_logs_in() {
    if cannot_run("WebRTC SDK", missing_node()) {
        return;
    }
    assert!(example("phone.mjs").contains("host: process.env.TELNYX_RTC_URL"));
    let (ok, said) = run(Path::new("node"), "phone.mjs");
    assert!(ok && said.contains("the phone is ready"), "{said}");
}
