import type { Config } from '../config/types.ts';
import { systemClock, type Clock } from '../clock.ts';
import { createMetrics, type CanaryMetrics } from '../metrics/index.ts';
import { createRunLogSink, traceFromHeaderValue, type CanaryLogger } from '../logging/index.ts';
import { createHttpApp, listen, type HttpServer, type ReloadOutcome, type RunNowOutcome } from '../http/index.ts';
import { ConfigError, formatProblem } from '../config/errors.ts';
import type { CheckResult } from '../result/types.ts';
import { VERSION } from '../version.ts';
import { Executor } from './executor.ts';
import { jobKey, jobsOf, type Job } from './jobs.ts';
import { RunStore, DEFAULT_RUNS_PER_CHECK } from './run-store.ts';
import { diffJobs } from './reload.ts';
import { JobSchedules } from './schedules.ts';
import { snapshot } from './status.ts';
import type { ResultSink, SkipReason } from '../result/sinks.ts';
import { BackendLogsReader, type BackendLogsReaderOptions } from '../backend-logs/index.ts';
import { createBackendLogsSink } from './backend-logs.ts';

/** How long in-flight runs may finish at shutdown before they are cancelled. */
export const SHUTDOWN_GRACE_MS = 4000;
/**
 * How long backend-log lookups still in flight may finish at shutdown; past it they are dropped
 * (their runs are logged already), so the grace, this and the flush stay within `serve`'s hard exit.
 */
export const SHUTDOWN_BACKEND_LOGS_MS = 1000;

export interface ServiceOptions {
  readonly config: Config;
  readonly port: number;
  readonly host: string;
  readonly logger: CanaryLogger;
  /** Bearer token for `POST /checks/:name/run`; null turns the endpoint off. */
  readonly adminToken: string | null;
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
  readonly revision?: string;
  readonly runsPerCheck?: number;
  /** Extra sinks (tests, the demo mode). */
  readonly sinks?: readonly ResultSink[];
  /** Run every check once at start-up (default true). */
  readonly runAtStart?: boolean;
  /**
   * Reads the configuration again, for {@link RunningService.reload} (SIGHUP, `POST /-/reload`);
   * throws `ConfigError` when it is invalid. Without it the service cannot reload.
   */
  readonly loadConfig?: () => Promise<Config>;
  /** How the backend's logs are read (targets with `backend_logs`); absent: Google's Logging API with Application Default Credentials. */
  readonly backendLogs?: BackendLogsReaderOptions;
}

export interface RunningService {
  readonly url: string;
  readonly port: number;
  readonly metrics: CanaryMetrics;
  readonly store: RunStore;
  /** Runs a check now (as the admin endpoint does). */
  runNow(check: string, target?: string): Promise<RunNowOutcome>;
  /**
   * Re-reads the configuration with `loadConfig` and moves to it: unchanged checks keep their
   * schedule and history, changed and new ones start (and run once now), removed ones stop and their
   * series go. An invalid configuration is refused with its problems logged; the old one keeps
   * running. Reloads never overlap; this never rejects.
   */
  reload(): Promise<ReloadOutcome>;
  /**
   * Stops scheduling, lets in-flight runs finish for up to {@link SHUTDOWN_GRACE_MS} then cancels
   * them, closes the HTTP server and flushes the logs.
   */
  close(): Promise<void>;
}

/** Remembers per job what the bounded run store may have forgotten. */
class JobLedger implements ResultSink {
  readonly lastSuccessAt = new Map<string, string>();
  readonly skipped = new Map<string, number>();

  record(result: CheckResult): void {
    if (result.result === 'success' || result.result === 'degraded') {
      const endMs = Date.parse(result.startedAt) + result.durationSeconds * 1000;
      this.lastSuccessAt.set(jobKey(result.target, result.check), new Date(endMs).toISOString());
    }
  }

  skip(job: Job): void {
    this.skipped.set(job.key, (this.skipped.get(job.key) ?? 0) + 1);
  }
}

