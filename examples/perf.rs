//! The perf harness: what a user of the real (release) binary waits for, measured from
//! outside, in a pseudo-terminal, and printed as one table. Not part of CI's pass or
//! fail: the figures depend on the machine and what else it runs.
//!
//! ```sh
//! scripts/perf.sh                      # builds, then runs this with the peer
//! perf target/release/telnyx-setup [--peer peer/telnyx-node] [--launches 20] [--keys 100]
//! perf target/release/telnyx-setup --only inspector   # one measurement, in seconds
//! ```
//!
//! `--only SECTION` runs one of the measurements below and prints its rows alone:
//! `launch`, `idle` (idle wake-ups and key to frame in the countries list), `inspector`,
//! `path` (the default path), or `peer` (side by side; needs `--peer`). Without it,
//! every measurement runs.
//!
//! What it measures, each in a process of its own:
//!
//! - **launch to first frame**: `--demo` started in a PTY until the sign-in screen is
//!   drawn, the median of `--launches` runs (and the slowest);
//! - **idle wake-ups**: on step 5 (the countries list, reached through `--demo`), the
//!   context switches of all the process's threads over 10 s, from
//!   `/proc/PID/task/*/status` (voluntary + nonvoluntary);
//! - **key to frame**: Down in that list, from the key's write to the first byte of
//!   the frame it causes, the median and 95th percentile of `--keys` presses; and Up
//!   in the inspector's list of 100,000 numbers;
//! - **the inspector on big accounts**: `inspect` against a sandbox running as a
//!   process of its own (so only the inspector is measured): End to the last of
//!   10,000 numbers with the sandbox at 200 ms a request; then End on 100,000 numbers
//!   at 0 ms, `VmHWM` (peak resident) and `VmRSS` from `/proc/PID/status`, Up key to
//!   frame there, and what each page cost the sandbox (its `--verbose` log);
//! - **the default path**: the wizard driven with Enter on every screen (and `y` to
//!   buy the number), against `sandbox --latency 0ms` and `--latency 200ms`: the
//!   requests the sandbox served (its `--verbose` log), the wall time from launch to
//!   the summary, and the visible wait (the sum, over the keys, of the time from the
//!   key to the next screen ready for a key); then the 200 ms run key by key: each
//!   key's wait and the requests served meanwhile, in order. The setup journal is on
//!   tmpfs for these ([`memory_dir`]); one more run at 0 ms keeps it on disk. Keys go
//!   as soon as each screen is ready, which no person does: reads sent ahead while a
//!   screen is read cannot be ahead then. So both latencies are run once more at the
//!   pace of a reader, [`READING`] on each screen before its key, and the wait that
//!   latency adds is given for both paces;
//! - **side by side** with `--peer DIR`: the same WebRTC setup (connection with VP8,
//!   profile with CA and US, credential, token) made by `DIR/setup.mjs` with Telnyx's
//!   Node library and by ours ([`ours_setup`]), each against a fresh sandbox at
//!   200 ms: wall time, requests, and the ratio.;
//! - **calls**: `doctor --call` against a sandbox process, [`CALLS`] times: invite to
//!   answer, answer to the first audio back, and the tone's round trip, as its
//!   `call_number` check reports them (the sandbox's echo answers on loopback).

#[path = "common/pty.rs"]
mod pty;

use pty::{CTRL_C, ENTER, Launch, Session};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const COLS: u16 = 100;
const ROWS: u16 = 30;
const DOWN: &str = "\x1b[B";
const UP: &str = "\x1b[A";
/// End as xterm sends it.
const END: &str = "\x1b[F";
/// The sandbox accepts keys that start with `KEY`.
const KEY: &str = "KEYperfharness";
/// How long the idle screen is watched.
const IDLE: Duration = Duration::from_secs(10);
/// A reader's time on each screen before pressing its key, for the paced runs: quick
/// for a person (reading "Buy 1 number for $1.00? [y/N]" takes longer).
const READING: Duration = Duration::from_millis(500);
/// A frame is taken to be over when the app has written nothing for this long.
const FRAME_QUIET: Duration = Duration::from_millis(15);

struct Args {
    binary: PathBuf,
    peer: Option<PathBuf>,
    launches: usize,
    keys: usize,
    /// `--only`: the one measurement to make; `None` makes them all.
    only: Option<Section>,
}

/// The measurements, each a part of the table; `--only` names one, so a change to one
/// part of the program is measured without waiting for the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Launch,
    Idle,
    Inspector,
    Path,
    Peer,
    Call,
}

