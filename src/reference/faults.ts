/**
 * Fault injection for the reference backend: the fault table, the spec parser and the typed
 * {@link FaultSet} the behaviour code reads. Adding a fault is one line in `FAULT_DEFS` plus one
 * place in the behaviour code (upgrade routing in server.ts, the handshake in connection.ts, the
 * agent run in script.ts).
 */

/** The agent events of one run, in golden-path order, plus the failure event (protocol.md, "The five agent events"). */
export const AGENT_EVENTS = [
  'agent_started',
  'agent_thinking',
  'tool_executing',
  'tool_completed',
  'agent_completed',
  'agent_error',
] as const;
export type AgentEventName = (typeof AGENT_EVENTS)[number];

/** What a fault's value parser returns: the value, or what it expected instead. */
type ParseOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

interface FaultDef<T> {
  /** One line for `--help` and the README. */
  readonly description: string;
  /** The placeholder shown after `=`, or null for a flag that takes no value. */
  readonly arg: string | null;
  readonly parse: (raw: string) => ParseOutcome<T>;
}

/** `close_code_after=CODE@N`: close with `code` after `after` agent events. */
export interface CloseAfter {
  readonly code: number;
  readonly after: number;
}

const MAX_COUNT = 1_000_000;
/** The largest delay `setTimeout` honours (2^31 - 1 ms). */
const MAX_MS = 2_147_483_647;

function parseInteger(raw: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(raw)) return null;
  const n = Number(raw);
  return n >= min && n <= max ? n : null;
}

/** Close codes `ws` lets a server send (RFC 6455 §7.4.1, §7.4.2). */
function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function flag(description: string): FaultDef<true> {
  return { description, arg: null, parse: () => ({ ok: true, value: true }) };
}

function count(description: string): FaultDef<number> {
  return {
    description,
    arg: 'N',
    parse: (raw) => {
      const n = parseInteger(raw, 0, MAX_COUNT);
      return n === null ? { ok: false, expected: `an integer from 0 to ${MAX_COUNT}` } : { ok: true, value: n };
    },
  };
}

function millis(description: string): FaultDef<number> {
  return {
    description,
    arg: 'MS',
    parse: (raw) => {
      const n = parseInteger(raw, 0, MAX_MS);
      return n === null ? { ok: false, expected: `an integer from 0 to ${MAX_MS} (milliseconds)` } : { ok: true, value: n };
    },
  };
}

function oneOf<const T extends readonly string[]>(values: T, description: string): FaultDef<T[number]> {
  return {
    description,
    arg: values.join('|'),
    parse: (raw) =>
      values.includes(raw) ? { ok: true, value: raw as T[number] } : { ok: false, expected: `one of ${values.join(', ')}` },
  };
}

function statusOneOf<const T extends readonly number[]>(allowed: T, description: string): FaultDef<T[number]> {
  return {
    description,
    arg: allowed.join('|'),
    parse: (raw) => {
      const n = parseInteger(raw, 100, 599);
      return n !== null && allowed.includes(n) ? { ok: true, value: n as T[number] } : { ok: false, expected: `one of ${allowed.join(', ')}` };
    },
  };
}

function statusIn(min: number, max: number, description: string): FaultDef<number> {
  return {
    description,
    arg: 'CODE',
    parse: (raw) => {
      const n = parseInteger(raw, min, max);
      return n === null ? { ok: false, expected: `an HTTP status from ${min} to ${max}` } : { ok: true, value: n };
    },
  };
}

function closeAfter(description: string): FaultDef<CloseAfter> {
  return {
    description,
    arg: 'CODE@N',
    parse: (raw) => {
      const match = /^(\d+)@(\d+)$/.exec(raw);
      const code = match?.[1] === undefined ? null : parseInteger(match[1], 1000, 4999);
      const after = match?.[2] === undefined ? null : parseInteger(match[2], 0, MAX_COUNT);
      if (code === null || after === null || !isSendableCloseCode(code)) {
        return { ok: false, expected: 'CODE@N with a sendable close code (1000-1003, 1007-1014, 3000-4999) and N from 0' };
      }
      return { ok: true, value: { code, after } };
    },
  };
}

