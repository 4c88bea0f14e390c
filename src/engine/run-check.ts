import { randomUUID } from 'node:crypto';
import type { CheckConfig, TargetConfig } from '../config/types.ts';
import type { TokenProvider } from '../auth/provider.ts';
import type { CheckResult } from '../result/types.ts';
import type { TranscriptLimits } from '../result/transcript.ts';
import { CHECK_RUNNERS } from '../checks/registry.ts';
import type { CheckRunner } from '../checks/types.ts';
import type { Clock } from '../clock.ts';

export interface RunCheckOptions {
  readonly clock: Clock;
  readonly tokens: TokenProvider;
  readonly signal?: AbortSignal;
  readonly runId?: string;
  readonly transcriptLimits?: TranscriptLimits;
}


/** A short, unique, URL-safe run id. */
export function newRunId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 16);
}

/** Runs one check of a target once, whatever its type. Never throws. */
export function runCheck(target: TargetConfig, check: CheckConfig, options: RunCheckOptions): Promise<CheckResult> {
  const runner = CHECK_RUNNERS[check.type] as CheckRunner;
  return runner(target, check, {
    runId: options.runId ?? newRunId(),
    clock: options.clock,
    tokens: options.tokens,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.transcriptLimits === undefined ? {} : { transcriptLimits: options.transcriptLimits }),
  });
}
