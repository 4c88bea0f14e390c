import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthConfig } from '../../../src/config/types.ts';
import { REFERENCE_SECRET } from '../../../src/reference/index.ts';
import { toJsonLine } from '../../../src/report/json.ts';
import { toJunitXml } from '../../../src/report/junit.ts';
import { formatText } from '../../../src/report/text.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { goldenPathCheck, jwtAuth } from '../../support/fixtures.ts';
import { listenLoopback } from '../../support/net.ts';
import { outcome, runOnce } from '../../support/run.ts';
import { MAX_RESULT_TEXT_CHARS } from '../../../src/walk/result.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
const WELCOME = JSON.stringify({ type: 'connection_established', data: { connection_id: 'c1', user_id: 'u1' } });
/** A close reason is at most 123 bytes (RFC 6455 §5.5): a longer token is echoed as much as fits. */
const MAX_CLOSE_REASON_BYTES = 123;

/** The token the canary presented: from the Authorization header, else decoded from its `jwt.<b64url>` subprotocol. */
function presentedToken(req: IncomingMessage): string {
  const header = req.headers.authorization;
  if (typeof header === 'string' && header.startsWith('Bearer ')) return header.slice('Bearer '.length);
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const entry = offered.find((p) => p.startsWith('jwt.')) ?? '';
  return Buffer.from(entry.slice('jwt.'.length), 'base64url').toString('utf8');
}

/** Starts a WebSocket server on a loopback port; `onConnection` gets each socket and the token it presented. */
async function startServer(t: TestContext, onConnection: (ws: WebSocket, token: string) => void): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('jwt-auth') ? 'jwt-auth' : false) });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws, req) => onConnection(ws, presentedToken(req)));
  t.after(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
}

/** A server that echoes the token it was sent, raw and base64url, in an error frame, then closes 1008 with it in the reason. */
function echoToken(ws: WebSocket, token: string): void {
  ws.send(JSON.stringify({ type: 'error', message: `invalid token ${token} (as subprotocol jwt.${b64(token)}, bare ${b64(token)})` }));
  const reason = `bad ${token}`;
  setTimeout(() => ws.close(1008, Buffer.from(reason).subarray(0, MAX_CLOSE_REASON_BYTES).toString('utf8')), 20);
}

/** Every surface a result reaches: the result itself, the --json line, JUnit and the text report. */
function surfaces(result: CheckResult): Record<string, string> {
  return {
    result: JSON.stringify(result),
    json: toJsonLine(result, true),
    junit: toJunitXml([result]),
    text: formatText(result, { color: false }),
  };
}

/** The forms of `token` that must never be shown, including the part of it that fit in the close reason. */
function forms(token: string): string[] {
  const inReason = Buffer.from(`bad ${token}`).subarray(0, MAX_CLOSE_REASON_BYTES).toString('utf8').slice('bad '.length);
  return [token, b64(token), `jwt.${b64(token)}`, inReason.slice(0, 40), token.slice(-24)];
}

function assertNowhere(result: CheckResult, token: string): void {
  for (const [surface, text] of Object.entries(surfaces(result))) {
    for (const form of forms(token)) assert.equal(text.includes(form), false, `${surface} shows ${form.length} chars of the token`);
  }
}

/** An `error` frame then close 1008: the frame decides the reason (it is no `error_message` auth frame). */
const AUTH_FAILED = { result: 'failure', phase: 'welcome', reason: 'server_error', closeCode: 1008, httpStatus: null, events: [] };

