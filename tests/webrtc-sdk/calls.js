// Calls through a signaling server with the unmodified official Telnyx WebRTC SDK
// (@telnyx/webrtc's browser bundle, pinned in package.json) in Debian's Chromium,
// driven by puppeteer-core (pinned too), with Chromium's fake microphone (a beep) and
// media on loopback. Prints one line of JSON on stdout: each scenario's outcome. Run
// by tests/it/webrtc_browser.rs, inside a network namespace with only `lo`.
//
// The environment says what to do, so no secret is on a command line:
//   SIGNALING_URL  the SDK's `host`
//   SCENARIOS      JSON: a list of scenarios, each
//                  {"name", "kind": "echo" | "pair" | "refused",
//                   "caller": {"login", "password"}, "callee": {...} (pair only),
//                   "destination", "caller_number", "listen_ms"}
//   CHROMIUM       the browser (default /usr/bin/chromium)
// Per scenario it reports the SDK's call states, the frames the page sent and received
// on the signaling socket, getStats() inbound audio (packets, energy, level) of each
// page, and for a refused call the cause, causeCode, sipCode and sipReason the SDK put
// on the call.
'use strict';

const http = require('http');
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

const BUNDLE = path.join(__dirname, 'node_modules', '@telnyx', 'webrtc', 'lib', 'bundle.js');

// The page: a WebSocket that keeps what it sends and receives (for the frame fixtures),
// then the SDK's bundle, then helpers the scenarios call through page.evaluate.
const PAGE = `<!doctype html><meta charset="utf-8"><title>calls</title>
<audio id="remote" autoplay></audio>
<script>
  window.__frames = [];
  const Native = WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => window.__frames.push({ dir: 'in', text: String(e.data) }));
    }
    send(data) {
      window.__frames.push({ dir: 'out', text: String(data) });
      super.send(data);
    }
  };
</script>
<script src="/bundle.js"></script>
<script>
  window.__states = [];
  window.__call = null;
  window.__ready = new Promise((resolve, reject) => { window.__readyResolve = resolve; window.__readyReject = reject; });
  window.login = (host, login, password, answer) => {
    const client = new TelnyxWebRTC.TelnyxRTC({ host, login, password });
    window.__client = client;
    client.remoteElement = 'remote';
    client.on('telnyx.ready', () => window.__readyResolve());
    client.on('telnyx.error', (e) => window.__readyReject(new Error(JSON.stringify((e && e.error) || e))));
    client.on('telnyx.notification', (n) => {
      if (n.type !== 'callUpdate' || !n.call) return;
      window.__call = n.call;
      window.__states.push(n.call.state);
      if (answer && n.call.state === 'ringing' && n.call.direction === 'inbound') {
        n.call.answer({ remoteElement: 'remote' });
      }
    });
    client.connect();
    return window.__ready;
  };
  window.dial = (destination, callerNumber) => {
    window.__call = window.__client.newCall({
      destinationNumber: destination,
      callerNumber,
      callerName: 'Chromium',
      audio: true,
      video: false,
      iceServers: [],
      remoteElement: 'remote',
    });
  };
  window.inboundAudio = async () => {
    const call = window.__call;
    const pc = call && call.peer && call.peer.instance;
    if (!pc) return null;
    const stats = await pc.getStats();
    let inbound = null;
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') inbound = s;
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
    });
    const local = pair && stats.get(pair.localCandidateId);
    const remote = pair && stats.get(pair.remoteCandidateId);
    const codec = inbound && inbound.codecId && stats.get(inbound.codecId);
    return inbound && {
      packetsReceived: inbound.packetsReceived,
      packetsLost: inbound.packetsLost,
      totalAudioEnergy: inbound.totalAudioEnergy,
      audioLevel: inbound.audioLevel,
      totalSamplesReceived: inbound.totalSamplesReceived,
      concealedSamples: inbound.concealedSamples,
      codec: codec ? codec.mimeType : null,
      pair: local && remote ? local.address + ' ' + local.candidateType + ' to ' + remote.address + ' ' + remote.candidateType : null,
    };
  };
  window.ending = () => {
    const c = window.__call;
    return c && { state: c.state, cause: c.cause, causeCode: c.causeCode, sipCode: c.sipCode, sipReason: c.sipReason };
  };
  window.hangup = () => { if (window.__call && window.__call.state !== 'destroy') window.__call.hangup(); };
</script>`;

function serve() {
  const server = http.createServer((request, response) => {
    if (request.url === '/bundle.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      fs.createReadStream(BUNDLE).pipe(response);
    } else {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(PAGE);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits for `check` (evaluated in the page) to be truthy, up to `ms`.
async function until(page, check, ms, ...args) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await page.evaluate(check, ...args);
    if (value || Date.now() > end) return value;
    await sleep(50);
  }
}

async function open(browser, url, host, who, answer) {
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page ${who.login}] ${m.text()}\n`));
  await page.goto(url);
  await page.evaluate((h, l, p, a) => window.login(h, l, p, a), host, who.login, who.password, answer);
  return page;
}

const frames = (page) => page.evaluate(() => window.__frames);

async function scenario(browser, url, host, s) {
  const listen = s.listen_ms || 3000;
  const result = { name: s.name };
  const pages = [];
  try {
    let callee = null;
    if (s.kind === 'pair') {
      callee = await open(browser, url, host, s.callee, true);
      pages.push(callee);
    }
    const caller = await open(browser, url, host, s.caller, false);
    pages.push(caller);
    await caller.evaluate((d, n) => window.dial(d, n), s.destination, s.caller_number);
    const settled = await until(caller, () => {
      const c = window.__call;
      return c && (c.state === 'active' || c.state === 'hangup' || c.state === 'destroy') ? c.state : null;
    }, 10000);
    result.caller_states = await caller.evaluate(() => window.__states);
    if (s.kind === 'refused') {
      await until(caller, () => window.__call && window.__call.state === 'destroy', 5000);
      result.ending = await caller.evaluate(() => window.ending());
    } else {
      result.settled = settled;
      if (settled === 'active') {
        await sleep(listen);
        result.caller_audio = await caller.evaluate(() => window.inboundAudio());
        if (callee) {
          result.callee_audio = await callee.evaluate(() => window.inboundAudio());
          result.callee_states = await callee.evaluate(() => window.__states);
        }
        await caller.evaluate(() => window.hangup());
        await until(caller, () => window.__call && window.__call.state === 'destroy', 5000);
      }
    }
    result.caller_frames = await frames(caller);
    if (callee) result.callee_frames = await frames(callee);
  } catch (error) {
    result.error = String((error && error.stack) || error);
  } finally {
    for (const page of pages) await page.close().catch(() => {});
  }
  return result;
}

async function main() {
  const host = process.env.SIGNALING_URL;
  const scenarios = JSON.parse(process.env.SCENARIOS || '[]');
  const server = await serve();
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  const results = [];
  try {
    for (const s of scenarios) results.push(await scenario(browser, url, host, s));
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }
  process.stdout.write(JSON.stringify({ results }) + '\n', () => process.exit(0));
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String((error && error.stack) || error) }) + '\n', () => process.exit(0));
});
