import { collectDefaultMetrics, Registry, type Metric, type OpenMetricsContentType } from 'prom-client';
import type { Config } from '../config/types.ts';
import type { CheckResult } from '../result/types.ts';
import type { ResultSink, ScheduleSink, SkipReason } from '../result/sinks.ts';
import { revision, VERSION } from '../version.ts';
import { indexConfig } from './config-index.ts';
import { configChange, forgetSeries } from './forget.ts';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE, wantsOpenMetrics } from './exposition.ts';
import { PageCache } from './page-cache.ts';
import { createFamilies } from './families.ts';
import { ResultRecorder } from './record.ts';
import { zeroConfiguredSeries } from './zero.ts';

/** One rendering of /metrics, ready to send. */
export interface MetricsPage {
  readonly contentType: string;
  /**
   * The page as UTF-8, in the order it is sent: one chunk per family (each ends with its newline),
   * then `# EOF` for OpenMetrics. Written to the socket as they are, never joined into one buffer
   * (a 0.9 MiB page's copy was half of a scrape's time).
   */
  readonly chunks: readonly Buffer[];
}

/**
 * The Prometheus sink: every result and scheduler event becomes samples on a registry of its own.
 * See the README's metrics table for every family.
 */
export interface CanaryMetrics extends ResultSink, ScheduleSink {
  /**
   * The registry behind every family, of OpenMetrics type (prom-client keeps exemplars only there).
   * Other parts may register their own metrics on it (read afresh at every scrape); serve it with
   * {@link CanaryMetrics.render}, not with `registry.metrics()`, which is always OpenMetrics. The
   * canary's own families change only through this sink: their rendering is cached until it does.
   */
  readonly registry: Registry<OpenMetricsContentType>;
  /**
   * Records one finished run: runs, up, last run and success timestamps, run, phase and event
   * durations (seconds, with a `run_id` exemplar), failures, close codes, missing events, the
   * protocol variant and the TLS certificate expiry. Never throws.
   *
   * A result with reason `cancelled` (the canary stopped the run at shutdown) is ignored entirely:
   * it says nothing about the target, and its partial timings would skew the histograms.
   */
  record(result: CheckResult): void;
  /** Counts a due run that did not start in `canary_runs_skipped_total`. */
  skipped(target: string, check: string, reason: SkipReason): void;
  /** Observes how late (seconds) a run started in `canary_schedule_lag_seconds`; negative counts as 0. */
  started(target: string, check: string, lagSeconds: number): void;
  /**
   * Moves to a reloaded configuration: every series of a removed check or target goes (prom-client
   * `remove`), a check whose config changed starts its series afresh (a counter reset, which
   * `rate()` handles), a new check's series appear at zero, and unchanged checks keep theirs.
   */
  reconfigure(config: Config): Promise<void>;
  /**
   * Records the outcome of a reload: `canary_config_reloads_total{result}`,
   * `canary_config_last_reload_successful` and, on success, the time (Unix seconds) of the load.
   */
  reloaded(successful: boolean, atSeconds: number): void;
  /**
   * Renders /metrics for a request's Accept header: OpenMetrics 1.0 with exemplars when the scraper
   * asks for `application/openmetrics-text` (as Prometheus does), else the Prometheus text format
   * 0.0.4 without exemplars. Each of the canary's families is rendered once per change (a run, a
   * start or skip, a reload), so a scrape between runs only re-reads Node's process metrics.
   */
  render(accept: string | undefined): Promise<MetricsPage>;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Source revision for `canary_build_info`; default {@link revision} from the environment. */
  readonly revision?: string;
  /** Include Node's process metrics (prom-client's default metrics). Default true. */
  readonly defaultMetrics?: boolean;
  /** When the configuration was loaded (Unix seconds), for `canary_config_last_reload_success_timestamp_seconds`; default now. */
  readonly loadedAtSeconds?: number;
}

/**
 * Creates the metrics sink for a configuration. Every series the configuration implies exists at
 * zero from the start, except `canary_check_up` and the last-run timestamps, which appear with the
 * first run of their check.
 */
export function createMetrics(config: Config, options: MetricsOptions = {}): CanaryMetrics {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const families = createFamilies(registry);
  families.buildInfo.set({ version: VERSION, revision: options.revision ?? revision() }, 1);
  families.reloadSuccessful.set(1);
  families.reloadSuccessTime.set(options.loadedAtSeconds ?? Date.now() / 1000);
  families.reloads.inc({ result: 'success' }, 0);
  families.reloads.inc({ result: 'failure' }, 0);
  let index = indexConfig(config);
  zeroConfiguredSeries(families, index);
  const recorder = new ResultRecorder(families, index);
  const ownMetrics: readonly Metric[] = Object.values(families);
  const page = new PageCache(registry, ownMetrics);

  return {
    registry,
    record(result) {
      page.invalidate(recorder.record(result));
    },
    skipped(target, check, reason) {
      recorder.skipped(target, check, reason);
      page.invalidate([families.skipped]);
    },
    started(target, check, lagSeconds) {
      recorder.started(target, check, lagSeconds);
      page.invalidate([families.scheduleLag]);
    },
    async reconfigure(next) {
      const nextIndex = indexConfig(next);
      const change = configChange(index, nextIndex);
      index = nextIndex;
      recorder.reindex(nextIndex);
      await forgetSeries(families, change);
      zeroConfiguredSeries(families, { ...nextIndex, checks: change.fresh });
      page.invalidate(ownMetrics);
    },
    reloaded(successful, atSeconds) {
      families.reloads.inc({ result: successful ? 'success' : 'failure' });
      families.reloadSuccessful.set(successful ? 1 : 0);
      if (successful) families.reloadSuccessTime.set(atSeconds);
      page.invalidate([families.reloads, families.reloadSuccessful, families.reloadSuccessTime]);
    },
    async render(accept) {
      return wantsOpenMetrics(accept)
        ? { contentType: OPENMETRICS_CONTENT_TYPE, chunks: await page.render('openmetrics') }
        : { contentType: PROMETHEUS_CONTENT_TYPE, chunks: await page.render('text') };
    },
  };
}
