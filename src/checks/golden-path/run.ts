import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { WebSocket, type ClientOptions, type RawData } from 'ws';
import type { TargetConfig, WalkSettings } from '../../config/types.ts';
import type { Degradation, Phase, TimedPhase } from '../../result/reasons.ts';
import type { CheckResult, Envelope, ReceivedEvent, SubprotocolLabel, WelcomeShape } from '../../result/types.ts';
import { TranscriptRecorder } from '../../result/transcript.ts';
import { agentEventNames, frameType, isBypassHeader, parseServerFrame, type ServerFrame } from '../../protocol/frames.ts';
import { authSubprotocols } from '../../auth/provider.ts';
import { VERSION } from '../../version.ts';
import type { ProbeAnswer, ProbeSession, ProbeVerdict, RunDeps } from '../types.ts';
import { freezeResult } from '../result-builder.ts';
import {
  closeReason,
  connectErrorReason,
  firstMissing,
  firstOutOfOrder,
  openErrorReason,
  timeoutReason,
  type Failure,
} from './classify.ts';

/** How long an error frame may be followed by a close that explains it better (1008, 1011). */
export const ERROR_GRACE_MS = 500;
/** Bound on closing the socket after the outcome is known; a run ends within timeout + this. */
export const TEARDOWN_MS = 1000;
/**
 * Agent events a run keeps in its result; later ones are only counted (`eventsDropped`), so an
 * agent that loops cannot grow a run's memory or its JSON without bound.
 */
export const MAX_EVENTS_KEPT = 1000;
/**
 * Bytes of our answers to the server's pings (WebSocket and JSON) that may wait unsent in the
 * socket's buffer; past it the server is sending pings faster than it reads, and the run fails.
 */
export const MAX_UNSENT_PING_BYTES = 64 * 1024;
/**
 * How long after the server's close frame the canary waits for the server to close TCP before
 * destroying the socket itself (RFC 6455 §7.1.1 lets the client do so); the run's outcome is known
 * when the close frame arrives.
 */
export const CLOSE_HANDSHAKE_MS = 250;
/** A token goes in an HTTP header: visible ASCII, space and tab only (RFC 9110 §5.5, no obs-text). */
const HEADER_SAFE = /^[\t\x20-\x7e]*$/;

const ERROR_STATUSES = new Set(['error', 'failed', 'failure']);

type Outcome = { readonly kind: 'success' } | ({ readonly kind: 'failure' } & Failure);

/** Frames and the close, queued for a {@link ProbeSession} while its hook runs. */
class ProbeChannel {
  readonly #queue: ProbeAnswer[] = [];
  #closed: ProbeAnswer | null = null;
  #waiter: ((answer: ProbeAnswer | null) => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  push(answer: ProbeAnswer): void {
    if (this.#closed !== null) return;
    if (answer.kind === 'close') this.#closed = answer;
    else this.#queue.push(answer);
    this.#wake();
  }

  next(ms: number): Promise<ProbeAnswer | null> {
    const ready = this.#queue.shift() ?? this.#closed;
    if (ready !== null) return Promise.resolve(ready);
    if (this.#waiter !== null) return Promise.reject(new Error('ProbeSession.next called while another call waits'));
    return new Promise((resolve) => {
      this.#waiter = resolve;
      this.#timer = setTimeout(() => this.#resolve(null), Math.max(0, ms));
    });
  }

  /** Ends a waiting `next` with null (the run ended). */
  dispose(): void {
    this.#resolve(null);
  }

  #wake(): void {
    if (this.#waiter === null) return;
    this.#resolve(this.#queue.shift() ?? this.#closed);
  }

  #resolve(answer: ProbeAnswer | null): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.(answer);
  }
}

/**
 * The run answering one user message: the agent events grouped to it and how far it got. A walk
 * has one per message sent (one on the golden path, N for message_burst).
 */
class MessageRun {
  /** 1-based, in send order. */
  readonly index: number;
  readonly threadId: string;
  /** The backend's run ids seen with this run's events. */
  readonly runIds = new Set<string>();
  readonly events: ReceivedEvent[] = [];
  /** Names of the events seen, kept or not. */
  readonly seen = new Set<string>();
  complete = false;

  constructor(index: number, threadId: string) {
    this.index = index;
    this.threadId = threadId;
  }

  has(name: string): boolean {
    return this.seen.has(name);
  }
}

