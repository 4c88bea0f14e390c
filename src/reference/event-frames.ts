/**
 * The agent events of a run, in each envelope protocol.md describes (payload, data, flat,
 * system_message), and the frames a run interleaves with them under faults. Builders are pure: the
 * time (`nowMs`, epoch milliseconds) and the ids come in as arguments.
 */
import { epochSeconds, isoNaive, isoPython, type Frame } from './frames.ts';

/** The agent that "runs" every request in the earlier generations. */
export const AGENT_NAME = 'supervisor';
/** The third generation's top-level agent (the orchestrator). */
export const TOP_AGENT_NAME_THIRD = 'netra-assistant';
/**
 * Names of the third generation's sub-agents, in start order (after the staging run in
 * protocol.md: the first sub-agent shares the orchestrator's name, so only the run id tells them
 * apart); past the list they are `sub_agent_<n>`.
 */
export const SUB_AGENT_NAMES: readonly string[] = ['netra-assistant', 'MessageHandler', 'claude_code_optimizer'];
/** The agent time limit the timeout events report, in seconds. */
export const AGENT_TIMEOUT_SECONDS = 120;
/** `agent_timeout_warning`'s `elapsed_seconds` (80 % of {@link AGENT_TIMEOUT_SECONDS}). */
export const TIMEOUT_WARNING_ELAPSED_SECONDS = 96;
/** How many `chunk_response_immediate` the `chunking` fault sends. */
export const CHUNK_COUNT = 2;
/** Size of the `giant_frame` fault's frame: 2 MiB. */
export const GIANT_FRAME_BYTES = 2 * 1024 * 1024;

/** Envelope of agent events (protocol.md, "The five agent events"). */
export type Envelope = 'payload' | 'data' | 'flat' | 'system_message';

/**
 * One agent event of a run, with what varies between occurrences. `agent` is the index of the
 * sending agent in {@link RunContext.agents}; absent means the top-level agent (index 0).
 * `status: 'done'` is the third generation's completion.
 */
export type AgentEvent =
  | { readonly event: 'agent_started'; readonly agent?: number }
  | { readonly event: 'agent_thinking'; readonly step: number; readonly agent?: number }
  | { readonly event: 'tool_executing' | 'tool_completed'; readonly tool: string }
  | { readonly event: 'agent_completed'; readonly status: 'completed' | 'error' | 'done'; readonly agent?: number }
  | { readonly event: 'agent_error' }
  | { readonly event: 'thread_created' }
  | { readonly event: 'agent_progress'; readonly percent: number }
  | { readonly event: 'thread_ready_for_chunks' }
  | { readonly event: 'chunk_response_immediate'; readonly index: number }
  | { readonly event: 'agent_aggregation_complete' }
  | { readonly event: 'agent_timeout_warning' }
  | { readonly event: 'agent_timeout_failure' };

/** The `type` of every event a run can send. */
export type RunEventName = AgentEvent['event'];

/** One agent of a run: its `agent_name` and `run_id`. */
export interface AgentRef {
  readonly name: string;
  readonly runId: string;
}

/** What one agent run knows about itself. `toolStartedAtMs` is set when a tool starts executing. */
export interface RunContext {
  /**
   * The top-level agent's run id: in the third generation the handshake's `run_id`, so a client
   * recognises the top-level agent's events (and the run's end, its `agent_completed`) by it.
   */
  readonly runId: string;
  /**
   * Every agent of the run: index 0 is the top-level agent (`runId`), the others are sub-agents.
   * Absent means one agent named {@link AGENT_NAME}.
   */
  readonly agents?: readonly AgentRef[];
  readonly threadId: string;
  readonly userId: string;
  readonly requestId: string;
  readonly text: string;
  readonly startedAtMs: number;
  toolStartedAtMs: number | null;
}

/** A frame of a type the canary does not know (`extra_frames`). */
export function statusUpdateFrame(ctx: RunContext, nowMs: number): Frame {
  return { type: 'status_update', data: { status: 'processing', run_id: ctx.runId, thread_id: ctx.threadId }, timestamp: epochSeconds(nowMs) };
}

/** Valid JSON without a `type` (`unknown_shape`). */
export function unknownShapeFrame(ctx: RunContext): Frame {
  return { kind: 'mystery', run_id: ctx.runId };
}

/** The answer text of a run: the top-level completion's `result.answer` (and, in the third generation, `result.response`). */
export function answerFor(ctx: Pick<RunContext, 'text'>): string {
  return `Reference answer to: ${ctx.text}`;
}

function agentIndex(ev: AgentEvent): number {
  return 'agent' in ev && ev.agent !== undefined ? ev.agent : 0;
}

/** The agent sending `ev`. */
export function agentOf(ev: AgentEvent, ctx: RunContext): AgentRef {
  return ctx.agents?.[agentIndex(ev)] ?? { name: AGENT_NAME, runId: ctx.runId };
}

