import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DependencyHealthCheck } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { FIVE_EVENTS, goldenPathCheck } from '../../support/fixtures.ts';
import { freePort, listenLoopback } from '../../support/net.ts';
import { startBackend as backendForTest } from '../../support/backend.ts';
import { outcome, runOnce, type RunOnceOptions } from '../../support/run.ts';

const SHORT = { timeoutMs: 1500, handshakeTimeoutMs: 400, welcomeTimeoutMs: 400 };
const HEALTHY = { 'health:/health': 'healthy', 'health:/health/ready': 'healthy' };

function healthCheck(overrides: Partial<DependencyHealthCheck> = {}): DependencyHealthCheck {
  return {
    ...goldenPathCheck(),
    name: 'dependency_health',
    type: 'dependency_health',
    endpoints: ['/health', '/health/ready'],
    healthTimeoutMs: 1000,
    ...overrides,
  };
}

function runHealth(url: string, check: DependencyHealthCheck = healthCheck(), targetOverrides: RunOnceOptions['target'] = {}): Promise<CheckResult> {
  return runOnce(url, check, undefined, { target: targetOverrides });
}

/** The fields each test asserts exactly. */
function verdict(result: CheckResult): Record<string, unknown> {
  return {
    ...outcome(result),
    type: result.type,
    message: result.message,
    missingEvent: result.missingEvent,
    degradations: result.degradations,
    details: result.details,
  };
}

describe('dependency_health against the reference backend', { concurrency: true }, () => {
  it('succeeds with every endpoint healthy', async (t) => {
    const backend = await backendForTest(t);
    assert.deepEqual(verdict(await runHealth(backend.url)), {
      result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS],
      type: 'dependency_health', message: null, missingEvent: null, degradations: [], details: HEALTHY,
    });
  });

  it('fails with silent_agent_failure when no agent event comes while health says healthy (silent_agent)', async (t) => {
    const backend = await backendForTest(t, { faults: 'silent_agent' });
    assert.deepEqual(verdict(await runHealth(backend.url, healthCheck(SHORT))), {
      result: 'failure', phase: 'events', reason: 'silent_agent_failure', closeCode: null, httpStatus: null, events: [],
      type: 'dependency_health',
      message: 'the socket connected but no agent event came while /health and /health/ready said healthy',
      missingEvent: 'agent_started', degradations: [], details: HEALTHY,
    });
  });

  it('keeps event_missing when health said unhealthy: the failure is not silent (silent_agent, health=unhealthy)', async (t) => {
    const backend = await backendForTest(t, { faults: 'silent_agent,health=unhealthy' });
    assert.deepEqual(verdict(await runHealth(backend.url, healthCheck(SHORT))), {
      result: 'failure', phase: 'events', reason: 'event_missing', closeCode: null, httpStatus: null, events: [],
      type: 'dependency_health', message: 'the run deadline passed while waiting for agent_started',
      missingEvent: 'agent_started', degradations: [],
      details: { 'health:/health': 'unhealthy', 'health:/health/ready': 'unhealthy' },
    });
  });

  it('keeps other failures as they are (close_1011_after=2)', async (t) => {
    const backend = await backendForTest(t, { faults: 'close_1011_after=2' });
    const result = await runHealth(backend.url);
    assert.deepEqual(
      { ...outcome(result), details: result.details },
      { result: 'failure', phase: 'events', reason: 'close_1011', closeCode: 1011, httpStatus: null, events: ['agent_started', 'agent_thinking'], details: HEALTHY },
    );
  });

  it('is degraded with dependency_unhealthy when the agent works but health says starting (health=starting)', async (t) => {
    const backend = await backendForTest(t, { faults: 'health=starting' });
    const result = await runHealth(backend.url);
    assert.deepEqual(verdict(result), {
      result: 'degraded', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS],
      type: 'dependency_health', message: null, missingEvent: null, degradations: ['dependency_unhealthy'],
      details: { 'health:/health': 'starting', 'health:/health/ready': 'starting' },
    });
    const answer = 'in starting: HTTP 503 {"status":"unhealthy","message":"Startup in progress"}';
    assert.deepEqual(
      result.transcript.entries.filter((e) => e.kind === 'http').map((e) => `${e.dir} ${e.text ?? ''}`).sort(),
      [answer, answer, `out GET ${backend.httpUrl}/health`, `out GET ${backend.httpUrl}/health/ready`],
    );
  });

  it('follows setFaults: unhealthy, then healthy again', async (t) => {
    const backend = await backendForTest(t);
    backend.setFaults('health=unhealthy');
    const sick = await runHealth(backend.url);
    backend.setFaults('');
    const well = await runHealth(backend.url);
    assert.deepEqual([sick.result, sick.details, well.result, well.details], [
      'degraded', { 'health:/health': 'unhealthy', 'health:/health/ready': 'unhealthy' }, 'success', HEALTHY,
    ]);
  });

  it('reports an endpoint on a closed port as unreachable, and one that never answers too', async (t) => {
    const backend = await backendForTest(t);
    const closed = `http://127.0.0.1:${await freePort()}/health`;
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => held.add(socket));
    const silentPort = await listenLoopback(silent);
    t.after(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of held) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const hung = `http://127.0.0.1:${silentPort}/health`;
    const started = performance.now();
    const result = await runHealth(backend.url, healthCheck({ endpoints: ['/health', closed, hung], healthTimeoutMs: 300 }));
    assert.deepEqual(verdict(result), {
      result: 'degraded', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS],
      type: 'dependency_health', message: null, missingEvent: null, degradations: ['dependency_unhealthy'],
      details: { 'health:/health': 'healthy', [`health:${closed}`]: 'unreachable', [`health:${hung}`]: 'unreachable' },
    });
    assert.ok(performance.now() - started < 1500, 'the hung endpoint is bounded by health_timeout');
  });
});

describe('dependency_health over https', { concurrency: true }, () => {
  it('uses the target TLS settings: the CA file makes health reachable, without it health is unreachable', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'canary-health-tls-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('/usr/bin/openssl', [
      'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    const backend = await backendForTest(t, { tls: { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') } });
    const trusted = await runHealth(backend.url, healthCheck(), { tls: { caFile: certFile, insecureSkipVerify: false } });
    const untrusted = await runHealth(backend.url, healthCheck(SHORT));
    assert.deepEqual(
      [trusted.result, trusted.details, untrusted.result, untrusted.reason, untrusted.details],
      ['success', HEALTHY, 'failure', 'tls', { 'health:/health': 'unreachable', 'health:/health/ready': 'unreachable' }],
    );
  });
});