impl Section {
    const ALL: [(&'static str, Section); 6] = [
        ("launch", Section::Launch),
        ("idle", Section::Idle),
        ("inspector", Section::Inspector),
        ("path", Section::Path),
        ("peer", Section::Peer),
        ("call", Section::Call),
    ];

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().find(|(known, _)| *known == name).map(|(_, section)| *section)
    }
}

impl Args {
    /// Whether `section` is to be measured in this run.
    fn runs(&self, section: Section) -> bool {
        self.only.is_none_or(|only| only == section)
    }
}

fn parse_args() -> Args {
    let usage = "usage: perf <telnyx-setup binary> [--peer DIR] [--launches N] [--keys N] \
                 [--only launch|idle|inspector|path|peer|call]";
    let mut args = std::env::args().skip(1);
    let Some(binary) = args.next().filter(|a| !a.starts_with('-')) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let mut parsed = Args { binary: PathBuf::from(binary), peer: None, launches: 20, keys: 100, only: None };
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| {
            eprintln!("perf: {flag} needs a value\n{usage}");
            std::process::exit(2);
        });
        let number = || {
            value.parse::<usize>().ok().filter(|n| *n > 0).unwrap_or_else(|| {
                eprintln!("perf: {flag} takes a positive number, not {value:?}");
                std::process::exit(2);
            })
        };
        match flag.as_str() {
            "--peer" => parsed.peer = Some(PathBuf::from(&value)),
            "--launches" => parsed.launches = number(),
            "--keys" => parsed.keys = number(),
            "--only" => {
                parsed.only = Some(Section::parse(&value).unwrap_or_else(|| {
                    eprintln!("perf: --only takes a measurement's name, not {value:?}\n{usage}");
                    std::process::exit(2);
                }))
            }
            _ => {
                eprintln!("perf: unknown option {flag}\n{usage}");
                std::process::exit(2);
            }
        }
    }
    if parsed.only == Some(Section::Peer) && parsed.peer.is_none() {
        eprintln!("perf: --only peer needs --peer DIR\n{usage}");
        std::process::exit(2);
    }
    parsed
}

/// One row of the table.
struct Row {
    what: String,
    value: String,
    how: String,
}

fn row(what: impl Into<String>, value: impl Into<String>, how: impl Into<String>) -> Row {
    Row { what: what.into(), value: value.into(), how: how.into() }
}

fn ms(duration: Duration) -> String {
    let ms = duration.as_secs_f64() * 1000.0;
    if ms < 10.0 { format!("{ms:.2} ms") } else { format!("{ms:.0} ms") }
}

fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}

/// The `q`-th quantile (0.5 is the median) of `samples`, nearest rank.
fn quantile(samples: &[Duration], q: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// A `telnyx-setup sandbox --verbose` of its own, in another process, whose log of
/// requests (one stderr line each) is collected by a thread.
struct SandboxProcess {
    child: Child,
    url: String,
    log: JoinHandle<Vec<Served>>,
}

/// A request the sandbox served, as its log wrote it
/// (`POST /v2/credential_connections -> 201 in 201 ms`), and when that line came.
struct Served {
    at: Instant,
    line: String,
}

impl Served {
    /// The line without the time taken.
    fn request(&self) -> &str {
        self.line.rsplit_once(" in ").map_or(&self.line, |(request, _)| request)
    }
}

impl SandboxProcess {
    fn start(binary: &Path, flags: &[&str]) -> Self {
        let mut child = Command::new(binary)
            .args(["sandbox", "--verbose"])
            .args(flags)
            .env(
                "TELNYX_SETUP_LOG",
                std::env::temp_dir().join(format!("telnyx-setup-perf-sandbox-{}.log", std::process::id())),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {} sandbox: {e}", binary.display()));
        let mut url = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout).read_line(&mut url).expect("read the sandbox's URL");
        let url = url.trim().to_owned();
        if !url.starts_with("http://") {
            eprintln!("perf: the sandbox printed {url:?} instead of its URL");
            std::process::exit(1);
        }
        let stderr = child.stderr.take().expect("piped stderr");
        let log = std::thread::spawn(move || {
            BufReader::new(stderr)
                .lines()
                .map_while(Result::ok)
                .filter(|line| ["GET ", "POST ", "PATCH ", "DELETE "].iter().any(|m| line.starts_with(m)))
                .map(|line| Served { at: Instant::now(), line })
                .collect()
        });
        Self { child, url, log }
    }

    /// Stops the sandbox and returns every request it served, in order.
    fn stop(mut self) -> Vec<Served> {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log.join().unwrap_or_default()
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// Reads `field` (in kB) from /proc/PID/status.
fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Context switches of every thread of `pid` so far (voluntary + nonvoluntary).
fn context_switches(pid: u32) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return 0 };
    tasks
        .filter_map(Result::ok)
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|line| line.contains("ctxt_switches:"))
                .filter_map(|line| line.split(':').nth(1)?.trim().parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
}

fn threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task")).map(|tasks| tasks.count()).unwrap_or(0)
}

