/**
 * The token step: the access token for the upgrade, from the target's token provider (auth/),
 * checked to fit in an HTTP header before it is sent anywhere.
 */
import { canaryError, tokenFailure, unusableToken } from './classify.ts';
import type { Step } from './state.ts';

export const tokenStep: Step = {
  start(walk) {
    walk.deps.tokens.getToken(walk.ended.signal).then(
      (token) => {
        if (walk.outcome !== null) return;
        walk.transcript.addSecret(token);
        const unusable = unusableToken(token);
        if (unusable !== null) {
          walk.fail(unusable);
          return;
        }
        walk.token = token;
        walk.enter('dns', 'token');
        try {
          walk.advance();
        } catch (error) {
          walk.fail(canaryError(walk.phase, error));
        }
      },
      (error: unknown) => walk.fail(tokenFailure(error)),
    );
  },
};
