/**
 * The send step: the user message of every run in the plan, back to back (protocol.md, "Client
 * messages"). The phase budget ends here; the events are bounded by the run's deadline alone.
 */
import { userMessageFrame } from '../protocol/frame-size.ts';
import { sendFailed } from './classify.ts';
import type { Step } from './state.ts';

export const sendStep: Step = {
  start(walk) {
    walk.sendAt = walk.deps.clock.monoMs();
    const { check } = walk;
    for (const run of walk.runs) {
      const message = userMessageFrame({
        type: check.messageType,
        field: check.messageField,
        text: check.message,
        threadId: run.threadId,
        // the third generation routes by the server's ids, and its official client stamps the time
        runId: walk.proposal?.runId ?? null,
        traceId: walk.trace.traceId,
        ...(walk.handshaken ? { timestamp: new Date(walk.deps.clock.nowMs()).toISOString() } : {}),
      });
      walk.sendText(JSON.stringify(message), check.messageType, (error) => walk.fail(sendFailed(error)));
    }
    if (walk.phase === 'send') walk.enter('events', null);
    walk.clearBudget();
    walk.advance();
  },
};
