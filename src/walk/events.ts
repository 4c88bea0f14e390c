/**
 * The events step: the agent events answering the user messages, grouped into one run per
 * message, each complete when its completion event arrives with every expected event before it,
 * in order (protocol.md, "Agent events"). Ends the walk when every run is complete.
 */
import type { ServerFrame } from '../protocol/frames.ts';
import type { ReceivedEvent } from '../result/types.ts';
import { completionFailure, eventFailure } from './classify.ts';
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
function runOf(runs: readonly MessageRun[], threadId: string | null, runId: string | null): MessageRun {
  if (runs.length === 1) return runs[0] as MessageRun;
  let run = threadId === null ? undefined : runs.find((r) => r.threadId === threadId);
  if (run === undefined && runId !== null) run = runs.find((r) => r.runIds.has(runId)) ?? runs.find((r) => r.runIds.size === 0 && !r.complete);
  run ??= runs.find((r) => !r.complete) ?? (runs[runs.length - 1] as MessageRun);
  if (runId !== null) run.runIds.add(runId);
  return run;
}

/** Prefix of a message about one run: none with a single message. */
function about(walk: WalkState, run: MessageRun): string {
  return walk.runs.length === 1 ? '' : `message ${run.index} of ${walk.runs.length}: `;
}

function onCompletion(walk: WalkState, run: MessageRun, status: string | null, seconds: number): void {
  const { check } = walk;
  if (walk.delivered + 1 === walk.runs.length) walk.enter('close', 'events');
  const failure = completionFailure(about(walk, run), status, check, run.events);
  if (failure !== null) {
    walk.fail(failure);
    return;
  }
  run.complete = true;
  walk.delivered++;
  walk.plan.observe.runComplete(run.index, seconds);
  if (walk.delivered < walk.runs.length) return;
  if ((walk.timings.events ?? 0) * 1000 > check.slowAfterMs) walk.degradations.add('slow');
  walk.advance();
}

function onEvent(walk: WalkState, frame: Extract<ServerFrame, { kind: 'event' }>): void {
  const seconds = (walk.deps.clock.monoMs() - walk.sendAt) / 1000;
  const event: ReceivedEvent = { name: frame.name, seconds };
  if (walk.events.length < MAX_EVENTS_KEPT) walk.events.push(event);
  else walk.eventsDropped++;
  walk.envelopes.add(frame.envelope);
  walk.plan.observe.event(frame);
  const early = eventFailure('', frame.name, false);
  if (early !== null) {
    walk.fail(early);
    return;
  }
  const run = runOf(walk.runs, frame.threadId, frame.runId);
  const { completionEvent } = walk.check;
  const duplicate = walk.runs.length > 1 && (frame.name === 'agent_started' || frame.name === completionEvent) && run.seen.has(frame.name);
  const failure = eventFailure(about(walk, run), frame.name, duplicate);
  if (failure !== null) {
    walk.fail(failure);
    return;
  }
  if (!run.seen.has(frame.name) || run.events.length < MAX_EVENTS_KEPT) run.events.push(event);
  run.seen.add(frame.name);
  if (frame.name === completionEvent) onCompletion(walk, run, frame.status, seconds);
}

export const eventsStep: Step = {
  start() {
    // the events come as frames; the run's deadline bounds the wait
  },
  frame(walk, frame) {
    if (frame.kind === 'unknown') walk.degradations.add('unknown_frame');
    else if (frame.kind === 'event') onEvent(walk, frame);
  },
};
