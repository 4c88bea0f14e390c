import type { MessageBurstCheck } from './types.ts';
import type { CommonCheck } from './check-common.ts';
import type { Section } from './fields.ts';
import { GOLDEN_PATH_KEYS, validateWalk } from './golden-path.ts';
import { readIntegerIn } from './handshake-storm.ts';

/** Keys of a message_burst check: the walk settings plus its own. */
export const MESSAGE_BURST_KEYS: readonly string[] = [...GOLDEN_PATH_KEYS, 'messages'];

/** Fewest messages of one burst (`messages`). */
export const MIN_BURST_MESSAGES = 2;
/** Most messages of one burst (`messages`): a canary, not a load test. */
export const MAX_BURST_MESSAGES = 20;
const DEFAULT_MESSAGES = 5;

/** Validates a message_burst check: the walk settings and `messages` (N, 2 to 20, default 5). */
export function validateMessageBurst(s: Section, common: CommonCheck): MessageBurstCheck | undefined {
  const walk = validateWalk(s, common);
  const messages = s.optional('messages', readIntegerIn(MIN_BURST_MESSAGES, MAX_BURST_MESSAGES), DEFAULT_MESSAGES);
  if (walk === undefined || messages === undefined) return undefined;
  return { ...walk, type: 'message_burst', messages };
}
