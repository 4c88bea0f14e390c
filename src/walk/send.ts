/**
 * The send step: the user message of every run in the plan, back to back (protocol.md, "Client
 * messages"). The phase budget ends here; the events are bounded by the run's deadline alone.
 */
import { sendFailed } from './classify.ts';
import type { Step } from './state.ts';

export const sendStep: Step = {
  start(walk) {
    walk.sendAt = walk.deps.clock.monoMs();
    const { check } = walk;
    for (const run of walk.runs) {
      const message = { type: check.messageType, payload: { [check.messageField]: check.message, thread_id: run.threadId, run_id: null } };
      walk.sendText(JSON.stringify(message), check.messageType, (error) => walk.fail(sendFailed(error)));
    }
    if (walk.phase === 'send') walk.enter('events', null);
    walk.clearBudget();
    walk.advance();
  },
};
