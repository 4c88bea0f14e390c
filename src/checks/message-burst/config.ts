import type { CheckType } from '../../config/checks.ts';
import { readIntegerIn } from '../../config/fields.ts';
import { field, type Fields } from '../../config/section.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

/** Fewest messages of one burst (`messages`). */
export const MIN_BURST_MESSAGES = 2;
/** Most messages of one burst (`messages`): a canary, not a load test. */
export const MAX_BURST_MESSAGES = 20;
const DEFAULT_MESSAGES = 5;

const FIELDS = {
  ...WALK_FIELDS,
  messages: field(readIntegerIn(MIN_BURST_MESSAGES, MAX_BURST_MESSAGES), {
    default: DEFAULT_MESSAGES,
    description: `How many user messages, N, sent back to back on one connection: ${MIN_BURST_MESSAGES} to ${MAX_BURST_MESSAGES}.`,
  }),
} as const satisfies Fields;

/** message_burst: the walk settings and `messages` (N, 2 to 20, default 5). */
export const MESSAGE_BURST_CONFIG: CheckType<typeof FIELDS> = {
  fields: FIELDS,
  description:
    'Sends N user messages (messages) back to back on one connection, each with its own thread id; every one must get its whole event sequence, in order, none lost or duplicated, within timeout.',
  validate(s, common) {
    const walk = validateWalk(s, common);
    const messages = s.optional('messages', DEFAULT_MESSAGES);
    if (walk === undefined || messages === undefined) return undefined;
    return { ...walk, type: 'message_burst', messages };
  },
};
