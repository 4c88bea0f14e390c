import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResult } from '../support/results.ts';
import { DEFAULT_RUN_STORE_BYTES, DEFAULT_RUN_STORE_BYTES_PER_CHECK, DEFAULT_RUNS_PER_CHECK, resultBytes, RunStore } from '../../src/service/run-store.ts';

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
