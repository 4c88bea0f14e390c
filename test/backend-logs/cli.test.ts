import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it, type TestContext } from 'node:test';
import { loadLibraryClients, type BackendLogs } from '../../src/backend-logs/index.ts';
import { runCommand } from '../../src/cli/run.ts';
import type { Io } from '../../src/cli/usage.ts';
import { REFERENCE_SECRET } from '../../src/reference/index.ts';
import { startBackend } from '../support/backend.ts';
import { tempFiles } from '../support/config.ts';
import { withFault } from '../support/fixtures.ts';
import { startLoggingApi, type ListCall, type LoggingApi } from './logging-api.ts';

const makeClient = await loadLibraryClients();

/** One target file: the golden path against `url`, with the backend's logs in backend-project. */
function targetFile(url: string, timeout: string): string {
  return `target: crashing
url: ${url}
auth:
  type: jwt
  secret: \${JWT_SECRET}
  issuer: netra-auth-service
  audience: netra-platform
  claims: {token_type: access, email: canary@example.com, permissions: [read, write]}
checks:
  - name: golden_path
    type: golden_path
    timeout: 10s
    slow_after: 5s
backend_logs:
  project: backend-project
  filter: resource.labels.service_name="agent-backend"
  timeout: ${timeout}
`;
}

function answers(call: ListCall) {
  const related = call.body.filter?.includes(' AND (trace=') === true;
  const entry = related
    ? { insertId: 'c1', timestamp: '2026-12-02T10:00:02Z', severity: 'ERROR', textPayload: `handler crashed, secret ${REFERENCE_SECRET}` }
    : { insertId: 'w1', timestamp: '2026-12-02T10:00:03Z', severity: 'WARNING', textPayload: 'retrying the tool call' };
  return { body: { entries: [entry] } };
}

async function canaryRun(t: TestContext, logging: LoggingApi, timeout: string, flags: (dir: string) => readonly string[]): Promise<{ code: number; stdout: string; dir: string }> {
  const backend = await startBackend(t);
  const dir = await tempFiles(t, { 'crashing.yaml': targetFile(withFault(backend.url, 'close_1011_after=2'), timeout) });
  let stdout = '';
  const io: Io = { stdout: (text) => (stdout += text), stderr: () => undefined, env: { JWT_SECRET: REFERENCE_SECRET }, isTty: false, logStream: new PassThrough() };
  const code = await runCommand(['--config', join(dir, 'crashing.yaml'), ...flags(dir)], io, { backendLogs: { api: logging.api, load: () => Promise.resolve(makeClient) } });
  return { code, stdout, dir };
}

describe('canary run waits for a failed run\'s backend logs', { concurrency: true }, () => {
  it('--json and --junit carry the entries, redacted, related first', async (t) => {
    const logging = await startLoggingApi(t, answers);
    const { code, stdout, dir } = await canaryRun(t, logging, '3s', (at) => ['--json', '--junit', join(at, 'junit.xml')]);
    assert.equal(code, 1);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0] ?? '') as { reason: string; backendLogs: BackendLogs };
    assert.equal(record.reason, 'close_1011');
    assert.deepEqual(
      record.backendLogs.entries.map((e) => [e.timestamp, e.severity, e.related, e.text]),
      [
        ['2026-12-02T10:00:02.000Z', 'ERROR', true, 'handler crashed, secret [REDACTED]'],
        ['2026-12-02T10:00:03.000Z', 'WARNING', false, 'retrying the tool call'],
      ],
    );
    assert.equal(record.backendLogs.note, null);
    assert.equal(logging.calls.length, 2);
    assert.equal(stdout.includes(REFERENCE_SECRET), false);
    const junit = await readFile(join(dir, 'junit.xml'), 'utf8');
    assert.ok(
      junit.includes(
        'backend logs backend-project: 2 entries\n' +
          'backend 2026-12-02T10:00:02.000Z ERROR (this run) handler crashed, secret [REDACTED]\n' +
          'backend 2026-12-02T10:00:03.000Z WARNING retrying the tool call</failure>',
      ),
      junit,
    );
  });

  it('the text output has a short backend logs section, or the note', async (t) => {
    const logging = await startLoggingApi(t, answers);
    const ok = await canaryRun(t, logging, '3s', () => []);
    assert.equal(ok.code, 1);
    assert.ok(
      ok.stdout.includes(
        '  backend logs (backend-project): 2 entries\n' +
          '    2026-12-02T10:00:02.000Z ERROR    * handler crashed, secret [REDACTED]\n' +
          '    2026-12-02T10:00:03.000Z WARNING    retrying the tool call\n',
      ),
      ok.stdout,
    );
    const slow = await startLoggingApi(t, () => ({ body: { entries: [] }, delayMs: 4000 }));
    const started = performance.now();
    const late = await canaryRun(t, slow, '300ms', () => []);
    assert.ok(performance.now() - started < 3000);
    assert.equal(late.code, 1);
    assert.ok(late.stdout.includes('  backend logs (backend-project): timeout: the Logging API did not answer within 300ms\n'), late.stdout);
  });
});