fn spawn(binary: &Path, args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Session {
    Session::spawn(&Launch { binary, args, env, cols, rows }, |_| {})
}

fn quit(mut app: Session, keys: &str) {
    app.send(keys);
    if !app.wait_for_exit() {
        eprintln!("perf: the app did not exit with status 0");
        std::process::exit(1);
    }
}

/// `--demo` until the sign-in screen, `launches` times.
fn launch(args: &Args, rows: &mut Vec<Row>) {
    let mut samples = Vec::new();
    for _ in 0..args.launches {
        let started = Instant::now();
        let app = spawn(&args.binary, &["--demo"], &[], COLS, ROWS);
        let (_, _, drawn) = app.wait_until(&[&["Step 1 of 8: Sign in", "Demo mode"]]);
        samples.push(drawn - started);
        quit(app, CTRL_C);
    }
    rows.push(row(
        "launch to first frame (`--demo`)",
        format!("{} median, {} slowest", ms(quantile(&samples, 0.5)), ms(quantile(&samples, 1.0))),
        format!("{} launches, spawn to the sign-in screen drawn", samples.len()),
    ));
}

/// Presses `key` `count` times, each after the previous frame is over; the time from
/// each write to the first byte of its frame.
fn key_to_frame(app: &mut Session, key: &str, count: usize) -> Vec<Duration> {
    (0..count)
        .map(|_| {
            app.wait_quiet(FRAME_QUIET);
            let mark = app.mark();
            let sent = app.send(key);
            app.first_output_since(mark).saturating_duration_since(sent)
        })
        .collect()
}

fn latency_summary(samples: &[Duration]) -> String {
    format!("{} median, {} p95", ms(quantile(samples, 0.5)), ms(quantile(samples, 0.95)))
}

/// `--demo` to step 5, idle there for [`IDLE`], then Down through the list.
fn idle_and_keys(args: &Args, rows: &mut Vec<Row>) {
    let mut app = spawn(&args.binary, &["--demo"], &[], COLS, ROWS);
    let mut wizard = Wizard { app: &mut app, presses: Vec::new(), reading: Duration::ZERO };
    wizard.sign_in_to_countries();
    app.wait_quiet(Duration::from_millis(200));
    let pid = app.pid();
    let before = context_switches(pid);
    let threads = threads(pid);
    let started = Instant::now();
    // Watching for output, not sleeping: a frame drawn while idle is a wake-up too.
    let mark = app.mark();
    std::thread::sleep(IDLE);
    let frames = app.with_recording(|recording| recording.events.len() - mark);
    let wakeups = context_switches(pid) - before;
    let watched = started.elapsed();
    rows.push(row(
        "idle wake-ups (step 5, `--demo`)",
        format!("{wakeups} in {}", secs(watched)),
        format!(
            "context switches of all {threads} threads, /proc/PID/task/*/status; {frames} writes to the terminal"
        ),
    ));
    let samples = key_to_frame(&mut app, DOWN, args.keys.min(240));
    rows.push(row(
        "key to frame: Down in the countries list",
        latency_summary(&samples),
        format!("{} keys, write to the first byte of the frame", samples.len()),
    ));
    quit(app, "q");
}

/// The inspector on big accounts, each served by a sandbox process of its own: End on
/// 10,000 numbers at 200 ms a request, then 100,000 numbers at 0 ms (memory, keys, and
/// what a page costs the sandbox).
fn inspector(args: &Args, rows: &mut Vec<Row>) {
    let sandbox = SandboxProcess::start(&args.binary, &["--seed-numbers", "10000", "--latency", "200ms"]);
    let mut app = open_numbers(&args.binary, &sandbox.url, "Numbers (250 of 10000)");
    let sent = app.send(END);
    let (_, _, loaded) = app.wait_until(&[&["Numbers (10000)", "▶ +15550009999"]]);
    quit(app, "q");
    let pages = sandbox.stop().iter().filter(|s| s.line.starts_with("GET /v2/phone_numbers")).count();
    rows.push(row(
        "inspector at 200 ms: End until all 10,000 are loaded",
        ms(loaded - sent),
        format!(
            "sandbox --latency 200ms --seed-numbers 10000; {pages} pages of 250 in all, the first \
             before End, the rest {} at a time",
            telnyx_setup::api::PARALLEL_PAGES
        ),
    ));

    let sandbox = SandboxProcess::start(&args.binary, &["--seed-numbers", "100000"]);
    let mut app = open_numbers(&args.binary, &sandbox.url, "Numbers (250 of 100000)");
    let first_page = proc_status_kb(app.pid(), "VmHWM").unwrap_or(0);
    let sent = app.send(END);
    let (_, _, loaded) = app.wait_until(&[&["Numbers (100000)", "▶ +15550099999"]]);
    let pid = app.pid();
    let peak = proc_status_kb(pid, "VmHWM").unwrap_or(0);
    let resident = proc_status_kb(pid, "VmRSS").unwrap_or(0);
    let sandbox_peak = proc_status_kb(sandbox.pid(), "VmHWM").unwrap_or(0);
    rows.push(row(
        "inspector, 100,000 numbers loaded: peak resident (VmHWM)",
        format!("{:.1} MiB", peak as f64 / 1024.0),
        format!(
            "now {:.1} MiB (VmRSS); {:.1} MiB with the first page of 250 loaded; the sandbox \
             process, not counted, {:.1} MiB",
            resident as f64 / 1024.0,
            first_page as f64 / 1024.0,
            sandbox_peak as f64 / 1024.0
        ),
    ));
    rows.push(row(
        "inspector at 0 ms: End until all 100,000 are loaded",
        ms(loaded - sent),
        "400 pages of 250, sandbox at 0 ms".to_owned(),
    ));
    let samples = key_to_frame(&mut app, UP, args.keys.min(9_999));
    rows.push(row(
        "key to frame: Up in the inspector's 100,000 numbers",
        latency_summary(&samples),
        format!("{} keys", samples.len()),
    ));
    quit(app, "q");
    // The sandbox's log gives each request's time in whole milliseconds.
    let mut page_ms: Vec<Duration> = sandbox
        .stop()
        .iter()
        .filter(|s| s.line.starts_with("GET /v2/phone_numbers"))
        .filter_map(|s| s.line.rsplit_once(" in ")?.1.trim_end_matches(" ms").parse().ok())
        .map(Duration::from_millis)
        .collect();
    page_ms.sort();
    rows.push(row(
        "sandbox: one page of 250 of 100,000 numbers",
        format!("{} median, {} slowest", ms(quantile(&page_ms, 0.5)), ms(quantile(&page_ms, 1.0))),
        format!("{} pages, the sandbox's --verbose log (whole ms)", page_ms.len()),
    ));
}

/// `inspect` against `url` in a PTY, on the numbers tab once `first` (its first page)
/// shows.
fn open_numbers(binary: &Path, url: &str, first: &str) -> Session {
    let mut app = spawn(binary, &["inspect", "--api-base", url], &[("TELNYX_API_KEY", KEY)], 110, 30);
    app.wait_for(&["●1 Connections", "Office softphones"]);
    app.send("3");
    app.wait_for(&["●3 Numbers", first]);
    app
}

/// The wizard in a PTY, and the keys pressed.
struct Wizard<'a> {
    app: &'a mut Session,
    presses: Vec<Press>,
    /// Time spent on each ready screen before its key ([`READING`], or none).
    reading: Duration,
}

