import type { CheckResult } from '../result/types.ts';
import type { ResultSink } from '../result/sinks.ts';
import type { RunMark, RunRatio, Streak } from '../result/status.ts';
import { RATIO_WINDOWS_MS, RunHistory } from './run-history.ts';

/** Runs kept per check by default. */
export const DEFAULT_RUNS_PER_CHECK = 50;

/**
 * Bytes of results kept per check by default, each result counted as the UTF-16 length of its JSON
 * (two bytes a character, about what the heap holds). Older runs of the check are dropped past it.
 */
export const DEFAULT_RUN_STORE_BYTES_PER_CHECK = 4 * 1024 * 1024;

/**
 * Bytes of results kept across all checks by default, counted as for
 * {@link DEFAULT_RUN_STORE_BYTES_PER_CHECK}; the oldest runs of any check are dropped past it.
 * Chosen so `serve` stays well under 300 MB with a hostile target on every check.
 */
export const DEFAULT_RUN_STORE_BYTES = 48 * 1024 * 1024;

/** Runs of a check in the status page's history strip and in `/status.json`'s `recent`. */
export const RECENT_RUNS_SHOWN = 30;

/** Bounds of a {@link RunStore}. */
export interface RunStoreLimits {
  readonly runsPerCheck?: number;
  readonly bytesPerCheck?: number;
  readonly totalBytes?: number;
}

interface Stored {
  readonly result: CheckResult;
  readonly bytes: number;
}

/** The bytes a result is counted as: the UTF-16 length of its JSON. Results are frozen, so once. */
export function resultBytes(result: CheckResult): number {
  return JSON.stringify(result).length * 2;
}

/**
 * The last runs of every check, in memory, for `/runs/:id` and the status page. Bounded in count
 * per check, in bytes per check and in bytes in all: past a bound the oldest runs are dropped
 * first. A check's newest run is always kept, whatever its size. Beside the runs, a
 * {@link RunHistory} of every run seen: streaks and success ratios outlive the runs dropped.
 */
export class RunStore implements ResultSink {
  readonly #perCheck: number;
  readonly #bytesPerCheck: number;
  readonly #totalBytes: number;
  readonly #byCheck = new Map<string, Stored[]>();
  /** Bytes of each check's kept runs, kept in step with `#byCheck`. */
  readonly #checkBytes = new Map<string, number>();
  /** Insertion order is age: oldest first. */
  readonly #byId = new Map<string, Stored>();
  #bytes = 0;
  readonly #history = new RunHistory();

  constructor(limits: number | RunStoreLimits = {}) {
    const given = typeof limits === 'number' ? { runsPerCheck: limits } : limits;
    this.#perCheck = Math.max(1, given.runsPerCheck ?? DEFAULT_RUNS_PER_CHECK);
    this.#bytesPerCheck = given.bytesPerCheck ?? DEFAULT_RUN_STORE_BYTES_PER_CHECK;
    this.#totalBytes = given.totalBytes ?? DEFAULT_RUN_STORE_BYTES;
  }

  record(result: CheckResult): void {
    const key = RunStore.key(result.target, result.check);
    const runs = this.#byCheck.get(key) ?? [];
    this.#history.record(key, result);
    const stored = { result, bytes: resultBytes(result) };
    runs.push(stored);
    this.#byId.set(result.runId, stored);
    this.#bytes += stored.bytes;
    this.#byCheck.set(key, runs);
    let checkBytes = (this.#checkBytes.get(key) ?? 0) + stored.bytes;
    while (runs.length > 1 && (runs.length > this.#perCheck || checkBytes > this.#bytesPerCheck)) {
      const dropped = runs.shift();
      if (dropped !== undefined) {
        checkBytes -= dropped.bytes;
        this.#forget(dropped);
      }
    }
    this.#checkBytes.set(key, checkBytes);
    if (this.#bytes <= this.#totalBytes) return;
    for (const old of [...this.#byId.values()]) {
      if (this.#bytes <= this.#totalBytes) break;
      const oldKey = RunStore.key(old.result.target, old.result.check);
      const its = this.#byCheck.get(oldKey);
      if (its === undefined || its[its.length - 1] === old) continue;
      its.splice(its.indexOf(old), 1);
      this.#checkBytes.set(oldKey, (this.#checkBytes.get(oldKey) ?? 0) - old.bytes);
      this.#forget(old);
    }
  }

  /**
   * Replaces a kept run with `update(run)` (the backend's entries attached after the fact), counted
   * again in bytes; a run no longer kept is left alone. Returns whether the run was kept.
   */
  replace(runId: string, update: (result: CheckResult) => CheckResult): boolean {
    const old = this.#byId.get(runId);
    if (old === undefined) return false;
    const result = update(old.result);
    const stored = { result, bytes: resultBytes(result) };
    const runs = this.#byCheck.get(RunStore.key(old.result.target, old.result.check));
    const at = runs?.indexOf(old) ?? -1;
    if (runs !== undefined && at >= 0) {
      runs[at] = stored;
      const key = RunStore.key(old.result.target, old.result.check);
      this.#checkBytes.set(key, (this.#checkBytes.get(key) ?? 0) + stored.bytes - old.bytes);
    }
    this.#byId.set(runId, stored);
    this.#bytes += stored.bytes - old.bytes;
    return true;
  }

  #forget(stored: Stored): void {
    this.#byId.delete(stored.result.runId);
    this.#bytes -= stored.bytes;
  }

  get(runId: string): CheckResult | undefined {
    return this.#byId.get(runId)?.result;
  }

  /** Newest last. */
  recent(target: string, check: string): readonly CheckResult[] {
    return (this.#byCheck.get(RunStore.key(target, check)) ?? []).map((stored) => stored.result);
  }

  lastFailure(target: string, check: string): CheckResult | null {
    const runs = this.recent(target, check);
    for (let i = runs.length - 1; i >= 0; i--) {
      const run = runs[i];
      if (run !== undefined && run.result === 'failure') return run;
    }
    return null;
  }

  /** The newest kept runs of a check, oldest first: at most {@link RECENT_RUNS_SHOWN}. */
  marks(target: string, check: string): RunMark[] {
    return this.recent(target, check)
      .slice(-RECENT_RUNS_SHOWN)
      .map((run) => ({ runId: run.runId, result: run.result, reason: run.reason, startedAt: run.startedAt }));
  }

  /** The check's current streak of failing or passing runs; null before its first run. */
  streak(target: string, check: string): Streak | null {
    return this.#history.streak(RunStore.key(target, check));
  }

  /** Success ratios over the last hour and day before `nowMs`, of every run seen. */
  ratios(target: string, check: string, nowMs: number): { hour: RunRatio; day: RunRatio } {
    const key = RunStore.key(target, check);
    return { hour: this.#history.ratio(key, nowMs, RATIO_WINDOWS_MS.hour), day: this.#history.ratio(key, nowMs, RATIO_WINDOWS_MS.day) };
  }

  get size(): number {
    return this.#byId.size;
  }

  /** The bytes the kept results are counted as (see {@link resultBytes}). */
  get bytes(): number {
    return this.#bytes;
  }

  static key(target: string, check: string): string {
    return `${target}\u0000${check}`;
  }
}
