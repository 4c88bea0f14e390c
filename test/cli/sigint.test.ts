/**
 * `canary run` and Ctrl-C: SIGINT aborts the runs in flight through their one deadline, so they
 * end at once as `cancelled` (not after their timeout, not killed mid-write) and the process exits.
 */
import { it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBackend } from '../support/backend.ts';
import { until } from '../support/net.ts';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const SIGNING_SECRET = 'sigint-test-signing-secret-7e21c4';
/** The check's timeout: far longer than the test waits, so only SIGINT can end the run in time. */
const CHECK_TIMEOUT = '60s';
/** From SIGINT to the process's exit: the walk's teardown bound (1 s) plus process exit, with room for a loaded machine (as `serve` on SIGTERM). */
const EXIT_WITHIN_MS = 8000;

async function configFile(t: TestContext, url: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-sigint-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'stalled.yaml');
  await writeFile(file, [
    'target: stalled',
    `url: ${url}`,
    'auth:',
    '  type: jwt',
    '  secret: ${TEST_SIGNING_SECRET}',
    '  issuer: netra-auth-service',
    '  claims: {token_type: access}',
    'checks:',
    '  - name: golden_path',
    '    type: golden_path',
    '    every: 1m',
    `    timeout: ${CHECK_TIMEOUT}`,
    '',
  ].join('\n'));
  return file;
}

it('canary run ends a run in flight as cancelled on SIGINT and exits 130 at once', async (t) => {
  const backend = await startBackend(t, { secret: SIGNING_SECRET, faults: 'stall_after=1' });
  const child = spawn(process.execPath, [MAIN, 'run', '--json', '--config', await configFile(t, backend.url)], {
    env: { PATH: process.env['PATH'], TEST_SIGNING_SECRET: SIGNING_SECRET },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  await until('the run to be in flight', async () => (backend.connections().length > 0 ? true : null), 15_000, 50);
  const sentAt = Date.now();
  child.kill('SIGINT');
  const exit = await exited;
  const tookMs = Date.now() - sentAt;
  assert.deepEqual(exit, { code: 130, signal: null }, `stderr: ${stderr}`);
  assert.ok(tookMs < EXIT_WITHIN_MS, `exited ${tookMs} ms after SIGINT`);
  const lines = stdout.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `stdout: ${stdout}`);
  const run = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.deepEqual([run['check'], run['result'], run['reason']], ['golden_path', 'failure', 'cancelled']);
});
