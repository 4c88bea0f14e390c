/**
 * handshake_storm: K connections opened within a short window, each authenticating with its own
 * token and waiting for the welcome. Catches the handshake races that showed up under Cloud Run as
 * 1011 "Factory SSOT validation failed" during rapid connects (protocol.md, "Close codes").
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { HandshakeStormCheck, TargetConfig } from '../../config/types.ts';
import type { CheckResult } from '../../result/types.ts';
import { runGoldenPath } from '../golden-path/run.ts';
import { subRunDeps } from '../combine.ts';
import type { RunDeps, RunHooks } from '../types.ts';
import { stormResult } from './verdict.ts';

const HOOKS: RunHooks = { stopAfterWelcome: true };

/** When connection `i` of `connections` starts, milliseconds after the storm starts: evenly over the window. */
export function stormOffsetMs(i: number, connections: number, windowMs: number): number {
  return connections <= 1 ? 0 : (i * windowMs) / (connections - 1);
}

/** Waits `ms`, or less when `signal` aborts (the sub-run then ends as `cancelled` at once). */
async function waitOrAbort(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0) return;
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch {
    // aborted: start now, the sub-run sees the aborted signal
  }
}

/**
 * Runs one storm. Connection `i` (run id `<runId>-<i>`) starts at `i × window / (K − 1)` and gets
 * what is left of the storm's `timeout`, so the whole storm ends within `timeout` plus the
 * golden path's teardown bound. Never throws.
 */
export async function runHandshakeStorm(target: TargetConfig, check: HandshakeStormCheck, deps: RunDeps): Promise<CheckResult> {
  const startMono = deps.clock.monoMs();
  const startedAtMs = deps.clock.nowMs();
  const connect = async (i: number): Promise<CheckResult> => {
    await waitOrAbort(stormOffsetMs(i, check.connections, check.windowMs), deps.signal);
    const leftMs = Math.max(1, check.timeoutMs - (deps.clock.monoMs() - startMono));
    const budget = {
      ...check,
      timeoutMs: leftMs,
      handshakeTimeoutMs: Math.min(check.handshakeTimeoutMs, leftMs),
      welcomeTimeoutMs: Math.min(check.welcomeTimeoutMs, leftMs),
    };
    return runGoldenPath(target, budget, subRunDeps(deps, `${deps.runId}-${i}`, HOOKS));
  };
  const results = await Promise.all(Array.from({ length: check.connections }, (_, i) => connect(i)));
  return stormResult(target, check, deps.runId, results, {
    startedAtMs,
    durationSeconds: (deps.clock.monoMs() - startMono) / 1000,
  });
}
