/**
 * One accepted agent socket (`/ws`, `/websocket`), from the 101 to the close: the handshake
 * faults, authentication, the ping and the welcome, and the dispatch of client messages. The
 * socket's sends, sleeps and heartbeat are in wire.ts (bound to the connection's AbortSignal, so
 * ending the connection releases every timer), the third generation's lifecycle in lifecycle.ts,
 * agent runs in agent-run.ts, and reading client frames in client-messages.ts.
 */
import { randomBytes } from 'node:crypto';
import { WebSocket, type RawData } from 'ws';
import { startRun, type RunHost } from './agent-run.ts';
import { authenticate, rejectsSubprotocols, subprotocolGeneration, type AuthRequest } from './auth.ts';
import { chatRecord, chatText, CONTROL_MESSAGE_TYPES, firstString, isChatType, isRecord, parseClientMessage, rawToBuffer, type ClientMessage } from './client-messages.ts';
import { isThirdGeneration, type FaultSet } from './faults.ts';
import { MAX_MESSAGE_SIZE_BYTES, ackFrame, authErrorFrame, errorMessageFrame, heartbeatAckFrame, pingFrame, pongFrame } from './frames.ts';
import { ThirdGenerationLifecycle } from './lifecycle.ts';
import type { ChatOutcome, MutableConnectionRecord } from './records.ts';
import { usesNewWelcome, welcomeFor } from './welcome-frames.ts';
import { SocketWire, type ConnectionDeps, type Terminable } from './wire.ts';

/** Wait between the auth error frame and the 1008 (protocol.md, "Authentication"). */
export const AUTH_CLOSE_DELAY_MS = 100;
/** How long `pong_required` waits for the client's pong. */
export const PONG_TIMEOUT_MS = 2000;

type State = 'handshake' | 'open' | 'refused' | 'closing' | 'ended';

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

