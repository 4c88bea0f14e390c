/**
 * The third generation's session lifecycle on one connection (protocol.md, "Third generation"):
 * the thread the server proposes in `handshake_response`, the client's `handshake_acknowledged`,
 * `handshake_complete`, and the processing phase from which chat messages are read. Faults
 * `handshake_missing`, `handshake_incomplete` and `processing_delay_ms` bend it.
 */
import { randomBytes } from 'node:crypto';
import { isThirdGeneration, type FaultSet } from './faults.ts';
import type { MutableConnectionRecord } from './records.ts';
import { handshakeCompleteFrame, handshakeResponseFrame, type ProposedSession } from './welcome-frames.ts';
import type { Wire } from './wire.ts';

/**
 * Third generation: time from `handshake_complete` to the processing phase, when `processing_delay_ms`
 * is not given. The official client waits 500 ms (protocol.md, "Third generation").
 */
export const PROCESSING_DELAY_MS = 100;

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * One connection's handshake and processing phase. The wire exchange after authentication is,
 * with no pause unless a fault adds one: `ping`, the welcome (`connection_established`),
 * `handshake_response` (before the welcome under `handshake_first`; never under
 * `handshake_missing`); on the first `handshake_acknowledged` with the proposed `thread_id`,
 * `{"type":"handshake_complete"}` at once, then the processing phase {@link PROCESSING_DELAY_MS}
 * later (`processing_delay_ms`). Before that phase only `ping`, `pong`, `heartbeat` and
 * `handshake_acknowledged` are read; anything else is dropped without an answer. In the processing
 * phase a chat message whose `payload.thread_id` (or flat `thread_id`) is not the proposed thread
 * gets no answer either. A run's events all carry the proposed `thread_id`; the top-level agent's
 * events carry the handshake's `run_id` (without a handshake: the message's `payload.run_id`, else
 * a fresh one), so the run ends at the `agent_completed` (or `agent_timeout_failure`) whose
 * `run_id` is the handshake's.
 */
export class ThirdGenerationLifecycle {
  /** What `handshake_response` proposes; a run's events carry its thread id and its run id is the top-level agent's. */
  readonly session: ProposedSession;
  readonly #handshake: NonNullable<MutableConnectionRecord['handshake']>;
  readonly #faults: FaultSet;
  readonly #wire: Wire;
  #processing = false;

  /**
   * The lifecycle of an authenticated connection with these faults, recorded in `record.handshake`;
   * null when it has none (earlier generations, and `handshake_missing`: chat messages are read at once).
   */
  static begin(faults: FaultSet, record: MutableConnectionRecord, wire: Wire): ThirdGenerationLifecycle | null {
    if (!isThirdGeneration(faults) || faults.handshake_missing === true) return null;
    const session: ProposedSession = { threadId: `thread_ref_${hex(6)}`, runId: `run_${hex(6)}`, requestId: `req_${hex(6)}`, sessionToken: randomBytes(24).toString('base64url') };
    record.handshake = { ...session, acknowledgedThreadId: null, completed: false, processing: false };
    return new ThirdGenerationLifecycle(session, record.handshake, faults, wire);
  }

  private constructor(session: ProposedSession, handshake: NonNullable<MutableConnectionRecord['handshake']>, faults: FaultSet, wire: Wire) {
    this.session = session;
    this.#handshake = handshake;
    this.#faults = faults;
    this.#wire = wire;
  }

  /** Whether the processing phase began: chat messages are read from then on. */
  get processing(): boolean {
    return this.#processing;
  }

  /** Sends `handshake_response` (the caller sends it once, after the welcome or, under `handshake_first`, before). */
  async propose(): Promise<void> {
    this.#wire.log(`handshake: proposing thread ${this.session.threadId}`);
    await this.#wire.send(handshakeResponseFrame(this.session, this.#wire.now()));
  }

  /**
   * A `handshake_acknowledged`. Only the first one counts; with the proposed thread id it gets
   * `handshake_complete` (unless `handshake_incomplete`) and, after the processing delay, the
   * processing phase; with another id nothing happens.
   */
  async acknowledge(threadId: string | null): Promise<void> {
    const handshake = this.#handshake;
    if (handshake.acknowledgedThreadId !== null) return;
    handshake.acknowledgedThreadId = threadId ?? '';
    if (threadId !== this.session.threadId) {
      this.#wire.log(`handshake: acknowledged thread ${String(threadId)}, not ${this.session.threadId}; the handshake never completes`);
      return;
    }
    if (this.#faults.handshake_incomplete === true) {
      this.#wire.log('fault handshake_incomplete: no handshake_complete');
      return;
    }
    await this.#wire.send(handshakeCompleteFrame());
    handshake.completed = true;
    if (!(await this.#wire.sleep(this.#faults.processing_delay_ms ?? PROCESSING_DELAY_MS))) return;
    this.#processing = true;
    handshake.processing = true;
    this.#wire.log('processing phase: chat messages are read from now on');
  }
}
