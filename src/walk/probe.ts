/**
 * The probe channel: between the welcome and the user message, the plan's `beforeMessage` owns
 * the connection (input_hygiene). It sends raw frames and sees every text frame and the close,
 * queued here while it runs; its verdict decides how the walk goes on.
 */
import { WebSocket } from 'ws';
import type { ServerFrame } from '../protocol/frames.ts';
import { canaryError } from './classify.ts';
import type { ChildDeadline } from './deadline.ts';
import type { BeforeMessage, ProbeAnswer, ProbeSession } from './plan.ts';
import type { Step, WalkState } from './state.ts';

/** Frames and the close, queued for a {@link ProbeSession} while its hook runs. */
export class ProbeChannel {
  readonly #walk: WalkState;
  readonly #queue: ProbeAnswer[] = [];
  #closed: ProbeAnswer | null = null;
  #waiter: ((answer: ProbeAnswer | null) => void) | null = null;
  #wait: ChildDeadline | null = null;
  #disposed = false;

  constructor(walk: WalkState) {
    this.#walk = walk;
  }

  push(answer: ProbeAnswer): void {
    if (this.#closed !== null) return;
    if (answer.kind === 'close') this.#closed = answer;
    else this.#queue.push(answer);
    this.#wake();
  }

  /** The next answer, or null after `ms` of silence or once the walk ends. */
  next(ms: number): Promise<ProbeAnswer | null> {
    const ready = this.#queue.shift() ?? this.#closed;
    if (ready !== null) return Promise.resolve(ready);
    if (this.#disposed) return Promise.resolve(null);
    if (this.#waiter !== null) return Promise.reject(new Error('ProbeSession.next called while another call waits'));
    return new Promise((resolve) => {
      this.#waiter = resolve;
      // At the run's deadline the walk fails and its teardown disposes this channel.
      this.#wait = this.#walk.after(ms, () => this.#resolve(null));
    });
  }

  /** Ends a waiting `next` with null (the run ended). */
  dispose(): void {
    this.#disposed = true;
    this.#resolve(null);
  }

  #wake(): void {
    if (this.#waiter === null) return;
    this.#resolve(this.#queue.shift() ?? this.#closed);
  }

  #resolve(answer: ProbeAnswer | null): void {
    this.#wait?.dispose();
    this.#wait = null;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(answer);
  }
}

/** Runs `hook` on the open connection, then goes on as its verdict says. */
function probeThenSend(walk: WalkState, hook: BeforeMessage, maxMessageSize: number | null): void {
  walk.clearBudget();
  const probe = new ProbeChannel(walk);
  walk.probe = probe;
  const session: ProbeSession = {
    maxMessageSize,
    traceId: walk.trace.traceId,
    send: (text, transcriptType) => {
      if (walk.ws?.readyState === WebSocket.OPEN) walk.sendText(text, transcriptType);
    },
    next: (ms) => probe.next(ms),
  };
  const done = (): void => {
    walk.probe = null;
    probe.dispose();
  };
  hook(session).then(
    (verdict) => {
      done();
      if (walk.outcome !== null) return;
      if (verdict.kind === 'continue') walk.advance();
      else if (verdict.kind === 'stop') walk.succeed();
      else walk.fail({ phase: 'send', reason: verdict.reason, message: verdict.message });
    },
    (error: unknown) => {
      done();
      walk.fail(canaryError('send', error));
    },
  );
}

/**
 * The probe step: runs the plan's `beforeMessage` (when there is one) with every frame and the
 * close routed to it; `maxMessageSize` comes from the welcome.
 */
export const probeStep: Step = {
  ownsFrames: true,
  start(walk) {
    const hook = walk.plan.beforeMessage;
    if (hook === null) walk.advance();
    else probeThenSend(walk, hook, walk.maxMessageSize);
  },
  frame(walk, frame: ServerFrame) {
    if (walk.probe !== null) walk.probe.push({ kind: 'frame', frame });
  },
  binary(walk) {
    walk.degradations.add('unknown_frame');
  },
  close(walk, code, reason) {
    walk.probe?.push({ kind: 'close', code, reason });
  },
};