/** One walk of the golden path. Use {@link runGoldenPath}. */
class GoldenPathRun {
  readonly #target: TargetConfig;
  readonly #check: WalkSettings;
  readonly #deps: RunDeps;
  readonly #runId: string;
  readonly #eventNames: ReadonlySet<string>;
  readonly #transcript: TranscriptRecorder;
  readonly #startMono: number;
  readonly #startWall: number;
  readonly #timers = new Set<NodeJS.Timeout>();

  #phase: Phase = 'token';
  #phaseStart: number;
  #phaseTimer: NodeJS.Timeout | null = null;
  readonly #timings: Partial<Record<TimedPhase, number>> = {};
  readonly #events: ReceivedEvent[] = [];
  #eventsDropped = 0;
  readonly #envelopes = new Set<Exclude<Envelope, 'mixed' | 'none'>>();
  readonly #degradations = new Set<Degradation>();
  #welcome: WelcomeShape = 'none';
  #subprotocol: SubprotocolLabel = 'none';
  #closeCode: number | null = null;
  #closeReason: string | null = null;
  #httpStatus: number | null = null;
  #tlsCertExpiresAt: string | null = null;
  #pendingError: Extract<ServerFrame, { kind: 'error' }> | null = null;
  #socketError: Failure | null = null;
  #sendAt = 0;
  #ws: WebSocket | null = null;
  #socket: { readonly socket: net.Socket; readonly closed: Promise<void> } | null = null;
  #opened = false;
  #outcome: Outcome | null = null;
  /** Set while a {@link RunHooks.beforeMessage} hook runs: frames and the close go to it. */
  #probe: ProbeChannel | null = null;
  #settle: (() => void) | null = null;
  /** One per user message, in send order. */
  readonly #runs: readonly MessageRun[];
  /** How many runs got their whole event sequence. */
  #delivered = 0;

  constructor(target: TargetConfig, check: WalkSettings, deps: RunDeps) {
    this.#target = target;
    this.#check = check;
    this.#deps = deps;
    this.#runId = deps.runId;
    this.#eventNames = agentEventNames(check.expectedEvents);
    const messages = Math.max(1, deps.hooks?.messages ?? 1);
    const baseThread = deps.hooks?.threadId ?? `canary_${deps.runId}`;
    this.#runs = Array.from({ length: messages }, (_, i) => new MessageRun(i + 1, messages === 1 ? baseThread : `${baseThread}_${i + 1}`));
    this.#transcript = new TranscriptRecorder(deps.transcriptLimits);
    for (const secret of deps.tokens.secrets) this.#transcript.addSecret(secret);
    this.#startMono = deps.clock.monoMs();
    this.#phaseStart = this.#startMono;
    this.#startWall = deps.clock.nowMs();
  }

  async run(): Promise<CheckResult> {
    const decided = new Promise<void>((resolve) => {
      this.#settle = resolve;
    });
    const external = this.#deps.signal;
    const onAbort = (): void => this.#fail(this.#phase, 'cancelled', 'the canary cancelled the run (shutdown)');
    external?.addEventListener('abort', onAbort, { once: true });
    const controller = new AbortController();
    this.#timer(this.#check.timeoutMs, () => this.#onTimeout('the run deadline passed'));
    try {
      if (external?.aborted === true) onAbort();
      else this.#start(controller.signal);
      await decided;
    } catch (error) {
      this.#fail(this.#phase, 'canary_error', `canary error: ${(error as Error).message}`);
    } finally {
      controller.abort();
      external?.removeEventListener('abort', onAbort);
      await this.#teardown();
    }
    return this.#result();
  }