/// A key, and the wait for the screen that answers it.
struct Press {
    /// The key and the screen it waited for.
    what: String,
    sent: Instant,
    /// The output that made the next screen ready for a key (no request in flight).
    ready: Instant,
}

impl Press {
    fn waited(&self) -> Duration {
        self.ready.saturating_duration_since(self.sent)
    }
}

impl Wizard<'_> {
    /// Presses `key`, then waits for a screen with `texts` and no request in flight.
    fn press(&mut self, key: &str, texts: &[&str]) {
        self.press_until(key, texts, |screen| !screen.contains(pty::BUSY));
    }

    /// Presses `key`, then waits for a screen with `texts` of which `ready` holds.
    fn press_until(&mut self, key: &str, texts: &[&str], ready: impl Fn(&str) -> bool) {
        // Not a wait for a condition: the reader's pace is what is being modelled.
        std::thread::sleep(self.reading);
        let sent = self.app.send(key);
        let ready = self.app.wait(&format!("{texts:?}"), |recording| {
            let screen = recording.parser.screen().contents();
            (texts.iter().all(|t| screen.contains(t)) && ready(&screen)).then(|| recording.last_output())?
        });
        let name = match key {
            ENTER => "Enter",
            other => other,
        };
        self.presses.push(Press { what: format!("{name} → {}", texts[0].trim()), sent, ready });
    }

    /// Steps 1 to 5 with Enter: sign in, a new connection, its codecs, a new profile.
    /// Leaves the wizard on the countries of the new profile.
    fn sign_in_to_countries(&mut self) {
        self.app.wait_for(&["Step 1 of 8: Sign in"]);
        self.press(ENTER, &["Step 2 of 8: Connection", "+ Create a new credential connection"]);
        self.press(ENTER, &["┌ SIP user name ", "Enter next"]);
        self.press(ENTER, &["Step 3 of 8: Codecs", "[x] VP8"]);
        self.press(ENTER, &["Step 4 of 8: Voice profile", "+ Create a new outbound voice profile"]);
        self.press(ENTER, &["┌ Profile name ", "Enter next"]);
        self.press(ENTER, &["Step 5 of 8: Countries", "Allowed: CA, US"]);
    }

    /// Step 5 kept, step 6 with `numbers` (buy the first number offered, or skip with
    /// `s`), then a new credential and its token, to the summary.
    fn countries_to_summary(&mut self, buy_a_number: bool) {
        self.press(ENTER, &["Step 6 of 8: Numbers", "Press Enter to search for numbers, or s to skip"]);
        let credentials = ["Step 7 of 8: Credential", "+ Create a new credential"];
        if buy_a_number {
            self.press(ENTER, &["Search available numbers", "Enter search"]);
            self.press(ENTER, &["· cart: 0"]);
            self.press(ENTER, &["· cart: 1"]);
            self.press(ENTER, &["Cart: 1 number", "Enter buy"]);
            self.press(ENTER, &["Buy 1 number for", "[y/N]"]);
            // The order placed: Enter goes on while Telnyx completes it (the summary
            // waits for it below), or, if it completed at once, after its summary.
            self.press_until("y", &["Step 6 of 8", "Enter continue"], |screen| {
                screen.contains("Press Enter to go on") || screen.contains("1 number bought and assigned")
            });
            self.press(ENTER, &credentials);
        } else {
            self.press("s", &credentials);
        }
        self.press(ENTER, &["┌ Name (optional) ", "Enter create"]);
        self.press(ENTER, &["SIP user name:", "Press Enter to make a login token"]);
        self.press(ENTER, &["Step 8 of 8: Token", "Press Enter to generate a login token"]);
        self.press(ENTER, &["r reveals", "y copy"]);
        // Ready once the number bought is on it, not while the order still completes.
        self.press_until(ENTER, &["Setup complete", "Enter or q to quit"], |screen| {
            !screen.contains(pty::BUSY) && !screen.contains("completing the order")
        });
    }
}