/** Event fields in envelope A's vocabulary (`reasoning`, `tool_name`, `parameters`). */
function fieldsA(ev: AgentEvent, ctx: RunContext, nowMs: number): Record<string, unknown> {
  const agent = agentOf(ev, ctx);
  const sub = agentIndex(ev) > 0;
  switch (ev.event) {
    case 'agent_started':
      return { status: 'started', message: `${agent.name} has started processing your request`, ...(sub ? { parent_run_id: ctx.runId } : {}) };
    case 'agent_thinking':
      return {
        reasoning: `Step ${ev.step}: working out how to answer "${ctx.text}"`,
        step_number: ev.step,
        progress_percentage: Math.min(20 * ev.step, 90),
        status: 'thinking',
      };
    case 'tool_executing':
      return { tool_name: ev.tool, parameters: {}, status: 'executing' };
    case 'tool_completed':
      return { tool_name: ev.tool, result: {}, execution_time_ms: nowMs - (ctx.toolStartedAtMs ?? nowMs), status: 'completed' };
    case 'agent_completed':
      if (ev.status === 'done') {
        const result = sub ? { summary: `${agent.name} finished its part` } : { answer: answerFor(ctx), response: answerFor(ctx) };
        return { status: 'done', result, execution_time_ms: nowMs - ctx.startedAtMs, ...(sub ? { parent_run_id: ctx.runId } : {}) };
      }
      return ev.status === 'completed'
        ? { status: 'completed', result: { answer: answerFor(ctx) }, execution_time_ms: nowMs - ctx.startedAtMs }
        : { status: 'error', result: null, error_message: 'Agent execution failed', execution_time_ms: nowMs - ctx.startedAtMs };
    case 'agent_error':
      return { status: 'error', error_message: 'Agent execution failed: injected fault', error_context: {} };
    case 'thread_created':
      return { thread_id: ctx.threadId, timestamp: epochSeconds(nowMs) };
    case 'agent_progress':
      return { status: 'in_progress', progress_percentage: ev.percent, message: 'Putting the answer together' };
    case 'thread_ready_for_chunks':
      return { thread_id: ctx.threadId, total_chunks: CHUNK_COUNT, status: 'ready' };
    case 'chunk_response_immediate':
      return { chunk_index: ev.index, total_chunks: CHUNK_COUNT, content: `Part ${ev.index + 1} of the document, read` };
    case 'agent_aggregation_complete':
      return { total_chunks: CHUNK_COUNT, status: 'complete', message: 'Chunk responses aggregated' };
    case 'agent_timeout_warning':
      return {
        elapsed_seconds: TIMEOUT_WARNING_ELAPSED_SECONDS,
        total_timeout_seconds: AGENT_TIMEOUT_SECONDS,
        remaining_seconds: AGENT_TIMEOUT_SECONDS - TIMEOUT_WARNING_ELAPSED_SECONDS,
        message: `Agent execution is approaching its ${AGENT_TIMEOUT_SECONDS} s limit`,
      };
    case 'agent_timeout_failure':
      return { timeout_seconds: AGENT_TIMEOUT_SECONDS, final_status: 'TIMEOUT', error: `Agent execution timed out after ${AGENT_TIMEOUT_SECONDS} seconds` };
  }
}

/** Envelope B renames `reasoning` to `thought`, `tool_name` to `tool` and `parameters` to `metadata`. */
function fieldsB(ev: AgentEvent, ctx: RunContext, nowMs: number): Record<string, unknown> {
  const a = fieldsA(ev, ctx, nowMs);
  const renamed: Record<string, unknown> = {};
  const names: Readonly<Record<string, string>> = { reasoning: 'thought', tool_name: 'tool', parameters: 'metadata' };
  for (const [key, value] of Object.entries(a)) renamed[names[key] ?? key] = value;
  return ev.event === 'agent_started' ? { ...renamed, agent_name: agentOf(ev, ctx).name } : renamed;
}

/** One agent event in the given envelope. */
export function agentEventFrame(ev: AgentEvent, envelope: Envelope, ctx: RunContext, nowMs: number): Frame {
  const type: RunEventName = ev.event;
  const agent = agentOf(ev, ctx);
  switch (envelope) {
    case 'payload':
      return { type, run_id: agent.runId, thread_id: ctx.threadId, agent_name: agent.name, timestamp: isoPython(nowMs), payload: fieldsA(ev, ctx, nowMs) };
    case 'data':
      return {
        type,
        data: {
          ...fieldsB(ev, ctx, nowMs),
          timestamp: epochSeconds(nowMs),
          run_id: agent.runId,
          thread_id: ctx.threadId,
          user_context: { user_id: ctx.userId, request_id: ctx.requestId },
        },
        timestamp: isoNaive(nowMs),
        critical: true,
        attempt: null,
      };
    case 'flat':
      return { type, run_id: agent.runId, thread_id: ctx.threadId, agent_name: agent.name, timestamp: isoPython(nowMs), ...fieldsA(ev, ctx, nowMs) };
    case 'system_message':
      return {
        type: 'system_message',
        event: type,
        payload: { run_id: agent.runId, thread_id: ctx.threadId, agent_name: agent.name, timestamp: isoPython(nowMs), ...fieldsA(ev, ctx, nowMs) },
        timestamp: epochSeconds(nowMs),
      };
  }
}

/** The `giant_frame` fault's text: an envelope-A `agent_thinking` padded to exactly {@link GIANT_FRAME_BYTES} bytes. */
export function giantFrameText(ctx: RunContext, nowMs: number): string {
  const head = JSON.stringify({ type: 'agent_thinking', run_id: ctx.runId, agent_name: AGENT_NAME, timestamp: isoPython(nowMs), payload: { reasoning: '' } });
  const cut = head.length - '"}}'.length;
  const padding = 'x'.repeat(GIANT_FRAME_BYTES - Buffer.byteLength(head));
  return head.slice(0, cut) + padding + head.slice(cut);
}
