/**
 * Runs leave nothing behind. Its own file (node --test runs each file in its own process), and its
 * tests run one at a time, so no other test's servers or timers are counted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startReferenceBackend, REFERENCE_SECRET } from '../../../src/reference/index.ts';
import { createTokenProvider } from '../../../src/auth/provider.ts';
import { systemClock } from '../../../src/clock.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { goldenPathCheck, jwtAuth, withFault } from '../../support/fixtures.ts';
import { activeHandleCounts as counts } from '../../support/handles.ts';
import { runOnce } from '../../support/run.ts';
import { WELCOME, closeFrame, pingFrame, startRawServer, textFrame } from '../../support/raw-server.ts';

describe('no leaks', { concurrency: false }, () => {
  it('a backend and runs through success, close 1011, a hung upgrade and a stall release every socket and timer', async (t) => {
    const before = counts();
    const backend = await startReferenceBackend();
    t.after(() => backend.close());

    const outcomes: string[] = [];
    const record = (result: CheckResult): void => {
      outcomes.push(`${result.result} ${result.phase ?? '-'} ${result.reason ?? '-'}`);
    };
    record(await runOnce(backend.url, goldenPathCheck()));
    record(await runOnce(withFault(backend.url, 'close_1011_after=2'), goldenPathCheck()));
    record(await runOnce(withFault(backend.url, 'upgrade_hang'), goldenPathCheck({ timeoutMs: 1500, handshakeTimeoutMs: 200 })));
    record(await runOnce(withFault(backend.url, 'stall_after=2'), goldenPathCheck({ timeoutMs: 300 })));
    record(await runOnce(withFault(backend.url, 'auth_http=401'), goldenPathCheck()));
    record(await runOnce(withFault(backend.url, 'drop_socket_after=1'), goldenPathCheck()));
    record(await runOnce(backend.url, goldenPathCheck(), jwtAuth('not-the-backend-secret')));
    assert.deepEqual(outcomes, [
      'success - -',
      'failure events close_1011',
      'failure upgrade handshake_timeout',
      'failure events event_missing',
      'failure upgrade auth_rejected',
      'failure events close_abnormal',
      'failure welcome auth_rejected',
    ]);

    await backend.close();
    assert.deepEqual(counts(), before);
  });

  it('runs against a hostile server (close held open, pings never read, garbage for HTTP) release every socket and timer', async (t) => {
    const before = counts();
    const auth = jwtAuth('leaks-test-secret', { sendAs: ['header'] });
    const check = goldenPathCheck({ timeoutMs: 2500 });
    const heldClose = await startRawServer(t, (c) => {
      c.accept();
      c.socket.write(Buffer.concat([textFrame(WELCOME), closeFrame(1011, 'Internal error')]));
    });
    const pings = await startRawServer(t, (c) => {
      c.accept();
      c.socket.pause();
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => pingFrame('p'.repeat(125))));
      for (let i = 0; i < 300; i++) c.socket.write(batch);
    });
    const garbage = await startRawServer(t, (c) => c.socket.write('not http at all\r\n\r\n'));
    const outcomes: string[] = [];
    for (const server of [heldClose, pings, garbage]) {
      const result = await runOnce(server.url, check, auth);
      outcomes.push(`${result.result} ${result.phase ?? '-'} ${result.reason ?? '-'}`);
      await server.close();
    }
    // the close comes within the handshake window after the welcome, before the message is sent
    assert.deepEqual(outcomes, ['failure handshake close_1011', 'failure welcome protocol_violation', 'failure upgrade protocol_violation']);
    assert.deepEqual(counts(), before);
  });

  it('a run cancelled from outside releases its socket and timers', async (t) => {
    const before = counts();
    const backend = await startReferenceBackend();
    t.after(() => backend.close());
    const controller = new AbortController();
    const auth = jwtAuth(REFERENCE_SECRET);
    const check = goldenPathCheck();
    const pending = runOnce(withFault(backend.url, 'stall_after=1'), check, auth, { signal: controller.signal });
    // past the handshake window (100 ms in the fixture) and the first event: the run is in events
    const abort = setTimeout(() => controller.abort(), 400);
    const result = await pending;
    clearTimeout(abort);
    assert.deepEqual([result.result, result.phase, result.reason], ['failure', 'events', 'cancelled']);
    await backend.close();
    assert.deepEqual(counts(), before);
  });

  it('a run against nothing (connection refused) leaves nothing behind', async () => {
    const before = counts();
    const backend = await startReferenceBackend();
    const url = backend.url;
    await backend.close();
    const result = await runOnce(url, goldenPathCheck());
    assert.deepEqual([result.result, result.phase, result.reason], ['failure', 'tcp', 'tcp_connect']);
    assert.deepEqual(counts(), before);
  });

  it('a run whose host does not resolve leaves nothing behind', async () => {
    const before = counts();
    const result = await runOnce('ws://canary-no-such-host.invalid/ws', goldenPathCheck({ timeoutMs: 1500 }));
    assert.deepEqual([result.result, result.phase, result.reason], ['failure', 'dns', 'dns']);
    assert.deepEqual(counts(), before);
  });

  it('wss runs, trusted and refused for an untrusted certificate, leave nothing behind', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'canary-leaks-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('/usr/bin/openssl', [
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    const before = counts();
    const backend = await startReferenceBackend({ tls: { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') } });
    t.after(() => backend.close());
    const auth = jwtAuth(REFERENCE_SECRET);
    const check = goldenPathCheck();
    const tokens = createTokenProvider(auth, systemClock);
    const untrusted = await runOnce(backend.url, check, auth, { tokens });
    const trusted = await runOnce(backend.url, check, auth, { tokens, target: { tls: { caFile: certFile, insecureSkipVerify: false } } });
    assert.deepEqual(
      [untrusted, trusted].map((r) => `${r.result} ${r.phase ?? '-'} ${r.reason ?? '-'}`),
      ['failure tls tls', 'success - -'],
    );
    await backend.close();
    assert.deepEqual(counts(), before);
  });
});
