/**
 * Builders for the HTTP tests: real results from the engine against the reference backend, a run
 * store and a status snapshot around them, and the app listening on 127.0.0.1 port 0.
 */
import type { TestContext } from 'node:test';
import type { GoldenPathCheck } from '../../src/config/types.ts';
import { REFERENCE_SECRET, startReferenceBackend } from '../../src/reference/index.ts';
import type { CheckResult, TranscriptEntry } from '../../src/result/types.ts';
import { RunStore } from '../../src/service/run-store.ts';
import type { CheckStatus, StatusSnapshot } from '../../src/result/status.ts';
import { publicUrl } from '../../src/result/url.ts';
import { goldenPathCheck, jwtAuth, withFault } from '../support/fixtures.ts';
import { runOnce } from '../support/run.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { listen } from '../../src/http/listen.ts';
import type { HttpDeps, RunNowOutcome } from '../../src/http/types.ts';

/** Check and close-reason text a hostile config or server could send. */
export const HOSTILE_CHECK = '<script>alert("check")</script>';
export const HOSTILE_CLOSE_REASON = '</td><script>alert(1)</script>';
export const HOSTILE_MESSAGE = 'closed <img src=x onerror=alert(2)> & "quoted"';
export const HOSTILE_TEXT = '{"type":"agent_thinking","payload":"<script>alert(3)</script>"}';

/** The admin token of {@link testDeps}. */
export const ADMIN_TOKEN = 'test-admin-token-6f1c2a9b0d7e4f35';

function runAgainst(url: string, targetName: string, check: GoldenPathCheck): Promise<CheckResult> {
  return runOnce(url, check, jwtAuth(REFERENCE_SECRET), { target: { target: targetName } });
}

/** Real runs from the engine against the reference backend. */
export interface RealRuns {
  /** prod/golden_path: success. */
  readonly prodSuccess: CheckResult;
  /** staging/golden_path: success, before the failure below. */
  readonly stagingSuccess: CheckResult;
  /** staging/golden_path: `close_1011_after=2`, a failure `close_1011` in `events`. */
  readonly stagingFailure: CheckResult;
  /** prod/slow_path: degraded `slow`. */
  readonly prodSlow: CheckResult;
}

/** Runs the golden path a few times against a fresh reference backend, then closes it. */
export async function realRuns(): Promise<RealRuns> {
  const backend = await startReferenceBackend();
  try {
    const golden = goldenPathCheck();
    const [prodSuccess, stagingSuccess, stagingFailure, prodSlow] = await Promise.all([
      runAgainst(backend.url, 'prod', golden),
      runAgainst(backend.url, 'staging', golden),
      runAgainst(withFault(backend.url, 'close_1011_after=2'), 'staging', golden),
      runAgainst(withFault(backend.url, 'delay_ms=40'), 'prod', goldenPathCheck({ name: 'slow_path', slowAfterMs: 100 })),
    ]);
    return { prodSuccess, stagingSuccess, stagingFailure, prodSlow };
  } finally {
    await backend.close();
  }
}

/** A failure whose check name, message, close reason and transcript are hostile markup. */
export function hostileFailure(template: CheckResult): CheckResult {
  const entry: TranscriptEntry = { dir: 'in', tMs: 12.5, kind: 'text', type: '<b>agent_thinking</b>', size: HOSTILE_TEXT.length, text: HOSTILE_TEXT };
  return {
    ...template,
    runId: 'h0571le0000000001',
    target: 'edge',
    check: HOSTILE_CHECK,
    message: HOSTILE_MESSAGE,
    closeReason: HOSTILE_CLOSE_REASON,
    transcript: { entries: [...template.transcript.entries, entry], dropped: 0 },
  };
}

/** One configured check of the snapshot. */
export interface CheckSpec {
  readonly target: string;
  readonly check: string;
  readonly type?: string;
  readonly schedule?: string;
  readonly running?: boolean;
  readonly nextRunAt?: string | null;
  readonly runsSkipped?: number;
  /** The configured URL; shown through `publicUrl` as the service does. Default `wss://<target>.example.test/ws`. */
  readonly url?: string;
}