/// What one run of a setup cost.
struct Run {
    /// Launch to the summary (ours) or to the exit (the peer).
    wall: Duration,
    /// Ours: the keys pressed and the waits for their screens.
    presses: Vec<Press>,
    requests: Vec<Served>,
}

impl Run {
    /// The visible wait: the sum, over the keys, of the time from the key to the next
    /// screen ready for a key.
    fn waited(&self) -> Duration {
        self.presses.iter().map(Press::waited).sum()
    }
}

/// The wizard against `url`, Enter on every screen: buying the first number offered
/// when `buy_a_number`, else skipping the numbers step. Returns the wall time (launch
/// to the summary) and the keys pressed.
fn wizard_run(
    binary: &Path,
    url: &str,
    buy_a_number: bool,
    journal_dir: &Path,
    reading: Duration,
) -> (Duration, Vec<Press>) {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let state = journal_dir.join(format!("telnyx-setup-perf-{}-{run}", std::process::id()));
    let state_env = state.to_string_lossy().into_owned();
    let started = Instant::now();
    let env = [("TELNYX_API_KEY", KEY), ("TELNYX_SETUP_STATE_DIR", state_env.as_str())];
    let mut app = spawn(binary, &["--api-base", url], &env, COLS, ROWS);
    let mut wizard = Wizard { app: &mut app, presses: Vec::new(), reading };
    wizard.sign_in_to_countries();
    wizard.countries_to_summary(buy_a_number);
    let (wall, presses) = (started.elapsed(), wizard.presses);
    quit(app, "q");
    let _ = std::fs::remove_dir_all(&state);
    (wall, presses)
}

