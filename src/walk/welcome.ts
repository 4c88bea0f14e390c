/**
 * The welcome step: after the upgrade, within the welcome budget, the first frame must be the
 * server's welcome (protocol.md, "Connection lifecycle"). Keepalives before it are allowed, and so
 * is the third generation's `handshake_response`, kept for the handshake step.
 */
import { formatDuration } from '../config/duration.ts';
import { welcomeInvalid } from './classify.ts';
import { acceptProposal } from './handshake.ts';
import type { Step } from './state.ts';

export const welcomeStep: Step = {
  start(walk) {
    walk.armBudget(walk.check.welcomeTimeoutMs, `no welcome within welcome_timeout (${formatDuration(walk.check.welcomeTimeoutMs)})`);
  },
  frame(walk, frame) {
    switch (frame.kind) {
      case 'keepalive':
        return;
      case 'handshake':
        // the third generation may propose its thread before the welcome: acknowledged at once
        acceptProposal(walk, frame.proposal);
        return;
      case 'handshake_complete':
        walk.completeSeen = true;
        return;
      case 'welcome':
        walk.welcome = frame.shape;
        walk.maxMessageSize = frame.maxMessageSize;
        walk.enter('send', 'welcome', walk.arrivedMono);
        if (walk.plan.afterWelcome === 'stop') walk.succeed();
        else walk.advance();
        return;
      case 'unknown':
        walk.fail(welcomeInvalid('unknown'));
        return;
      default: {
        const type = frame.kind === 'event' ? frame.name : frame.kind === 'other' ? frame.type : frame.kind;
        walk.fail(welcomeInvalid({ type }));
      }
    }
  },
  binary(walk) {
    if (walk.outcome === null) walk.fail(welcomeInvalid('binary'));
    else walk.degradations.add('unknown_frame');
  },
};
