import type { AnswerExpectation } from './types.ts';
import { describe } from './errors.ts';
import { readBoolean, readMapping, readMatching, readString } from './fields.ts';
import { field, objectSchema, reader, Section, type Fields, type Reader } from './section.ts';

/** The longest answer text a `matches` pattern runs on, characters; longer text is cut first. */
export const MAX_MATCHED_CHARS = 16_384;

const DOT_PATH = /^[^.\s]+(\.[^.\s]+)*$/;

/** The fields of `expect_answer` (issue 10, item 3). */
export const EXPECT_ANSWER_FIELDS = {
  field: field(readMatching(DOT_PATH, 'a dot path like "result" or "result.answer"'), {
    default: 'result',
    description: "Dot path of the answer in the completion event (looked up under payload, then data, then the top level). It must exist.",
  }),
  not_empty: field(readBoolean, { default: true, description: 'The answer must not be empty: not "", only spaces, null, {} or [].' }),
  contains: field(readString, { description: 'Text the answer must contain (an object answer is checked as its JSON).' }),
  matches: field(reader(readString, { type: 'string', minLength: 1, format: 'regex' }), {
    description: `JavaScript regular expression (v flag) the answer must match; no backreferences, lookarounds or nested quantifiers; runs on the first ${MAX_MATCHED_CHARS} characters.`,
  }),
  ignore_case: field(readBoolean, { default: false, description: 'contains and matches ignore case.' }),
} as const satisfies Fields;

/**
 * Why `source` is refused as a `matches` pattern, or null. The pattern comes from config (trusted)
 * but runs on text the server sent, so on top of a length cap on that text ({@link MAX_MATCHED_CHARS})
 * the constructs that make V8's backtracking engine blow up are refused: backreferences,
 * lookarounds, and a quantified group that itself contains an unbounded quantifier (`(a+)+`).
 * Overlapping alternatives under a quantifier (`(a|a)+`) are not detected.
 */
export function patternProblem(source: string): string | null {
  try {
    new RegExp(source, 'v');
  } catch (error) {
    return `not a valid regular expression (${(error as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(source.replace(/\\\\/g, ''))) return 'backreferences are not allowed';
  if (/\(\?<?[=!]/.test(source.replace(/\\\\|\\\(/g, ''))) return 'lookarounds are not allowed';
  if (hasNestedQuantifier(source)) return 'a quantified group containing a quantifier (like (a+)+) is not allowed: it can take exponential time';
  return null;
}

/** True when a group followed by a quantifier contains `+`, `*` or `{n,}` outside character classes. */
function hasNestedQuantifier(source: string): boolean {
  const groups: boolean[] = [];
  let classDepth = 0;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (classDepth > 0) {
      if (c === '[') classDepth += 1;
      else if (c === ']') classDepth -= 1;
      continue;
    }
    if (c === '[') classDepth = 1;
    else if (c === '(') groups.push(false);
    else if (c === ')') {
      const inner = groups.pop() ?? false;
      const next = source[i + 1];
      const quantified = next === '+' || next === '*' || (next === '{' && /^\{\d+,\d*\}/.test(source.slice(i + 1)));
      if (inner && quantified) return true;
      if (inner && groups.length > 0) groups[groups.length - 1] = true;
    } else if ((c === '+' || c === '*' || (c === '{' && /^\{\d+,\}/.test(source.slice(i)))) && groups.length > 0) {
      groups[groups.length - 1] = true;
    }
  }
  return false;
}

/** `expect_answer`: what the completion event's answer must satisfy. */
export const readExpectAnswer: Reader<AnswerExpectation> = reader((ctx, value, path) => {
  const map = readMapping(ctx, value, path);
  if (map === undefined) return undefined;
  const s = new Section(ctx, path, map, EXPECT_ANSWER_FIELDS);
  const fieldPath = s.optional('field', 'result');
  const notEmpty = s.optional('not_empty', true);
  const contains = s.optional('contains', null);
  const matches = s.optional('matches', null);
  const ignoreCase = s.optional('ignore_case', false);
  let ok = true;
  if (matches !== null && matches !== undefined) {
    const problem = patternProblem(matches);
    if (problem !== null) {
      ctx.report(s.field('matches'), `expected a linear-safe regular expression, got ${describe(matches)}: ${problem}`);
      ok = false;
    }
  }
  if (!ok || fieldPath === undefined || notEmpty === undefined || contains === undefined || matches === undefined || ignoreCase === undefined) {
    return undefined;
  }
  return { field: fieldPath, notEmpty, contains, matches, ignoreCase };
}, objectSchema(EXPECT_ANSWER_FIELDS, { description: "What the completion event's answer must satisfy; a run whose answer does not fails with answer_mismatch." }));
