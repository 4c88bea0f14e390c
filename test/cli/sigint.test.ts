/**
 * `canary run` and Ctrl-C: SIGINT aborts the runs in flight through their one deadline, so they
 * end at once as `cancelled` (not after their timeout, not killed mid-write) and the process exits.
 */
import { it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend } from '../support/backend.ts';
import { until } from '../support/net.ts';
import { jwtTargetFile, startCanary } from './cli-process.ts';

const SIGNING_SECRET = 'sigint-test-signing-secret-7e21c4';
/** The check's timeout: far longer than the test waits, so only SIGINT can end the run in time. */
const CHECK_TIMEOUT = '60s';
/** From SIGINT to the process's exit: the walk's teardown bound (1 s) plus process exit, with room for a loaded machine (as `serve` on SIGTERM). */
const EXIT_WITHIN_MS = 8000;

async function configFile(t: TestContext, url: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-sigint-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'stalled.yaml');
  await writeFile(file, jwtTargetFile('stalled', url, { every: '1m', timeout: CHECK_TIMEOUT }));
  return file;
}

it('canary run ends a run in flight as cancelled on SIGINT and exits 130 at once', async (t) => {
  const backend = await startBackend(t, { secret: SIGNING_SECRET, faults: 'stall_after=1' });
  const canary = startCanary(t, ['run', '--json', '--config', await configFile(t, backend.url)], {
    env: { PATH: process.env['PATH'], TEST_SIGNING_SECRET: SIGNING_SECRET },
  });
  await until('the run to be in flight', async () => (backend.connections().length > 0 ? true : null), 15_000, 50);
  const sentAt = Date.now();
  canary.child.kill('SIGINT');
  const exit = await canary.exited;
  const stdout = canary.stdout();
  const tookMs = Date.now() - sentAt;
  assert.deepEqual(exit, { code: 130, signal: null }, `stderr: ${canary.stderr()}`);
  assert.ok(tookMs < EXIT_WITHIN_MS, `exited ${tookMs} ms after SIGINT`);
  const lines = stdout.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `stdout: ${stdout}`);
  const run = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
  assert.deepEqual([run['check'], run['result'], run['reason']], ['golden_path', 'failure', 'cancelled']);
});
