import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResult } from '../support/results.ts';
import { DEFAULT_RUN_STORE_BYTES, DEFAULT_RUN_STORE_BYTES_PER_CHECK, DEFAULT_RUNS_PER_CHECK, RECENT_RUNS_SHOWN, resultBytes, RunStore } from '../../src/service/run-store.ts';
import { RATIO_WINDOWS_MS, RunHistory } from '../../src/service/run-history.ts';

/** A run of `check` whose message pads its JSON to exactly `bytes` counted bytes. */
function runOf(runId: string, check: string, bytes: number) {
  const bare = resultBytes(checkResult({ runId, check, message: '' }));
  return checkResult({ runId, check, message: 'x'.repeat((bytes - bare) / 2) });
}

function ids(store: RunStore, check: string): string[] {
  return store.recent('local', check).map((run) => run.runId);
}

test('the default bounds: 50 runs, 4 MiB per check, 48 MiB in all', () => {
  assert.deepEqual([DEFAULT_RUNS_PER_CHECK, DEFAULT_RUN_STORE_BYTES_PER_CHECK, DEFAULT_RUN_STORE_BYTES], [50, 4194304, 50331648]);
});

test('a result counts as twice the length of its JSON', () => {
  const run = runOf('a', 'gp', 2000);
  assert.equal(resultBytes(run), 2000);
  assert.equal(resultBytes(run), JSON.stringify(run).length * 2);
});

test('a check keeps its newest runs within its count', () => {
  const store = new RunStore({ runsPerCheck: 2 });
  for (const id of ['a', 'b', 'c']) store.record(runOf(id, 'gp', 2000));
  assert.deepEqual(ids(store, 'gp'), ['b', 'c']);
  assert.deepEqual([store.size, store.bytes, store.get('a')], [2, 4000, undefined]);
});

test('a check drops its oldest runs past its byte budget', () => {
  const store = new RunStore({ bytesPerCheck: 5000 });
  for (const id of ['a', 'b', 'c']) store.record(runOf(id, 'gp', 2000));
  assert.deepEqual(ids(store, 'gp'), ['b', 'c']);
  assert.equal(store.bytes, 4000);
});

test('a check keeps its newest run even when it alone passes the budgets', () => {
  const store = new RunStore({ bytesPerCheck: 3000, totalBytes: 3000 });
  store.record(runOf('a', 'gp', 2000));
  store.record(runOf('b', 'gp', 10000));
  assert.deepEqual(ids(store, 'gp'), ['b']);
  assert.deepEqual([store.size, store.bytes], [1, 10000]);
});

test('past the total budget the oldest runs of any check go first, never a check newest', () => {
  const store = new RunStore({ totalBytes: 9000 });
  store.record(runOf('a1', 'one', 2000));
  store.record(runOf('b1', 'two', 2000));
  store.record(runOf('a2', 'one', 2000));
  store.record(runOf('b2', 'two', 2000));
  assert.equal(store.bytes, 8000);
  store.record(runOf('a3', 'one', 4000));
  assert.deepEqual([ids(store, 'one'), ids(store, 'two')], [['a2', 'a3'], ['b2']]);
  assert.deepEqual([store.size, store.bytes, store.get('a1'), store.get('b1')], [3, 8000, undefined, undefined]);
  assert.deepEqual(store.lastFailure('local', 'one'), null);
});

test('a number still sets the runs per check', () => {
  const store = new RunStore(1);
  for (const id of ['a', 'b']) store.record(runOf(id, 'gp', 2000));
  assert.deepEqual(ids(store, 'gp'), ['b']);
});

/** A run of local/gp started `minutesAgo` before NOW. */
function runAt(runId: string, result: 'success' | 'degraded' | 'failure', minutesAgo: number, reason: 'close_1011' | 'cancelled' = 'close_1011') {
  const failed = result === 'failure';
  return checkResult({
    runId, check: 'gp', result, reason: failed ? reason : null, phase: failed ? 'events' : null,
    startedAt: new Date(NOW - minutesAgo * 60_000).toISOString(),
  });
}

const NOW = Date.parse('2026-12-02T04:00:30.000Z');