/** The fault table. Order is the order of `--help`, the README and {@link formatFaults}. */
const FAULT_DEFS = {
  upgrade_hang: flag('Never answer the upgrade request; the socket is held until close().'),
  upgrade_status: statusIn(200, 599, 'Refuse the upgrade with this HTTP status (503 answers {"status":"unhealthy","message":"Startup in progress"}).'),
  auth_http: statusOneOf([401, 403] as const, 'Refuse the upgrade with HTTP 401 or 403, as a gateway in front of the backend would.'),
  subprotocol: oneOf(['old', 'new', 'third'] as const, 'Subprotocol generation: old selects jwt-auth; new echoes the jwt.<token> entry, takes raw tokens and closes 1003 on unsupported offers; third (the default under lifecycle) also takes jwt.<env>.<token>, jwt-auth.[<env>.]<token>, bearer.[<env>.]<token> and staging-auth.<token>.'),
  drop_socket_handshake: flag('Destroy the TCP socket right after the 101, without a close frame (client sees 1006).'),
  close_1011_handshake: flag('Right after the 101, before ping and welcome, close 1011 "Factory SSOT validation failed".'),
  storm_1011: count('Fail upgrades beyond the first N of a burst (each within 250 ms of the one before) as close_1011_handshake does: the Cloud Run race.'),
  auth_frame: flag('Reject every token the backend way: 101, error_message AUTH_FAILED, ~100 ms, close 1008 "Authentication failed".'),
  test_bypass: flag('Let upgrades carrying test headers (X-Test-Type, X-Test-Mode, X-E2E-Test, ...) in without checking the token signature.'),
  accept_expired: flag('Accept tokens whose exp has passed (the expiry check is skipped; iat must still be within 24 h).'),
  pong_required: flag('Hold the welcome until the client answers the first ping with {"type":"pong"}; close 1008 "Heartbeat timeout" after 2000 ms.'),
  welcome_delay_ms: millis('Wait this long (server start-up) between the first ping and the welcome.'),
  no_welcome: flag('Send the first ping but never the welcome.'),
  bad_welcome: flag('Send invalid JSON instead of the welcome.'),
  wrong_welcome: flag('Send {"type":"hello"} instead of the welcome.'),
  welcome: oneOf(['old', 'new'] as const, 'Welcome shape: old is system_message/connection_established, new is type connection_established.'),
  envelope: oneOf(['payload', 'data', 'flat', 'system_message'] as const, 'Agent event envelope: payload (A), data (B), flat (all top level) or system_message wrappers.'),
  delay_ms: millis('Gap between agent events (overrides the eventDelayMs option).'),
  error_frame: flag('Answer a chat message with {"type":"error","message":"Agent execution failed"} only; the socket stays open.'),
  error_frame_1011: flag('Answer a chat message with the error frame, then ~20 ms later close 1011 "Internal error".'),
  reorder: flag('Send tool_executing before agent_thinking.'),
  repeat: flag('Send agent_thinking several times and two tool_executing/tool_completed pairs (still a valid order).'),
  drop_event: oneOf(AGENT_EVENTS, 'Never send this agent event.'),
  extra_frames: flag('Interleave ack, heartbeat, ping, pong and an unknown status_update frame between agent events.'),
  unknown_shape: flag('After agent_started send one JSON frame without a type field ({"kind":"mystery",...}).'),
  giant_frame: flag('After agent_started send one 2 MiB text frame (an agent_thinking with a huge reasoning).'),
  agent_error: flag('After agent_started and agent_thinking send agent_error and stop; the socket stays open.'),
  completed_error: flag('Send agent_completed with payload status "error".'),
  close_1000_early: flag('After agent_started close 1000 "Normal closure".'),
  close_1011_after: count('After N agent events close 1011 "Internal error".'),
  close_code_after: closeAfter('After N agent events close with CODE (reason "Injected close").'),
  drop_socket_after: count('After N agent events destroy the TCP socket without a close frame (client sees 1006).'),
  stall_after: count('Send N agent events, then nothing more; the socket stays open and heartbeats continue.'),
  leak_events: flag("When a run starts while another connection's run is active, also send it that run's agent_thinking (with that run's ids) after its own agent_started."),
  silent_agent: flag('Accept chat messages but never run the agent: no event, no error, the socket stays open (health stays healthy).'),
  hygiene_1011: flag('Close 1011 "Internal error" on invalid JSON or on a message over max_message_size (8192 bytes).'),
  hygiene_events: flag('Answer invalid JSON with an agent run (its agent events) instead of the FORMAT_ERROR error_message.'),
  oversize_1009: flag('Close 1009 "Message too big" on a message over max_message_size (8192 bytes) instead of dropping it silently.'),
  burst_drop: count('Silently ignore the N-th chat message of a connection (1-based): no event, no error, the other messages are answered.'),
  duplicate_completion: flag('Send agent_completed twice, back to back, for every run.'),
  lifecycle: flag('Third generation (October 2025): after the welcome, handshake_response proposes a thread; chat messages are read only after handshake_acknowledged, handshake_complete and the processing phase, and only with that thread id.'),
  handshake_missing: flag('Third generation without the handshake: no handshake_response, chat messages are read right after the welcome as in earlier generations (implies lifecycle).'),
  handshake_first: flag('Send handshake_response before the welcome (implies lifecycle).'),
  handshake_incomplete: flag('Never send handshake_complete and never reach the processing phase: every chat message is dropped (implies lifecycle).'),
  processing_delay_ms: millis('Time from handshake_complete to the processing phase (default 100 ms); chat messages before it are silently dropped (implies lifecycle).'),
  sub_agents: count('Start N sub-agents (agent_started, agent_completed each, own agent_name and run_id) inside the run; default 3 in the third generation, 0 before.'),
  no_tools: flag('Send no tool_executing/tool_completed: the agent ran no tool.'),
  chunking: flag('Stream the answer as a long-document request does: thread_ready_for_chunks, two chunk_response_immediate and agent_aggregation_complete inside the run.'),
  timeout_warning: flag('Send agent_timeout_warning (elapsed 96 s of 120 s, 24 s left) before the completion.'),
  timeout_failure: flag('End the run with agent_timeout_failure (120 s, final_status TIMEOUT) instead of the completion.'),
  health: oneOf(['starting', 'unhealthy'] as const, 'Server-wide: /health, /health/ready and /health/startup answer 503 {"status":"unhealthy","message":"Startup in progress"} (starting) or 503 {"status":"unhealthy"}; the agent still works.'),
} as const;

