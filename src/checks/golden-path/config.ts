import type { CheckType } from '../../config/checks.ts';
import { readExpectAnswer } from '../../config/answer.ts';
import { ANSWER_EXCERPT_CHARS } from './answer.ts';
import { field, type Fields } from '../../config/section.ts';
import { WALK_FIELDS, validateWalk } from '../../config/walk.ts';

const GOLDEN_PATH_FIELDS = {
  ...WALK_FIELDS,
  expect_answer: field(readExpectAnswer, {
    description: `What the completion event's answer must satisfy (not empty, contains, matches, field); a mismatch fails the run with answer_mismatch, showing the first ${ANSWER_EXCERPT_CHARS} characters of the answer.`,
  }),
} as const satisfies Fields;

/** golden_path: the walk settings and, optionally, what the answer must be. */
export const GOLDEN_PATH_CONFIG: CheckType<typeof GOLDEN_PATH_FIELDS> = {
  fields: GOLDEN_PATH_FIELDS,
  description: 'Connect, wait for the welcome, send one chat message, expect the agent events in order (and, with expect_answer, the right answer).',
  validate(s, common) {
    const walk = validateWalk(s, common);
    const expectAnswer = s.optional('expect_answer', null);
    if (walk === undefined || expectAnswer === undefined) return undefined;
    return expectAnswer === null ? { ...walk, type: 'golden_path' } : { ...walk, type: 'golden_path', expectAnswer };
  },
};