/**
 * Starts the canary as a service: every check on its schedule, results to metrics, logs and the
 * run store, and the HTTP surface (`/metrics`, `/healthz`, `/readyz`, `/status.json`, `/runs/:id`,
 * `/`, `POST /checks/:name/run`).
 */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const clock = options.clock ?? systemClock;
  const { logger, config } = options;
  let jobs = jobsOf(config);
  let jobKeys = new Set(jobs.map((job) => job.key));
  const metrics = createMetrics(config, {
    loadedAtSeconds: clock.nowMs() / 1000,
    ...(options.revision === undefined ? {} : { revision: options.revision }),
  });
  /** Results of a check removed by a reload while it ran do not bring its series back. */
  const configuredMetrics: ResultSink = {
    record: (result) => {
      if (jobKeys.has(jobKey(result.target, result.check))) metrics.record(result);
    },
  };
  const store = new RunStore(options.runsPerCheck ?? DEFAULT_RUNS_PER_CHECK);
  const ledger = new JobLedger();
  const backendLogsReader = new BackendLogsReader(options.backendLogs);
  const backendLogs = createBackendLogsSink({
    reader: backendLogsReader,
    store,
    logger,
    configOf: (result) => jobs.find((job) => job.key === jobKey(result.target, result.check))?.target.backendLogs,
    secrets: () => executor.secrets(),
  });
  const executor: Executor = new Executor({
    clock,
    // the backend's logs last: the verdict, metrics and the run's entry are out before the lookup starts
    sinks: [store, ledger, configuredMetrics, createRunLogSink(logger), ...(options.sinks ?? []), backendLogs],
    ...(options.env === undefined ? {} : { env: options.env }),
    onSinkError: (error) => logger.error('a result sink failed', { error: String(error) }),
  });
  const startedAtMs = clock.nowMs();
  let accepting = true;

  const start = (job: Job, scheduledAtMs: number | null): Promise<CheckResult> | null => {
    const run = executor.tryRun(job);
    if (run === null) return null;
    if (scheduledAtMs !== null) metrics.started(job.target.target, job.check.name, (clock.nowMs() - scheduledAtMs) / 1000);
    return run;
  };

  const skip = (job: Job, reason: SkipReason): void => {
    ledger.skip(job);
    metrics.skipped(job.target.target, job.check.name, reason);
    logger.child({ labels: { target: job.target.target, check: job.check.name } }).warning(`run skipped: ${reason}`, { reason });
  };

  const scheduler = new JobSchedules({
    clock,
    onDue: (job, scheduledAtMs) => {
      if (!accepting) return;
      if (start(job, scheduledAtMs) === null) skip(job, 'overlap');
    },
  });

  const applyReload = async (): Promise<ReloadOutcome> => {
    let next: Config;
    try {
      if (options.loadConfig === undefined) throw new Error('this service has no config to re-read');
      next = await options.loadConfig();
    } catch (error) {
      const problems = error instanceof ConfigError ? error.problems.map(formatProblem) : [String(error)];
      metrics.reloaded(false, clock.nowMs() / 1000);
      logger.error(`config reload failed: the previous config keeps running\n${problems.join('\n')}`, { problems });
      return { kind: 'invalid', problems: problems.length };
    }
    const diff = diffJobs(jobs, next);
    jobs = [...diff.jobs];
    jobKeys = new Set(jobs.map((job) => job.key));
    executor.reconfigured(jobs.map((job) => job.target));
    await metrics.reconfigure(next);
    await scheduler.replace(jobs);
    metrics.reloaded(true, clock.nowMs() / 1000);
    const { jobs: _jobs, ...changes } = diff;
    logger.info('config reloaded', { ...changes });
    return { kind: 'reloaded', ...changes };
  };
  let reloading: Promise<unknown> = Promise.resolve();
  const reload = (): Promise<ReloadOutcome> => {
    const done = reloading.then(applyReload);
    reloading = done.catch(() => undefined);
    return done;
  };

  const runNow = async (check: string, target?: string): Promise<RunNowOutcome> => {
    const matches = jobs.filter((job) => job.check.name === check && (target === undefined || job.target.target === target));
    if (matches.length === 0) return { kind: 'not_found' };
    if (matches.length > 1) return { kind: 'ambiguous', targets: matches.map((job) => job.target.target) };
    const run = accepting ? start(matches[0] as Job, null) : null;
    if (run === null) return { kind: 'busy' };
    return { kind: 'ran', result: await run };
  };

  const app = createHttpApp({
    status: () =>
      snapshot({
        jobs,
        store,
        version: VERSION,
        startedAtMs,
        nowMs: clock.nowMs(),
        region: logger.resource?.labels['location'] ?? null,
        projectId: logger.projectId,
        isRunning: (job) => executor.isRunning(job),
        nextRunAtMs: (job) => scheduler.nextRunAtMs(job),
        skipped: (job) => ledger.skipped.get(job.key) ?? 0,
        lastSuccessAt: (job) => ledger.lastSuccessAt.get(job.key) ?? null,
      }),
    getRun: (runId) => store.get(runId),
    renderMetrics: (accept) => metrics.render(accept),
    ready: () => accepting && scheduler.running,
    runNow,
    ...(options.loadConfig === undefined ? {} : { reload }),
    adminToken: options.adminToken,
    onAdminRequest: (event) => {
      const trace = traceFromHeaderValue(event.traceHeader, logger.projectId);
      logger
        .child({ labels: { check: event.check, ...(event.target === null ? {} : { target: event.target }) }, trace })
        .info(`admin run request: ${event.outcome}`, { outcome: event.outcome });
    },
    onError: (error) => logger.error('http handler failed', { error: String(error) }),
  });

  let server: HttpServer;
  try {
    server = await listen(app, options.port, options.host);
  } catch (error) {
    await executor.drain(0);
    throw error;
  }
  if (config.targets.some((t) => t.backendLogs !== undefined)) void backendLogsReader.warm();
  scheduler.start(jobs, options.runAtStart ?? true);
  logger.info(`canary ${VERSION} serving on ${server.url}`, {
    targets: config.targets.map((t) => t.target),
    checks: jobs.map((job) => job.key),
    adminEndpoint: options.adminToken === null ? 'off' : 'on',
    resource: logger.resource,
  });

  let closing: Promise<void> | null = null;
  return {
    url: server.url,
    port: server.port,
    metrics,
    store,
    runNow,
    reload,
    close: () => {
      closing ??= (async () => {
        accepting = false;
        logger.info('shutting down', { inFlight: executor.inFlight });
        await scheduler.stop();
        await executor.drain(SHUTDOWN_GRACE_MS);
        await backendLogs.settled(SHUTDOWN_BACKEND_LOGS_MS);
        await server.close();
        logger.info('stopped');
        await logger.flush();
      })();
      return closing;
    },
  };
}
