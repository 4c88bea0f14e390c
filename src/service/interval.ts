import type { Clock } from '../clock.ts';

/** setTimeout's longest delay (2^31 - 1 ms); a longer wait is re-armed when it ends. */
const MAX_DELAY_MS = 2_147_483_647;

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

/**
 * Calls `onSlot` at every slot of a fixed period (see {@link nextSlotMs}). Each wait is computed
 * from the clock and the slot, never from the previous wait, so a late timer or a slow callback
 * does not push later slots back. Slots missed while the process stalled are not fired late: the
 * slot that was due fires once (its lateness shows as schedule lag) and the timer moves on to the
 * next slot after now.
 */
export class IntervalTimer {
  readonly #periodMs: number;
  readonly #offsetMs: number;
  readonly #clock: Clock;
  readonly #onSlot: (slotMs: number) => void;
  #timer: NodeJS.Timeout | null = null;
  #nextMs: number | null = null;

  constructor(periodMs: number, offsetMs: number, clock: Clock, onSlot: (slotMs: number) => void) {
    if (!(periodMs > 0)) throw new RangeError(`period must be positive, got ${periodMs}`);
    this.#periodMs = periodMs;
    this.#offsetMs = offsetMs;
    this.#clock = clock;
    this.#onSlot = onSlot;
  }

  /** The slot the timer waits for (epoch ms), or null when stopped. */
  get nextAtMs(): number | null {
    return this.#nextMs;
  }

  start(): void {
    if (this.#timer === null) this.#arm(nextSlotMs(this.#clock.nowMs(), this.#periodMs, this.#offsetMs));
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextMs = null;
  }

  #arm(slotMs: number): void {
    this.#nextMs = slotMs;
    const delayMs = Math.min(MAX_DELAY_MS, Math.max(0, slotMs - this.#clock.nowMs()));
    this.#timer = setTimeout(() => this.#wake(slotMs), delayMs);
  }

  #wake(slotMs: number): void {
    const nowMs = this.#clock.nowMs();
    if (nowMs < slotMs) {
      // Woken early: a wait longer than setTimeout allows, or the wall clock was set back (then
      // more than a period may remain, and the slots restart from now).
      this.#arm(slotMs - nowMs > this.#periodMs ? nextSlotMs(nowMs, this.#periodMs, this.#offsetMs) : slotMs);
      return;
    }
    this.#arm(nextSlotMs(nowMs, this.#periodMs, this.#offsetMs));
    this.#onSlot(slotMs);
  }
}
