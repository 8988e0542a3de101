// Logs in to a signaling server with the unmodified official Telnyx WebRTC SDK
// (@telnyx/webrtc, pinned in package.json), under Node with the shims the SDK needs
// outside a browser (the shared WEBRTC-LOGIN.md lists them), and prints one line of
// JSON on stdout: {"event":"ready"}, {"event":"error","code":46001,"message":"..."},
// or {"event":"timeout"}. Run by tests/it/webrtc_sdk.rs.
//
// Where and how it logs in comes from the environment, so no secret is on a command
// line: SIGNALING_URL (the SDK's `host`), and LOGIN_TOKEN, or SIP_USER and SIP_PASSWORD.
'use strict';

// The SDK logs to the console: keep stdout for the one line of the outcome.
console.log = console.info = console.debug = console.error;

globalThis.WebSocket = require('ws');
const noop = () => {};
globalThis.window = globalThis;
globalThis.addEventListener = noop;
globalThis.removeEventListener = noop;
globalThis.document = { addEventListener: noop, removeEventListener: noop };
const stored = new Map();
globalThis.sessionStorage = {
  getItem: (key) => (stored.has(key) ? stored.get(key) : null),
  setItem: (key, value) => stored.set(key, String(value)),
  removeItem: (key) => stored.delete(key),
  clear: () => stored.clear(),
};
// Node 21+ has a read-only navigator of its own.
Object.defineProperty(globalThis, 'navigator', {
  value: { userAgent: 'telnyx-setup tests (Node ' + process.version + ')' },
  configurable: true,
});

const { TelnyxRTC } = require('@telnyx/webrtc');

function finish(outcome) {
  process.stdout.write(JSON.stringify(outcome) + '\n', () => process.exit(0));
}

const host = process.env.SIGNALING_URL;
if (!host) {
  finish({ event: 'usage', message: 'SIGNALING_URL is not set' });
} else {
  const options = process.env.LOGIN_TOKEN
    ? { login_token: process.env.LOGIN_TOKEN }
    : { login: process.env.SIP_USER, password: process.env.SIP_PASSWORD };
  // `host` is outside the SDK's public options (see WEBRTC-LOGIN.md).
  options.host = host;
  const client = new TelnyxRTC(options);
  client.on('telnyx.ready', () => {
    client.disconnect();
    finish({ event: 'ready' });
  });
  client.on('telnyx.error', (event) => {
    const error = (event && event.error) || event || {};
    finish({ event: 'error', code: error.code, message: String(error.message || '') });
  });
  setTimeout(() => finish({ event: 'timeout' }), Number(process.env.TIMEOUT_MS || 15000));
  client.connect();
}