/**
 * True when a connection speaks the third generation (protocol.md, "Third generation"): `lifecycle`
 * or any fault that implies it.
 */
export function isThirdGeneration(faults: FaultSet): boolean {
  return (
    faults.lifecycle === true ||
    faults.handshake_missing === true ||
    faults.handshake_first === true ||
    faults.handshake_incomplete === true ||
    faults.processing_delay_ms !== undefined
  );
}

/** The name of every fault the reference backend can inject. */
export type FaultName = keyof typeof FAULT_DEFS;

/** The value type of one fault: `true` for flags, a number, an enumeration member, or {@link CloseAfter}. */
export type FaultValue<K extends FaultName> = (typeof FAULT_DEFS)[K] extends FaultDef<infer T> ? T : never;

/** A parsed fault spec. A missing key means the fault is off (or, for generations, the default). */
export type FaultSet = { readonly [K in FaultName]?: FaultValue<K> };

/** Every fault name, in table order. */
export const FAULT_NAMES: readonly FaultName[] = Object.freeze(Object.keys(FAULT_DEFS) as FaultName[]);

/** Each fault with its one-line description (for the CLI's `--help` and the README). */
export const FAULTS: Readonly<Record<FaultName, string>> = Object.freeze(
  Object.fromEntries(FAULT_NAMES.map((name) => [name, FAULT_DEFS[name].description])) as Record<FaultName, string>,
);