/// Our side of the side-by-side run: the WebRTC setup the peer makes (connection with
/// VP8, profile with CA and US, credential, token), against `url`, with
/// `telnyx-setup setup --yes`: its safety lookups included, the journal on tmpfs.
fn ours_setup(binary: &Path, url: &str) -> Duration {
    let state = memory_dir().join(format!("telnyx-setup-perf-setup-{}", std::process::id()));
    let started = Instant::now();
    let status = Command::new(binary)
        .args(["setup", "--yes", "--api-base", url])
        .env("TELNYX_API_KEY", KEY)
        .env("TELNYX_SETUP_STATE_DIR", &state)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let wall = started.elapsed();
    let _ = std::fs::remove_dir_all(&state);
    assert!(status.is_ok_and(|s| s.success()), "perf: `setup --yes` failed");
    wall
}

/// Where the wizard's setup journal goes for the network measurements: tmpfs
/// (`/dev/shm`) where there is one, so that its fsyncs, which another build writing to
/// the same disk can make last a second or more, do not hide the network's share. One
/// run keeps it on disk, to show what they cost.
fn memory_dir() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() }
}

/// The default Enter-only path, number bought, against a fresh sandbox at `latency`,
/// with the setup journal in `journal_dir`, `reading` each screen before its key.
fn default_path(binary: &Path, latency: &str, journal_dir: &Path, reading: Duration) -> Run {
    let sandbox = SandboxProcess::start(binary, &["--latency", latency]);
    let (wall, presses) = wizard_run(binary, &sandbox.url, true, journal_dir, reading);
    Run { wall, presses, requests: sandbox.stop() }
}

/// `DIR/setup.mjs` against a fresh sandbox at 200 ms, and ours against another.
/// Returns the peer's run, the time its script measured for its requests, and ours.
fn side_by_side(binary: &Path, peer: &Path) -> Option<(Run, Option<Duration>, Run)> {
    let sandbox = SandboxProcess::start(binary, &["--latency", "200ms"]);
    let started = Instant::now();
    let output = Command::new("node")
        .arg("setup.mjs")
        .current_dir(peer)
        .env("TELNYX_BASE_URL", &sandbox.url)
        .env("TELNYX_API_KEY", KEY)
        .stdin(Stdio::null())
        .output();
    let wall = started.elapsed();
    let requests = sandbox.stop();
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            eprintln!("perf: the peer failed: {}", String::from_utf8_lossy(&output.stderr).trim());
            return None;
        }
        Err(error) => {
            eprintln!("perf: cannot run node for the peer ({error}); the side-by-side row is left out");
            return None;
        }
    };
    // Its own time for the four requests, from the JSON line it printed ("ms": 911.8).
    let own = String::from_utf8_lossy(&output.stdout)
        .split("\"ms\":")
        .nth(1)
        .and_then(|rest| rest.split([',', '}']).next()?.parse::<f64>().ok())
        .map(|ms| Duration::from_secs_f64(ms / 1000.0));
    let peer = Run { wall, presses: Vec::new(), requests };
    let sandbox = SandboxProcess::start(binary, &["--latency", "200ms"]);
    let wall = ours_setup(binary, &sandbox.url);
    let ours = Run { wall, presses: Vec::new(), requests: sandbox.stop() };
    Some((peer, own, ours))
}