/** What the service's status builder would report for these checks from this store. */
export function snapshotOf(store: RunStore, specs: readonly CheckSpec[], now: string, startedAt: string, region: string | null = null): StatusSnapshot {
  const checks = specs.map((spec): CheckStatus => {
    const runs = store.recent(spec.target, spec.check);
    const last = runs.at(-1) ?? null;
    const lastOk = [...runs].reverse().find((run) => run.result !== 'failure');
    return {
      target: spec.target,
      check: spec.check,
      type: spec.type ?? 'golden_path',
      url: publicUrl(spec.url ?? `wss://${spec.target}.example.test/ws`),
      schedule: spec.schedule ?? 'every 60s',
      running: spec.running ?? false,
      last,
      lastSuccessAt: lastOk?.startedAt ?? null,
      lastFailureRunId: store.lastFailure(spec.target, spec.check)?.runId ?? null,
      nextRunAt: spec.nextRunAt ?? null,
      runsSkipped: spec.runsSkipped ?? 0,
      streak: store.streak(spec.target, spec.check),
      ratios: store.ratios(spec.target, spec.check, Date.parse(now)),
      recent: store.marks(spec.target, spec.check),
    };
  });
  return { version: '0.1.0-test', startedAt, now, region, checks };
}

/** ISO time `seconds` after `iso`. */
export function plusSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

/** The five checks the page tests show: 2 failing, 1 degraded, 1 success, 1 pending. */
export interface Scenario {
  readonly runs: RealRuns;
  readonly hostile: CheckResult;
  readonly store: RunStore;
  readonly snapshot: StatusSnapshot;
  readonly now: string;
}

/** Stores the real runs and a hostile failure, and snapshots five checks `now` = 12.5 s after prod's success. */
export function scenario(runs: RealRuns): Scenario {
  const hostile = hostileFailure(runs.stagingFailure);
  const store = new RunStore();
  for (const run of [runs.prodSuccess, runs.stagingSuccess, runs.stagingFailure, runs.prodSlow, hostile]) store.record(run);
  const now = plusSeconds(runs.prodSuccess.startedAt, 12.5);
  const snapshot = snapshotOf(
    store,
    [
      { target: 'prod', check: 'golden_path', nextRunAt: plusSeconds(now, 45.2) },
      { target: 'prod', check: 'slow_path', schedule: 'cron */5 * * * *', nextRunAt: plusSeconds(now, 200) },
      { target: 'staging', check: 'golden_path', nextRunAt: plusSeconds(now, 30), runsSkipped: 2 },
      { target: 'eu', check: 'golden_path', running: true, nextRunAt: null },
      { target: 'edge', check: HOSTILE_CHECK, nextRunAt: plusSeconds(now, 5) },
    ],
    now,
    plusSeconds(now, -7200),
  );
  return { runs, hostile, store, snapshot, now };
}

/** Deps over a snapshot and store; everything can be overridden. */
export function testDeps(s: Scenario, overrides: Partial<HttpDeps> = {}): HttpDeps {
  return {
    status: () => s.snapshot,
    getRun: (runId) => s.store.get(runId),
    renderMetrics: (accept) =>
      Promise.resolve({ contentType: 'text/plain; version=0.0.4; charset=utf-8', chunks: [Buffer.from(`# accept ${accept ?? '-'}\n`), Buffer.from('canary_up 1\n')] }),
    ready: () => true,
    runNow: (): Promise<RunNowOutcome> => Promise.resolve({ kind: 'not_found' }),
    adminToken: ADMIN_TOKEN,
    ...overrides,
  };
}

/** Serves the app over `deps` on 127.0.0.1 port 0 until the test ends; resolves its base URL. */
export async function serve(t: TestContext, deps: HttpDeps): Promise<string> {
  const server = await listen(createHttpApp(deps), 0, '127.0.0.1');
  t.after(() => server.close());
  return server.url;
}
