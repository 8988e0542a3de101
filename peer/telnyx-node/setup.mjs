// The wizard's default WebRTC setup, made the straightforward way with Telnyx's official
// Node library: an outbound voice profile allowed to call Canada and the United States
// (the wizard's default countries), a credential connection created with VP8 among its
// inbound codecs and attached to that profile, a telephony credential on the
// connection, and a login token for it. Four requests, one after another, no lookups.
//
// It is the peer the perf harness (examples/perf.rs) runs next to the wizard, against
// the same sandbox: the base URL comes from TELNYX_BASE_URL (the library's own variable,
// also passed as `baseURL`), the key from TELNYX_API_KEY. It prints one JSON line:
// {"requests": 4, "ms": total, "steps": [{"what", "ms"}], "connection_id", ...}; the
// token itself is never printed.
import { randomBytes } from 'node:crypto';
import Telnyx from 'telnyx';

const baseURL = process.env.TELNYX_BASE_URL;
const apiKey = process.env.TELNYX_API_KEY;
if (!baseURL || !apiKey) {
  console.error('usage: TELNYX_BASE_URL=http://127.0.0.1:PORT/v2 TELNYX_API_KEY=KEY... node setup.mjs');
  process.exit(2);
}

// Retries are the library's default (2); the sandbox injects no faults in these runs.
const client = new Telnyx({ apiKey, baseURL });
const suffix = randomBytes(4).toString('hex');
const steps = [];
const started = performance.now();

async function step(what, request) {
  const at = performance.now();
  const result = await request();
  steps.push({ what, ms: Math.round((performance.now() - at) * 10) / 10 });
  return result;
}

try {
  const { data: profile } = await step('create outbound voice profile', () =>
    client.outboundVoiceProfiles.create({
      name: `WebRTC outbound (peer ${suffix})`,
      whitelisted_destinations: ['US', 'CA'],
    }),
  );
  const { data: connection } = await step('create credential connection', () =>
    client.credentialConnections.create({
      connection_name: `WebRTC (peer ${suffix})`,
      user_name: `peer${suffix}`,
      password: randomBytes(18).toString('base64url'),
      inbound: { codecs: ['OPUS', 'G722', 'G711U', 'G711A', 'G729', 'H.264', 'VP8'] },
      outbound: { outbound_voice_profile_id: profile.id },
    }),
  );
  const { data: credential } = await step('create telephony credential', () =>
    client.telephonyCredentials.create({ connection_id: connection.id, name: `WebRTC (peer ${suffix})` }),
  );
  const token = await step('create login token', () => client.telephonyCredentials.createToken(credential.id));
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    throw new Error('the token endpoint did not return a JWT');
  }
  const codecs = connection.inbound?.codecs ?? [];
  if (!codecs.includes('VP8') || connection.outbound?.outbound_voice_profile_id !== profile.id) {
    throw new Error(`the connection came back without VP8 or its profile: ${JSON.stringify(connection.inbound)}`);
  }
  console.log(
    JSON.stringify({
      requests: steps.length,
      ms: Math.round((performance.now() - started) * 10) / 10,
      steps,
      profile_id: profile.id,
      connection_id: connection.id,
      credential_id: credential.id,
      token_bytes: token.length,
    }),
  );
} catch (error) {
  console.error(`peer setup failed: ${error?.status ?? ''} ${error?.message ?? error}`);
  process.exit(1);
}
