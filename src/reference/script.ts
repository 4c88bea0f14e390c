/**
 * The script of one agent run: which frames a chat message is answered with, in which order, with
 * which pauses and how the run ends. Pure: every run fault is applied here, the connection only
 * plays the steps.
 */
import { isThirdGeneration, type AgentEventName, type FaultSet } from './faults.ts';
import { CHUNK_COUNT, type AgentEvent, type RunEventName } from './event-frames.ts';

/** Frames a run sends besides agent events. */
export type ExtraFrame = 'ack' | 'heartbeat' | 'ping' | 'pong' | 'status_update' | 'unknown_shape' | 'giant' | 'error';

/** One step of a run. */
export type RunStep =
  | { readonly kind: 'event'; readonly event: AgentEvent }
  | { readonly kind: 'extra'; readonly frame: ExtraFrame }
  | { readonly kind: 'pause'; readonly ms: number }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string }
  | { readonly kind: 'drop' };

/** Close reason for 1011 (protocol.md, "Close codes"). */
export const INTERNAL_ERROR_REASON = 'Internal error';
/** How long `error_frame_1011` waits between the error frame and the close. */
export const ERROR_FRAME_CLOSE_DELAY_MS = 20;

const TOOLS = ['cost_lookup', 'usage_summary'] as const;
/** Sub-agents of a third-generation run when `sub_agents` is not given (the staging run's four `agent_started`). */
export const DEFAULT_SUB_AGENTS_THIRD = 3;
/** `agent_progress`'s `progress_percentage` in the third generation. */
const PROGRESS_PERCENT = 80;

/** How many sub-agents a run under `faults` starts. */
export function subAgentCount(faults: FaultSet): number {
  return faults.sub_agents ?? (isThirdGeneration(faults) ? DEFAULT_SUB_AGENTS_THIRD : 0);
}

/** Each sub-agent (1..n) starts and completes, all before the top-level agent's later events. */
function subAgentEvents(n: number, status: 'completed' | 'done'): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (let agent = 1; agent <= n; agent++) out.push({ event: 'agent_started', agent }, { event: 'agent_completed', status, agent });
  return out;
}
const EXTRAS_BETWEEN_EVENTS: readonly ExtraFrame[] = ['ack', 'heartbeat', 'ping', 'pong', 'status_update'];

function goldenPath(faults: FaultSet): { events: AgentEvent[]; ending: RunStep[] } {
  const third = isThirdGeneration(faults);
  const success = third ? 'done' : 'completed';
  const status = faults.completed_error === true ? 'error' : success;
  let events: AgentEvent[];
  if (faults.repeat === true) {
    events = [
      { event: 'agent_started' },
      { event: 'agent_thinking', step: 1 },
      { event: 'agent_thinking', step: 2 },
      { event: 'tool_executing', tool: TOOLS[0] },
      { event: 'tool_completed', tool: TOOLS[0] },
      { event: 'agent_thinking', step: 3 },
      { event: 'tool_executing', tool: TOOLS[1] },
      { event: 'tool_completed', tool: TOOLS[1] },
      { event: 'agent_completed', status },
    ];
  } else {
    events = [
      { event: 'agent_started' },
      { event: 'agent_thinking', step: 1 },
      { event: 'tool_executing', tool: TOOLS[0] },
      { event: 'tool_completed', tool: TOOLS[0] },
      { event: 'agent_completed', status },
    ];
  }
  if (faults.reorder === true) {
    const thinking = events.findIndex((e) => e.event === 'agent_thinking');
    const executing = events.findIndex((e) => e.event === 'tool_executing');
    const [moved] = events.splice(executing, 1);
    if (moved !== undefined) events.splice(thinking, 0, moved);
  }
  if (faults.no_tools === true) events = events.filter((e) => e.event !== 'tool_executing' && e.event !== 'tool_completed');
  const subAgents = subAgentEvents(subAgentCount(faults), success);
  if (subAgents.length > 0) {
    const firstThinking = events.findIndex((e) => e.event === 'agent_thinking');
    events.splice(firstThinking === -1 ? 1 : firstThinking + 1, 0, ...subAgents);
  }
  const last = events.pop();
  if (faults.chunking === true) {
    for (let index = 0; index < CHUNK_COUNT; index++) events.push({ event: 'chunk_response_immediate', index });
    events.push({ event: 'agent_aggregation_complete' });
  }
  if (third) events.push({ event: 'agent_progress', percent: PROGRESS_PERCENT });
  if (faults.timeout_warning === true) events.push({ event: 'agent_timeout_warning' });
  if (faults.timeout_failure === true) events.push({ event: 'agent_timeout_failure' });
  else if (last !== undefined) events.push(last);
  if (faults.agent_error === true) {
    events = [{ event: 'agent_started' }, { event: 'agent_thinking', step: 1 }, { event: 'agent_error' }];
  }
  const opening: AgentEvent[] = [...(third ? [{ event: 'thread_created' } as const] : []), ...(faults.chunking === true ? [{ event: 'thread_ready_for_chunks' } as const] : [])];
  if (faults.close_1000_early === true) {
    return { events: [...opening, { event: 'agent_started' }], ending: [{ kind: 'close', code: 1000, reason: 'Normal closure' }] };
  }
  return { events: [...opening, ...events], ending: [] };
}