async function startTokenService(t: TestContext, token: string): Promise<string> {
  const server = createServer((_req, res) => {
    const body = JSON.stringify({ access_token: token, expires_in: 900 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  const port = await listenLoopback(server);
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${port}/token`;
}

describe('a server that echoes the canary’s own token shows it on no surface', { concurrency: true }, () => {
  const cases: readonly { readonly name: string; readonly auth: (t: TestContext) => Promise<AuthConfig>; readonly env?: NodeJS.ProcessEnv }[] = [
    { name: 'a minted JWT (header and subprotocol)', auth: () => Promise.resolve(jwtAuth(REFERENCE_SECRET)) },
    { name: 'a minted JWT sent only as subprotocol', auth: () => Promise.resolve(jwtAuth(REFERENCE_SECRET, { sendAs: ['subprotocol'] })) },
    {
      name: 'a bearer token from the environment',
      auth: () => Promise.resolve({ type: 'bearer', tokenEnv: 'REDACTION_TEST_TOKEN', sendAs: ['header', 'subprotocol'] }),
      env: { REDACTION_TEST_TOKEN: 'opaque_bearer_token_9f8e7d6c5b4a' },
    },
    {
      name: 'a token fetched from token_url',
      auth: async (t) => ({
        type: 'token_url',
        url: await startTokenService(t, 'fetched-opaque-token-0a1b2c3d4e5f'),
        headers: { 'x-api-key': 'token-service-api-key' },
        body: { client_secret: 'token-service-client-secret' },
        tokenField: 'access_token',
        expiresInField: 'expires_in',
        sendAs: ['header', 'subprotocol'],
      }),
    },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      let seen = '';
      const url = await startServer(t, (ws, token) => {
        seen = token;
        echoToken(ws, token);
      });
      const result = await runOnce(url, goldenPathCheck(), await c.auth(t), c.env === undefined ? {} : { env: c.env });
      assert.deepEqual(outcome(result), AUTH_FAILED);
      assert.ok(seen.length >= 20, 'the server saw the token');
      assertNowhere(result, seen);
      assert.equal(result.message?.includes('[REDACTED]'), true);
      assert.equal(result.closeReason?.startsWith('bad [REDACTED]'), true);
      const frame = result.transcript.entries.find((e) => e.kind === 'text' && e.dir === 'in');
      assert.equal(frame?.text?.startsWith('{"type":"error","message":"invalid token [REDACTED] (as subprotocol [REDACTED]'), true);
    });
  }

  it('the configured token_url credentials are redacted when echoed', async (t) => {
    const url = await startServer(t, (ws) => {
      ws.send(JSON.stringify({ type: 'error', message: 'creds token-service-api-key / token-service-client-secret' }));
      setTimeout(() => ws.close(1008, 'token-service-client-secret'), 20);
    });
    const auth: AuthConfig = {
      type: 'token_url',
      url: await startTokenService(t, 'fetched-opaque-token-0a1b2c3d4e5f'),
      headers: { 'x-api-key': 'token-service-api-key' },
      body: { client_secret: 'token-service-client-secret' },
      tokenField: 'access_token',
      expiresInField: 'expires_in',
      sendAs: ['header'],
    };
    const result = await runOnce(url, goldenPathCheck(), auth);
    assert.deepEqual(outcome(result), AUTH_FAILED);
    assert.equal(result.closeReason, '[REDACTED]');
    for (const text of Object.values(surfaces(result))) {
      assert.equal(text.includes('token-service-api-key') || text.includes('token-service-client-secret'), false);
    }
  });
});

describe('bounded output', { concurrency: true }, () => {
  it('a 900 KiB error text is not copied whole into message', async (t) => {
    const url = await startServer(t, (ws) => {
      ws.send(JSON.stringify({ type: 'error', message: `boom ${'e'.repeat(900 * 1024)}` }));
    });
    const result = await runOnce(url, goldenPathCheck());
    assert.deepEqual(outcome(result), { result: 'failure', phase: 'welcome', reason: 'server_error', closeCode: null, httpStatus: null, events: [] });
    assert.equal(result.message?.startsWith('the server sent an error frame (boom eeee'), true);
    assert.ok((result.message ?? '').length <= MAX_RESULT_TEXT_CHARS + 1, `message has ${result.message?.length} chars`);
    assert.equal(result.message?.endsWith('…'), true);
    assert.ok(JSON.stringify(result).length < 64 * 1024, 'the result stays small');
  });

  it('U+FFFE, U+FFFF, lone surrogates and control characters from the server give XML that parses and a text report without controls', async (t) => {
    // The message's cut at 300 characters falls between the halves of an emoji: a lone surrogate the canary made itself.
    const hostile = `bad\u001b[2J\u0000\u0001\u0008\u000b\u001f\ufffe\uffff<&>"' x${'😀'.repeat(600)}`;
    const url = await startServer(t, (ws) => ws.send(JSON.stringify({ type: 'error', message: hostile })));
    const result = await runOnce(url, goldenPathCheck());
    const xml = toJunitXml([result]);
    assert.deepEqual(xmlProblems(xml), []);
    assert.deepEqual(outcome(result), { result: 'failure', phase: 'welcome', reason: 'server_error', closeCode: null, httpStatus: null, events: [] });
    assert.equal(result.message, `the server sent an error frame (${hostile.slice(0, 268 - 1)}\ufffd…`);
    assert.equal(xml.includes(`message="server_error in phase welcome: the server sent an error frame (bad[2J&lt;&amp;&gt;&quot;&apos; x${'😀'.repeat(123)}\ufffd…"`), true);
    assert.equal(JSON.stringify(result).isWellFormed(), true);
    const text = formatText(result, { color: false });
    assert.equal(text.isWellFormed(), true);
    assert.equal(/[\u0000-\u0008\u000b-\u001f]/.test(text), false, 'no control character reaches the terminal');
  });
});

describe('a 1 MiB adversarial frame', { concurrency: true }, () => {
  const frames: readonly (readonly [string, string])[] = [
    ['"eyJ" repeated', 'eyJ'],
    ['"jwt." repeated', 'jwt.'],
    ['base64url runs with dots', 'eyJabcd.efgh.'],
  ];
  for (const [name, unit] of frames) {
    it(`of ${name} is redacted and the run ends by its deadline plus one second, timers still firing`, async (t) => {
      const text = unit.repeat(Math.ceil((1024 * 1024 - 64) / unit.length));
      const url = await startServer(t, (ws) => {
        ws.send(WELCOME);
        ws.on('message', () => {
          ws.send(JSON.stringify({ type: 'agent_started', payload: { message: text } }));
          ws.send(JSON.stringify({ type: 'error', message: text }));
        });
      });
      let lastTick = performance.now();
      let worstGapMs = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        worstGapMs = Math.max(worstGapMs, now - lastTick);
        lastTick = now;
      }, 20);
      t.after(() => clearInterval(ticker));
      const check = goldenPathCheck({ timeoutMs: 2000 });
      const started = performance.now();
      const result = await runOnce(url, check);
      const tookMs = performance.now() - started;
      clearInterval(ticker);
      assert.ok(tookMs < check.timeoutMs + 1000, `took ${tookMs} ms`);
      assert.ok(worstGapMs < 1000, `the event loop stalled for ${worstGapMs} ms`);
      assert.equal(result.result, 'failure');
      assert.ok(JSON.stringify(result).length < 64 * 1024, 'the result stays small');
    });
  }
});

/**
 * The problems an XML 1.0 parser would reject `text` for: characters outside `Char`
 * (https://www.w3.org/TR/xml/#charsets), `&` not starting a predefined or numeric reference, `<`
 * inside attribute values, and tags that do not nest.
 */
function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const legal = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || code >= 0x10000;
    if (!legal) problems.push(`illegal character U+${code.toString(16).padStart(4, '0')}`);
  }
  for (const match of text.matchAll(/&([^;&]{0,10});?/g)) {
    if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(match[0])) problems.push(`bad reference ${match[0]}`);
  }
  const stack: string[] = [];
  for (const tag of text.matchAll(/<(\/?)([A-Za-z_?][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?|\?)>|</g)) {
    if (tag[2] === undefined) {
      problems.push('a < that starts no tag');
      continue;
    }
    if (tag[2].startsWith('?') || tag[4] === '/') continue;
    if (tag[1] === '/') {
      if (stack.pop() !== tag[2]) problems.push(`</${tag[2]}> closes nothing open`);
    } else stack.push(tag[2]);
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(', ')}`);
  return problems;
}