test('a streak counts the runs since the outcome last changed, beyond the runs kept', () => {
  const store = new RunStore({ runsPerCheck: 2 });
  store.record(runAt('ok1', 'success', 10));
  store.record(runAt('slow', 'degraded', 9));
  assert.deepEqual(store.streak('local', 'gp'), { failing: false, runs: 2, since: runAt('ok1', 'success', 10).startedAt, firstRunId: 'ok1', fromStart: true });
  for (const [i, id] of ['f1', 'f2', 'f3', 'f4'].entries()) store.record(runAt(id, 'failure', 8 - i));
  assert.deepEqual(store.streak('local', 'gp'), { failing: true, runs: 4, since: '2026-12-02T03:52:30.000Z', firstRunId: 'f1', fromStart: false });
  assert.deepEqual(ids(store, 'gp'), ['f3', 'f4'], 'the store kept 2, the streak saw 4');
  store.record(runAt('back', 'success', 1));
  assert.deepEqual(store.streak('local', 'gp'), { failing: false, runs: 1, since: '2026-12-02T03:59:30.000Z', firstRunId: 'back', fromStart: false });
  assert.equal(store.streak('local', 'other'), null);
});

test('success ratios count runs that did not fail over the last hour and the last day', () => {
  const store = new RunStore();
  store.record(runAt('d1', 'failure', 25 * 60));
  store.record(runAt('d2', 'failure', 23 * 60));
  store.record(runAt('d3', 'success', 2 * 60));
  store.record(runAt('h1', 'degraded', 30));
  store.record(runAt('h2', 'failure', 5));
  store.record(runAt('h3', 'success', 0));
  assert.deepEqual(store.ratios('local', 'gp', NOW), {
    hour: { runs: 3, ok: 2, ratio: 2 / 3 },
    day: { runs: 5, ok: 3, ratio: 3 / 5 },
  });
  assert.deepEqual(store.ratios('local', 'none', NOW), { hour: { runs: 0, ok: 0, ratio: null }, day: { runs: 0, ok: 0, ratio: null } });
});

test('runs cancelled at shutdown count in neither streaks nor ratios', () => {
  const store = new RunStore();
  store.record(runAt('ok', 'success', 2));
  store.record(runAt('stopped', 'failure', 1, 'cancelled'));
  assert.deepEqual(store.streak('local', 'gp')?.firstRunId, 'ok');
  assert.deepEqual(store.ratios('local', 'gp', NOW).hour, { runs: 1, ok: 1, ratio: 1 });
});

test('the strip shows the newest 30 kept runs, oldest first', () => {
  const store = new RunStore();
  for (let i = 0; i < 40; i++) store.record(runAt(`r${i}`, i % 3 === 0 ? 'failure' : 'success', 40 - i));
  const marks = store.marks('local', 'gp');
  assert.equal(RECENT_RUNS_SHOWN, 30);
  assert.deepEqual(marks.map((m) => m.runId), Array.from({ length: 30 }, (_, i) => `r${i + 10}`));
  assert.deepEqual(marks[2], { runId: 'r12', result: 'failure', reason: 'close_1011', startedAt: '2026-12-02T03:32:30.000Z' });
});

test('run counts older than a day are dropped: one bucket per minute at most', () => {
  const history = new RunHistory();
  for (let minute = 0; minute < 3 * 1440; minute += 1) {
    const run = runAt(`m${minute}`, 'success', 3 * 1440 - minute);
    history.record('k', run);
    history.record('k', run);
  }
  assert.deepEqual(history.ratio('k', NOW, RATIO_WINDOWS_MS.day), { runs: 2 * 1440, ok: 2 * 1440, ratio: 1 });
  assert.equal(history.bucketCount('k'), 1441);
});

test('replace swaps a kept run for its update, counted again in bytes; a run no longer kept is left alone', () => {
  const store = new RunStore({ runsPerCheck: 2 });
  for (const id of ['a', 'b', 'c']) store.record(runOf(id, 'gp', 2000));
  const padded = (run: ReturnType<typeof runOf>) => ({ ...run, message: `${run.message ?? ''}${'y'.repeat(500)}` });
  const before = store.get('b')?.message ?? '';
  assert.equal(store.replace('b', padded), true);
  assert.equal(store.replace('a', padded), false);
  assert.deepEqual(ids(store, 'gp'), ['b', 'c']);
  assert.equal(store.get('b')?.message, `${before}${'y'.repeat(500)}`);
  assert.equal(store.recent('local', 'gp')[0], store.get('b'));
  assert.deepEqual([store.size, store.bytes], [2, 5000]);
  store.record(runOf('d', 'gp', 2000));
  assert.deepEqual([ids(store, 'gp'), store.bytes], [['c', 'd'], 4000]);
});
