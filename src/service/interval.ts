import type { Clock } from '../clock.ts';
import { SlotTimer } from './slot-timer.ts';

/**
 * The first slot after `afterMs` (epoch ms). Slots are `offsetMs + k × periodMs` counted from the
 * Unix epoch, so they never drift and are the same after a restart.
 */
export function nextSlotMs(afterMs: number, periodMs: number, offsetMs: number): number {
  return offsetMs + (Math.floor((afterMs - offsetMs) / periodMs) + 1) * periodMs;
}

/**
 * A job's stable start within its period, milliseconds: `seed` modulo the period in whole seconds,
 * so jobs with the same period start at different seconds (`every: 5m` with seed 125 runs at
 * second 5 of minutes 2, 7, 12, …, as the former cron patterns did in UTC).
 */
export function slotOffsetMs(periodMs: number, seed: number): number {
  return ((seed % Math.ceil(periodMs / 1000)) * 1000) % periodMs;
}

/** A {@link SlotTimer} on the slots of a fixed period (see {@link nextSlotMs}). */
export class IntervalTimer extends SlotTimer {
  constructor(periodMs: number, offsetMs: number, clock: Clock, onSlot: (slotMs: number) => void) {
    if (!(periodMs > 0)) throw new RangeError(`period must be positive, got ${periodMs}`);
    super((afterMs) => nextSlotMs(afterMs, periodMs, offsetMs), clock, onSlot);
  }
}
