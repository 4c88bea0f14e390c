import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Clock } from '../../src/clock.ts';
import type { Schedule } from '../../src/config/types.ts';
import { jobKey, type Job } from '../../src/service/jobs.ts';
import { Scheduler } from '../../src/service/scheduler.ts';
import { goldenPathCheck, target } from '../support/fixtures.ts';

const MIDNIGHT = Date.UTC(2026, 0, 1);
const wallClock: Clock = { nowMs: () => Date.now(), monoMs: () => Date.now() };

function job(check: string, schedule: Schedule): Job {
  const where = target('ws://127.0.0.1:1/ws', { type: 'none' }, { target: 'east' });
  return { key: jobKey('east', check), target: where, check: goldenPathCheck({ name: check, schedule }) };
}

interface Due {
  readonly key: string;
  readonly scheduledAt: string;
  readonly at: string;
}

function scheduler(t: TestContext, jobs: readonly Job[], runAtStart: boolean): { scheduler: Scheduler; dues: Due[] } {
  const dues: Due[] = [];
  const s = new Scheduler(jobs, {
    clock: wallClock,
    runAtStart,
    onDue: (j, scheduledAtMs) =>
      dues.push({ key: j.key, scheduledAt: new Date(scheduledAtMs).toISOString(), at: new Date(Date.now()).toISOString() }),
  });
  t.after(() => s.stop());
  return { scheduler: s, dues };
}

test('every schedules of periods cron cannot express fire at their stable slot plus spread, exactly', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: MIDNIGHT });
  const every90s = job('golden_path', { kind: 'every', everySeconds: 90 });
  const every7m = job('burst', { kind: 'every', everySeconds: 420 });
  const { scheduler: s, dues } = scheduler(t, [every90s, every7m], true);
  s.start();
  assert.equal(s.running, true);
  // Each job's second within its period and its sub-second spread come from a hash of its key.
  assert.equal(new Date(s.nextRunAtMs(every90s) ?? 0).toISOString(), '2026-01-01T00:00:54.931Z');
  assert.equal(new Date(s.nextRunAtMs(every7m) ?? 0).toISOString(), '2026-01-01T00:01:01.944Z');
  const expected: readonly (readonly [string, string])[] = [
    ['east/golden_path', '2026-01-01T00:00:00.931Z'],
    ['east/burst', '2026-01-01T00:00:00.944Z'],
    ['east/golden_path', '2026-01-01T00:00:54.931Z'],
    ['east/burst', '2026-01-01T00:01:01.944Z'],
    ['east/golden_path', '2026-01-01T00:02:24.931Z'],
    ['east/golden_path', '2026-01-01T00:03:54.931Z'],
    ['east/golden_path', '2026-01-01T00:05:24.931Z'],
    ['east/golden_path', '2026-01-01T00:06:54.931Z'],
    ['east/burst', '2026-01-01T00:08:01.944Z'],
  ];
  for (const [key, iso] of expected) {
    const count = dues.length;
    t.mock.timers.tick(Date.parse(iso) - Date.now() - 1);
    assert.equal(dues.length, count, `nothing due before ${iso}`);
    t.mock.timers.tick(1);
    assert.deepEqual(dues.slice(count), [{ key, scheduledAt: iso, at: iso }]);
  }
  assert.equal(new Date(s.nextRunAtMs(every90s) ?? 0).toISOString(), '2026-01-01T00:08:24.931Z');
});

test('a stopped scheduler fires nothing more and has no next run', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: MIDNIGHT });
  const every90s = job('golden_path', { kind: 'every', everySeconds: 90 });
  const { scheduler: s, dues } = scheduler(t, [every90s], true);
  s.start();
  await s.stop();
  t.mock.timers.tick(10 * 60_000);
  assert.deepEqual([dues.length, s.running, s.nextRunAtMs(every90s)], [0, false, null]);
});

test('cron schedules run at their second plus the spread', async (t) => {
  const everySecond = job('cron_check', { kind: 'cron', cron: '* * * * * *' });
  const { scheduler: s, dues } = scheduler(t, [everySecond], false);
  const startedAt = Date.now();
  s.start();
  const spreadMs = (s.nextRunAtMs(everySecond) ?? 0) % 1000;
  while (dues.length === 0 && Date.now() - startedAt < 3000) await new Promise((resolve) => setTimeout(resolve, 20));
  const [first] = dues;
  assert.ok(first !== undefined, 'a cron run within 3 s');
  assert.equal(first.key, 'east/cron_check');
  assert.equal(Date.parse(first.scheduledAt) % 1000, spreadMs);
  assert.equal(spreadMs, 133);
  assert.ok(Date.parse(first.at) >= Date.parse(first.scheduledAt));
});

test('cron forms only node-cron reads (L, W, #) are still scheduled on node-cron', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: new Date(2026, 0, 10, 12, 0, 0).getTime() });
  const lastDay = job('month_end', { kind: 'cron', cron: '0 0 L * *' });
  const { scheduler: s } = scheduler(t, [lastDay], false);
  s.start();
  const next = s.nextRunAtMs(lastDay) ?? 0;
  assert.deepEqual([next - (next % 1000), next % 1000], [new Date(2026, 0, 31).getTime(), 406]);
  await s.stop();
});