  #now(): number {
    return this.#deps.clock.monoMs() - this.#startMono;
  }

  #timer(ms: number, fn: () => void): NodeJS.Timeout {
    const handle = setTimeout(() => {
      this.#timers.delete(handle);
      fn();
    }, Math.max(0, ms));
    this.#timers.add(handle);
    return handle;
  }

  #remainingMs(): number {
    return this.#check.timeoutMs - this.#now();
  }

  /** Ends the current phase (recording its duration when it is timed) and starts the next. */
  #enter(next: Phase, timed: TimedPhase | null): void {
    const now = this.#deps.clock.monoMs();
    if (timed !== null) this.#timings[timed] = (now - this.#phaseStart) / 1000;
    this.#phase = next;
    this.#phaseStart = now;
  }

  #armPhaseBudget(budgetMs: number, what: string): void {
    if (this.#phaseTimer !== null) {
      clearTimeout(this.#phaseTimer);
      this.#timers.delete(this.#phaseTimer);
    }
    this.#phaseTimer = this.#timer(Math.min(budgetMs, this.#remainingMs()), () => this.#onTimeout(what));
  }

  #onTimeout(what: string): void {
    if (this.#pendingError !== null) {
      this.#failFromPendingError();
      return;
    }
    const reason = timeoutReason(this.#phase);
    if (reason === 'event_missing') {
      const run = this.#runs.find((r) => !r.complete) ?? (this.#runs[0] as MessageRun);
      const missing = firstMissing(this.#check.expectedEvents, run.events) ?? this.#check.completionEvent;
      const which = this.#runs.length === 1 ? '' : ` of message ${run.index} (${this.#delivered} of ${this.#runs.length} delivered)`;
      this.#fail(this.#phase, reason, `${what} while waiting for ${missing}${which}`, missing);
      return;
    }
    this.#fail(this.#phase, reason, `${what} in phase ${this.#phase}`);
  }

  #fail(phase: Phase, reason: Failure['reason'], message: string, missingEvent?: string): void {
    if (this.#outcome !== null) return;
    this.#outcome = missingEvent === undefined
      ? { kind: 'failure', phase, reason, message }
      : { kind: 'failure', phase, reason, message, missingEvent };
    this.#settle?.();
  }

  #succeed(): void {
    if (this.#outcome !== null) return;
    this.#outcome = { kind: 'success' };
    this.#settle?.();
  }

  #start(signal: AbortSignal): void {
    this.#deps.tokens.getToken(signal).then(
      (token) => {
        if (this.#outcome !== null) return;
        this.#transcript.addSecret(token);
        if (token !== null && !HEADER_SAFE.test(token)) {
          this.#fail('token', 'token_error', 'the token cannot be sent in an HTTP header: it holds control or non-ASCII characters (e.g. CR or LF)');
          return;
        }
        this.#enter('dns', 'token');
        try {
          this.#connect(token);
        } catch (error) {
          this.#fail(this.#phase, 'canary_error', `canary error: ${(error as Error).message}`);
        }
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.#fail('token', 'token_error', `could not get a token: ${message}`);
      },
    );
  }

  #connect(token: string | null): void {
    const url = new URL(this.#target.url);
    const secure = url.protocol === 'wss:';
    const headers: Record<string, string> = { 'user-agent': `canary/${VERSION}` };
    for (const [name, value] of Object.entries(this.#target.headers)) {
      if (!isBypassHeader(name)) headers[name] = value;
    }
    Object.assign(headers, this.#deps.hooks?.rawHeaders ?? {});
    const sendAs = this.#deps.tokens.sendAs;
    let protocols: string[] = [];
    if (token !== null && sendAs.includes('header')) headers['authorization'] = `Bearer ${token}`;
    if (token !== null && sendAs.includes('subprotocol')) {
      protocols = authSubprotocols(token);
      this.#transcript.addSecret(protocols[1] ?? null);
    }
    const options: ClientOptions = {
      headers,
      maxPayload: this.#check.maxPayloadBytes,
      perMessageDeflate: false,
      autoPong: false,
      followRedirects: false,
      rejectUnauthorized: !this.#target.tls.insecureSkipVerify,
      createConnection: ((opts: net.NetConnectOpts & tls.ConnectionOptions) =>
        this.#openSocket(opts, secure)) as unknown as typeof net.createConnection,
    };
    if (this.#target.tls.caFile !== null) options.ca = readFileSync(this.#target.tls.caFile);

    this.#armPhaseBudget(this.#check.handshakeTimeoutMs, 'the handshake budget passed');
    const auth = token === null ? 'none' : sendAs.join('+');
    this.#transcript.record('out', this.#now(), 'upgrade', { text: `GET ${url.pathname} (auth: ${auth})`, size: 0 });
    const ws = new WebSocket(url, protocols, { ...options, closeTimeout: CLOSE_HANDSHAKE_MS } as ClientOptions);
    this.#ws = ws;
    ws.on('error', (error) => this.#onSocketError(error));
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      this.#httpStatus = status;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 512) body += chunk;
      });
      const finish = (): void => {
        this.#transcript.record('in', this.#now(), 'upgrade', { text: `HTTP ${status} ${body.slice(0, 512)}`.trim() });
        const reason = status === 401 || status === 403 ? 'auth_rejected' : 'upgrade_rejected';
        this.#fail('upgrade', reason, `the upgrade was refused with HTTP ${status}`);
      };
      res.on('end', finish);
      res.on('error', finish);
      this.#timer(Math.min(200, this.#remainingMs()), finish);
    });
    ws.on('upgrade', (res) => {
      this.#transcript.record('in', this.#now(), 'upgrade', { text: `HTTP ${res.statusCode ?? 101}` });
    });
    ws.on('open', () => this.#onOpen(ws));
    ws.on('message', (data, isBinary) => this.#onMessage(ws, data, isBinary));
    ws.on('ping', (data) => {
      this.#transcript.record('in', this.#now(), 'ping', { size: data.length });
      if (this.#pingAnswerFits(ws)) ws.pong(data);
    });
    ws.on('close', (code, reason) => this.#onClose(code, reason.toString('utf8')));
  }

  #openSocket(opts: net.NetConnectOpts & tls.ConnectionOptions, secure: boolean): net.Socket {
    const host = (opts as { host?: string }).host ?? '';
    if (net.isIP(host) !== 0) this.#enter('tcp', 'dns');
    let socket: net.Socket;
    if (secure) {
      const servername = opts.servername !== undefined && opts.servername !== '' ? opts.servername : net.isIP(host) !== 0 ? undefined : host;
      const tlsOptions: tls.ConnectionOptions = { ...opts };
      delete (tlsOptions as { path?: unknown }).path;
      if (servername === undefined) delete tlsOptions.servername;
      else tlsOptions.servername = servername;
      const tlsSocket = tls.connect(tlsOptions);
      tlsSocket.once('secureConnect', () => {
        const cert = tlsSocket.getPeerCertificate();
        const validTo = typeof cert.valid_to === 'string' ? Date.parse(cert.valid_to) : Number.NaN;
        if (!Number.isNaN(validTo)) this.#tlsCertExpiresAt = new Date(validTo).toISOString();
        if (this.#phase === 'tls') this.#enter('upgrade', 'tls');
      });
      socket = tlsSocket;
    } else {
      const { path: _path, ...rest } = opts as net.NetConnectOpts & { path?: unknown };
      socket = net.connect(rest as net.NetConnectOpts);
    }
    this.#socket = { socket, closed: new Promise<void>((resolve) => socket.once('close', () => resolve())) };
    socket.once('lookup', (error: Error | null) => {
      if (error === null && this.#phase === 'dns') this.#enter('tcp', 'dns');
    });
    socket.once('connect', () => {
      if (this.#phase === 'tcp') this.#enter(secure ? 'tls' : 'upgrade', 'tcp');
    });
    return socket;
  }

  #onSocketError(error: Error): void {
    if (!this.#opened) {
      if (this.#httpStatus !== null) return;
      const phase = this.#phase;
      const code = (error as { code?: unknown }).code;
      const message = typeof code === 'string' && code.startsWith('HPE_')
        ? `the answer to the upgrade is not valid HTTP (${code}: ${error.message})`
        : `${phase}: ${error.message}`;
      this.#fail(phase, connectErrorReason(phase, error), message);
      return;
    }
    this.#socketError ??= {
      phase: this.#phase,
      reason: openErrorReason(error),
      message: `the canary's WebSocket library closed the connection: ${error.message}`,
    };
  }

  #onOpen(ws: WebSocket): void {
    this.#opened = true;
    this.#subprotocol = subprotocolLabel(ws.protocol);
    this.#enter('welcome', 'upgrade');
    this.#armPhaseBudget(this.#check.welcomeTimeoutMs, 'no welcome within the welcome budget');
  }

  /**
   * Whether an answer to a ping may be queued: false, and the run fails, once more than
   * {@link MAX_UNSENT_PING_BYTES} wait unsent because the server does not read.
   */
  #pingAnswerFits(ws: WebSocket): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    const unsent = ws.bufferedAmount;
    if (unsent <= MAX_UNSENT_PING_BYTES) return true;
    this.#fail(this.#phase === 'close' ? 'events' : this.#phase, 'protocol_violation', `the server sent pings faster than it read our answers: ${unsent} bytes unsent`);
    return false;
  }

  #onMessage(ws: WebSocket, data: RawData, isBinary: boolean): void {
    const buffer = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) {
      this.#transcript.record('in', this.#now(), 'binary', { size: buffer.length });
      if (this.#outcome === null && this.#probe === null && this.#phase === 'welcome') {
        this.#fail('welcome', 'welcome_invalid', 'the first frame after the upgrade is binary, not a JSON text frame');
        return;
      }
      this.#degradations.add('unknown_frame');
      return;
    }
    const text = buffer.toString('utf8');
    this.#transcript.record('in', this.#now(), 'text', { type: frameType(text), size: buffer.length, text });
    if (this.#outcome !== null) return;
    const frame = parseServerFrame(text, this.#check.welcome, this.#eventNames);
    if (frame.kind === 'ping') {
      if (this.#pingAnswerFits(ws)) this.#sendText(ws, JSON.stringify({ type: 'pong' }), 'pong');
      return;
    }
    if (this.#probe !== null) {
      this.#probe.push({ kind: 'frame', frame });
      return;
    }
    if (frame.kind === 'error') {
      this.#onErrorFrame(frame);
      return;
    }
    if (this.#phase === 'welcome') this.#onWelcomePhaseFrame(ws, frame);
    else this.#onEventsPhaseFrame(frame);
  }

  #onWelcomePhaseFrame(ws: WebSocket, frame: ServerFrame): void {
    switch (frame.kind) {
      case 'keepalive':
        return;
      case 'welcome':
        this.#welcome = frame.shape;
        this.#enter('send', 'welcome');
        if (this.#deps.hooks?.stopAfterWelcome === true) this.#succeed();
        else if (this.#deps.hooks?.beforeMessage !== undefined) this.#probeThenSend(ws, this.#deps.hooks.beforeMessage, frame.maxMessageSize);
        else this.#sendUserMessage(ws);
        return;
      case 'unknown':
        this.#fail('welcome', 'welcome_invalid', 'the first frame after the upgrade is not a JSON object with a type');
        return;
      default: {
        const type = frame.kind === 'event' ? frame.name : frame.kind === 'other' ? frame.type : frame.kind;
        this.#fail('welcome', 'welcome_invalid', `expected the welcome, got a frame of type "${type}"`);
      }
    }
  }

  #onEventsPhaseFrame(frame: ServerFrame): void {
    if (frame.kind === 'unknown') {
      this.#degradations.add('unknown_frame');
      return;
    }
    if (frame.kind !== 'event') return;
    const seconds = (this.#deps.clock.monoMs() - this.#sendAt) / 1000;
    const event: ReceivedEvent = { name: frame.name, seconds };
    if (this.#events.length < MAX_EVENTS_KEPT) this.#events.push(event);
    else this.#eventsDropped++;
    this.#envelopes.add(frame.envelope);
    this.#deps.hooks?.onEvent?.({ name: frame.name, runId: frame.runId, threadId: frame.threadId, userId: frame.userId });
    if (frame.name === 'agent_error') {
      this.#fail('events', 'agent_error', 'the agent reported agent_error');
      return;
    }
    const run = this.#runOf(frame.threadId, frame.runId);
    if (this.#runs.length > 1 && (frame.name === 'agent_started' || frame.name === this.#check.completionEvent) && run.has(frame.name)) {
      this.#fail('events', 'event_duplicate', `${this.#about(run)}${frame.name} arrived twice`);
      return;
    }
    if (!run.seen.has(frame.name) || run.events.length < MAX_EVENTS_KEPT) run.events.push(event);
    run.seen.add(frame.name);
    if (frame.name === this.#check.completionEvent) this.#onCompletion(run, frame.status, seconds);
  }

  /**
   * The run an agent event belongs to: the one sent with its thread id, else the one its run id was
   * first seen with, else the first run not yet tied to a run id, else the first incomplete one.
   * With one message, every event is that message's.
   */
  #runOf(threadId: string | null, runId: string | null): MessageRun {
    const runs = this.#runs;
    if (runs.length === 1) return runs[0] as MessageRun;
    let run = threadId === null ? undefined : runs.find((r) => r.threadId === threadId);
    if (run === undefined && runId !== null) run = runs.find((r) => r.runIds.has(runId)) ?? runs.find((r) => r.runIds.size === 0 && !r.complete);
    run ??= runs.find((r) => !r.complete) ?? (runs[runs.length - 1] as MessageRun);
    if (runId !== null) run.runIds.add(runId);
    return run;
  }

  /** Prefix of a message about one run: none with a single message. */
  #about(run: MessageRun): string {
    return this.#runs.length === 1 ? '' : `message ${run.index} of ${this.#runs.length}: `;
  }

  #onCompletion(run: MessageRun, status: string | null, seconds: number): void {
    if (this.#delivered + 1 === this.#runs.length) this.#enter('close', 'events');
    const about = this.#about(run);
    if (status !== null && ERROR_STATUSES.has(status.toLowerCase())) {
      this.#fail('events', 'agent_error', `${about}${this.#check.completionEvent} carried status "${status}"`);
      return;
    }
    const missing = firstMissing(this.#check.expectedEvents, run.events);
    if (missing !== null) {
      this.#fail('events', 'event_missing', `${about}${this.#check.completionEvent} arrived before ${missing}`, missing);
      return;
    }
    const order = firstOutOfOrder(this.#check.expectedEvents, run.events);
    if (order !== null) {
      this.#fail('events', 'event_order', `${about}${order.early} arrived before ${order.late}`);
      return;
    }
    run.complete = true;
    this.#delivered++;
    this.#deps.hooks?.onRunComplete?.(run.index, seconds);
    if (this.#delivered < this.#runs.length) return;
    if ((this.#timings.events ?? 0) * 1000 > this.#check.slowAfterMs) this.#degradations.add('slow');
    this.#succeed();
  }

  #onErrorFrame(frame: Extract<ServerFrame, { kind: 'error' }>): void {
    if (this.#pendingError !== null) return;
    this.#pendingError = frame;
    this.#timer(Math.min(ERROR_GRACE_MS, this.#remainingMs()), () => this.#failFromPendingError());
  }

  #failFromPendingError(): void {
    const frame = this.#pendingError;
    if (frame === null) return;
    const detail = [frame.code, frame.message].filter((part) => part !== null).join(': ');
    const reason = frame.auth ? 'auth_rejected' : 'server_error';
    this.#fail(this.#phase === 'close' ? 'events' : this.#phase, reason, `the server sent an error frame (${detail || 'no detail'})`);
  }

  /** Runs the beforeMessage hook on the open connection, then goes on as its verdict says. */
  #probeThenSend(ws: WebSocket, hook: (session: ProbeSession) => Promise<ProbeVerdict>, maxMessageSize: number | null): void {
    if (this.#phaseTimer !== null) clearTimeout(this.#phaseTimer);
    const probe = new ProbeChannel();
    this.#probe = probe;
    const session: ProbeSession = {
      maxMessageSize,
      send: (text, transcriptType) => {
        if (ws.readyState === WebSocket.OPEN) this.#sendText(ws, text, transcriptType);
      },
      next: (ms) => probe.next(Math.min(ms, this.#remainingMs())),
    };
    const done = (): void => {
      this.#probe = null;
      probe.dispose();
    };
    hook(session).then(
      (verdict) => {
        done();
        if (this.#outcome !== null) return;
        if (verdict.kind === 'continue') this.#sendUserMessage(ws);
        else if (verdict.kind === 'stop') this.#succeed();
        else this.#fail('send', verdict.reason, verdict.message);
      },
      (error: unknown) => {
        done();
        this.#fail('send', 'canary_error', `canary error: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  /** Sends the user message of every run, back to back. */
  #sendUserMessage(ws: WebSocket): void {
    this.#sendAt = this.#deps.clock.monoMs();
    for (const run of this.#runs) {
      const message = {
        type: this.#check.messageType,
        payload: {
          [this.#check.messageField]: this.#check.message,
          thread_id: run.threadId,
          run_id: null,
        },
      };
      this.#sendText(ws, JSON.stringify(message), this.#check.messageType, (error) => {
        this.#fail('send', 'send_failed', `could not send the user message: ${error.message}`);
      });
    }
    if (this.#phase === 'send') this.#enter('events', null);
    if (this.#phaseTimer !== null) clearTimeout(this.#phaseTimer);
  }

  #sendText(ws: WebSocket, text: string, type: string, onError?: (error: Error) => void): void {
    this.#transcript.record('out', this.#now(), 'text', { type, text });
    ws.send(text, (error) => {
      if (error !== undefined && error !== null) onError?.(error);
    });
  }

  #onClose(code: number, reason: string): void {
    this.#transcript.record('in', this.#now(), 'close', { text: `${code}${reason === '' ? '' : ` ${reason}`}`, size: 0 });
    if (this.#outcome !== null) return;
    if (this.#socketError !== null) {
      this.#fail(this.#socketError.phase, this.#socketError.reason, this.#socketError.message);
      return;
    }
    this.#closeCode = code;
    this.#closeReason = reason === '' ? null : reason;
    if (this.#probe !== null) {
      this.#probe.push({ kind: 'close', code, reason });
      return;
    }
    const phase = this.#phase === 'close' ? 'events' : this.#phase;
    const why = closeReason(code, this.#pendingError);
    const described = `the server closed with ${code}${reason === '' ? '' : ` "${reason}"`} in phase ${phase}`;
    if (why === 'server_error' || (why === 'auth_rejected' && this.#pendingError !== null)) {
      this.#failFromPendingError();
      return;
    }
    this.#fail(phase, why, described);
  }

  async #teardown(): Promise<void> {
    this.#probe?.dispose();
    for (const handle of this.#timers) clearTimeout(handle);
    this.#timers.clear();
    const ws = this.#ws;
    if (ws === null || ws.readyState === WebSocket.CLOSED) return this.#socketReleased();
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    if (ws.readyState === WebSocket.OPEN && this.#outcome?.kind === 'success') {
      this.#transcript.record('out', this.#now(), 'close', { text: '1000 canary done', size: 0 });
      ws.close(1000, 'canary done');
    } else {
      ws.terminate();
    }
    let bound: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      bound = setTimeout(() => resolve(true), TEARDOWN_MS);
    });
    const timeout = await Promise.race([closed.then(() => false), timedOut]);
    clearTimeout(bound);
    if (timeout) {
      ws.terminate();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    await this.#socketReleased();
  }

  /**
   * Destroys the TCP (or TLS) socket and waits, briefly, for its handle to close: `ws` reports a
   * failed connect as closed before node has released the socket.
   */
  async #socketReleased(): Promise<void> {
    if (this.#socket === null) return;
    const { socket, closed } = this.#socket;
    socket.destroy();
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([
      closed,
      new Promise<void>((resolve) => {
        bound = setTimeout(resolve, 50);
      }),
    ]);
    clearTimeout(bound);
  }

  #result(): CheckResult {
    const outcome = this.#outcome ?? { kind: 'failure', phase: this.#phase, reason: 'canary_error', message: 'the run ended undecided' };
    const failure = outcome.kind === 'failure' ? outcome : null;
    const envelopes = [...this.#envelopes];
    return freezeResult({
      runId: this.#runId,
      check: this.#check.name,
      target: this.#target.target,
      type: this.#check.type,
      result: failure !== null ? 'failure' : this.#degradations.size > 0 ? 'degraded' : 'success',
      phase: failure?.phase ?? null,
      reason: failure?.reason ?? null,
      message: failure?.message ?? null,
      degradations: failure === null ? [...this.#degradations] : [],
      missingEvent: failure?.missingEvent ?? null,
      closeCode: this.#closeCode,
      closeReason: this.#closeReason,
      httpStatus: this.#httpStatus,
      events: this.#events,
      eventsDropped: this.#eventsDropped,
      phases: this.#timings,
      durationSeconds: (this.#deps.clock.monoMs() - this.#startMono) / 1000,
      protocol: {
        welcome: this.#welcome,
        envelope: envelopes.length === 0 ? 'none' : envelopes.length === 1 ? (envelopes[0] as Envelope) : 'mixed',
        subprotocol: this.#subprotocol,
      },
      startedAt: new Date(this.#startWall).toISOString(),
      tlsCertExpiresAt: this.#tlsCertExpiresAt,
      transcript: this.#transcript.finish(),
      details: {},
    }, this.#transcript.redactor);
  }
}

function subprotocolLabel(selected: string): SubprotocolLabel {
  if (selected === '') return 'none';
  if (selected === 'jwt-auth') return 'jwt-auth';
  if (selected.startsWith('jwt.')) return 'jwt';
  return 'other';
}

/**
 * Walks the golden path once: token → connect → upgrade → welcome → user message → the expected
 * events → close. Never throws, ends within `check.timeoutMs` plus {@link TEARDOWN_MS}, and leaves
 * no socket or timer behind.
 */
export function runGoldenPath(target: TargetConfig, check: WalkSettings, deps: RunDeps): Promise<CheckResult> {
  return new GoldenPathRun(target, check, deps).run();
}
