/**
 * What the server sends on the open socket, routed: pings are answered here (WebSocket and JSON,
 * within {@link MAX_UNSENT_PING_BYTES}), error frames wait out their grace, the close is
 * classified, and every other frame goes to the current step.
 */
import { WebSocket, type RawData } from 'ws';
import { classifyServerFrame, frameType, handshakeSessionToken, parseFrameJson, type ServerFrame } from '../protocol/frames.ts';
import { closeFailure, pingOverflow } from './classify.ts';
import type { WalkState } from './state.ts';

/** How long an error frame may be followed by a close that explains it better (1008, 1011). */
export const ERROR_GRACE_MS = 500;

/**
 * Bytes of our answers to the server's pings (WebSocket and JSON) that may wait unsent in the
 * socket's buffer; past it the server is sending pings faster than it reads, and the run fails.
 */
export const MAX_UNSENT_PING_BYTES = 64 * 1024;

/**
 * Whether an answer to a ping may be queued: false, and the run fails, once more than
 * {@link MAX_UNSENT_PING_BYTES} wait unsent because the server does not read.
 */
function pingAnswerFits(walk: WalkState, ws: WebSocket): boolean {
  if (ws.readyState !== WebSocket.OPEN) return false;
  const unsent = ws.bufferedAmount;
  if (unsent <= MAX_UNSENT_PING_BYTES) return true;
  walk.fail(pingOverflow(walk.failPhase, unsent));
  return false;
}

function onErrorFrame(walk: WalkState, frame: Extract<ServerFrame, { kind: 'error' }>): void {
  if (walk.pendingError !== null) return;
  walk.pendingError = frame;
  walk.after(ERROR_GRACE_MS, () => walk.failFromPendingError());
}

/** The bytes of a message as `ws` hands them over: a Buffer (the default), fragments, or an ArrayBuffer; none is copied. */
function byteLengthOf(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** A message from the server: stamped on arrival before anything else, parsed once. */
function onMessage(walk: WalkState, ws: WebSocket, data: RawData, isBinary: boolean): void {
  const arrivedMono = walk.deps.clock.monoMs();
  walk.arrivedMono = arrivedMono;
  const tMs = arrivedMono - walk.startMono;
  const step = walk.step;
  if (isBinary) {
    walk.transcript.record('in', tMs, 'binary', { size: byteLengthOf(data) });
    if (step?.binary !== undefined) step.binary(walk);
    else walk.degradations.add('unknown_frame');
    return;
  }
  const text = textOf(data);
  const value = parseFrameJson(text);
  const type = frameType(value);
  // The session token a handshake hands out is a secret from the frame that carries it on, whatever
  // else the frame holds and whenever it comes.
  if (type === 'handshake_response') walk.transcript.addSecret(handshakeSessionToken(value));
  walk.transcript.record('in', tMs, 'text', { type, size: byteLengthOf(data), text });
  if (walk.outcome !== null) return;
  const frame = classifyServerFrame(value, walk.check.welcome, walk.eventNames);
  if (frame.kind === 'ping') {
    if (pingAnswerFits(walk, ws)) walk.sendText(JSON.stringify({ type: 'pong' }), 'pong');
    return;
  }
  if (frame.kind === 'error' && step?.ownsFrames !== true) {
    onErrorFrame(walk, frame);
    return;
  }
  step?.frame?.(walk, frame);
}

function onClose(walk: WalkState, code: number, reason: string): void {
  walk.transcript.record('in', walk.now(), 'close', { text: `${code}${reason === '' ? '' : ` ${reason}`}`, size: 0 });
  if (walk.outcome !== null) return;
  if (walk.socketError !== null) {
    walk.fail(walk.socketError);
    return;
  }
  walk.closeCode = code;
  walk.closeReason = reason === '' ? null : reason;
  const step = walk.step;
  if (step?.ownsFrames === true && step.close !== undefined) {
    step.close(walk, code, reason);
    return;
  }
  walk.fail(closeFailure(walk.failPhase, code, reason, walk.pendingError));
}

/** Routes what `ws` receives to the walk. */
export function listen(walk: WalkState, ws: WebSocket): void {
  ws.on('message', (data, isBinary) => onMessage(walk, ws, data, isBinary));
  ws.on('ping', (data) => {
    walk.transcript.record('in', walk.now(), 'ping', { size: data.length });
    if (pingAnswerFits(walk, ws)) ws.pong(data);
  });
  ws.on('close', (code, reason) => onClose(walk, code, reason.toString('utf8')));
}
