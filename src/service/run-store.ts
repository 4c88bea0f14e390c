import type { CheckResult } from '../result/types.ts';
import type { ResultSink } from './types.ts';

/** Runs kept per check by default. */
export const DEFAULT_RUNS_PER_CHECK = 50;

/**
 * The last N runs of every check, in memory, for `/runs/:id` and the status page. Bounded: a
 * check's oldest run is dropped when a new one arrives past N.
 */
export class RunStore implements ResultSink {
  readonly #perCheck: number;
  readonly #byCheck = new Map<string, CheckResult[]>();
  readonly #byId = new Map<string, CheckResult>();

  constructor(perCheck: number = DEFAULT_RUNS_PER_CHECK) {
    this.#perCheck = Math.max(1, perCheck);
  }

  record(result: CheckResult): void {
    const key = RunStore.key(result.target, result.check);
    const runs = this.#byCheck.get(key) ?? [];
    runs.push(result);
    this.#byId.set(result.runId, result);
    while (runs.length > this.#perCheck) {
      const dropped = runs.shift();
      if (dropped !== undefined) this.#byId.delete(dropped.runId);
    }
    this.#byCheck.set(key, runs);
  }

  get(runId: string): CheckResult | undefined {
    return this.#byId.get(runId);
  }

  /** Newest last. */
  recent(target: string, check: string): readonly CheckResult[] {
    return this.#byCheck.get(RunStore.key(target, check)) ?? [];
  }

  lastFailure(target: string, check: string): CheckResult | null {
    const runs = this.recent(target, check);
    for (let i = runs.length - 1; i >= 0; i--) {
      const run = runs[i];
      if (run !== undefined && run.result === 'failure') return run;
    }
    return null;
  }

  get size(): number {
    return this.#byId.size;
  }

  static key(target: string, check: string): string {
    return `${target}\u0000${check}`;
  }
}
