import type { CheckConfig, TargetConfig } from '../config/types.ts';
import type { TokenProvider } from '../auth/provider.ts';
import type { Clock } from '../clock.ts';
import type { TranscriptLimits } from '../result/transcript.ts';
import type { CheckResult } from '../result/types.ts';
import type { Reason } from '../result/reasons.ts';
import type { ServerFrame } from '../protocol/frames.ts';

/** An agent event with the ids it carried, as {@link RunHooks.onEvent} sees it. */
export interface ObservedEvent {
  readonly name: string;
  readonly runId: string | null;
  readonly threadId: string | null;
  readonly userId: string | null;
}

/** What a probe sees after the welcome: a parsed text frame (pings are answered by the engine), or the server's close. */
export type ProbeAnswer =
  | { readonly kind: 'frame'; readonly frame: ServerFrame }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/** The open connection, between the welcome and the user message, as {@link RunHooks.beforeMessage} sees it. */
export interface ProbeSession {
  /** The welcome's `config.max_message_size`, or null when it carried none. */
  readonly maxMessageSize: number | null;
  /** Sends one raw text frame (recorded in the transcript as type `transcriptType`). */
  send(text: string, transcriptType: string): void;
  /** The next frame or the close (a close is repeated to every later call), or null after `ms` of silence. */
  next(ms: number): Promise<ProbeAnswer | null>;
}

/** How {@link RunHooks.beforeMessage} lets the walk go on. */
export type ProbeVerdict =
  /** Send the user message and walk the rest of the golden path. */
  | { readonly kind: 'continue' }
  /** End the walk as a success without a message (the server closed as the check accepts). */
  | { readonly kind: 'stop' }
  | { readonly kind: 'fail'; readonly reason: Reason; readonly message: string };

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
  /**
   * How many user messages to send back to back after the welcome (message_burst); default 1.
   * Message `i` (1-based) carries thread id `<threadId>_<i>` when there are several.
   */
  readonly messages?: number;
  /** Called when message `message` (1-based) got its whole event sequence, `seconds` after the first send (message_burst). */
  readonly onRunComplete?: (message: number, seconds: number) => void;
  /**
   * Runs after the welcome and before the user message, in phase `send` (input_hygiene): sends raw
   * frames and sees every frame and the close until it returns. A failure it returns is in phase `send`.
   */
  readonly beforeMessage?: (session: ProbeSession) => Promise<ProbeVerdict>;
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
