/**
 * What a check type hands the walk: one typed {@link WalkPlan} (what to send on the upgrade, after
 * the welcome and with the chat message, and who watches) and the {@link WalkDeps} it runs with.
 * Every field has a default ({@link GOLDEN_PATH_PLAN}); a check type overrides the few it needs
 * with {@link walkPlan}, so the walk never tests for a missing hook.
 */
import type { TokenProvider } from '../auth/provider.ts';
import type { Clock } from '../clock.ts';
import type { Reason } from '../result/reasons.ts';
import type { TranscriptLimits } from '../result/transcript.ts';
import type { ServerFrame } from '../protocol/frames.ts';

/** What a walk is given. Nothing global: the clock, tokens and the deadline come in here. */
export interface WalkDeps {
  readonly runId: string;
  readonly clock: Clock;
  readonly tokens: TokenProvider;
  /**
   * The run's one deadline (see `deadline.ts`): aborted with a `TimeoutError` when the run's
   * timeout passes (the walk fails with the timeout reason of its phase) or with anything else
   * at shutdown (the walk ends as `cancelled`).
   */
  readonly signal: AbortSignal;
  readonly transcriptLimits?: TranscriptLimits;
}

/** An agent event with the ids it carried, as {@link WalkObserver.event} sees it (the parsed frame itself: copy what you keep). */
export interface ObservedEvent {
  readonly name: string;
  readonly runId: string | null;
  readonly threadId: string | null;
  readonly userId: string | null;
}

/** Who watches a walk's agent events as they arrive. */
export interface WalkObserver {
  /** Every agent event with its ids (user_isolation). */
  readonly event: (event: ObservedEvent) => void;
  /** Message `message` (1-based) got its whole event sequence, `seconds` after the first send (message_burst). */
  readonly runComplete: (message: number, seconds: number) => void;
  /**
   * The messages carry the server's thread `threadId` instead of the plan's: a third-generation
   * handshake proposed it (user_isolation: the thread its events may carry). Optional: most
   * observers do not care which thread it is.
   */
  readonly thread?: (threadId: string) => void;
}

/** What a probe sees after the welcome: a parsed text frame (pings are answered by the walk), or the server's close. */
export type ProbeAnswer =
  | { readonly kind: 'frame'; readonly frame: ServerFrame }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

/** The open connection, between the welcome and the user message, as {@link WalkPlan.beforeMessage} sees it. */
export interface ProbeSession {
  /** The welcome's `config.max_message_size`, or null when it carried none. */
  readonly maxMessageSize: number | null;
  /** The walk's trace id (`trace.ts`), for messages that carry it as `payload.trace_id`. */
  readonly traceId: string;
  /** Sends one raw text frame (recorded in the transcript as type `transcriptType`). */
  send(text: string, transcriptType: string): void;
  /** The next frame or the close (a close is repeated to every later call), or null after `ms` of silence or at the run's deadline. */
  next(ms: number): Promise<ProbeAnswer | null>;
}

/** How {@link WalkPlan.beforeMessage} lets the walk go on. */
export type ProbeVerdict =
  /** Send the user message and walk the rest of the golden path. */
  | { readonly kind: 'continue' }
  /** End the walk as a success without a message (the server closed as the check accepts). */
  | { readonly kind: 'stop' }
  | { readonly kind: 'fail'; readonly reason: Reason; readonly message: string };

/** Runs on the open connection after the welcome, before the user message; see {@link WalkPlan.beforeMessage}. */
export type BeforeMessage = (session: ProbeSession) => Promise<ProbeVerdict>;

/** How one walk differs from the plain golden path. */
export interface WalkPlan {
  /** `chat` walks on to the user message and its events; `stop` ends as a success at the welcome (handshake_storm). */
  readonly afterWelcome: 'chat' | 'stop';
  /**
   * Upgrade headers sent exactly as given, after the target's (test-bypass headers included:
   * only auth_enforcement's bypass probe sets any, to prove the backend rejects them).
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The thread id the user message carries; null for `canary_<runId>`. */
  readonly threadId: string | null;
  /**
   * How many user messages go back to back after the welcome (message_burst). Message `i`
   * (1-based) carries thread id `<threadId>_<i>` when there are several.
   */
  readonly messages: number;
  /**
   * Runs after the welcome and before the user message, in phase `send` (input_hygiene): sends raw
   * frames and sees every frame and the close until it returns. A failure it returns is in phase
   * `send`. Null: straight to the user message.
   */
  readonly beforeMessage: BeforeMessage | null;
  /**
   * Checks the answer in the top-level completion event (the whole frame as received): null when
   * it passes, else why not, which fails the run as `answer_mismatch` (golden_path's
   * `expect_answer`). Null: the events alone decide.
   */
  readonly answer: AnswerCheck | null;
  readonly observe: WalkObserver;
}

/** See {@link WalkPlan.answer}. */
export type AnswerCheck = (completion: Readonly<Record<string, unknown>>) => string | null;

/** An observer that watches nothing. */
export const NO_OBSERVER: WalkObserver = Object.freeze({ event: () => undefined, runComplete: () => undefined });

/** The golden path itself: one message, the default thread, no probe, no extra headers. */
export const GOLDEN_PATH_PLAN: WalkPlan = Object.freeze({
  afterWelcome: 'chat',
  headers: Object.freeze({}),
  threadId: null,
  messages: 1,
  beforeMessage: null,
  answer: null,
  observe: NO_OBSERVER,
});

/** The golden path with `overrides`. */
export function walkPlan(overrides: Partial<WalkPlan> = {}): WalkPlan {
  return { ...GOLDEN_PATH_PLAN, ...overrides };
}
