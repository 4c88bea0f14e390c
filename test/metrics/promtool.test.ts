import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createMetrics } from '../../src/metrics/sink.ts';
import { CHECK, TARGET, close1011Result, familiesWithPrefix, oneCheckConfig, successResult } from './test-helpers.ts';

/** Runs `promtool check metrics` on `text` via stdin. Fails (never skips) when promtool is missing. */
function promtoolCheckMetrics(text: string): { readonly status: number | null; readonly output: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (run.error !== undefined) {
    assert.fail(
      `promtool could not run (${run.error.message}). Install it: apt-get update && apt-get install -y --no-install-recommends prometheus`,
    );
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('promtool check metrics', { concurrency: true }, () => {
  it('accepts the plain rendering of every canary family, with recorded runs and without', async () => {
    const metrics = createMetrics(oneCheckConfig(), { revision: 'r1' });
    const fresh = familiesWithPrefix((await metrics.render(undefined)).chunks.join(''), 'canary_');
    assert.deepEqual(promtoolCheckMetrics(fresh), { status: 0, output: '' });

    metrics.record(successResult({ tlsCertExpiresAt: '2026-01-01T00:00:00.000Z' }));
    metrics.record(successResult({ result: 'degraded', degradations: ['slow'], protocol: { welcome: 'connection_established', envelope: 'data', subprotocol: 'jwt' } }));
    metrics.record(close1011Result({ closeCode: 4999 }));
    metrics.skipped(TARGET, CHECK, 'overlap');
    metrics.started(TARGET, CHECK, 0.02);
    const page = await metrics.render('text/plain');
    const ours = familiesWithPrefix(page.chunks.join(''), 'canary_');
    assert.match(ours, /^canary_check_up\{/m);
    assert.match(ours, /^canary_protocol_info\{/m);
    assert.deepEqual(promtoolCheckMetrics(ours), { status: 0, output: '' });
  });

  it('parses the whole plain rendering; its only lint findings are in prom-client\'s Node metrics', async () => {
    const metrics = createMetrics(oneCheckConfig(), { revision: 'r1' });
    metrics.record(successResult());
    const { output } = promtoolCheckMetrics((await metrics.render(undefined)).chunks.join(''));
    assert.equal(output.includes('error while linting'), false, output);
    const findings = output.split('\n').filter((line) => line !== '');
    assert.deepEqual(
      findings.filter((line) => !/^nodejs_\w+ non-counter metrics should not have "_total" suffix$/.test(line)),
      [],
    );
  });
});
