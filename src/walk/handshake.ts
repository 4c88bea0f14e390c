/**
 * The handshake step: the third wire generation's lifecycle handshake between the welcome and the
 * chat message (protocol.md, "Third generation"). The server proposes a thread in
 * `handshake_response` (possibly before the welcome: the welcome step keeps it), the canary
 * acknowledges it with the same `thread_id`, waits for `handshake_complete`, waits the check's
 * `processing_wait` for the server's processing phase, and the chat message then carries the
 * server's thread and run ids.
 *
 * `handshake: auto` waits `handshake_window` for a proposal after the welcome; none means an earlier
 * generation and the walk goes on as before (that wait is not a phase: the waterfall shows no
 * handshake). `require` fails without one, `off` never waits. Once a proposal came, the step is
 * phase `handshake`, timed apart from the event latencies; a deadline in it (the welcome budget
 * for `handshake_complete`, or the run's) is `handshake_incomplete`: the connection never became
 * ready, which is never reported as an agent failure.
 */
import { DEFAULT_HANDSHAKE_WINDOW_MS, DEFAULT_PROCESSING_WAIT_MS } from '../config/types.ts';
import { handshakeAcknowledgement } from '../protocol/lifecycle.ts';
import { handshakeMissing } from './classify.ts';
import type { Deadline } from './deadline.ts';
import type { Step, WalkState } from './state.ts';

/** Acknowledges the proposal and waits, within the welcome budget, for `handshake_complete`. */
function acknowledge(walk: WalkState): void {
  const proposal = walk.proposal;
  if (proposal === null) return;
  // The phase began at the welcome: its time is the welcome to the processing phase.
  walk.phase = 'handshake';
  walk.sendText(handshakeAcknowledgement(proposal, walk.deps.clock.nowMs()), 'handshake_acknowledged');
  walk.armBudget(walk.check.welcomeTimeoutMs, 'no handshake_complete within the welcome budget');
}

/** The handshake completed: wait for the processing phase, then hand the server's ids to the send step. */
function complete(walk: WalkState): void {
  const proposal = walk.proposal;
  if (proposal === null || walk.handshaken) return;
  walk.handshaken = true;
  walk.clearBudget();
  for (const run of walk.runs) run.threadId = proposal.threadId;
  walk.plan.observe.thread?.(proposal.threadId);
  walk.after(walk.check.processingWaitMs ?? DEFAULT_PROCESSING_WAIT_MS, 'the processing wait', () => {
    walk.enter('send', 'handshake');
    walk.advance();
  });
}

/** The handshake window each waiting walk armed, released when a proposal comes first. */
const windows = new WeakMap<WalkState, Deadline>();

export const handshakeStep: Step = {
  start(walk) {
    const mode = walk.check.handshake ?? 'auto';
    if (mode === 'off' || walk.plan.afterWelcome === 'stop') {
      walk.advance();
      return;
    }
    if (walk.proposal !== null) {
      acknowledge(walk);
      return;
    }
    const windowMs = walk.check.handshakeWindowMs ?? DEFAULT_HANDSHAKE_WINDOW_MS;
    walk.clearBudget();
    // Its expiry is not a timeout: without a proposal, `auto` goes on as an earlier generation.
    windows.set(walk, walk.after(windowMs, 'the handshake window', () => {
      windows.delete(walk);
      if (mode === 'require') walk.fail(handshakeMissing(windowMs));
      else walk.advance();
    }));
  },
  frame(walk, frame) {
    if (frame.kind === 'handshake' && walk.proposal === null) {
      walk.proposal = frame.proposal;
      windows.get(walk)?.dispose();
      windows.delete(walk);
      acknowledge(walk);
    } else if (frame.kind === 'handshake_complete') {
      complete(walk);
    } else if ((frame.kind === 'event' || frame.kind === 'agent_timeout') && windows.has(walk) && (walk.check.handshake ?? 'auto') === 'auto') {
      // An agent already talking is of an earlier generation: the window ends, and the event
      // goes to the events step like every later one.
      windows.get(walk)?.dispose();
      windows.delete(walk);
      walk.advance();
      if (walk.outcome === null) walk.step?.frame?.(walk, frame);
    } else if (frame.kind === 'unknown') {
      walk.degradations.add('unknown_frame');
    }
  },
};