function truncateAfter(steps: RunStep[], n: number, ending: readonly RunStep[]): RunStep[] {
  if (n === 0) return [...ending];
  let seen = 0;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i]?.kind === 'event' && ++seen === n) return [...steps.slice(0, i + 1), ...ending];
  }
  return steps;
}

/**
 * The steps answering one chat message under `faults`, with `delayMs` between agent events.
 * "After N events" faults count events actually sent (after `drop_event`) and only fire if the run
 * reaches N; when several apply, the smallest N wins.
 */
export function planRun(faults: FaultSet, delayMs: number): RunStep[] {
  if (faults.error_frame_1011 === true) {
    return [
      { kind: 'extra', frame: 'error' },
      { kind: 'pause', ms: ERROR_FRAME_CLOSE_DELAY_MS },
      { kind: 'close', code: 1011, reason: INTERNAL_ERROR_REASON },
    ];
  }
  if (faults.error_frame === true) return [{ kind: 'extra', frame: 'error' }];

  const { events: all, ending } = goldenPath(faults);
  const dropped: AgentEventName | undefined = faults.drop_event;
  const events = all.filter((e) => e.event !== dropped);
  const gaps = Math.max(events.length - 1, 0);

  let steps: RunStep[] = [];
  events.forEach((event, i) => {
    if (i > 0) steps.push({ kind: 'pause', ms: delayMs });
    steps.push({ kind: 'event', event });
    if (faults.giant_frame === true && event.event === 'agent_started' && !('agent' in event)) steps.push({ kind: 'extra', frame: 'giant' });
    if (faults.unknown_shape === true && i === 0) steps.push({ kind: 'extra', frame: 'unknown_shape' });
    if (faults.extra_frames === true && i < gaps) {
      EXTRAS_BETWEEN_EVENTS.forEach((frame, j) => {
        if (j % gaps === i) steps.push({ kind: 'extra', frame });
      });
    }
  });
  steps.push(...ending);

  const cuts: { n: number; ending: RunStep[] }[] = [];
  if (faults.close_1011_after !== undefined) {
    cuts.push({ n: faults.close_1011_after, ending: [{ kind: 'close', code: 1011, reason: INTERNAL_ERROR_REASON }] });
  }
  if (faults.close_code_after !== undefined) {
    cuts.push({ n: faults.close_code_after.after, ending: [{ kind: 'close', code: faults.close_code_after.code, reason: 'Injected close' }] });
  }
  if (faults.drop_socket_after !== undefined) cuts.push({ n: faults.drop_socket_after, ending: [{ kind: 'drop' }] });
  if (faults.stall_after !== undefined) cuts.push({ n: faults.stall_after, ending: [] });
  const eventCount = steps.filter((s) => s.kind === 'event').length;
  const cut = cuts.filter((c) => c.n <= eventCount).sort((a, b) => a.n - b.n)[0];
  if (cut !== undefined) steps = truncateAfter(steps, cut.n, cut.ending);
  return steps;
}

/** The agent event names a plan sends, in order (for logs and tests). */
export function plannedEvents(steps: readonly RunStep[]): RunEventName[] {
  return steps.flatMap((s) => (s.kind === 'event' ? [s.event.event] : []));
}
