import type { CheckConfig, TargetConfig } from '../config/types.ts';
import type { TokenProvider } from '../auth/provider.ts';
import type { Clock } from '../engine/clock.ts';
import type { TranscriptLimits } from '../result/transcript.ts';
import type { CheckResult } from '../result/types.ts';

/** An agent event with the ids it carried, as {@link RunHooks.onEvent} sees it. */
export interface ObservedEvent {
  readonly name: string;
  readonly runId: string | null;
  readonly threadId: string | null;
  readonly userId: string | null;
}

/**
 * Ways a check type beyond the golden path adapts one walk. Each is used by one check type; the
 * golden path itself uses none.
 */
export interface RunHooks {
  /** End the run as a success once the welcome arrives, without sending a message (handshake_storm). */
  readonly stopAfterWelcome?: boolean;
  /**
   * Upgrade headers sent exactly as given, test-bypass headers included. Only auth_enforcement's
   * bypass probe uses this, to prove the backend rejects them.
   */
  readonly rawHeaders?: Readonly<Record<string, string>>;
  /** Sees every agent event with its ids (user_isolation). */
  readonly onEvent?: (event: ObservedEvent) => void;
  /** The thread id the user message carries; default `canary_<runId>`. */
  readonly threadId?: string;
}

/** What a check run is given. Nothing global: the clock, tokens and cancellation come in here. */
export interface RunDeps {
  readonly runId: string;
  readonly clock: Clock;
  readonly tokens: TokenProvider;
  /** Aborts the run from outside (service shutdown): the run ends as `cancelled`. */
  readonly signal?: AbortSignal;
  readonly transcriptLimits?: TranscriptLimits;
  readonly hooks?: RunHooks;
}

/** A check type: runs one check once and never throws. */
export type CheckRunner<C extends CheckConfig = CheckConfig> = (
  target: TargetConfig,
  check: C,
  deps: RunDeps,
) => Promise<CheckResult>;
