/**
 * One accepted socket, from the 101 to the close: the handshake faults, authentication, the ping
 * and the welcome, the heartbeat, client messages and agent runs. Every timer of a connection is
 * bound to its AbortSignal, so ending the connection releases them all.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocket, type RawData } from 'ws';
import { authenticate, rejectsSubprotocols, subprotocolGeneration, type AuthErrorCode, type AuthRequest, type VerifyKey } from './auth.ts';
import { isThirdGeneration, type FaultSet } from './faults.ts';
import {
  BAD_WELCOME_TEXT,
  MAX_MESSAGE_SIZE_BYTES,
  ackFrame,
  agentEventFrame,
  errorFrame,
  errorMessageFrame,
  giantFrameText,
  handshakeCompleteFrame,
  handshakeResponseFrame,
  heartbeatAckFrame,
  heartbeatFrame,
  pingFrame,
  pongFrame,
  statusUpdateFrame,
  unknownShapeFrame,
  welcomeNewFrame,
  welcomeOldFrame,
  wrongWelcomeFrame,
  SUB_AGENT_NAMES,
  TOP_AGENT_NAME_THIRD,
  AGENT_NAME,
  type AgentRef,
  type Frame,
  type ProposedSession,
  type Envelope,
  type RunContext,
} from './frames.ts';
import type { ActiveRuns } from './active-runs.ts';
import type { ChatOutcome, MutableConnectionRecord } from './records.ts';
import { planRun, subAgentCount, type ExtraFrame } from './script.ts';

/** What a connection needs from its server. */
export interface ConnectionDeps {
  /** The HS256 secret, or the public key of RS256/ES256 tokens. */
  readonly verifyKey: VerifyKey;
  readonly heartbeatIntervalMs: number;
  readonly eventDelayMs: number;
  readonly log: (line: string) => void;
  /** Epoch milliseconds. */
  readonly now: () => number;
  /** The server's runs in progress (fault `leak_events`); without it nothing leaks. */
  readonly activeRuns?: ActiveRuns;
}

/** Something the server can end at once. */
export interface Terminable {
  terminate(): void;
}

/** Client message types that start an agent run with their text in `content`, `text` or `message`. */
export const CHAT_MESSAGE_TYPES: readonly string[] = ['user_message', 'chat', 'message', 'user', 'user_input', 'chat_message'];
/** Wait between the auth error frame and the 1008 (protocol.md, "Authentication"). */
export const AUTH_CLOSE_DELAY_MS = 100;
/** How long `pong_required` waits for the client's pong. */
export const PONG_TIMEOUT_MS = 2000;
/**
 * Third generation: time from `handshake_complete` to the processing phase, when `processing_delay_ms`
 * is not given. The official client waits 500 ms (protocol.md, "Third generation").
 */
export const PROCESSING_DELAY_MS = 100;
/** Client frames the third generation reads before its processing phase; everything else is dropped silently. */
const CONTROL_MESSAGE_TYPES: readonly string[] = ['ping', 'pong', 'heartbeat', 'handshake_acknowledged'];

const AUTH_ERROR_TEXT: Readonly<Record<AuthErrorCode, string>> = {
  NO_TOKEN: 'Authentication token required',
  VALIDATION_FAILED: 'Invalid or expired token',
  AUTH_FAILED: 'Invalid or expired token',
};

type State = 'handshake' | 'open' | 'refused' | 'closing' | 'ended';

type ClientMessage = { readonly kind: 'invalid_json' } | { readonly kind: 'json'; readonly value: unknown };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawToBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function firstString(...values: unknown[]): string | null {
  for (const v of values) if (typeof v === 'string') return v;
  return null;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/** The text of a chat message: `payload.content|text|message` (flat without a payload), `user_request` for `start_agent`. */
function chatText(msg: Record<string, unknown>, payload: Record<string, unknown> | null): string {
  if (msg['type'] === 'start_agent') return firstString(payload?.['user_request'], msg['user_request']) ?? '';
  const text = payload ? firstString(payload['content'], payload['text'], payload['message']) : firstString(msg['content'], msg['text'], msg['message']);
  return text ?? '';
}

/** Reads a client frame; the type is recorded even when the frame is not acted on. */
function parseClientMessage(text: string): ClientMessage {
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'invalid_json' };
  }
}

