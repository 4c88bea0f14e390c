/**
 * input_hygiene: malformed JSON, then a message over the welcome's `max_message_size`, each of
 * which must be answered as the check accepts (an error frame, a silent drop, or close 1009); then
 * the golden path on the same connection, or on a new one when the server closed by contract (1009).
 * Catches a backend that dies (1011, 1006), hangs, or runs the agent on bad input
 * (protocol.md, "Other error frames").
 */
import type { HygieneAnswer, InputHygieneCheck, TargetConfig } from '../../config/types.ts';
import type { Clock } from '../../clock.ts';
import type { CheckResult, Transcript } from '../../result/types.ts';
import { freezeResult } from '../../walk/result.ts';
import { badInputCloseReason } from '../../walk/classify.ts';
import { runWalk } from '../../walk/engine.ts';
import { walkPlan, type ProbeSession, type ProbeVerdict } from '../../walk/plan.ts';
import { subRunDeps } from '../combine.ts';
import type { RunDeps } from '../types.ts';

/** The bad inputs, in the order they are sent. */
export const BAD_INPUTS = ['malformed_json', 'oversized'] as const;
export type BadInput = (typeof BAD_INPUTS)[number];

/** max_message_size when the welcome carries none (protocol.md). */
export const DEFAULT_MAX_MESSAGE_SIZE = 8192;
/** Connections one run may open: one per bad input closed by contract, plus the golden path's. */
const MAX_CONNECTIONS = BAD_INPUTS.length + 1;

/** How the server answered one bad input: an accepted kind, `agent_events`, or `close_<code>`. */
export type Answer = HygieneAnswer | 'agent_events' | `close_${number}`;

const LABEL: Readonly<Record<BadInput, string>> = { malformed_json: 'malformed JSON', oversized: 'the oversized message' };

/** The malformed JSON: a chat message cut off mid-object. */
export function malformedJson(check: InputHygieneCheck): string {
  return `{"type":${JSON.stringify(check.messageType)},"payload":{"${check.messageField}":"canary input_hygiene`;
}

/**
 * A chat message of exactly `maxMessageSize + 1` bytes (UTF-8): one byte over the limit. It carries
 * the walk's trace id as every chat message does, so the backend's log of the rejection joins the run.
 * The ids come before the filler, so the transcript's first 4096 characters still show them.
 */
export function oversizedMessage(check: InputHygieneCheck, maxMessageSize: number, threadId: string, traceId: string): string {
  const shell = (content: string): string =>
    JSON.stringify({
      type: check.messageType,
      payload: { thread_id: threadId, run_id: null, trace_id: traceId, [check.messageField]: content },
    });
  const base = Buffer.byteLength(shell(''), 'utf8');
  return shell('x'.repeat(Math.max(0, maxMessageSize + 1 - base)));
}

/** What came back within the answer window. */
interface Observed {
  readonly answer: Answer;
  /** The agent event, or the close's reason, for the message. */
  readonly detail: string | null;
}

/**
 * Watches the whole window (an error frame may be followed by a close): a close or an agent event
 * decides at once; otherwise an error frame is `error_frame` and nothing is `silent_drop`.
 */
async function observe(session: ProbeSession, windowMs: number, clock: Clock): Promise<Observed> {
  const start = clock.monoMs();
  let sawError = false;
  for (;;) {
    const left = windowMs - (clock.monoMs() - start);
    if (left <= 0) break;
    const answer = await session.next(left);
    if (answer === null) break;
    if (answer.kind === 'close') return { answer: `close_${answer.code}`, detail: answer.reason === '' ? null : answer.reason };
    if (answer.frame.kind === 'event') return { answer: 'agent_events', detail: answer.frame.name };
    if (answer.frame.kind === 'error') sawError = true;
  }
  return { answer: sawError ? 'error_frame' : 'silent_drop', detail: null };
}

function isAccepted(answer: Answer, check: InputHygieneCheck): boolean {
  return (check.accept as readonly string[]).includes(answer);
}

