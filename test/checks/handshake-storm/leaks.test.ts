/**
 * Storms leave nothing behind. Its own file (node --test runs each file in its own process), and
 * its tests run one at a time, so no other test's servers or timers are counted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HandshakeStormCheck } from '../../../src/config/types.ts';
import { startReferenceBackend } from '../../../src/reference/index.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { goldenPathCheck, withFault } from '../../support/fixtures.ts';
import { activeHandleCounts as counts } from '../../support/handles.ts';
import { runOnce } from '../../support/run.ts';

const CHECK: HandshakeStormCheck = { ...goldenPathCheck({ name: 'storm', timeoutMs: 1500 }), type: 'handshake_storm', connections: 5, windowMs: 200 };

function storm(url: string, signal?: AbortSignal): Promise<CheckResult> {
  return runOnce(url, CHECK, undefined, signal === undefined ? {} : { signal });
}

describe('no leaks', { concurrency: false }, () => {
  it('storms that succeed, hit 1011s, hang or find nothing listening release every socket and timer', async (t) => {
    const before = counts();
    const backend = await startReferenceBackend({ faults: 'storm_1011=2' });
    t.after(() => backend.close());
    const outcomes: string[] = [];
    const record = (result: CheckResult): void => {
      outcomes.push(`${result.result} ${result.phase ?? '-'} ${result.reason ?? '-'} ${String(result.details['welcomed'])}`);
    };
    record(await storm(withFault(backend.url, 'storm_1011=5')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    record(await storm(backend.url));
    record(await storm(withFault(backend.url, 'upgrade_hang')));
    await backend.close();
    record(await storm(backend.url));
    assert.deepEqual(outcomes, [
      'success - - 5',
      'failure welcome close_1011 2',
      'failure upgrade handshake_timeout 0',
      'failure tcp tcp_connect 0',
    ]);
    assert.deepEqual(counts(), before);
  });

  it('a storm cancelled inside its window ends as cancelled and releases everything', async (t) => {
    const before = counts();
    const backend = await startReferenceBackend();
    t.after(() => backend.close());
    const controller = new AbortController();
    const abort = setTimeout(() => controller.abort(), 60);
    const result = await storm(withFault(backend.url, 'no_welcome'), controller.signal);
    clearTimeout(abort);
    assert.deepEqual([result.result, result.phase, result.reason, result.details['failed_cancelled']], ['failure', 'welcome', 'cancelled', 5]);
    assert.ok(result.durationSeconds < 0.2, `cancelled at once, not after the window: ${result.durationSeconds} s`);
    await backend.close();
    assert.deepEqual(counts(), before);
  });
});