/**
 * A `/ws` or `/websocket` connection.
 *
 * In the third generation ({@link isThirdGeneration}; protocol.md, "Third generation") the wire
 * exchange after authentication is, with no pause unless a fault adds one:
 * `ping`, the welcome (`connection_established`), `handshake_response` (before the welcome under
 * `handshake_first`; never under `handshake_missing`); on the first `handshake_acknowledged` with
 * the proposed `thread_id`, `{"type":"handshake_complete"}` at once, then the processing phase
 * {@link PROCESSING_DELAY_MS} later (`processing_delay_ms`). Before that phase only `ping`, `pong`,
 * `heartbeat` and `handshake_acknowledged` are read; anything else is dropped without an answer.
 * In the processing phase a chat message whose `payload.thread_id` (or flat `thread_id`) is not the
 * proposed thread gets no answer either. A run's events all carry the proposed `thread_id`; the
 * top-level agent's events carry the handshake's `run_id` (without a handshake: the message's
 * `payload.run_id`, else a fresh one), so the run ends at the `agent_completed` (or
 * `agent_timeout_failure`) whose `run_id` is the handshake's. Every chat message is recorded with
 * what became of it (`ConnectionRecord.chatMessages`).
 */
export class AgentConnection implements Terminable {
  readonly #ws: WebSocket;
  readonly #record: MutableConnectionRecord;
  readonly #faults: FaultSet;
  /** Chat messages that started (or, under `burst_drop`, were dropped instead of starting) a run. */
  #chatMessages = 0;
  readonly #authRequest: AuthRequest;
  readonly #deps: ConnectionDeps;
  readonly #onEnd: () => void;
  readonly #abort = new AbortController();
  readonly #queued: ClientMessage[] = [];
  #state: State = 'handshake';
  #heartbeat: NodeJS.Timeout | null = null;
  #onPong: (() => void) | null = null;
  #connectionId = '';
  /** Third generation: the session `handshake_response` proposed; null before it and in earlier generations. */
  #session: ProposedSession | null = null;
  /** Whether chat messages are read: at once in earlier generations, from the processing phase in the third. */
  #processing = true;

  constructor(
    ws: WebSocket,
    record: MutableConnectionRecord,
    faults: FaultSet,
    authRequest: AuthRequest,
    deps: ConnectionDeps,
    onEnd: () => void,
  ) {
    this.#ws = ws;
    this.#record = record;
    this.#faults = faults;
    this.#authRequest = authRequest;
    this.#deps = deps;
    this.#onEnd = onEnd;
  }

