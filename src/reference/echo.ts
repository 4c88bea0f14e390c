/** The unauthenticated echo socket (`/ws/test`), the reference backend's connectivity probe. */
import type { WebSocket } from 'ws';
import { isRecord, parseClientMessage, rawToBuffer } from './client-messages.ts';
import { pongFrame } from './frames.ts';
import type { MutableConnectionRecord } from './records.ts';
import type { ConnectionDeps, Terminable } from './wire.ts';

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