/** The failure an answer means, or null when the check accepts it. */
function judge(input: BadInput, observed: Observed, check: InputHygieneCheck): ProbeVerdict | null {
  const { answer, detail } = observed;
  if (isAccepted(answer, check)) return null;
  const what = LABEL[input];
  if (answer === 'agent_events') {
    return { kind: 'fail', reason: 'bad_input_mishandled', message: `the server answered ${what} with agent events (${detail ?? 'an event'})` };
  }
  if (answer.startsWith('close_')) {
    const code = Number(answer.slice('close_'.length));
    const described = code === 1006
      ? `the connection dropped without a close frame (1006) after ${what}`
      : `the server closed with ${code}${detail === null ? '' : ` "${detail}"`} after ${what}`;
    const reason = badInputCloseReason(code);
    return { kind: 'fail', reason, message: reason === 'bad_input_mishandled' ? `${described} (accepted: ${check.accept.join(', ')})` : described };
  }
  return { kind: 'fail', reason: 'bad_input_mishandled', message: `the server answered ${what} with ${answer} (accepted: ${check.accept.join(', ')})` };
}

/** The walks' transcripts as one, each shifted by when its walk started (ms since the run started). */
function joined(walks: readonly { readonly result: CheckResult; readonly offsetMs: number }[]): Transcript {
  return {
    entries: walks.flatMap(({ result, offsetMs }) =>
      result.transcript.entries.map((entry) => ({ ...entry, tMs: Math.round((entry.tMs + offsetMs) * 1000) / 1000 })),
    ),
    dropped: walks.reduce((sum, { result }) => sum + result.transcript.dropped, 0),
  };
}

/**
 * Runs the check once. The first connection sends the bad inputs after the welcome; an accepted
 * close 1009 ends that connection and the rest (the remaining bad inputs, then the golden path)
 * goes on over a new one (run id `<runId>-2`, ...). The result is the last walk's, with `details`
 * `{ malformed_json, oversized, max_message_size, reconnected }` and every walk's transcript.
 * Never throws.
 */
export async function runInputHygiene(target: TargetConfig, check: InputHygieneCheck, deps: RunDeps): Promise<CheckResult> {
  const startMono = deps.clock.monoMs();
  const answers: Record<BadInput, Answer | null> = { malformed_json: null, oversized: null };
  const pending: BadInput[] = [...BAD_INPUTS];
  let maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
  const walks: { result: CheckResult; offsetMs: number }[] = [];
  for (let i = 1; i <= MAX_CONNECTIONS; i++) {
    const runId = i === 1 ? deps.runId : `${deps.runId}-${i}`;
    let closedByContract = false;
    const beforeMessage = async (session: ProbeSession): Promise<ProbeVerdict> => {
      if (i === 1) maxMessageSize = session.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
      for (let input = pending.shift(); input !== undefined; input = pending.shift()) {
        const text = input === 'malformed_json' ? malformedJson(check) : oversizedMessage(check, maxMessageSize, `canary_${runId}`, session.traceId);
        session.send(text, input);
        const observed = await observe(session, check.answerWindowMs, deps.clock);
        answers[input] = observed.answer;
        const failure = judge(input, observed, check);
        if (failure !== null) return failure;
        if (observed.answer === 'close_1009') {
          closedByContract = true;
          return { kind: 'stop' };
        }
      }
      return { kind: 'continue' };
    };
    const offsetMs = deps.clock.monoMs() - startMono;
    const result = await runWalk(target, check, subRunDeps(deps, runId), walkPlan({ beforeMessage }));
    walks.push({ result, offsetMs });
    if (result.result === 'failure' || !closedByContract) break;
  }
  const first = walks[0]?.result;
  const last = walks.at(-1)?.result;
  if (first === undefined || last === undefined) throw new Error('input_hygiene ran no walk');
  return freezeResult({
    ...last,
    runId: deps.runId,
    startedAt: first.startedAt,
    durationSeconds: (deps.clock.monoMs() - startMono) / 1000,
    transcript: joined(walks),
    details: {
      malformed_json: answers.malformed_json,
      oversized: answers.oversized,
      max_message_size: maxMessageSize,
      reconnected: walks.length > 1,
    },
  });
}
