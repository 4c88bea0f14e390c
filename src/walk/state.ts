/**
 * The state of one walk, shared by its steps: where it is (phase and step), what it saw, and how
 * it ended. Steps change it only through the methods here, which keep the rules in one place:
 * the first outcome wins, phase timings are recorded on entering the next phase, and every child
 * deadline is released at teardown.
 */
import type net from 'node:net';
import type { WebSocket } from 'ws';
import type { TargetConfig, WalkSettings } from '../config/types.ts';
import type { Degradation, Phase, TimedPhase } from '../result/reasons.ts';
import type { Envelope, ReceivedEvent, SubprotocolLabel, WelcomeShape } from '../result/types.ts';
import { TranscriptRecorder } from '../result/transcript.ts';
import { agentEventNames, type ServerFrame } from '../protocol/frames.ts';
import type { HandshakeProposal } from '../protocol/lifecycle.ts';
import { ChildDeadlines, type ChildDeadline } from './deadline.ts';
import { newTraceContext, type TraceContext } from './trace.ts';
import { errorFrameFailure, handshakeTimeout, timeoutFailure, type ErrorFrame, type Failure } from './classify.ts';
import type { ProbeAnswer, WalkDeps, WalkPlan } from './plan.ts';

/** Where frames and the close go while the plan's `beforeMessage` runs (`probe.ts`). */
export interface ProbeSink {
  push(answer: ProbeAnswer): void;
  /** Ends a waiting read: the walk is over. */
  dispose(): void;
}

/**
 * One step of the walk (a file of its own), listed in order in `engine.ts`. While it is current,
 * text frames and the close go to it. A step that does not apply to this walk (no probe in the
 * plan, an earlier server generation) calls `walk.advance()` at once from `start`.
 */
export interface Step {
  /** Starts the step; it calls {@link WalkState.advance} when the next step may start. */
  start(walk: WalkState): void;
  /** A parsed text frame (never a ping; an error frame only with `ownsFrames`). Default: ignored. */
  frame?(walk: WalkState, frame: ServerFrame): void;
  /** A binary frame. Default: the `unknown_frame` degradation. */
  binary?(walk: WalkState): void;
  /** The server's close frame, when the step takes it (with `ownsFrames`); otherwise it is classified. */
  close?(walk: WalkState, code: number, reason: string): void;
  /** The step takes every text frame itself, error frames included, and the close (the probe channel). */
  readonly ownsFrames?: boolean;
}

/** How a walk ended. */
export type Outcome = { readonly kind: 'success' } | ({ readonly kind: 'failure' } & Failure);

/**
 * The run answering one user message: the agent events grouped to it and how far it got. A walk
 * has one per message sent (one on the golden path, N for message_burst).
 */
export class MessageRun {
  /** The backend's run ids seen with this run's events. */
  readonly runIds = new Set<string>();
  readonly events: ReceivedEvent[] = [];
  /** Names of the events seen, kept or not. */
  readonly seen = new Set<string>();
  complete = false;

  /** 1-based, in send order. */
  readonly index: number;
  /** The thread id its user message carries; a step before `send` may replace it (a server-assigned thread). */
  threadId: string;

  constructor(index: number, threadId: string) {
    this.index = index;
    this.threadId = threadId;
  }
}

/** One walk in progress. */
export class WalkState {
  readonly target: TargetConfig;
  readonly check: WalkSettings;
  readonly deps: WalkDeps;
  readonly plan: WalkPlan;
  readonly steps: readonly Step[];
  readonly eventNames: ReadonlySet<string>;
  readonly transcript: TranscriptRecorder;
  readonly startMono: number;
  readonly startWall: number;
  /** The walk's trace context, sent as `traceparent` on the upgrade (`trace.ts`). */
  readonly trace: TraceContext = newTraceContext();
  /** One per user message, in send order. */
  readonly runs: readonly MessageRun[];
  readonly timings: Partial<Record<TimedPhase, number>> = {};
  readonly events: ReceivedEvent[] = [];
  readonly envelopes = new Set<Exclude<Envelope, 'mixed' | 'none'>>();
  readonly degradations = new Set<Degradation>();
  phase: Phase = 'token';
  eventsDropped = 0;
  welcome: WelcomeShape = 'none';
  subprotocol: SubprotocolLabel = 'none';
  closeCode: number | null = null;
  closeReason: string | null = null;
  httpStatus: number | null = null;
  tlsCertExpiresAt: string | null = null;
  pendingError: ErrorFrame | null = null;
  /** A `ws` error on the open socket, reported when its close comes. */
  socketError: Failure | null = null;
  /** The token the upgrade presents (null: none). */
  token: string | null = null;
  /** Aborted when the walk ends (its outcome decided): stops what the walk started, e.g. a token fetch. */
  readonly ended = new AbortController();
  /** Monotonic ms of the first user message. */
  sendAt = 0;
  /** Monotonic ms the server frame being handled arrived at (stamped before any work on it). */
  arrivedMono = 0;
  ws: WebSocket | null = null;
  socket: { readonly socket: net.Socket; readonly closed: Promise<void> } | null = null;
  opened = false;
  outcome: Outcome | null = null;
  /** The welcome's `config.max_message_size`, or null when it carried none. */
  maxMessageSize: number | null = null;
  /** The third generation's `handshake_response`, once it came (before or after the welcome). */
  proposal: HandshakeProposal | null = null;
  /** The top-level agent's run id on a third-generation connection: its first `agent_started`'s. */
  topRunId: string | null = null;
  /** Whether `handshake_complete` came (possibly before the proposal it completes). */
  completeSeen = false;
  /** Whether the handshake completed (`handshake_complete` after a proposal): the connection is of the third generation. */
  handshaken = false;
  /** Set while the plan's `beforeMessage` runs. */
  probe: ProbeSink | null = null;
  /** How many runs got their whole event sequence. */
  delivered = 0;
  #phaseStart: number;
  #step = -1;
  #budget: ChildDeadline | null = null;
  /** Every child deadline of the run's this walk armed; teardown releases them. */
  readonly deadlines: ChildDeadlines;
  readonly #settled: Promise<void>;
  #settle: () => void = () => undefined;