/** How each fault is written in a spec: `reorder`, `close_1011_after=N`, `envelope=payload|data|flat|system_message`. */
export const FAULT_SYNTAX: Readonly<Record<FaultName, string>> = Object.freeze(
  Object.fromEntries(
    FAULT_NAMES.map((name) => {
      const arg = FAULT_DEFS[name].arg;
      return [name, arg === null ? name : `${name}=${arg}`];
    }),
  ) as Record<FaultName, string>,
);

/** A fault spec that does not parse. `problems` lists every bad item, `message` joins them. */
export class FaultSpecError extends Error {
  /** Stable error code. */
  readonly code = 'FAULT_SPEC_INVALID';
  readonly spec: string;
  readonly problems: readonly string[];

  constructor(spec: string, problems: readonly string[]) {
    super(`Invalid fault spec "${spec}": ${problems.join('; ')}`);
    this.name = 'FaultSpecError';
    this.spec = spec;
    this.problems = problems;
  }
}

function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULT_DEFS, name);
}

/**
 * Parses a fault spec: comma-separated `name` or `name=value` items; blank items are ignored.
 * Collects every problem and throws one {@link FaultSpecError} naming each bad fault; an unknown
 * name lists the valid ones.
 */
export function parseFaults(spec: string): FaultSet {
  const out: Partial<Record<FaultName, unknown>> = {};
  const problems: string[] = [];
  for (const item of spec.split(',')) {
    const trimmed = item.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    const name = (eq === -1 ? trimmed : trimmed.slice(0, eq)).trim();
    const raw = eq === -1 ? null : trimmed.slice(eq + 1).trim();
    if (!isFaultName(name)) {
      problems.push(`unknown fault "${name}" (valid faults: ${FAULT_NAMES.join(', ')})`);
      continue;
    }
    if (Object.hasOwn(out, name)) {
      problems.push(`fault "${name}" is given more than once`);
      continue;
    }
    const def: FaultDef<unknown> = FAULT_DEFS[name];
    if (def.arg === null) {
      if (raw !== null) problems.push(`fault "${name}" takes no value, got "${trimmed}"`);
      else out[name] = true;
      continue;
    }
    if (raw === null || raw === '') {
      problems.push(`fault "${name}" needs a value: ${FAULT_SYNTAX[name]}`);
      continue;
    }
    const parsed = def.parse(raw);
    if (parsed.ok) out[name] = parsed.value;
    else problems.push(`fault "${name}" has a bad value "${raw}": expected ${parsed.expected}`);
  }
  if (problems.length > 0) throw new FaultSpecError(spec, problems);
  return Object.freeze(out) as FaultSet;
}

/** The per-connection set laid over the server-wide one: a fault in `over` replaces the same fault in `base`. */
export function mergeFaults(base: FaultSet, over: FaultSet): FaultSet {
  return Object.freeze({ ...base, ...over });
}

/** The canonical spec of a set, in table order; `parseFaults(formatFaults(s))` equals `s`. */
export function formatFaults(faults: FaultSet): string {
  const items: string[] = [];
  for (const name of FAULT_NAMES) {
    const value: unknown = faults[name];
    if (value === undefined) continue;
    if (value === true) items.push(name);
    else if (typeof value === 'object' && value !== null && 'code' in value && 'after' in value) {
      items.push(`${name}=${String(value.code)}@${String(value.after)}`);
    } else items.push(`${name}=${String(value)}`);
  }
  return items.join(',');
}
