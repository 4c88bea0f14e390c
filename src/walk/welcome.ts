/**
 * The welcome step: after the upgrade, within the welcome budget, the first frame must be the
 * server's welcome (protocol.md, "Connection lifecycle"). Keepalives before it are allowed.
 */
import type { Step } from './state.ts';

export const welcomeStep: Step = {
  start(walk) {
    walk.armBudget(walk.check.welcomeTimeoutMs, 'no welcome within the welcome budget');
  },
  frame(walk, frame) {
    switch (frame.kind) {
      case 'keepalive':
        return;
      case 'welcome':
        walk.welcome = frame.shape;
        walk.maxMessageSize = frame.maxMessageSize;
        walk.enter('send', 'welcome');
        if (walk.plan.afterWelcome === 'stop') walk.succeed();
        else walk.advance();
        return;
      case 'unknown':
        walk.fail({ phase: 'welcome', reason: 'welcome_invalid', message: 'the first frame after the upgrade is not a JSON object with a type' });
        return;
      default: {
        const type = frame.kind === 'event' ? frame.name : frame.kind === 'other' ? frame.type : frame.kind;
        walk.fail({ phase: 'welcome', reason: 'welcome_invalid', message: `expected the welcome, got a frame of type "${type}"` });
      }
    }
  },
  binary(walk) {
    if (walk.outcome === null) {
      walk.fail({ phase: 'welcome', reason: 'welcome_invalid', message: 'the first frame after the upgrade is binary, not a JSON text frame' });
    } else {
      walk.degradations.add('unknown_frame');
    }
  },
};
