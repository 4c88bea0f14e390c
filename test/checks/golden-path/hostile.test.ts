/**
 * The golden path against a hostile server: a raw TCP server that breaks HTTP and RFC 6455 where
 * `ws` never would. Each row asserts the exact outcome and that the run ended by its deadline plus
 * one second.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AuthConfig } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { goldenPathCheck, jwtAuth, FIVE_EVENTS } from '../../support/fixtures.ts';
import { outcome, runOnce } from '../../support/run.ts';
import {
  WELCOME,
  binaryFrame,
  closeFrame,
  frame,
  pingFrame,
  startRawServer,
  switchingProtocols,
  textFrame,
  type RawConnection,
  type RawTlsOptions,
} from '../../support/raw-server.ts';

const TIMEOUT_MS = 2500;
const check = goldenPathCheck({ timeoutMs: TIMEOUT_MS, handshakeTimeoutMs: 1500, welcomeTimeoutMs: 1500 });
const auth = jwtAuth('hostile-test-secret', { sendAs: ['header'] });

const event = (name: string): Buffer => textFrame({ type: name, run_id: 'run_1', payload: { status: name === 'agent_completed' ? 'completed' : 'running' } });
const fiveEvents = (): Buffer => Buffer.concat(FIVE_EVENTS.map(event));

/** Upgrades, sends the welcome, and calls `onMessage` once, when the client's first frame arrives. */
function afterWelcome(onMessage: (c: RawConnection) => void): (c: RawConnection) => void {
  return (c) => {
    c.accept();
    c.socket.write(textFrame(WELCOME));
    c.socket.once('data', () => onMessage(c));
  };
}

