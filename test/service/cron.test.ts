import assert from 'node:assert/strict';
import { test } from 'node:test';
import cron from 'node-cron';
import { compileCron, CronTimer, nextCronMs, type CronPattern } from '../../src/service/cron.ts';

const EXPRESSIONS = [
  '* * * * * *',
  '*/10 * * * * *',
  '*/5 * * * *',
  '7 * * * *',
  '0 0 * * *',
  '30 2 * * 1-5',
  '15,45 */3 * * *',
  '0 9-17/2 * * mon-fri',
  '0 0 1 1 *',
  '0 0 29 2 *',
  '0 12 13 * 5',
  '0 0 31 * *',
  '0 22-2 * * *',
  '5 4 * jan-mar/2 SUN',
  '0 0 * * 7',
  '0 0 * * 5-7',
  '0 0 * * 6-1',
  '10-50/20 * * * * *',
];

/** Start instants: mid-second, on a second, at a year's end, before a leap day. */
const STARTS = ['2026-03-14T09:26:53.589Z', '2026-12-31T23:59:59.000Z', '2028-02-27T22:10:00.250Z', '2026-06-30T23:00:00.999Z'].map(Date.parse);

function ourNext(pattern: CronPattern, fromMs: number, count: number): string[] {
  const out: string[] = [];
  let at = fromMs;
  for (let i = 0; i < count; i++) {
    const next = nextCronMs(pattern, at);
    if (next === null) break;
    out.push(new Date(next).toISOString());
    at = next;
  }
  return out;
}

test('next fire times are node-cron’s own, for every plain form of its syntax', (t) => {
  for (const start of STARTS) {
    t.mock.timers.reset();
    t.mock.timers.enable({ apis: ['Date'], now: start });
    for (const expression of EXPRESSIONS) {
      const pattern = compileCron(expression);
      assert.ok(pattern !== null, expression);
      const task = cron.createTask(expression, () => undefined);
      const theirs = task.getNextRuns(6).map((d) => d.toISOString());
      void task.destroy();
      assert.deepEqual(ourNext(pattern, start, 6), theirs, `${expression} from ${new Date(start).toISOString()}`);
    }
  }
});

test('forms only node-cron reads are left to it', () => {
  for (const expression of ['0 0 L * *', '0 0 15W * *', '0 0 * * 1#2', '0 0 * * 5L', '0 0 ? * *', '@daily', '5/15 * * * *', '61 * * * *', '* * * *']) {
    assert.equal(compileCron(expression), null, expression);
  }
});

test('a cron timer fires at each fire time and nothing once stopped', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: Date.parse('2026-01-01T00:00:00.400Z') });
  const fired: string[] = [];
  const pattern = compileCron('*/20 * * * * *');
  assert.ok(pattern !== null);
  const timer = new CronTimer(pattern, { nowMs: () => Date.now() }, (slotMs) => fired.push(new Date(slotMs).toISOString()));
  t.after(() => timer.stop());
  timer.start();
  assert.equal(new Date(timer.nextAtMs ?? 0).toISOString(), '2026-01-01T00:00:20.000Z');
  t.mock.timers.tick(19_599);
  assert.deepEqual(fired, []);
  t.mock.timers.tick(1);
  t.mock.timers.tick(20_000);
  assert.deepEqual(fired, ['2026-01-01T00:00:20.000Z', '2026-01-01T00:00:40.000Z']);
  timer.stop();
  assert.equal(timer.nextAtMs, null);
});
