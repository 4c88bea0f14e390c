/**
 * The floor: the least a raw `ws` client does for the golden path's exchange with the reference
 * backend (protocol.md): connect with the JWT in the Authorization header, answer JSON pings, send
 * the chat message once the welcome arrives, read frames until `agent_completed`, close 1000.
 * Every frame is stamped on arrival before any other work.
 */
import { WebSocket } from 'ws';

/** The chat message both clients send. */
export const BENCH_MESSAGE = 'What is my GPU spend?';

/** One frame as the floor saw it: its text and its arrival (performance.now() milliseconds). */
export interface FloorFrame {
  readonly atMs: number;
  readonly text: string;
}

/** What one floor exchange saw after it sent the chat message. */
export interface FloorExchange {
  /** performance.now() just before the chat message was written. */
  readonly sendAtMs: number;
  /** Every frame after the send, in order, the completion last. */
  readonly frames: readonly FloorFrame[];
}

function isWelcome(frame: { type?: unknown; data?: unknown }): boolean {
  if (frame.type === 'connection_established') return true;
  return frame.type === 'system_message' && typeof frame.data === 'object' && frame.data !== null && (frame.data as { event?: unknown }).event === 'connection_established';
}

/** One exchange against `url` with `token`; rejects on a close before `agent_completed` or after `timeoutMs`. */
export function floorExchange(url: string, token: string, timeoutMs = 20_000): Promise<FloorExchange> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, perMessageDeflate: false });
    const frames: FloorFrame[] = [];
    let sendAtMs = -1;
    let completed = false;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`floor exchange: no agent_completed within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on('message', (data, isBinary) => {
      const atMs = performance.now();
      if (isBinary || completed) return;
      const text = data.toString();
      if (sendAtMs >= 0) frames.push({ atMs, text });
      const frame = JSON.parse(text) as { type?: unknown; data?: unknown };
      if (frame.type === 'ping') {
        ws.send('{"type":"pong"}');
      } else if (sendAtMs < 0 && isWelcome(frame)) {
        sendAtMs = performance.now();
        ws.send(JSON.stringify({ type: 'user_message', payload: { content: BENCH_MESSAGE, thread_id: null, run_id: null } }));
      } else if (frame.type === 'agent_completed') {
        completed = true;
        ws.close(1000);
      }
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      clearTimeout(timer);
      if (completed) resolve({ sendAtMs, frames });
      else reject(new Error(`floor exchange: closed ${code} before agent_completed`));
    });
  });
}