  /** Wires the socket's events and runs the handshake. */
  start(): void {
    this.#ws.on('message', (data) => this.#receive(data));
    this.#ws.on('close', (code, reason) => {
      this.#log(`closed ${code} ${reason.toString()}`);
      this.#end();
    });
    this.#ws.on('error', (err) => this.#log(`socket error: ${err.message}`));
    this.#handshake().catch((err: unknown) => this.#crash(err));
  }

  /** Ends the connection now: timers cleared, socket destroyed without a close frame. */
  terminate(): void {
    this.#end();
    this.#ws.terminate();
  }

  get #ended(): boolean {
    return this.#state === 'ended';
  }

  #log(line: string): void {
    this.#deps.log(`#${this.#record.id} ${line}`);
  }

  #end(): void {
    if (this.#ended) return;
    this.#state = 'ended';
    this.#abort.abort();
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
    this.#onPong = null;
    this.#onEnd();
  }

  #crash(err: unknown): void {
    this.#log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    this.#close(1011, 'Internal error');
  }

  #close(code: number, reason: string): void {
    if (this.#ended) return;
    this.#state = 'closing';
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(code, reason);
    else this.terminate();
  }

  async #sleep(ms: number): Promise<boolean> {
    try {
      await delay(ms, undefined, { signal: this.#abort.signal });
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves once the frame is handed to the kernel, or at once if the socket is no longer open. */
  #sendText(text: string): Promise<void> {
    if (this.#ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => resolve();
      this.#abort.signal.addEventListener('abort', onAbort, { once: true });
      this.#ws.send(text, (err) => {
        this.#abort.signal.removeEventListener('abort', onAbort);
        if (err) this.#log(`send failed: ${err.message}`);
        resolve();
      });
    });
  }

  #send(frame: Frame): Promise<void> {
    return this.#sendText(JSON.stringify(frame));
  }

  async #handshake(): Promise<void> {
    const faults = this.#faults;
    if (faults.drop_socket_handshake === true) {
      this.#log('fault drop_socket_handshake');
      this.terminate();
      return;
    }
    if (faults.close_1011_handshake === true) {
      this.#close(1011, 'Factory SSOT validation failed');
      return;
    }
    if (rejectsSubprotocols(this.#record.offeredSubprotocols, subprotocolGeneration(faults))) {
      this.#close(1003, 'Unsupported subprotocol');
      return;
    }

    const auth = await authenticate(this.#authRequest, faults, this.#deps.verifyKey);
    if (this.#ended) return;
    this.#record.authOk = auth.ok;
    this.#record.tokenSource = auth.source;
    if (!auth.ok) {
      this.#log(`auth failed (${auth.code}): ${auth.detail}`);
      this.#state = 'refused';
      await this.#send(errorMessageFrame(auth.code, AUTH_ERROR_TEXT[auth.code], this.#deps.now()));
      if (await this.#sleep(AUTH_CLOSE_DELAY_MS)) this.#close(1008, 'Authentication failed');
      return;
    }
    this.#record.userId = auth.userId;
    this.#record.claims = auth.claims;
    this.#record.environment = auth.environment;
    this.#log(`authenticated ${auth.userId} via ${auth.source ?? 'none'}${auth.bypassed ? ' (test bypass)' : ''}`);

    const third = isThirdGeneration(faults);
    const welcomeNew = faults.welcome === 'new' || (faults.welcome === undefined && third);
    this.#connectionId = third && faults.welcome === undefined ? `ws_conn_${hex(8)}` : welcomeNew ? `main_${hex(8)}` : `ws_ref_${Math.floor(this.#deps.now() / 1000)}_${hex(4)}`;
    if (third && faults.handshake_missing !== true) {
      this.#session = { threadId: `thread_ref_${hex(6)}`, runId: `run_${hex(6)}`, requestId: `req_${hex(6)}`, sessionToken: randomBytes(24).toString('base64url') };
      this.#record.handshake = { ...this.#session, acknowledgedThreadId: null, completed: false, processing: false };
      this.#processing = false;
    }
    await this.#send(pingFrame(this.#deps.now()));
    if (this.#ended) return;
    const pongWait = faults.pong_required === true ? this.#waitForPong(PONG_TIMEOUT_MS) : null;
    this.#heartbeat = setInterval(() => void this.#send(pingFrame(this.#deps.now())), this.#deps.heartbeatIntervalMs);
    this.#state = 'open';
    for (const message of this.#queued.splice(0)) this.#handle(message);
    if (faults.handshake_first === true) await this.#proposeSession();

    if (pongWait !== null && !(await pongWait)) {
      if (!this.#ended) this.#close(1008, 'Heartbeat timeout');
      return;
    }
    if (faults.welcome_delay_ms !== undefined && !(await this.#sleep(faults.welcome_delay_ms))) return;
    if (this.#ended || this.#state !== 'open') return;
    if (faults.no_welcome === true) return;
    if (faults.bad_welcome === true) {
      await this.#sendText(BAD_WELCOME_TEXT);
      return;
    }
    if (faults.wrong_welcome === true) {
      await this.#send(wrongWelcomeFrame());
      return;
    }
    const now = this.#deps.now();
    await this.#send(
      welcomeNew
        ? welcomeNewFrame(this.#connectionId, auth.userId, now)
        : welcomeOldFrame(this.#connectionId, auth.userId, this.#deps.heartbeatIntervalMs / 1000, now),
    );
    if (faults.handshake_first !== true) await this.#proposeSession();
  }

  /** Third generation: sends `handshake_response` (once; nothing in earlier generations). */
  async #proposeSession(): Promise<void> {
    if (this.#session === null || this.#ended || this.#state !== 'open') return;
    this.#log(`handshake: proposing thread ${this.#session.threadId}`);
    await this.#send(handshakeResponseFrame(this.#session, this.#deps.now()));
  }

  /**
   * Third generation: a `handshake_acknowledged`. Only the first one counts; with the proposed
   * thread id it gets `handshake_complete` (unless `handshake_incomplete`) and, after the
   * processing delay, the processing phase; with another id nothing happens.
   */
  async #acknowledge(threadId: string | null): Promise<void> {
    const handshake = this.#record.handshake;
    if (this.#session === null || handshake === null || handshake.acknowledgedThreadId !== null) return;
    handshake.acknowledgedThreadId = threadId ?? '';
    if (threadId !== this.#session.threadId) {
      this.#log(`handshake: acknowledged thread ${String(threadId)}, not ${this.#session.threadId}; the handshake never completes`);
      return;
    }
    if (this.#faults.handshake_incomplete === true) {
      this.#log('fault handshake_incomplete: no handshake_complete');
      return;
    }
    await this.#send(handshakeCompleteFrame());
    handshake.completed = true;
    if (!(await this.#sleep(this.#faults.processing_delay_ms ?? PROCESSING_DELAY_MS))) return;
    this.#processing = true;
    handshake.processing = true;
    this.#log('processing phase: chat messages are read from now on');
  }

  /** Resolves true on the client's next pong, false after `timeoutMs` or when the connection ends. */
  #waitForPong(timeoutMs: number): Promise<boolean> {
    const stop = new AbortController();
    const signal = AbortSignal.any([this.#abort.signal, stop.signal]);
    const pong = new Promise<boolean>((resolve) => {
      this.#onPong = () => resolve(true);
    });
    const timeout = delay(timeoutMs, false, { signal }).catch(() => false);
    return Promise.race([pong, timeout]).finally(() => {
      stop.abort();
      this.#onPong = null;
    });
  }

  #receive(data: RawData): void {
    if (this.#ended) return;
    const bytes = rawToBuffer(data);
    if (bytes.length > MAX_MESSAGE_SIZE_BYTES) {
      if (this.#faults.hygiene_1011 === true) {
        this.#log(`fault hygiene_1011: a ${bytes.length}-byte message`);
        this.#close(1011, 'Internal error');
      } else if (this.#faults.oversize_1009 === true) {
        this.#log(`fault oversize_1009: a ${bytes.length}-byte message`);
        this.#close(1009, 'Message too big');
      } else this.#log(`dropped a ${bytes.length}-byte message (max_message_size ${MAX_MESSAGE_SIZE_BYTES})`);
      return;
    }
    const message = parseClientMessage(bytes.toString('utf8'));
    if (message.kind === 'json' && isRecord(message.value) && typeof message.value['type'] === 'string') {
      this.#record.messagesReceived.push(message.value['type']);
    }
    if (this.#state === 'handshake') this.#queued.push(message);
    else if (this.#state === 'open') this.#handle(message);
  }

  #handle(message: ClientMessage): void {
    const now = this.#deps.now();
    if (message.kind === 'invalid_json' && !this.#processing) return;
    if (message.kind === 'invalid_json') {
      if (this.#faults.hygiene_1011 === true) this.#close(1011, 'Internal error');
      else if (this.#faults.hygiene_events === true) this.#startRun('', null);
      else void this.#send(errorMessageFrame('FORMAT_ERROR', 'Invalid JSON message', now));
      return;
    }
    const msg = message.value;
    if (!this.#processing && !(isRecord(msg) && typeof msg['type'] === 'string' && CONTROL_MESSAGE_TYPES.includes(msg['type']))) {
      if (isRecord(msg) && typeof msg['type'] === 'string' && (CHAT_MESSAGE_TYPES.includes(msg['type']) || msg['type'] === 'start_agent')) {
        this.#recordChat(msg, 'before_processing');
        this.#log(`dropped a ${msg['type']} that arrived before the processing phase`);
      }
      return;
    }
    if (!isRecord(msg) || typeof msg['type'] !== 'string') {
      void this.#send(errorMessageFrame('FORMAT_ERROR', 'Message must be a JSON object with a string "type"', now));
      return;
    }
    const type = msg['type'];
    const payload = isRecord(msg['payload']) ? msg['payload'] : null;
    if (type === 'pong') {
      this.#record.pongsReceived++;
      this.#onPong?.();
    } else if (type === 'ping') {
      void this.#send(pongFrame(now));
    } else if (type === 'heartbeat') {
      void this.#send(heartbeatAckFrame(now));
    } else if (type === 'handshake_acknowledged' && this.#session !== null) {
      this.#acknowledge(firstString(msg['thread_id'], payload?.['thread_id'])).catch((err: unknown) => this.#crash(err));
    } else if (CHAT_MESSAGE_TYPES.includes(type) || type === 'start_agent') {
      const threadId = firstString(payload?.['thread_id'], msg['thread_id']);
      if (this.#session !== null && threadId !== this.#session.threadId) {
        this.#recordChat(msg, 'wrong_thread');
        this.#log(`no events for a ${type} on thread ${String(threadId)}: the proposed thread is ${this.#session.threadId}`);
        return;
      }
      this.#recordChat(msg, this.#startRun(chatText(msg, payload), threadId, firstString(payload?.['run_id'], msg['run_id'])));
    } else {
      void this.#send(ackFrame(type, now));
    }
  }

  #recordChat(msg: Record<string, unknown>, outcome: ChatOutcome): void {
    const payload = isRecord(msg['payload']) ? msg['payload'] : null;
    this.#record.chatMessages.push({
      type: typeof msg['type'] === 'string' ? msg['type'] : '',
      threadId: firstString(payload?.['thread_id'], msg['thread_id']),
      runId: firstString(payload?.['run_id'], msg['run_id']),
      text: chatText(msg, payload),
      outcome,
    });
  }

  /** The agents of a run: the top-level one with `runId`, then the sub-agents `sub_agents` asks for. */
  #agentsOf(runId: string): AgentRef[] {
    const third = isThirdGeneration(this.#faults);
    const agents: AgentRef[] = [{ name: third ? TOP_AGENT_NAME_THIRD : AGENT_NAME, runId }];
    for (let i = 1; i <= subAgentCount(this.#faults); i++) agents.push({ name: SUB_AGENT_NAMES[i - 1] ?? `sub_agent_${i}`, runId: `run_${hex(6)}` });
    return agents;
  }

  /** Starts an agent run, or says why none started. */
  #startRun(text: string, threadId: string | null, clientRunId: string | null = null): ChatOutcome {
    const runId = this.#session?.runId ?? (isThirdGeneration(this.#faults) ? clientRunId : null) ?? `run_${hex(6)}`;
    const ctx: RunContext = {
      runId,
      agents: this.#agentsOf(runId),
      threadId: threadId ?? `thread_${hex(6)}`,
      userId: this.#record.userId ?? '',
      requestId: `req_${hex(6)}`,
      text,
      startedAtMs: this.#deps.now(),
      toolStartedAtMs: null,
    };
    this.#log(`run ${ctx.runId} thread ${ctx.threadId}`);
    if (++this.#chatMessages === this.#faults.burst_drop) {
      this.#log(`fault burst_drop: chat message ${this.#chatMessages} (run ${ctx.runId}) is ignored`);
      return 'ignored';
    }
    if (this.#faults.silent_agent === true) {
      this.#log(`fault silent_agent: run ${ctx.runId} never starts`);
      return 'ignored';
    }
    this.#deps.activeRuns?.add(this.#record.id, ctx);
    this.#run(ctx)
      .catch((err: unknown) => this.#crash(err))
      .finally(() => this.#deps.activeRuns?.delete(ctx));
    return 'run';
  }

  /** Fault `leak_events`: the oldest run in progress on another connection leaks its agent_thinking here. */
  #leakOtherRun(envelope: Envelope): Promise<void> {
    const other = this.#deps.activeRuns?.otherThan(this.#record.id) ?? null;
    if (other === null) return Promise.resolve();
    this.#log(`fault leak_events: sending agent_thinking of ${other.runId}`);
    return this.#send(agentEventFrame({ event: 'agent_thinking', step: 1 }, envelope, other, this.#deps.now()));
  }

  async #run(ctx: RunContext): Promise<void> {
    const steps = planRun(this.#faults, this.#faults.delay_ms ?? this.#deps.eventDelayMs);
    const envelope = this.#faults.envelope ?? 'payload';
    for (const step of steps) {
      if (this.#state !== 'open') return;
      switch (step.kind) {
        case 'pause':
          if (!(await this.#sleep(step.ms))) return;
          break;
        case 'event': {
          const now = this.#deps.now();
          if (step.event.event === 'tool_executing') ctx.toolStartedAtMs = now;
          const frame = agentEventFrame(step.event, envelope, ctx, now);
          if (step.event.event === 'agent_completed' && !('agent' in step.event) && this.#faults.duplicate_completion === true) void this.#send(frame);
          await this.#send(frame);
          if (step.event.event === 'agent_started' && !('agent' in step.event) && this.#faults.leak_events === true) await this.#leakOtherRun(envelope);
          break;
        }
        case 'extra':
          await this.#sendExtra(step.frame, ctx);
          break;
        case 'close':
          this.#close(step.code, step.reason);
          return;
        case 'drop':
          this.#log(`run ${ctx.runId}: dropping the socket`);
          this.terminate();
          return;
      }
    }
  }

  #sendExtra(frame: ExtraFrame, ctx: RunContext): Promise<void> {
    const now = this.#deps.now();
    switch (frame) {
      case 'ack':
        return this.#send(ackFrame('user_message', now));
      case 'heartbeat':
        return this.#send(heartbeatFrame(this.#connectionId, now));
      case 'ping':
        return this.#send(pingFrame(now));
      case 'pong':
        return this.#send(pongFrame(now));
      case 'status_update':
        return this.#send(statusUpdateFrame(ctx, now));
      case 'unknown_shape':
        return this.#send(unknownShapeFrame(ctx));
      case 'giant':
        return this.#sendText(giantFrameText(ctx, now));
      case 'error':
        return this.#send(errorFrame());
    }
  }
}

/** The unauthenticated `/ws/test` socket: `{"type":"ping"}` gets `{"type":"pong"}`, anything else is echoed. */
export function serveEcho(ws: WebSocket, record: MutableConnectionRecord, deps: ConnectionDeps, onEnd: () => void): Terminable {
  ws.on('message', (data, isBinary) => {
    const bytes = rawToBuffer(data);
    const message = parseClientMessage(bytes.toString('utf8'));
    if (message.kind === 'json' && isRecord(message.value) && typeof message.value['type'] === 'string') {
      record.messagesReceived.push(message.value['type']);
      if (message.value['type'] === 'ping') {
        ws.send(JSON.stringify(pongFrame(deps.now())));
        return;
      }
      if (message.value['type'] === 'pong') record.pongsReceived++;
    }
    ws.send(bytes, { binary: isBinary });
  });
  ws.on('close', onEnd);
  ws.on('error', (err) => deps.log(`#${record.id} echo socket error: ${err.message}`));
  return { terminate: () => ws.terminate() };
}
