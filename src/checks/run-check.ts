import { randomUUID } from 'node:crypto';
import type { CheckConfig, TargetConfig } from '../config/types.ts';
import type { TokenProvider } from '../auth/provider.ts';
import { deepFreeze, type CheckResult } from '../result/types.ts';
import { publicUrl } from '../result/url.ts';
import type { TranscriptLimits } from '../result/transcript.ts';
import type { Clock } from '../clock.ts';
import { deadline } from '../walk/deadline.ts';
import { CHECK_RUNNERS } from './registry.ts';
import type { CheckRunner } from './types.ts';

/** What the service and `canary run` give one run. */
export interface RunCheckOptions {
  readonly clock: Clock;
  readonly tokens: TokenProvider;
  /** Shutdown: aborting it ends the run at once as `cancelled`. */
  readonly signal: AbortSignal;
  readonly runId?: string;
  readonly transcriptLimits?: TranscriptLimits;
}

/** What the run's deadline says when the check's `timeout` passes. */
export const RUN_DEADLINE = 'the run deadline passed';

/** A short, unique, URL-safe run id. */
export function newRunId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}

/**
 * Runs one check of a target once, whatever its type, under one deadline: the check's `timeout`
 * combined with `options.signal` (shutdown). The result carries the target's public URL. Never throws.
 */
export async function runCheck(target: TargetConfig, check: CheckConfig, options: RunCheckOptions): Promise<CheckResult> {
  const runner = CHECK_RUNNERS[check.type] as CheckRunner;
  const run = deadline(options.signal, check.timeoutMs, RUN_DEADLINE);
  try {
    const result = await runner(target, check, {
      runId: options.runId ?? newRunId(),
      clock: options.clock,
      tokens: options.tokens,
      signal: run.signal,
      ...(options.transcriptLimits === undefined ? {} : { transcriptLimits: options.transcriptLimits }),
    });
    return deepFreeze({ ...result, url: publicUrl(target.url) });
  } finally {
    run.dispose();
  }
}
