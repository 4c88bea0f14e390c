import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { Clock } from '../../src/clock.ts';
import { IntervalTimer, nextSlotMs, slotOffsetMs } from '../../src/service/interval.ts';

/** 2026-01-01T00:00:00Z: a whole number of 90 s, 7 min and 45 min periods since the epoch. */
const MIDNIGHT = Date.UTC(2026, 0, 1);
const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Mocked setTimeout and Date from `nowMs`; the clock reads Date plus a skew the test may change. */
function fakeTime(t: TestContext, nowMs: number): { clock: Clock; skew: { ms: number } } {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: nowMs });
  const skew = { ms: 0 };
  return { clock: { nowMs: () => Date.now() + skew.ms, monoMs: () => Date.now() }, skew };
}

/** Starts a timer that records, per slot, the slot and the clock when it fired. */
function recorded(periodMs: number, offsetMs: number, clock: Clock, onSlot: (slotMs: number) => void = () => undefined) {
  const fired: { slotMs: number; atMs: number }[] = [];
  const timer = new IntervalTimer(periodMs, offsetMs, clock, (slotMs) => {
    fired.push({ slotMs, atMs: clock.nowMs() });
    onSlot(slotMs);
  });
  timer.start();
  return { timer, fired };
}

const at = (ms: number): string => new Date(ms).toISOString();

test('slots are counted from the epoch at a stable whole-second offset within the period', () => {
  const offsets: readonly (readonly [number, number, number])[] = [
    [10 * SECOND, 3, 3 * SECOND],
    [5 * MINUTE, 125, 125 * SECOND],
    [90 * SECOND, 125, 35 * SECOND],
    [7 * MINUTE, 4_000_000_000, (4_000_000_000 % 420) * SECOND],
    [SECOND, 7, 0],
    [1500, 7, 1000],
  ];
  for (const [periodMs, seed, offsetMs] of offsets) assert.equal(slotOffsetMs(periodMs, seed), offsetMs, `period ${periodMs} seed ${seed}`);
  assert.equal(at(nextSlotMs(MIDNIGHT + 10 * SECOND, 90 * SECOND, 35 * SECOND)), '2026-01-01T00:00:35.000Z');
  assert.equal(at(nextSlotMs(MIDNIGHT + 35 * SECOND, 90 * SECOND, 35 * SECOND)), '2026-01-01T00:02:05.000Z');
  assert.equal(at(nextSlotMs(MIDNIGHT - 1, 7 * MINUTE, 0)), '2026-01-01T00:00:00.000Z');
});

test('every 90s fires at its exact slots', (t) => {
  const { clock } = fakeTime(t, MIDNIGHT + 10 * SECOND);
  const { timer, fired } = recorded(90 * SECOND, 35 * SECOND, clock);
  t.after(() => timer.stop());
  assert.equal(at(timer.nextAtMs ?? 0), '2026-01-01T00:00:35.000Z');
  t.mock.timers.tick(25 * SECOND - 1);
  assert.equal(fired.length, 0);
  t.mock.timers.tick(1);
  for (let i = 0; i < 3; i++) t.mock.timers.tick(90 * SECOND);
  assert.deepEqual(
    fired.map((f) => [at(f.slotMs), at(f.atMs)]),
    ['00:00:35', '00:02:05', '00:03:35', '00:05:05'].map((hms) => [`2026-01-01T${hms}.000Z`, `2026-01-01T${hms}.000Z`]),
  );
  assert.equal(at(timer.nextAtMs ?? 0), '2026-01-01T00:06:35.000Z');
});

test('a late wake does not push later slots back', (t) => {
  const { clock } = fakeTime(t, MIDNIGHT);
  const { timer, fired } = recorded(7 * MINUTE, 0, clock);
  t.after(() => timer.stop());
  // The event loop was busy: the first wake comes 700 ms after its slot.
  t.mock.timers.tick(7 * MINUTE + 700);
  t.mock.timers.tick(7 * MINUTE - 700);
  t.mock.timers.tick(7 * MINUTE);
  assert.deepEqual(
    fired.map((f) => [at(f.slotMs), at(f.atMs)]),
    [
      ['2026-01-01T00:07:00.000Z', '2026-01-01T00:07:00.700Z'],
      ['2026-01-01T00:14:00.000Z', '2026-01-01T00:14:00.000Z'],
      ['2026-01-01T00:21:00.000Z', '2026-01-01T00:21:00.000Z'],
    ],
  );
});

test('a stall over several periods fires the due slot once, late, then keeps to the slots', (t) => {
  const { clock } = fakeTime(t, MIDNIGHT);
  const { timer, fired } = recorded(45 * MINUTE, 0, clock);
  t.after(() => timer.stop());
  t.mock.timers.tick(45 * MINUTE);
  // The process stalls for 100 min: the slots of 01:30 and 02:15 pass without a wake.
  t.mock.timers.tick(100 * MINUTE);
  assert.equal(at(timer.nextAtMs ?? 0), '2026-01-01T03:00:00.000Z');
  t.mock.timers.tick(35 * MINUTE);
  assert.deepEqual(
    fired.map((f) => [at(f.slotMs), at(f.atMs)]),
    [
      ['2026-01-01T00:45:00.000Z', '2026-01-01T00:45:00.000Z'],
      ['2026-01-01T01:30:00.000Z', '2026-01-01T02:25:00.000Z'],
      ['2026-01-01T03:00:00.000Z', '2026-01-01T03:00:00.000Z'],
    ],
  );
});

test('a wall clock set back by more than a period restarts the slots from the new time', (t) => {
  const { clock, skew } = fakeTime(t, MIDNIGHT);
  const { timer, fired } = recorded(90 * SECOND, 0, clock);
  t.after(() => timer.stop());
  skew.ms = -60 * MINUTE;
  t.mock.timers.tick(90 * SECOND);
  assert.equal(fired.length, 0);
  assert.equal(at(timer.nextAtMs ?? 0), '2025-12-31T23:03:00.000Z');
  t.mock.timers.tick(90 * SECOND);
  assert.deepEqual(fired.map((f) => at(f.slotMs)), ['2025-12-31T23:03:00.000Z']);
});

test('a period longer than setTimeout can wait fires at its exact slot', (t) => {
  const periodMs = 30 * 24 * 60 * MINUTE;
  const { clock } = fakeTime(t, nextSlotMs(MIDNIGHT, periodMs, 0));
  const { timer, fired } = recorded(periodMs, 0, clock);
  t.after(() => timer.stop());
  t.mock.timers.tick(2_147_483_647);
  assert.equal(fired.length, 0);
  t.mock.timers.tick(periodMs - 2_147_483_647);
  assert.deepEqual(fired.map((f) => f.atMs - f.slotMs), [0]);
  assert.equal(fired[0]?.slotMs, nextSlotMs(MIDNIGHT, periodMs, 0) + periodMs);
});

test('stop ends the slots', (t) => {
  const { clock } = fakeTime(t, MIDNIGHT);
  const { timer, fired } = recorded(90 * SECOND, 0, clock);
  t.mock.timers.tick(90 * SECOND);
  timer.stop();
  assert.equal(timer.nextAtMs, null);
  t.mock.timers.tick(10 * MINUTE);
  assert.equal(fired.length, 1);
});

test('a period that is not positive is refused', () => {
  assert.throws(() => new IntervalTimer(0, 0, { nowMs: () => 0, monoMs: () => 0 }, () => undefined), {
    name: 'RangeError',
    message: 'period must be positive, got 0',
  });
});
