import { intervalSeconds } from '../config/schedule.ts';
import { ZEROED_CLOSE_CODES } from '../protocol/close-codes.ts';
import { RESULTS } from '../result/reasons.ts';
import { HEALTH_STATES } from '../result/health.ts';
import { SKIP_REASONS } from '../result/sinks.ts';
import type { ConfigIndex } from './config-index.ts';
import { ZEROED_PHASES, type Families } from './families.ts';

/**
 * Creates at zero every series the configuration implies, so alerts and dashboards see them before
 * the first run, and sets the configuration gauges. `canary_check_up` and the last-run timestamps
 * are left out on purpose: a 0 there before the first run would page.
 */
export function zeroConfiguredSeries(families: Families, index: ConfigIndex): void {
  for (const { target, check, countedEvents, healthEndpoints, failures, degradations } of index.checks) {
    const labels = { check: check.name, target };
    families.configInfo.set({ target, check: check.name, type: check.type }, 1);
    families.checkTimeout.set(labels, check.timeoutMs / 1000);
    families.checkInterval.set(labels, intervalSeconds(check.schedule));
    for (const result of RESULTS) families.runs.inc({ ...labels, result }, 0);
    for (const { phase, reason } of failures) families.failures.inc({ ...labels, phase, reason }, 0);
    for (const degradation of degradations) families.degraded.inc({ ...labels, degradation }, 0);
    for (const code of ZEROED_CLOSE_CODES) families.wsClose.inc({ ...labels, code }, 0);
    for (const reason of SKIP_REASONS) families.skipped.inc({ ...labels, reason }, 0);
    families.duration.zero(labels);
    families.scheduleLag.zero(labels);
    for (const phase of ZEROED_PHASES) families.phaseDuration.zero({ ...labels, phase });
    for (const event of countedEvents) families.eventsMissing.inc({ ...labels, event }, 0);
    if (countedEvents.length > 0) families.eventLatency.zero({ ...labels, event: check.completionEvent });
    for (const endpoint of healthEndpoints) {
      for (const state of HEALTH_STATES) families.dependencyHealth.set({ ...labels, endpoint, state }, 0);
    }
  }
  for (const target of index.targets) families.protocolChanges.inc({ target }, 0);
}