  constructor(target: TargetConfig, check: WalkSettings, deps: WalkDeps, plan: WalkPlan, steps: readonly Step[]) {
    this.target = target;
    this.check = check;
    this.deps = deps;
    this.plan = plan;
    this.steps = steps;
    this.deadlines = new ChildDeadlines(deps.signal);
    this.eventNames = agentEventNames(check.expectedEvents);
    const messages = Math.max(1, plan.messages);
    const baseThread = plan.threadId ?? `canary_${deps.runId}`;
    this.runs = Array.from({ length: messages }, (_, i) => new MessageRun(i + 1, messages === 1 ? baseThread : `${baseThread}_${i + 1}`));
    this.transcript = new TranscriptRecorder(deps.transcriptLimits);
    for (const secret of deps.tokens.secrets) this.transcript.addSecret(secret);
    this.startMono = deps.clock.monoMs();
    this.#phaseStart = this.startMono;
    this.startWall = deps.clock.nowMs();
    this.#settled = new Promise<void>((resolve) => {
      this.#settle = resolve;
    });
  }

  /** Resolves once the outcome is decided. */
  get decided(): Promise<void> {
    return this.#settled;
  }

  /** The current step, or null before the first. */
  get step(): Step | null {
    return this.steps[this.#step] ?? null;
  }

  /** Milliseconds since the walk started. */
  now(): number {
    return this.deps.clock.monoMs() - this.startMono;
  }

  /** Starts the next step; past the last one the walk has succeeded. */
  advance(): void {
    if (this.outcome !== null) return;
    this.#step++;
    const step = this.step;
    if (step === null) this.succeed();
    else step.start(this);
  }

  /**
   * Ends the current phase (recording its duration when it is timed) and starts the next, at
   * `atMono` (monotonic ms; default now; a frame's arrival when the frame ends the phase).
   */
  enter(next: Phase, timed: TimedPhase | null, atMono: number = this.deps.clock.monoMs()): void {
    const now = atMono;
    if (timed !== null) this.timings[timed] = (now - this.#phaseStart) / 1000;
    this.phase = next;
    this.#phaseStart = now;
  }

  /** The phase a failure now is in: `close` (after the last completion) reports as `events`. */
  get failPhase(): Phase {
    return this.phase === 'close' ? 'events' : this.phase;
  }

  fail(failure: Failure): void {
    if (this.outcome !== null) return;
    this.outcome = { kind: 'failure', ...failure };
    this.#settle();
  }

  succeed(): void {
    if (this.outcome !== null) return;
    this.outcome = { kind: 'success' };
    this.#settle();
  }

  /**
   * A child deadline of the run's, `ms` from now, that calls `onExpire` when its own time passes
   * (the run's deadline is handled by the engine). Released at teardown at the latest.
   */
  after(ms: number, onExpire: () => void): ChildDeadline {
    return this.deadlines.after(ms, onExpire);
  }

  /** Replaces the phase budget (handshake, welcome) with one of `ms`; never past the run's deadline. */
  armBudget(ms: number, what: string): void {
    this.clearBudget();
    this.#budget = this.after(ms, () => this.onTimeout(what));
  }

  clearBudget(): void {
    this.#budget?.dispose();
    this.#budget = null;
  }

  /** A deadline passed (`what` says which): the pending error frame explains it, else the phase's timeout reason. */
  onTimeout(what: string): void {
    const { phase, pendingError, runs, delivered } = this;
    if (phase === 'handshake') {
      const stage = this.handshaken ? 'processing' : this.proposal !== null ? 'proposed' : 'waiting';
      this.fail(handshakeTimeout(what, stage, pendingError));
      return;
    }
    const { expectedEvents, completionEvent } = this.check;
    this.fail(timeoutFailure({ phase, pendingError, expectedEvents, completionEvent, runs, delivered }, what));
  }

  failFromPendingError(): void {
    if (this.pendingError !== null) this.fail(errorFrameFailure(this.failPhase, this.pendingError));
  }

  /** Sends one text frame, recorded in the transcript as type `type`. */
  sendText(text: string, type: string, onError?: (error: Error) => void): void {
    const ws = this.ws;
    if (ws === null) return;
    this.transcript.record('out', this.now(), 'text', { type, text });
    ws.send(text, (error) => {
      if (error !== undefined && error !== null) onError?.(error);
    });
  }
}
