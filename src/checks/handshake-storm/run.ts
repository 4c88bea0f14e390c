/**
 * handshake_storm: K connections opened within a short window, each authenticating with its own
 * token and waiting for the welcome. Catches the handshake races that showed up under Cloud Run as
 * 1011 "Factory SSOT validation failed" during rapid connects (protocol.md, "Close codes").
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { HandshakeStormCheck, TargetConfig } from '../../config/types.ts';
import type { CheckResult } from '../../result/types.ts';
import { runWalk } from '../../walk/engine.ts';
import { walkPlan, type WalkPlan } from '../../walk/plan.ts';
import { subRunDeps } from '../combine.ts';
import type { RunDeps } from '../types.ts';
import { stormResult } from './verdict.ts';

/** Each connection ends as a success at the welcome. */
const STORM_PLAN: WalkPlan = walkPlan({ afterWelcome: 'stop' });

/** When connection `i` of `connections` starts, milliseconds after the storm starts: evenly over the window. */
export function stormOffsetMs(i: number, connections: number, windowMs: number): number {
  return connections <= 1 ? 0 : (i * windowMs) / (connections - 1);
}

/** Waits `ms`, or less when `signal` aborts (the sub-run then ends at once, as its signal says). */
async function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: start now, the sub-run sees the aborted signal
  }
}

/**
 * Runs one storm. Connection `i` (run id `<runId>-<i>`) starts at `i × window / (K − 1)` under the
 * storm's deadline, so the whole storm ends within `timeout` plus the walk's teardown bound.
 * Never throws.
 */
export async function runHandshakeStorm(target: TargetConfig, check: HandshakeStormCheck, deps: RunDeps): Promise<CheckResult> {
  const startMono = deps.clock.monoMs();
  const startedAtMs = deps.clock.nowMs();
  const connect = async (i: number): Promise<CheckResult> => {
    await waitOrAbort(stormOffsetMs(i, check.connections, check.windowMs), deps.signal);
    return runWalk(target, check, subRunDeps(deps, `${deps.runId}-${i}`), STORM_PLAN);
  };
  const results = await Promise.all(Array.from({ length: check.connections }, (_, i) => connect(i)));
  return stormResult(target, check, deps.runId, results, {
    startedAtMs,
    durationSeconds: (deps.clock.monoMs() - startMono) / 1000,
  });
}