/**
 * A `/ws` or `/websocket` connection. In the third generation its wire exchange after
 * authentication follows {@link ThirdGenerationLifecycle}. Every chat message is recorded with what
 * became of it (`ConnectionRecord.chatMessages`).
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
  readonly #queued: ClientMessage[] = [];
  readonly #wire: SocketWire;
  readonly #host: RunHost;
  #state: State = 'handshake';
  #connectionId = '';
  /** Third generation: the handshake and processing phase; null before authentication and in earlier generations. */
  #lifecycle: ThirdGenerationLifecycle | null = null;

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
    const wire = new SocketWire(ws, deps, record.id);
    this.#wire = wire;
    this.#host = {
      send: (frame) => wire.send(frame),
      sendText: (text) => wire.sendText(text),
      sleep: (ms) => wire.sleep(ms),
      log: (line) => wire.log(line),
      now: () => wire.now(),
      isOpen: () => this.#state === 'open',
      close: (code, reason) => this.#close(code, reason),
      terminate: () => this.terminate(),
      connectionId: () => this.#connectionId,
      recordId: record.id,
      faults,
      eventDelayMs: deps.eventDelayMs,
      activeRuns: deps.activeRuns,
      crash: (err) => this.#crash(err),
    };
  }

  /** Wires the socket's events and runs the handshake. */
  start(): void {
    this.#ws.on('message', (data) => this.#receive(data));
    this.#ws.on('close', (code, reason) => {
      this.#wire.log(`closed ${code} ${reason.toString()}`);
      this.#end();
    });
    this.#ws.on('error', (err) => this.#wire.log(`socket error: ${err.message}`));
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

  #end(): void {
    if (this.#ended) return;
    this.#state = 'ended';
    this.#wire.release();
    this.#onEnd();
  }

  #crash(err: unknown): void {
    this.#wire.log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    this.#close(1011, 'Internal error');
  }

  #close(code: number, reason: string): void {
    if (this.#ended) return;
    this.#state = 'closing';
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(code, reason);
    else this.terminate();
  }

  async #handshake(): Promise<void> {
    const faults = this.#faults;
    if (faults.drop_socket_handshake === true) {
      this.#wire.log('fault drop_socket_handshake');
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
      this.#wire.log(`auth failed (${auth.code}): ${auth.detail}`);
      this.#state = 'refused';
      await this.#wire.send(authErrorFrame(auth.code, this.#deps.now()));
      if (await this.#wire.sleep(AUTH_CLOSE_DELAY_MS)) this.#close(1008, 'Authentication failed');
      return;
    }
    this.#record.userId = auth.userId;
    this.#record.claims = auth.claims;
    this.#record.environment = auth.environment;
    this.#wire.log(`authenticated ${auth.userId} via ${auth.source ?? 'none'}${auth.bypassed ? ' (test bypass)' : ''}`);

    this.#connectionId = isThirdGeneration(faults) && faults.welcome === undefined ? `ws_conn_${hex(8)}` : usesNewWelcome(faults) ? `main_${hex(8)}` : `ws_ref_${Math.floor(this.#deps.now() / 1000)}_${hex(4)}`;
    this.#lifecycle = ThirdGenerationLifecycle.begin(faults, this.#record, this.#wire);
    await this.#wire.send(pingFrame(this.#deps.now()));
    if (this.#ended) return;
    const pongWait = faults.pong_required === true ? this.#wire.waitForPong(PONG_TIMEOUT_MS) : null;
    this.#wire.startHeartbeat();
    this.#state = 'open';
    for (const message of this.#queued.splice(0)) this.#handle(message);
    if (faults.handshake_first === true) await this.#proposeSession();

    if (pongWait !== null && !(await pongWait)) {
      if (!this.#ended) this.#close(1008, 'Heartbeat timeout');
      return;
    }
    if (faults.welcome_delay_ms !== undefined && !(await this.#wire.sleep(faults.welcome_delay_ms))) return;
    if (this.#ended || this.#state !== 'open') return;
    const welcome = welcomeFor(faults, this.#connectionId, auth.userId, this.#deps.heartbeatIntervalMs / 1000, this.#deps.now());
    if (welcome === null) return;
    await this.#wire.sendText(welcome.text);
    if (welcome.valid && faults.handshake_first !== true) await this.#proposeSession();
  }

  /** Third generation: sends `handshake_response` (once; nothing in earlier generations). */
  async #proposeSession(): Promise<void> {
    if (this.#lifecycle === null || this.#ended || this.#state !== 'open') return;
    await this.#lifecycle.propose();
  }

  #receive(data: RawData): void {
    if (this.#ended) return;
    const bytes = rawToBuffer(data);
    if (bytes.length > MAX_MESSAGE_SIZE_BYTES) {
      if (this.#faults.hygiene_1011 === true) {
        this.#wire.log(`fault hygiene_1011: a ${bytes.length}-byte message`);
        this.#close(1011, 'Internal error');
      } else if (this.#faults.oversize_1009 === true) {
        this.#wire.log(`fault oversize_1009: a ${bytes.length}-byte message`);
        this.#close(1009, 'Message too big');
      } else this.#wire.log(`dropped a ${bytes.length}-byte message (max_message_size ${MAX_MESSAGE_SIZE_BYTES})`);
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
    const processing = this.#lifecycle === null || this.#lifecycle.processing;
    if (message.kind === 'invalid_json' && !processing) return;
    if (message.kind === 'invalid_json') {
      if (this.#faults.hygiene_1011 === true) this.#close(1011, 'Internal error');
      else if (this.#faults.hygiene_events === true) this.#startRun('', null);
      else void this.#wire.send(errorMessageFrame('FORMAT_ERROR', 'Invalid JSON message', now));
      return;
    }
    const msg = message.value;
    if (!processing && !(isRecord(msg) && typeof msg['type'] === 'string' && CONTROL_MESSAGE_TYPES.includes(msg['type']))) {
      if (isRecord(msg) && typeof msg['type'] === 'string' && isChatType(msg['type'])) {
        this.#record.chatMessages.push(chatRecord(msg, 'before_processing'));
        this.#wire.log(`dropped a ${msg['type']} that arrived before the processing phase`);
      }
      return;
    }
    if (!isRecord(msg) || typeof msg['type'] !== 'string') {
      void this.#wire.send(errorMessageFrame('FORMAT_ERROR', 'Message must be a JSON object with a string "type"', now));
      return;
    }
    const type = msg['type'];
    const payload = isRecord(msg['payload']) ? msg['payload'] : null;
    if (type === 'pong') {
      this.#record.pongsReceived++;
      this.#wire.pong();
    } else if (type === 'ping') {
      void this.#wire.send(pongFrame(now));
    } else if (type === 'heartbeat') {
      void this.#wire.send(heartbeatAckFrame(now));
    } else if (type === 'handshake_acknowledged' && this.#lifecycle !== null) {
      this.#lifecycle.acknowledge(firstString(msg['thread_id'], payload?.['thread_id'])).catch((err: unknown) => this.#crash(err));
    } else if (isChatType(type)) {
      const threadId = firstString(payload?.['thread_id'], msg['thread_id']);
      const session = this.#lifecycle?.session ?? null;
      if (session !== null && threadId !== session.threadId) {
        this.#record.chatMessages.push(chatRecord(msg, 'wrong_thread'));
        this.#wire.log(`no events for a ${type} on thread ${String(threadId)}: the proposed thread is ${session.threadId}`);
        return;
      }
      this.#record.chatMessages.push(chatRecord(msg, this.#startRun(chatText(msg, payload), threadId, firstString(payload?.['run_id'], msg['run_id']))));
    } else {
      void this.#wire.send(ackFrame(type, now));
    }
  }

  /** Starts an agent run for a chat message (or invalid JSON under `hygiene_events`), or says why none started. */
  #startRun(text: string, threadId: string | null, clientRunId: string | null = null): ChatOutcome {
    const request = { text, threadId, clientRunId, sessionRunId: this.#lifecycle?.session.runId ?? null, userId: this.#record.userId ?? '', nowMs: this.#deps.now() };
    return startRun(this.#host, request, ++this.#chatMessages);
  }
}
