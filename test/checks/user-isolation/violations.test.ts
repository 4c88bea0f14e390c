import { suite, test } from 'node:test';
import assert from 'node:assert/strict';
import { findViolations, type SeenEvent, type Side } from '../../../src/checks/user-isolation/violations.ts';

const A = { identity: 'a', subject: 'sub-a', threadId: 'canary_r_a' } as const;
const B = { identity: 'b', subject: 'sub-b', threadId: 'canary_r_b' } as const;

function ev(name: string, atMs: number, ids: Partial<Pick<SeenEvent, 'runId' | 'threadId' | 'userId'>> = {}): SeenEvent {
  return { name, atMs, runId: null, threadId: null, userId: null, ...ids };
}

interface Case {
  readonly name: string;
  readonly a: readonly SeenEvent[];
  readonly b: readonly SeenEvent[];
  /** `identity: description` of each violation, in arrival order. */
  readonly expected: readonly string[];
}

const CASES: readonly Case[] = [
  {
    name: 'own ids only: no violation',
    a: [ev('agent_started', 1, { runId: 'run_1', threadId: A.threadId, userId: A.subject })],
    b: [ev('agent_started', 2, { runId: 'run_2', threadId: B.threadId, userId: B.subject })],
    expected: [],
  },
  {
    name: 'no ids at all and no shared run: nothing to tell, no violation',
    a: [ev('agent_started', 1)],
    b: [ev('agent_started', 2)],
    expected: [],
  },
  {
    name: "the other identity's run, recognised by its thread on the owner's side",
    a: [ev('agent_started', 1, { runId: 'run_x', threadId: A.threadId }), ev('agent_thinking', 3, { runId: 'run_x', threadId: A.threadId })],
    b: [ev('agent_started', 2, { runId: 'run_y', threadId: B.threadId }), ev('agent_thinking', 4, { runId: 'run_x', threadId: A.threadId })],
    expected: ["b: identity b received agent_thinking of identity a's run run_x"],
  },
  {
    name: 'a shared run without any ids belongs to the side that saw it first',
    a: [ev('agent_started', 1, { runId: 'run_x' }), ev('agent_thinking', 2, { runId: 'run_x' })],
    b: [ev('agent_started', 3, { runId: 'run_y' }), ev('agent_thinking', 4, { runId: 'run_x' })],
    expected: ["b: identity b received agent_thinking of identity a's run run_x"],
  },
  {
    name: "another identity's thread without a run id",
    a: [ev('agent_thinking', 5, { threadId: B.threadId })],
    b: [],
    expected: ["a: identity a received agent_thinking of identity b's thread canary_r_b"],
  },
  {
    name: "another identity's user",
    a: [],
    b: [ev('tool_executing', 5, { runId: 'run_z', threadId: B.threadId, userId: A.subject })],
    expected: ["b: identity b received tool_executing of identity a's user sub-a"],
  },
  {
    name: 'an unknown thread and an unknown user, each event counted once, in arrival order',
    a: [ev('agent_thinking', 7, { threadId: 'thread_other', userId: 'someone' })],
    b: [ev('agent_completed', 6, { userId: 'someone' })],
    expected: ['b: identity b received agent_completed of an unknown user someone', 'a: identity a received agent_thinking of an unknown thread thread_other'],
  },
];

suite('findViolations: events → violations', { concurrency: true }, () => {
  for (const c of CASES) {
    test(c.name, () => {
      const sides: readonly [Side, Side] = [
        { ...A, events: c.a },
        { ...B, events: c.b },
      ];
      assert.deepEqual(
        findViolations(sides).map((v) => `${v.identity}: ${v.description}`),
        c.expected,
      );
    });
  }
});
