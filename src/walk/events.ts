/**
 * The events step: the agent events answering the user messages, grouped into one run per
 * message, each complete when its completion event arrives with every expected event before it,
 * in order (protocol.md, "Agent events"). Ends the walk when every run is complete.
 */
import type { ServerFrame } from '../protocol/frames.ts';
import type { ReceivedEvent } from '../result/types.ts';

type EventFrame = Extract<ServerFrame, { kind: 'event' }>;
import { agentTimedOut, answerMismatch, completionFailure, eventFailure, handshakeLate } from './classify.ts';
import type { MessageRun, Step, WalkState } from './state.ts';

/**
 * Agent events a run keeps in its result; later ones are only counted (`eventsDropped`), so an
 * agent that loops cannot grow a run's memory or its JSON without bound.
 */
export const MAX_EVENTS_KEPT = 1000;

/**
 * The run an agent event belongs to: the one sent with its thread id, else the one its run id was
 * first seen with, else the first run not yet tied to a run id, else the first incomplete one.
 * With one message, every event is that message's.
 */
function runOf(runs: readonly MessageRun[], name: string, threadId: string | null, runId: string | null): MessageRun {
  if (runs.length === 1) return runs[0] as MessageRun;
  if (runs[0]?.threadId === runs[1]?.threadId) return runInOrder(runs, name);
  let run = threadId === null ? undefined : runs.find((r) => r.threadId === threadId);
  if (run === undefined && runId !== null) run = runs.find((r) => r.runIds.has(runId)) ?? runs.find((r) => r.runIds.size === 0 && !r.complete);
  run ??= runs.find((r) => !r.complete) ?? (runs[runs.length - 1] as MessageRun);
  if (runId !== null) run.runIds.add(runId);
  return run;
}

/**
 * The run an agent event belongs to when every message carries the same thread and run ids (a
 * third-generation handshake gives the connection one thread, and the server may answer the
 * messages concurrently): the k-th arrival of an event name is the k-th run's.
 */
function runInOrder(runs: readonly MessageRun[], name: string): MessageRun {
  return runs.find((r) => !r.seen.has(name)) ?? (runs[runs.length - 1] as MessageRun);
}

/** Prefix of a message about one run: none with a single message. */
function about(walk: WalkState, run: MessageRun): string {
  return walk.runs.length === 1 ? '' : `message ${run.index} of ${walk.runs.length}: `;
}

function onCompletion(walk: WalkState, run: MessageRun, frame: EventFrame, seconds: number): void {
  const { check } = walk;
  if (walk.delivered + 1 === walk.runs.length) walk.enter('close', 'events', walk.arrivedMono);
  const failure = completionFailure(about(walk, run), frame.status, check, run.events);
  if (failure !== null) {
    walk.fail(failure);
    return;
  }
  const wrong = walk.plan.answer?.(frame.body) ?? null;
  if (wrong !== null) {
    walk.fail(answerMismatch(`${about(walk, run)}${wrong}`));
    return;
  }
  run.complete = true;
  walk.delivered++;
  walk.plan.observe.runComplete(run.index, seconds);
  if (walk.delivered < walk.runs.length) return;
  if ((walk.timings.events ?? 0) * 1000 > check.slowAfterMs) walk.degradations.add('slow');
  walk.advance();
}

/** Keeps `name` in the result's events (up to {@link MAX_EVENTS_KEPT}; the rest are counted). */
function keep(walk: WalkState, name: string): ReceivedEvent {
  const event: ReceivedEvent = { name, seconds: (walk.arrivedMono - walk.sendAt) / 1000 };
  if (walk.events.length < MAX_EVENTS_KEPT) walk.events.push(event);
  else walk.eventsDropped++;
  return event;
}

function isObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasParentRun(frame: EventFrame): boolean {
  const { body } = frame;
  return [body, body['payload'], body['data']].some((part) => isObject(part) && typeof part['parent_run_id'] === 'string');
}

/**
 * Whether an event is a sub-agent's (third generation: the orchestrator starts sub-agents, each
 * with its own `run_id`). The top-level agent is the one whose `agent_started` comes first after
 * the message (the handshake's `run_id` stands in when that event carries none); on a connection
 * that did the handshake, an event of another run id, or any event naming a `parent_run_id`, is a
 * sub-agent's. Its events are kept and observed, but neither complete nor order the top-level run.
 */
function isSubAgent(walk: WalkState, frame: EventFrame): boolean {
  if (hasParentRun(frame)) return true;
  if (!walk.handshaken) return false;
  if (walk.topRunId === null) {
    if (frame.name === 'agent_started') walk.topRunId = frame.runId ?? walk.proposal?.runId ?? null;
    return false;
  }
  return frame.runId !== null && frame.runId !== walk.topRunId;
}

/** `agent_timeout_warning` degrades the run; `agent_timeout_failure` fails it as the agent's failure. */
function onAgentTimeout(walk: WalkState, frame: Extract<ServerFrame, { kind: 'agent_timeout' }>): void {
  keep(walk, frame.notice.final ? 'agent_timeout_failure' : 'agent_timeout_warning');
  if (frame.notice.final) walk.fail(agentTimedOut(frame.notice));
  else walk.degradations.add('agent_timeout_warning');
}

function onEvent(walk: WalkState, frame: EventFrame): void {
  const event = keep(walk, frame.name);
  const { seconds } = event;
  walk.envelopes.add(frame.envelope);
  walk.plan.observe.event(frame);
  const early = eventFailure('', frame.name, false);
  if (early !== null) {
    walk.fail(early);
    return;
  }
  if (isSubAgent(walk, frame)) return;
  const run = runOf(walk.runs, frame.name, frame.threadId, frame.runId);
  const { completionEvent } = walk.check;
  const duplicate = walk.runs.length > 1 && (frame.name === 'agent_started' || frame.name === completionEvent) && run.seen.has(frame.name);
  const failure = eventFailure(about(walk, run), frame.name, duplicate);
  if (failure !== null) {
    walk.fail(failure);
    return;
  }
  if (!run.seen.has(frame.name) || run.events.length < MAX_EVENTS_KEPT) run.events.push(event);
  run.seen.add(frame.name);
  if (frame.name === completionEvent) onCompletion(walk, run, frame, seconds);
}

export const eventsStep: Step = {
  start() {
    // the events come as frames; the run's deadline bounds the wait
  },
  frame(walk, frame) {
    if (frame.kind === 'unknown') walk.degradations.add('unknown_frame');
    else if (frame.kind === 'event') onEvent(walk, frame);
    else if (frame.kind === 'agent_timeout') onAgentTimeout(walk, frame);
    else if (frame.kind === 'handshake' && !walk.handshaken) walk.fail(handshakeLate(walk.check.handshake ?? 'auto'));
  },
};