fn main() {
    let args = parse_args();
    let mut rows = Vec::new();
    let load = |when: &str| {
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        eprintln!(
            "perf: load average {when}: {}",
            load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
        );
    };
    load("at the start");
    if args.runs(Section::Launch) {
        eprintln!("perf: launching {} times", args.launches);
        launch(&args, &mut rows);
    }
    if args.runs(Section::Idle) {
        eprintln!("perf: idle for {} s on step 5, then {} keys", IDLE.as_secs(), args.keys);
        idle_and_keys(&args, &mut rows);
    }
    if args.runs(Section::Inspector) {
        eprintln!("perf: the inspector on 10,000 numbers at 200 ms, then 100,000 at 0 ms");
        inspector(&args, &mut rows);
    }
    // The 0 ms and 200 ms runs, kept for the key-by-key listing after the table.
    let mut paths = None;
    if args.runs(Section::Path) {
        eprintln!("perf: the default path at 0 ms and 200 ms");
        let fast = default_path(&args.binary, "0ms", &memory_dir(), Duration::ZERO);
        let slow = default_path(&args.binary, "200ms", &memory_dir(), Duration::ZERO);
        let on_disk = default_path(&args.binary, "0ms", &std::env::temp_dir(), Duration::ZERO);
        eprintln!("perf: the default path at 0 ms and 200 ms, {} ms on each screen", READING.as_millis());
        let read_fast = default_path(&args.binary, "0ms", &memory_dir(), READING);
        let read_slow = default_path(&args.binary, "200ms", &memory_dir(), READING);
        default_path_rows(&fast, &slow, &on_disk, &mut rows);
        read_pace_rows(&read_fast, &read_slow, &mut rows);
        let reading = format!("after {} ms on each screen", READING.as_millis());
        paths = Some([
            ("as soon as each screen is ready".to_owned(), fast, slow),
            (reading, read_fast, read_slow),
        ]);
    }
    if let Some(peer) = args.peer.as_ref().filter(|_| args.runs(Section::Peer)) {
        eprintln!("perf: side by side with the peer in {}", peer.display());
        if let Some((peer, own, ours)) = side_by_side(&args.binary, peer) {
            rows.push(row(
                "side by side at 200 ms: Telnyx Node library",
                format!("{}, {} requests", secs(peer.wall), peer.requests.len()),
                format!(
                    "peer/telnyx-node/setup.mjs: node started to exit ({} of it in its requests)",
                    own.map_or("?".to_owned(), secs)
                ),
            ));
            rows.push(row(
                "side by side at 200 ms: telnyx-setup",
                format!("{}, {} requests", secs(ours.wall), ours.requests.len()),
                "`setup --yes`, lookups included: start to exit",
            ));
            rows.push(row(
                "side by side: ours / peer",
                format!(
                    "{:.2}x the time, {:.2}x the requests",
                    ours.wall.as_secs_f64() / peer.wall.as_secs_f64(),
                    ours.requests.len() as f64 / peer.requests.len().max(1) as f64
                ),
                "below 1 is faster",
            ));
        }
    }
    if args.runs(Section::Call) {
        eprintln!("perf: {CALLS} calls to the sandbox's echo");
        calls(&args, &mut rows);
    }
    load("at the end");

    let widths = [
        rows.iter().map(|r| r.what.len()).max().unwrap_or(0),
        rows.iter().map(|r| r.value.len()).max().unwrap_or(0),
    ];
    println!("| {:w0$} | {:w1$} | how |", "what", "figure", w0 = widths[0], w1 = widths[1]);
    println!("| {} | {} | --- |", "-".repeat(widths[0]), "-".repeat(widths[1]));
    for r in &rows {
        println!("| {:w0$} | {:w1$} | {} |", r.what, r.value, r.how, w0 = widths[0], w1 = widths[1]);
    }
    for (pace, fast, slow) in paths.iter().flatten() {
        print_key_by_key(pace, fast, slow);
    }
}

/// The default path's rows: requests, wall time and visible wait at 0 ms and 200 ms,
/// the journal on disk, and what latency adds.
fn default_path_rows(fast: &Run, slow: &Run, on_disk: &Run, rows: &mut Vec<Row>) {
    for (label, run) in [("0 ms", fast), ("200 ms", slow)] {
        rows.push(row(
            format!("default path at {label}: requests"),
            run.requests.len().to_string(),
            "Enter on every screen, `y` to buy one number; the sandbox's --verbose log",
        ));
        rows.push(row(
            format!("default path at {label}: wall, visible wait"),
            format!("{}, {}", secs(run.wall), secs(run.waited())),
            "launch to the summary; the sum of key-to-ready-screen times",
        ));
    }
    rows.push(row(
        "default path at 0 ms, journal on disk: wall, visible wait",
        format!("{}, {}", secs(on_disk.wall), secs(on_disk.waited())),
        format!(
            "the runs above keep the setup journal in {}; this one in {}, fsyncs and all",
            memory_dir().display(),
            std::env::temp_dir().display()
        ),
    ));
    rows.push(row(
        "visible wait that 200 ms latency adds",
        secs(added_wait(fast, slow)),
        format!(
            "{:.1} round trips of 200 ms; each key sent as soon as its screen is ready",
            added_wait(fast, slow).as_secs_f64() / 0.2
        ),
    ));
}

