/**
 * Probes leave nothing behind. Its own file (node --test runs each file in its own process), and
 * its tests run one at a time, so no other test's servers or timers are counted.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AUTH_PROBES, type AuthEnforcementCheck } from '../../../src/config/types.ts';
import { startReferenceBackend } from '../../../src/reference/index.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { goldenPathCheck, withFault } from '../../support/fixtures.ts';
import { activeHandleCounts as counts } from '../../support/handles.ts';
import { runOnce } from '../../support/run.ts';

const CHECK: AuthEnforcementCheck = { ...goldenPathCheck({ name: 'authz', timeoutMs: 1500 }), type: 'auth_enforcement', probes: [...AUTH_PROBES] };

function enforce(url: string, signal?: AbortSignal): Promise<CheckResult> {
  return runOnce(url, CHECK, undefined, signal === undefined ? {} : { signal });
}

describe('no leaks', { concurrency: false }, () => {
  it('probes that are rejected, let in, refused by HTTP or hang release every socket and timer', async (t) => {
    const before = counts();
    const backend = await startReferenceBackend();
    t.after(() => backend.close());
    const outcomes: string[] = [];
    const record = (result: CheckResult): void => {
      outcomes.push(`${result.result} ${result.phase ?? '-'} ${result.reason ?? '-'} ${String(result.details['accepted'])}`);
    };
    record(await enforce(backend.url));
    record(await enforce(withFault(backend.url, 'test_bypass')));
    record(await enforce(withFault(backend.url, 'auth_http=403')));
    record(await enforce(withFault(backend.url, 'upgrade_hang')));
    assert.deepEqual(outcomes, [
      'success - - ',
      'failure events auth_bypass bypass_headers',
      'success - - ',
      'failure upgrade handshake_timeout ',
    ]);
    await backend.close();
    assert.deepEqual(counts(), before);
  });

  it('a cancelled check ends as cancelled and releases everything', async (t) => {
    const before = counts();
    const backend = await startReferenceBackend();
    t.after(() => backend.close());
    const controller = new AbortController();
    const abort = setTimeout(() => controller.abort(), 100);
    const result = await enforce(withFault(backend.url, 'upgrade_hang'), controller.signal);
    clearTimeout(abort);
    assert.deepEqual([result.result, result.phase, result.reason], ['failure', 'upgrade', 'cancelled']);
    await backend.close();
    assert.deepEqual(counts(), before);
  });
});
