import type { CheckType } from '../../config/checks.ts';
import { describe } from '../../config/errors.ts';
import { formatDuration } from '../../config/duration.ts';
import { readDuration, readEnum, readUniqueList } from '../../config/fields.ts';
import { field, type Fields } from '../../config/section.ts';
import { HYGIENE_ANSWERS } from '../../config/types.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

const DEFAULT_ANSWER_WINDOW_MS = 1000;
/** Bad inputs sent per run: each gets its answer window out of `timeout`. */
const BAD_INPUTS = 2;

const readAccept = readUniqueList(readEnum(HYGIENE_ANSWERS), { plural: `answers (${HYGIENE_ANSWERS.join(', ')})`, singular: 'answer' });

const FIELDS = {
  ...WALK_FIELDS,
  accept: field(readAccept, {
    default: HYGIENE_ANSWERS,
    description:
      'Answers to a bad input (malformed JSON, a message over max_message_size) that pass: an error frame, a silent drop, a close 1009 (the golden path then runs on a new connection).',
  }),
  answer_window: field(readDuration, {
    default: '1s',
    description: 'How long to wait for the answer to each bad input before taking silence as a drop. Less than half of timeout.',
  }),
} as const satisfies Fields;

/**
 * input_hygiene: the walk settings, `accept` (answers to a bad input that pass, default all of
 * error_frame, silent_drop, close_1009) and `answer_window` (default 1s; both windows together
 * shorter than `timeout`).
 */
export const INPUT_HYGIENE_CONFIG: CheckType<typeof FIELDS> = {
  fields: FIELDS,
  description:
    "Sends malformed JSON, then a message over the welcome's max_message_size (default 8192 bytes); each must be answered as accept allows, then the golden path must still complete (on a new connection after an accepted close 1009).",
  validate(s, common) {
    const walk = validateWalk(s, common);
    const accept = s.optional('accept', HYGIENE_ANSWERS);
    let answerWindowMs = s.optional('answer_window', DEFAULT_ANSWER_WINDOW_MS);
    if (answerWindowMs !== undefined && common.timeoutMs !== undefined && answerWindowMs * BAD_INPUTS >= common.timeoutMs) {
      const shown = s.has('answer_window') ? describe(s.map['answer_window']) : `the default ${formatDuration(DEFAULT_ANSWER_WINDOW_MS)}`;
      s.ctx.report(s.field('answer_window'), `expected less than half of timeout (${formatDuration(common.timeoutMs)}), got ${shown}`);
      answerWindowMs = undefined;
    }
    if (walk === undefined || accept === undefined || answerWindowMs === undefined) return undefined;
    return { ...walk, type: 'input_hygiene', accept, answerWindowMs };
  },
};
