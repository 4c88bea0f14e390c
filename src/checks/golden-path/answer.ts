import type { AnswerExpectation } from '../../config/types.ts';
import { MAX_MATCHED_CHARS } from '../../config/answer.ts';
import { readField } from '../../protocol/frames.ts';

/** Characters of the answer a mismatch message shows. The caller redacts the message. */
export const ANSWER_EXCERPT_CHARS = 120;

/** Why an answer failed its expectation: a message for the result (reason `answer_mismatch`). */
export interface AnswerMismatch {
  readonly message: string;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` in the completion frame: the first segment under payload, data or the top level. */
function valueAt(frame: Readonly<Record<string, unknown>>, path: string): unknown {
  const [first = '', ...rest] = path.split('.');
  let value = readField(frame, first);
  for (const key of rest) {
    if (!isObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

/** The answer as text: a string as it is, anything else as its JSON. */
function textOf(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}

/** A short, one-line excerpt of the answer: control characters as spaces, cut to {@link ANSWER_EXCERPT_CHARS}. */
export function excerpt(text: string): string {
  const flat = [...text.replace(/[\u0000-\u001f\u007f]+/g, ' ')];
  return flat.length <= ANSWER_EXCERPT_CHARS ? JSON.stringify(flat.join('')) : `${JSON.stringify(flat.slice(0, ANSWER_EXCERPT_CHARS).join(''))}...`;
}

/**
 * Checks the completion event's answer against `expect_answer` (issue 10, item 3), in order: the
 * field exists, it is not empty (when `notEmpty`), it contains the text, it matches the pattern.
 * Pure: the pattern was refused at config time when not linear-safe, and runs on at most
 * {@link MAX_MATCHED_CHARS} characters.
 *
 * @param completionFrame the whole completion event as received (`body` of the parsed frame)
 * @returns null when the answer passes, else why not, with a short excerpt of what came back
 */
export function checkAnswer(expectation: AnswerExpectation, completionFrame: Readonly<Record<string, unknown>>): AnswerMismatch | null {
  const value = valueAt(completionFrame, expectation.field);
  if (value === undefined) {
    return { message: `the answer has no ${expectation.field}; the completion was ${excerpt(textOf(completionFrame))}` };
  }
  const text = textOf(value);
  if (expectation.notEmpty && isEmpty(value)) {
    return { message: `the answer in ${expectation.field} is empty: ${excerpt(text)}` };
  }
  if (expectation.contains !== null) {
    const found = expectation.ignoreCase
      ? text.toLowerCase().includes(expectation.contains.toLowerCase())
      : text.includes(expectation.contains);
    if (!found) return { message: `the answer in ${expectation.field} does not contain ${JSON.stringify(expectation.contains)}: ${excerpt(text)}` };
  }
  if (expectation.matches !== null) {
    const pattern = new RegExp(expectation.matches, expectation.ignoreCase ? 'vi' : 'v');
    if (!pattern.test(text.slice(0, MAX_MATCHED_CHARS))) {
      return { message: `the answer in ${expectation.field} does not match /${expectation.matches}/: ${excerpt(text)}` };
    }
  }
  return null;
}
