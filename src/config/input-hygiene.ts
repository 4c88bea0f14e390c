import { HYGIENE_ANSWERS, type InputHygieneCheck } from './types.ts';
import type { CommonCheck } from './check-common.ts';
import { describe } from './errors.ts';
import { formatDuration } from './duration.ts';
import { readDuration, readEnum, readUniqueList, Section } from './fields.ts';
import { GOLDEN_PATH_KEYS, validateWalk } from './golden-path.ts';

/** Keys of an input_hygiene check: the walk settings plus its own. */
export const INPUT_HYGIENE_KEYS: readonly string[] = [...GOLDEN_PATH_KEYS, 'accept', 'answer_window'];

const DEFAULT_ANSWER_WINDOW_MS = 1000;
/** Bad inputs sent per run: each gets its answer window out of `timeout`. */
const BAD_INPUTS = 2;

const readAccept = readUniqueList(readEnum(HYGIENE_ANSWERS), { plural: `answers (${HYGIENE_ANSWERS.join(', ')})`, singular: 'answer' });

/**
 * Validates an input_hygiene check: the walk settings, `accept` (answers to a bad input that pass,
 * default all of error_frame, silent_drop, close_1009) and `answer_window` (default 1s; both
 * windows together shorter than `timeout`).
 */
export function validateInputHygiene(s: Section, common: CommonCheck): InputHygieneCheck | undefined {
  const walk = validateWalk(s, common);
  const accept = s.optional('accept', readAccept, HYGIENE_ANSWERS);
  let answerWindowMs = s.optional('answer_window', readDuration, DEFAULT_ANSWER_WINDOW_MS);
  if (answerWindowMs !== undefined && common.timeoutMs !== undefined && answerWindowMs * BAD_INPUTS >= common.timeoutMs) {
    const shown = s.has('answer_window') ? describe(s.map['answer_window']) : `the default ${formatDuration(DEFAULT_ANSWER_WINDOW_MS)}`;
    s.ctx.report(s.field('answer_window'), `expected less than half of timeout (${formatDuration(common.timeoutMs)}), got ${shown}`);
    answerWindowMs = undefined;
  }
  if (walk === undefined || accept === undefined || answerWindowMs === undefined) return undefined;
  return { ...walk, type: 'input_hygiene', accept, answerWindowMs };
}