interface Row {
  readonly name: string;
  readonly serve: (c: RawConnection) => void;
  readonly expect: Record<string, unknown>;
  /** A bound on the run's duration tighter than the deadline plus one second. */
  readonly withinSeconds?: number;
  readonly messageIncludes?: string;
  readonly messageExcludes?: string;
  readonly closeReason?: string | null;
  readonly eventsDropped?: number;
  readonly auth?: AuthConfig;
  readonly env?: NodeJS.ProcessEnv;
  /** The run's deadline when not {@link TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

const failure = (phase: string, reason: string, closeCode: number | null = null, events: readonly string[] = []): Record<string, unknown> => ({
  result: 'failure',
  phase,
  reason,
  closeCode,
  httpStatus: null,
  events,
});

const rows: readonly Row[] = [
  {
    name: 'close 1011 with TCP held open ends the run at once with close_1011',
    serve: afterWelcome((c) => c.socket.write(Buffer.concat([event('agent_started'), closeFrame(1011, 'Internal error')]))),
    expect: failure('events', 'close_1011', 1011, ['agent_started']),
    closeReason: 'Internal error',
    withinSeconds: 1,
  },
  {
    name: 'close 1000 followed by more frames ends the run at the close',
    serve: afterWelcome((c) => c.socket.write(Buffer.concat([closeFrame(1000, 'bye'), fiveEvents()]))),
    expect: failure('events', 'close_unexpected', 1000),
    closeReason: 'bye',
    withinSeconds: 1,
  },
  {
    name: 'a close frame with an invalid code is a protocol violation',
    serve: afterWelcome((c) => c.socket.write(closeFrame(999))),
    expect: failure('events', 'protocol_violation'),
    messageIncludes: "the canary's WebSocket library closed the connection",
    withinSeconds: 1,
  },
  {
    name: 'garbage instead of an HTTP answer is a protocol violation in upgrade',
    serve: (c) => c.socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n'),
    expect: failure('upgrade', 'protocol_violation'),
    messageIncludes: 'not valid HTTP',
    withinSeconds: 1,
  },
  {
    name: 'a four-digit status is a protocol violation in upgrade',
    serve: (c) => c.socket.write('HTTP/1.1 1010 Nope\r\nContent-Length: 0\r\n\r\n'),
    expect: failure('upgrade', 'protocol_violation'),
    messageIncludes: 'not valid HTTP',
    withinSeconds: 1,
  },
  {
    name: 'endless response headers are a protocol violation in upgrade',
    serve: (c) => {
      c.socket.write('HTTP/1.1 101 Switching Protocols\r\n');
      const line = `X-Pad: ${'a'.repeat(1000)}\r\n`;
      for (let i = 0; i < 200; i++) c.socket.write(line);
    },
    expect: failure('upgrade', 'protocol_violation'),
    messageIncludes: 'HPE_HEADER_OVERFLOW',
    withinSeconds: 1,
  },
  {
    name: 'a 101 without Sec-WebSocket-Accept is a protocol violation',
    serve: (c) => c.socket.write(switchingProtocols(c.key, null)),
    expect: failure('upgrade', 'protocol_violation'),
    withinSeconds: 1,
  },
  {
    name: 'a 101 with a wrong Sec-WebSocket-Accept is a protocol violation',
    serve: (c) => c.socket.write(switchingProtocols(c.key, 'd3JvbmcgYWNjZXB0IGtleSE=')),
    expect: failure('upgrade', 'protocol_violation'),
    withinSeconds: 1,
  },
  {
    name: 'a binary first frame fails welcome_invalid at once',
    serve: (c) => {
      c.accept();
      c.socket.write(binaryFrame(Buffer.from([1, 2, 3])));
    },
    expect: failure('welcome', 'welcome_invalid'),
    withinSeconds: 1,
  },
  {
    name: 'a non-JSON text first frame fails welcome_invalid at once',
    serve: (c) => {
      c.accept();
      c.socket.write(textFrame('hello, not json'));
    },
    expect: failure('welcome', 'welcome_invalid'),
    withinSeconds: 1,
  },
  {
    name: 'invalid UTF-8 in a text frame is a protocol violation',
    serve: (c) => {
      c.accept();
      c.socket.write(frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    },
    expect: failure('welcome', 'protocol_violation'),
    withinSeconds: 1,
  },
  {
    name: 'RSV bits without an extension are a protocol violation',
    serve: (c) => {
      c.accept();
      c.socket.write(textFrame(WELCOME, { rsv: 4 }));
    },
    expect: failure('welcome', 'protocol_violation'),
    withinSeconds: 1,
  },
  {
    name: 'a reserved opcode is a protocol violation',
    serve: (c) => {
      c.accept();
      c.socket.write(frame(0x3, 'x'));
    },
    expect: failure('welcome', 'protocol_violation'),
    withinSeconds: 1,
  },
  {
    name: 'a frame declaring 1 TiB is frame_too_large',
    serve: (c) => {
      c.accept();
      c.socket.write(frame(0x1, 'x', { declaredLength: 2 ** 40 }));
    },
    expect: failure('welcome', 'frame_too_large'),
    withinSeconds: 1,
  },
  {
    name: 'a fragmented welcome is read whole',
    serve: (c) => {
      c.accept();
      const text = JSON.stringify(WELCOME);
      c.socket.write(Buffer.concat([frame(0x1, text.slice(0, 10), { fin: false }), pingFrame('mid'), frame(0x0, text.slice(10))]));
      c.socket.once('data', () => c.socket.write(fiveEvents()));
    },
    expect: { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS] },
  },
  {
    name: '200 WebSocket pings at once are answered and the run succeeds',
    serve: afterWelcome((c) => {
      c.socket.write(Buffer.concat([...Array.from({ length: 200 }, () => pingFrame('p')), fiveEvents()]));
    }),
    expect: { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS] },
  },
  {
    name: 'WebSocket pings from a server that never reads fail once our answers pile up',
    serve: afterWelcome((c) => {
      c.socket.pause();
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => pingFrame('p'.repeat(125))));
      for (let i = 0; i < 300; i++) c.socket.write(batch);
    }),
    expect: failure('events', 'protocol_violation'),
    messageIncludes: 'the server sent pings faster than it read our answers',
  },
  {
    name: 'JSON pings from a server that never reads fail once our answers pile up',
    // Loopback's kernel buffers take a few hundred thousand answers before ours start to queue.
    timeoutMs: 20_000,
    serve: afterWelcome((c) => {
      c.socket.pause();
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => textFrame({ type: 'ping' })));
      for (let i = 0; i < 1000; i++) c.socket.write(batch);
    }),
    expect: failure('events', 'protocol_violation'),
    messageIncludes: 'the server sent pings faster than it read our answers',
  },
  {
    name: 'an event flood keeps 1,000 events and counts the rest',
    serve: afterWelcome((c) => {
      const thinking = event('agent_thinking');
      c.socket.write(event('agent_started'));
      c.socket.write(Buffer.concat(Array.from({ length: 100_000 }, () => thinking)));
      c.socket.write(Buffer.concat(['tool_executing', 'tool_completed', 'agent_completed'].map(event)));
    }),
    expect: { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: ['agent_started', ...Array.from({ length: 999 }, () => 'agent_thinking')] },
    eventsDropped: 100_004 - 1000,
  },
  {
    name: 'a server that upgrades and never sends anything fails welcome_timeout',
    serve: (c) => c.accept(),
    expect: failure('welcome', 'welcome_timeout'),
  },
  {
    name: 'a server that trickles its answer one byte a second fails handshake_timeout',
    serve: (c) => {
      const answer = switchingProtocols(c.key);
      let i = 0;
      const tick = setInterval(() => {
        if (c.socket.destroyed || i >= answer.length) clearInterval(tick);
        else c.socket.write(answer[i++] as string);
      }, 1000);
      c.socket.on('close', () => clearInterval(tick));
    },
    expect: failure('upgrade', 'handshake_timeout'),
  },
  {
    name: 'a bearer token with CR/LF is a token_error in phase token, not echoed',
    serve: afterWelcome((c) => c.socket.write(fiveEvents())),
    auth: { type: 'bearer', tokenEnv: 'HOSTILE_TOKEN', sendAs: ['header'] },
    env: { HOSTILE_TOKEN: 'secret-part\r\nX-Injected: 1' },
    expect: failure('token', 'token_error'),
    messageIncludes: 'cannot be sent in an HTTP header',
    messageExcludes: 'secret-part',
    withinSeconds: 1,
  },
];

/** Asserts a row's exact outcome, and that the run ended by its deadline plus one second. */
function assertRow(row: Row, result: CheckResult, elapsedSeconds: number, timeoutMs: number): void {
  assert.deepEqual(outcome(result), row.expect, result.message ?? '');
  assert.ok(elapsedSeconds <= timeoutMs / 1000 + 1, `ended after ${elapsedSeconds} s`);
  if (row.withinSeconds !== undefined) assert.ok(elapsedSeconds <= row.withinSeconds, `ended after ${elapsedSeconds} s`);
  if (row.messageIncludes !== undefined) assert.ok(result.message?.includes(row.messageIncludes), result.message ?? '');
  if (row.messageExcludes !== undefined) assert.ok(!(result.message ?? '').includes(row.messageExcludes), result.message ?? '');
  if (row.closeReason !== undefined) assert.equal(result.closeReason, row.closeReason);
  assert.equal(result.eventsDropped, row.eventsDropped ?? 0);
}

describe('hostile server', () => {
  for (const row of rows) {
    it(row.name, async (t) => {
      const server = await startRawServer(t, row.serve);
      const started = Date.now();
      const timeoutMs = row.timeoutMs ?? TIMEOUT_MS;
      const rowCheck = row.timeoutMs === undefined ? check : { ...check, timeoutMs };
      const result = await runOnce(server.url, rowCheck, row.auth ?? auth, row.env === undefined ? {} : { env: row.env });
      assertRow(row, result, (Date.now() - started) / 1000, timeoutMs);
    });
  }
});

/** Rows over TLS (`wss://`): the same breakage behind a completed TLS handshake, and TLS that never completes. */
const tlsRows: readonly Row[] = [
  {
    name: 'wss: close 1011 with TCP held open ends the run at once with close_1011',
    serve: afterWelcome((c) => c.socket.write(Buffer.concat([event('agent_started'), closeFrame(1011, 'Internal error')]))),
    expect: failure('events', 'close_1011', 1011, ['agent_started']),
    closeReason: 'Internal error',
    withinSeconds: 1,
  },
  {
    name: 'wss: garbage instead of an HTTP answer is a protocol violation in upgrade',
    serve: (c) => c.socket.write('SSH-2.0-OpenSSH_9.6\r\n\r\n'),
    expect: failure('upgrade', 'protocol_violation'),
    messageIncludes: 'not valid HTTP',
    withinSeconds: 1,
  },
  {
    name: 'wss: an upgrade that is never answered is a handshake_timeout',
    serve: () => undefined,
    expect: failure('upgrade', 'handshake_timeout'),
  },
];

describe('hostile server over TLS', () => {
  let dir: string;
  let certFile: string;
  let tlsOptions: RawTlsOptions;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'canary-hostile-tls-'));
    const keyFile = path.join(dir, 'key.pem');
    certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('/usr/bin/openssl', [
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', keyFile, '-out', certFile, '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    tlsOptions = { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const row of tlsRows) {
    it(row.name, async (t) => {
      const server = await startRawServer(t, row.serve, tlsOptions);
      const started = Date.now();
      const result = await runOnce(server.url, check, auth, { target: { tls: { caFile: certFile, insecureSkipVerify: false } } });
      assertRow(row, result, (Date.now() - started) / 1000, TIMEOUT_MS);
      assert.ok(result.phases.tls !== undefined, 'the tls phase was timed');
    });
  }
});
