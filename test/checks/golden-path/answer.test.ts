import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkAnswer } from '../../../src/checks/golden-path/answer.ts';
import { patternProblem } from '../../../src/config/answer.ts';
import type { AnswerExpectation } from '../../../src/config/types.ts';

const EXPECT: AnswerExpectation = { field: 'result', notEmpty: true, contains: null, matches: null, ignoreCase: false };
const expect = (overrides: Partial<AnswerExpectation>): AnswerExpectation => ({ ...EXPECT, ...overrides });
const completed = (payload: Record<string, unknown>): Record<string, unknown> => ({ type: 'agent_completed', payload });

describe('checkAnswer', { concurrency: true }, () => {
  const cases: [name: string, expectation: AnswerExpectation, frame: Record<string, unknown>, message: string | null][] = [
    ['a non-empty string result passes', EXPECT, completed({ result: 'Your GPU spend is $42.' }), null],
    ['an object result passes', EXPECT, completed({ status: 'done', result: { answer: 'ok' } }), null],
    ['a result under data passes', EXPECT, { type: 'agent_completed', data: { result: 'fine' } }, null],
    ['a flat result passes', EXPECT, { type: 'agent_completed', result: 'fine' }, null],
    ['no result fails', EXPECT, completed({ status: 'done' }), 'the answer has no result; the completion was "{\\"type\\":\\"agent_completed\\",\\"payload\\":{\\"status\\":\\"done\\"}}"'],
    ['an empty string fails', EXPECT, completed({ result: '  ' }), 'the answer in result is empty: "  "'],
    ['an empty object fails', EXPECT, completed({ result: {} }), 'the answer in result is empty: "{}"'],
    ['null fails', EXPECT, completed({ result: null }), 'the answer in result is empty: "null"'],
    ['an empty result passes with not_empty false', expect({ notEmpty: false }), completed({ result: '' }), null],
    [
      'a missing text fails with an excerpt',
      expect({ contains: 'GPU' }),
      completed({ result: 'I cannot help with that.\nSorry.' }),
      'the answer in result does not contain "GPU": "I cannot help with that. Sorry."',
    ],
    ['contains is case-sensitive', expect({ contains: 'gpu' }), completed({ result: 'GPU' }), 'the answer in result does not contain "gpu": "GPU"'],
    ['ignore_case makes it not', expect({ contains: 'gpu', ignoreCase: true }), completed({ result: 'GPU' }), null],
    ['contains looks into an object answer as JSON', expect({ contains: 'spend' }), completed({ result: { spend: 42 } }), null],
    ['a matching pattern passes', expect({ matches: '\\$[0-9]+' }), completed({ result: 'It is $42.' }), null],
    ['a pattern that does not match fails', expect({ matches: '^\\$[0-9]+$' }), completed({ result: 'It is $42.' }), 'the answer in result does not match /^\\$[0-9]+$/: "It is $42."'],
    ['a nested field passes', expect({ field: 'result.answer' }), completed({ result: { answer: 'yes' } }), null],
    ['a missing nested field fails', expect({ field: 'result.answer' }), completed({ result: { text: 'yes' } }), 'the answer has no result.answer; the completion was "{\\"type\\":\\"agent_completed\\",\\"payload\\":{\\"result\\":{\\"text\\":\\"yes\\"}}}"'],
    ['an empty nested field fails', expect({ field: 'result.answer' }), completed({ result: { answer: '' } }), 'the answer in result.answer is empty: ""'],
  ];
  for (const [name, expectation, frame, message] of cases) {
    it(name, () => {
      assert.deepEqual(checkAnswer(expectation, frame), message === null ? null : { message });
    });
  }

  it('cuts the excerpt to 120 characters', () => {
    const mismatch = checkAnswer(expect({ contains: 'GPU' }), completed({ result: 'x'.repeat(500) }));
    assert.equal(mismatch?.message, `the answer in result does not contain "GPU": "${'x'.repeat(120)}"...`);
  });

  it('runs the pattern on the first 16384 characters only', () => {
    const answer = `${'a'.repeat(16_384)}GPU`;
    assert.equal(checkAnswer(expect({ matches: 'GPU' }), completed({ result: answer }))?.message.startsWith('the answer in result does not match /GPU/'), true);
    assert.equal(checkAnswer(expect({ contains: 'GPU' }), completed({ result: answer })), null);
  });
});

describe('patternProblem', { concurrency: true }, () => {
  const cases: [pattern: string, problem: string | null][] = [
    ['\\$[0-9]+', null],
    ['^(spend|cost): [0-9]+$', null],
    ['(ab)+', null],
    ['[\\(a\\+\\)]+', null],
    ['(a+)+$', 'a quantified group containing a quantifier (like (a+)+) is not allowed: it can take exponential time'],
    ['((a)*)*', 'a quantified group containing a quantifier (like (a+)+) is not allowed: it can take exponential time'],
    ['(x\\d{2,}){3,}', 'a quantified group containing a quantifier (like (a+)+) is not allowed: it can take exponential time'],
    ['(a)\\1', 'backreferences are not allowed'],
    ['(?<w>a)\\k<w>', 'backreferences are not allowed'],
    ['GPU(?= spend)', 'lookarounds are not allowed'],
    ['(?<!no )GPU', 'lookarounds are not allowed'],
  ];
  for (const [pattern, problem] of cases) {
    it(`${problem === null ? 'accepts' : 'refuses'} /${pattern}/`, () => {
      assert.equal(patternProblem(pattern), problem);
    });
  }

  it('refuses what does not compile with the v flag', () => {
    assert.match(patternProblem('[a-') ?? '', /^not a valid regular expression \(/);
  });
});
