import type { CheckResult } from '../result/types.ts';
import type { RunRatio, Streak } from '../result/status.ts';

/** Width of one bucket of run counts: 1 minute. */
export const HISTORY_BUCKET_MS = 60_000;
/** How far back run counts are kept: a day (the longest success-ratio window). */
export const HISTORY_WINDOW_MS = 86_400_000;
/** The success-ratio windows: the last hour and the last day. */
export const RATIO_WINDOWS_MS = { hour: 3_600_000, day: HISTORY_WINDOW_MS } as const;

interface Bucket {
  readonly minute: number;
  ok: number;
  failed: number;
}

interface CheckHistory {
  /** Oldest first; at most one per minute of the last day (1,441). */
  readonly buckets: Bucket[];
  streak: Streak | null;
}

/**
 * What the service has seen of each check since it started, beyond the bounded run store: the
 * current streak (failing or passing since when, for how many runs) and run counts per minute of
 * the last day, for success ratios. Bounded: at most 1,441 buckets per check. Runs with reason
 * `cancelled` (stopped at shutdown) are not counted, as in the metrics.
 */
export class RunHistory {
  readonly #byCheck = new Map<string, CheckHistory>();

  record(key: string, result: CheckResult): void {
    if (result.reason === 'cancelled') return;
    const startedMs = Date.parse(result.startedAt);
    if (Number.isNaN(startedMs)) return;
    const history = this.#byCheck.get(key) ?? { buckets: [], streak: null };
    this.#byCheck.set(key, history);
    const failing = result.result === 'failure';
    const streak = history.streak;
    history.streak =
      streak !== null && streak.failing === failing
        ? { ...streak, runs: streak.runs + 1 }
        : { failing, runs: 1, since: result.startedAt, firstRunId: result.runId, fromStart: streak === null };
    count(history.buckets, Math.floor(startedMs / HISTORY_BUCKET_MS), failing);
    const oldest = Math.floor((startedMs - HISTORY_WINDOW_MS) / HISTORY_BUCKET_MS);
    while ((history.buckets[0]?.minute ?? oldest) < oldest) history.buckets.shift();
  }

  streak(key: string): Streak | null {
    return this.#byCheck.get(key)?.streak ?? null;
  }

  /** Minute buckets kept for a check (at most 1,441). */
  bucketCount(key: string): number {
    return this.#byCheck.get(key)?.buckets.length ?? 0;
  }

  /**
   * Runs started within `windowMs` before `nowMs`, and how many did not fail, counted per whole
   * minute (a run in the minute the window starts in is counted).
   */
  ratio(key: string, nowMs: number, windowMs: number): RunRatio {
    const from = Math.floor((nowMs - windowMs) / HISTORY_BUCKET_MS);
    let runs = 0;
    let ok = 0;
    for (const bucket of this.#byCheck.get(key)?.buckets ?? []) {
      if (bucket.minute < from) continue;
      runs += bucket.ok + bucket.failed;
      ok += bucket.ok;
    }
    return { runs, ok, ratio: runs === 0 ? null : ok / runs };
  }
}

function count(buckets: Bucket[], minute: number, failing: boolean): void {
  let i = buckets.length - 1;
  while (i >= 0 && (buckets[i]?.minute ?? minute) > minute) i--;
  let bucket = buckets[i];
  if (bucket === undefined || bucket.minute !== minute) {
    bucket = { minute, ok: 0, failed: 0 };
    buckets.splice(i + 1, 0, bucket);
  }
  if (failing) bucket.failed++;
  else bucket.ok++;
}