/// What latency adds to the visible wait at a reader's pace ([`READING`]).
fn read_pace_rows(fast: &Run, slow: &Run, rows: &mut Vec<Row>) {
    rows.push(row(
        format!("the same, {} ms on each screen", READING.as_millis()),
        secs(added_wait(fast, slow)),
        format!(
            "{:.1} round trips; visible wait {} at 0 ms, {} at 200 ms",
            added_wait(fast, slow).as_secs_f64() / 0.2,
            secs(fast.waited()),
            secs(slow.waited())
        ),
    ));
}

/// The visible wait of `slow` beyond that of `fast`, the same path at 0 ms.
fn added_wait(fast: &Run, slow: &Run) -> Duration {
    slow.waited().saturating_sub(fast.waited())
}

/// The default path key by key: each key's wait at 0 ms and 200 ms, and the requests
/// the 200 ms sandbox served meanwhile.
fn print_key_by_key(pace: &str, fast: &Run, slow: &Run) {
    println!(
        "\nThe default path key by key, keys sent {pace}: the wait at 0 ms and at 200 ms, and the \
         requests served meanwhile at 200 ms, in order:\n"
    );
    let mut requests = slow.requests.iter().peekable();
    let mut number = 0;
    let mut list =
        |until: Instant, note: &str, requests: &mut std::iter::Peekable<std::slice::Iter<Served>>| {
            while let Some(served) = requests.next_if(|served| served.at <= until) {
                number += 1;
                println!("      {number:>2}. {}{note}", served.request());
            }
        };
    // A request served between one screen being ready and the next key was not waited
    // for: it went out in the background.
    let idle = " (while no key was awaited: in the background)";
    for (fast, press) in fast.presses.iter().zip(&slow.presses) {
        list(press.sent, idle, &mut requests);
        println!("  {:>8} {:>8}  {}", ms(fast.waited()), ms(press.waited()), press.what);
        list(press.ready, "", &mut requests);
    }
    list(Instant::now(), idle, &mut requests);
}

/// How many calls the call section places.
const CALLS: usize = 10;

/// `doctor --call` against a sandbox process on loopback, [`CALLS`] times: the time to
/// answer, to the first audio back, and the tone's round trip, as the `call_number`
/// check reports them (the sandbox's echo answers; PCMU, host candidates on 127.0.0.1).
fn calls(args: &Args, rows: &mut Vec<Row>) {
    let sandbox = SandboxProcess::start(&args.binary, &["--seed-numbers", "1"]);
    let signaling = sandbox.url.replacen("http://", "ws://", 1).replace("/v2", "/rtc");
    let figure = |reason: &str, before: &str| -> Option<Duration> {
        let rest = reason.split(before).nth(1)?;
        let number: String = rest.trim_start().chars().take_while(char::is_ascii_digit).collect();
        number.parse().ok().map(Duration::from_millis)
    };
    let (mut answered, mut audio, mut round_trip) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..CALLS {
        let output = Command::new(&args.binary)
            .args(["doctor", "--api-base", &sandbox.url, "--signaling-url", &signaling, "--json"])
            .args(["--connection", "Office softphones", "--call", "+13129457420"])
            .env("TELNYX_API_KEY", KEY)
            .stdin(Stdio::null())
            .output()
            .expect("the doctor runs");
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
        let check =
            report["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == "call_number")).cloned();
        let reason = check.as_ref().and_then(|c| c["reason"].as_str()).unwrap_or_default().to_owned();
        match (
            figure(&reason, "Answered in"),
            figure(&reason, "audio back"),
            figure(&reason, "round trip of"),
        ) {
            (Some(a), Some(b), Some(c)) => {
                answered.push(a);
                audio.push(b);
                round_trip.push(c);
            }
            _ => eprintln!("perf: a call did not pass: {reason}"),
        }
    }
    sandbox.stop();
    if answered.is_empty() {
        return;
    }
    let how = |what: &str| {
        format!("{} calls, `doctor --call` to the sandbox's echo on loopback; {what}", answered.len())
    };
    let spread = |samples: &[Duration]| {
        format!("{} median, {} slowest", ms(quantile(samples, 0.5)), ms(quantile(samples, 1.0)))
    };
    rows.push(row("call: invite to answer", spread(&answered), how("budget 100 ms")));
    rows.push(row("call: answer to first audio back", spread(&audio), how("budget 300 ms")));
    rows.push(row(
        "call: the tone's round trip",
        spread(&round_trip),
        how("first tone frame sent to its echo found"),
    ));
}
