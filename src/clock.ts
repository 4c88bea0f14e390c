import { performance } from 'node:perf_hooks';

/** Time sources, passed in so tests and the scheduler can share one. */
export interface Clock {
  /** Monotonic milliseconds, for durations. */
  monoMs(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps. */
  nowMs(): number;
}

export const systemClock: Clock = {
  monoMs: () => performance.now(),
  nowMs: () => Date.now(),
};
