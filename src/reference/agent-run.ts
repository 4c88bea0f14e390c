/**
 * One agent run on a connection: who takes part (the top-level agent and the sub-agents
 * `sub_agents` asks for), then the planned steps (script.ts) played in order on the wire: events,
 * pauses, the extra frames of `extra_frames`, and the close or drop a fault asks for.
 */
import { randomBytes } from 'node:crypto';
import type { ActiveRuns } from './active-runs.ts';
import { isThirdGeneration, type FaultSet } from './faults.ts';
import { ackFrame, errorFrame, heartbeatFrame, pingFrame, pongFrame } from './frames.ts';
import {
  AGENT_NAME,
  SUB_AGENT_NAMES,
  TOP_AGENT_NAME_THIRD,
  agentEventFrame,
  giantFrameText,
  statusUpdateFrame,
  unknownShapeFrame,
  type AgentRef,
  type Envelope,
  type RunContext,
} from './event-frames.ts';
import type { ChatOutcome } from './records.ts';
import { planRun, subAgentCount, type ExtraFrame } from './script.ts';
import type { Wire } from './wire.ts';

/** The connection a run plays on. */
export interface RunHost extends Wire {
  /** Whether the connection still plays runs (open: not refused, closing or ended). */
  isOpen(): boolean;
  /** Closes with a close frame (or terminates when the socket is no longer open). */
  close(code: number, reason: string): void;
  /** Drops the socket without a close frame. */
  terminate(): void;
  /** The welcome's connection id, which the newer server's heartbeat carries. */
  connectionId(): string;
  /** The connection's record id, so that `leak_events` picks another connection's run. */
  readonly recordId: number;
  readonly faults: FaultSet;
  /** Gap between events when `delay_ms` is not given. */
  readonly eventDelayMs: number;
  readonly activeRuns: ActiveRuns | undefined;
  /** Ends the connection with 1011 after an unexpected error in a run. */
  crash(err: unknown): void;
}

/** What a chat message asks of a run. */
export interface RunRequest {
  readonly text: string;
  /** The message's thread id; null for a fresh one. */
  readonly threadId: string | null;
  /** The message's `run_id` (used in the third generation without a handshake). */
  readonly clientRunId: string | null;
  /** The handshake's run id, when a third-generation handshake proposed one. */
  readonly sessionRunId: string | null;
  readonly userId: string;
  readonly nowMs: number;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The agents of a run: the top-level one with `runId`, then the sub-agents `sub_agents` asks for. */
function agentsOf(faults: FaultSet, runId: string): AgentRef[] {
  const third = isThirdGeneration(faults);
  const agents: AgentRef[] = [{ name: third ? TOP_AGENT_NAME_THIRD : AGENT_NAME, runId }];
  for (let i = 1; i <= subAgentCount(faults); i++) agents.push({ name: SUB_AGENT_NAMES[i - 1] ?? `sub_agent_${i}`, runId: `run_${hex(6)}` });
  return agents;
}

/**
 * The context of a new run. Its run id is the handshake's, else (third generation) the message's,
 * else a fresh one.
 */
function newRunContext(faults: FaultSet, request: RunRequest): RunContext {
  const runId = request.sessionRunId ?? (isThirdGeneration(faults) ? request.clientRunId : null) ?? `run_${hex(6)}`;
  return {
    runId,
    agents: agentsOf(faults, runId),
    threadId: request.threadId ?? `thread_${hex(6)}`,
    userId: request.userId,
    requestId: `req_${hex(6)}`,
    text: request.text,
    startedAtMs: request.nowMs,
    toolStartedAtMs: null,
  };
}

/**
 * Starts a run for the connection's `chatIndex`-th chat message (1-based) in the background, or says
 * why none started: `burst_drop` ignores that message, `silent_agent` every message.
 */
export function startRun(host: RunHost, request: RunRequest, chatIndex: number): ChatOutcome {
  const ctx = newRunContext(host.faults, request);
  host.log(`run ${ctx.runId} thread ${ctx.threadId}`);
  if (chatIndex === host.faults.burst_drop) {
    host.log(`fault burst_drop: chat message ${chatIndex} (run ${ctx.runId}) is ignored`);
    return 'ignored';
  }
  if (host.faults.silent_agent === true) {
    host.log(`fault silent_agent: run ${ctx.runId} never starts`);
    return 'ignored';
  }
  host.activeRuns?.add(host.recordId, ctx);
  playRun(host, ctx)
    .catch((err: unknown) => host.crash(err))
    .finally(() => host.activeRuns?.delete(ctx));
  return 'run';
}

/** Fault `leak_events`: the oldest run in progress on another connection leaks its agent_thinking here. */
function leakOtherRun(host: RunHost, envelope: Envelope): Promise<void> {
  const other = host.activeRuns?.otherThan(host.recordId) ?? null;
  if (other === null) return Promise.resolve();
  host.log(`fault leak_events: sending agent_thinking of ${other.runId}`);
  return host.send(agentEventFrame({ event: 'agent_thinking', step: 1 }, envelope, other, host.now()));
}

function sendExtra(host: RunHost, frame: ExtraFrame, ctx: RunContext): Promise<void> {
  const now = host.now();
  switch (frame) {
    case 'ack':
      return host.send(ackFrame('user_message', now));
    case 'heartbeat':
      return host.send(heartbeatFrame(host.connectionId(), now));
    case 'ping':
      return host.send(pingFrame(now));
    case 'pong':
      return host.send(pongFrame(now));
    case 'status_update':
      return host.send(statusUpdateFrame(ctx, now));
    case 'unknown_shape':
      return host.send(unknownShapeFrame(ctx));
    case 'giant':
      return host.sendText(giantFrameText(ctx, now));
    case 'error':
      return host.send(errorFrame());
  }
}

/** Plays a run's planned steps; returns when they are done or the connection stops playing runs. */
export async function playRun(host: RunHost, ctx: RunContext): Promise<void> {
  const faults = host.faults;
  const steps = planRun(faults, faults.delay_ms ?? host.eventDelayMs);
  const envelope = faults.envelope ?? 'payload';
  for (const step of steps) {
    if (!host.isOpen()) return;
    switch (step.kind) {
      case 'pause':
        if (!(await host.sleep(step.ms))) return;
        break;
      case 'event': {
        const now = host.now();
        if (step.event.event === 'tool_executing') ctx.toolStartedAtMs = now;
        const frame = agentEventFrame(step.event, envelope, ctx, now);
        if (step.event.event === 'agent_completed' && !('agent' in step.event) && faults.duplicate_completion === true) void host.send(frame);
        await host.send(frame);
        if (step.event.event === 'agent_started' && !('agent' in step.event) && faults.leak_events === true) await leakOtherRun(host, envelope);
        break;
      }
      case 'extra':
        await sendExtra(host, step.frame, ctx);
        break;
      case 'close':
        host.close(step.code, step.reason);
        return;
      case 'drop':
        host.log(`run ${ctx.runId}: dropping the socket`);
        host.terminate();
        return;
    }
  }
}
