/** setTimeout's longest delay (2^31 - 1 ms); a longer wait is re-armed when it ends. */
const MAX_DELAY_MS = 2_147_483_647;

/** The first fire time strictly after `afterMs` (epoch ms), or null when none is left. */
export type NextSlot = (afterMs: number) => number | null;

/**
 * Calls `onSlot` at every fire time `next` gives. Each wait is computed from the clock and the
 * slot, never from the previous wait, so a late timer or a slow callback does not push later slots
 * back. Slots missed while the process stalled are not fired late: the slot that was due fires
 * once (its lateness shows as schedule lag) and the timer moves on to the next slot after now.
 * Woken early (a wait longer than setTimeout allows, or the wall clock set back), it waits for
 * the next slot after now: the same slot, or an earlier one when the clock went back.
 */
export class SlotTimer {
  readonly #next: NextSlot;
  readonly #clock: { nowMs(): number };
  readonly #onSlot: (slotMs: number) => void;
  #timer: NodeJS.Timeout | null = null;
  #nextMs: number | null = null;

  constructor(next: NextSlot, clock: { nowMs(): number }, onSlot: (slotMs: number) => void) {
    this.#next = next;
    this.#clock = clock;
    this.#onSlot = onSlot;
  }

  /** The slot the timer waits for (epoch ms), or null when stopped or when none is left. */
  get nextAtMs(): number | null {
    return this.#nextMs;
  }

  start(): void {
    if (this.#timer === null) this.#arm(this.#next(this.#clock.nowMs()));
  }

  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextMs = null;
  }

  #arm(slotMs: number | null): void {
    this.#nextMs = slotMs;
    this.#timer = null;
    if (slotMs === null) return;
    const delayMs = Math.min(MAX_DELAY_MS, Math.max(0, slotMs - this.#clock.nowMs()));
    this.#timer = setTimeout(() => this.#wake(slotMs), delayMs);
  }

  #wake(slotMs: number): void {
    const nowMs = this.#clock.nowMs();
    this.#arm(this.#next(nowMs));
    if (nowMs >= slotMs) this.#onSlot(slotMs);
  }
}
