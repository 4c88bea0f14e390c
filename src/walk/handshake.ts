/**
 * The handshake step: the third wire generation's lifecycle handshake between the welcome and the
 * chat message (protocol.md, "Third generation"). The server proposes a thread in
 * `handshake_response` (possibly before the welcome: the welcome step keeps it), the canary
 * acknowledges it with the same `thread_id`, waits for `handshake_complete`, waits the check's
 * `processing_wait` for the server's processing phase, and the chat message then carries the
 * server's thread and run ids.
 *
 * `handshake: auto` waits `handshake_window` for a proposal after the welcome; none (or an agent
 * event first) means an earlier generation and the walk goes on as before, without a handshake
 * timing. `require` fails without one, `off` never waits. The wait is phase `handshake`, timed
 * apart from the event latencies when a handshake happened; a deadline in it (the welcome budget
 * for `handshake_complete`, or the run's) is `handshake_incomplete`: the connection never became
 * ready, which is never reported as an agent failure. A proposal before the welcome is
 * acknowledged at once (a server may hold its welcome until then), and a `handshake_complete`
 * that overtakes the proposal is remembered.
 */
import { formatDuration } from '../config/duration.ts';
import { DEFAULT_HANDSHAKE_WINDOW_MS, DEFAULT_PROCESSING_WAIT_MS } from '../config/types.ts';
import { handshakeAcknowledgement, type HandshakeProposal } from '../protocol/lifecycle.ts';
import { handshakeMissing } from './classify.ts';
import type { ChildDeadline } from './deadline.ts';
import type { Step, WalkState } from './state.ts';

/** Whether this walk takes part in the handshake at all. */
function handshaking(walk: WalkState): boolean {
  return (walk.check.handshake ?? 'auto') !== 'off' && walk.plan.afterWelcome !== 'stop';
}

/**
 * Takes the server's proposal and acknowledges it with the same `thread_id`, whichever step is
 * current (the welcome step sees proposals that come before the welcome). The first one counts.
 */
export function acceptProposal(walk: WalkState, proposal: HandshakeProposal): void {
  if (walk.proposal !== null || !handshaking(walk)) return;
  walk.proposal = proposal;
  walk.sendText(handshakeAcknowledgement(proposal, walk.deps.clock.nowMs()), 'handshake_acknowledged');
}

/** The handshake completed: wait for the processing phase, then hand the server's ids to the send step. */
function complete(walk: WalkState): void {
  const proposal = walk.proposal;
  if (proposal === null || walk.handshaken) return;
  walk.handshaken = true;
  walk.clearBudget();
  for (const run of walk.runs) run.threadId = proposal.threadId;
  walk.plan.observe.thread?.(proposal.threadId);
  walk.after(walk.check.processingWaitMs ?? DEFAULT_PROCESSING_WAIT_MS, () => {
    walk.enter('send', 'handshake');
    walk.advance();
  });
}

/** After the acknowledgement: `handshake_complete`, already seen or within the welcome budget. */
function awaitCompletion(walk: WalkState): void {
  if (walk.completeSeen) complete(walk);
  else walk.armBudget(walk.check.welcomeTimeoutMs, `no handshake_complete within welcome_timeout (${formatDuration(walk.check.welcomeTimeoutMs)})`);
}

/** The handshake window each waiting walk armed, released when a proposal or an agent event comes first. */
const windows = new WeakMap<WalkState, ChildDeadline>();

function endWindow(walk: WalkState): void {
  windows.get(walk)?.dispose();
  windows.delete(walk);
}

/** No handshake: an earlier generation. The message goes out as before; the wait is not timed. */
function withoutHandshake(walk: WalkState): void {
  endWindow(walk);
  walk.enter('send', null);
  walk.advance();
}

export const handshakeStep: Step = {
  start(walk) {
    if (!handshaking(walk)) {
      walk.advance();
      return;
    }
    // The phase begins at the welcome: its time is the welcome to the processing phase.
    walk.phase = 'handshake';
    if (walk.proposal !== null) {
      awaitCompletion(walk);
      return;
    }
    walk.clearBudget();
    const windowMs = walk.check.handshakeWindowMs ?? DEFAULT_HANDSHAKE_WINDOW_MS;
    // Its expiry is not a timeout: without a proposal, `auto` goes on as an earlier generation.
    windows.set(walk, walk.after(windowMs, () => {
      windows.delete(walk);
      if (walk.check.handshake === 'require') walk.fail(handshakeMissing(windowMs));
      else withoutHandshake(walk);
    }));
  },
  frame(walk, frame) {
    switch (frame.kind) {
      case 'handshake':
        if (walk.proposal !== null) return;
        endWindow(walk);
        acceptProposal(walk, frame.proposal);
        awaitCompletion(walk);
        return;
      case 'handshake_complete':
        walk.completeSeen = true;
        complete(walk);
        return;
      case 'event':
      case 'agent_timeout':
        // An agent already talking is of an earlier generation: the window ends, and the event
        // goes to the events step like every later one.
        if (!windows.has(walk) || walk.check.handshake === 'require') return;
        withoutHandshake(walk);
        if (walk.outcome === null) walk.step?.frame?.(walk, frame);
        return;
      case 'unknown':
        walk.degradations.add('unknown_frame');
        return;
      default:
    }
  },
};
