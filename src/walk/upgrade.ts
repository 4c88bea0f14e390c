/**
 * The upgrade step: the HTTP upgrade to WebSocket with the token (as a header, subprotocol or
 * query parameter, as the provider's presentation says: `auth/upgrade-credentials.ts`), the target's headers and the plan's, within the handshake budget, which
 * covers DNS, TCP and TLS too (`connect.ts`). A refused upgrade is classified by its HTTP status.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { WebSocket, type ClientOptions } from 'ws';
import type { SubprotocolLabel } from '../result/types.ts';
import { isBypassHeader } from '../protocol/frames.ts';
import { upgradeCredentials } from '../auth/upgrade-credentials.ts';
import { VERSION } from '../version.ts';
import { connectFailure, openFailure, upgradeRefused } from './classify.ts';
import { openSocket } from './connect.ts';
import { listen } from './receive.ts';
import { traceparent } from './trace.ts';
import type { Step, WalkState } from './state.ts';
import { CLOSE_HANDSHAKE_MS } from './teardown.ts';

/** How long the body of a refused upgrade is read for the transcript, at most. */
const REFUSED_BODY_MS = 200;

function subprotocolLabel(selected: string): SubprotocolLabel {
  if (selected === '') return 'none';
  if (selected === 'jwt-auth') return 'jwt-auth';
  if (selected.startsWith('jwt.')) return 'jwt';
  return 'other';
}

function onSocketError(walk: WalkState, error: Error): void {
  if (!walk.opened) {
    if (walk.httpStatus === null) walk.fail(connectFailure(walk.phase, error));
    return;
  }
  walk.socketError ??= openFailure(walk.phase, error);
}

function onRefused(walk: WalkState, res: import('node:http').IncomingMessage): void {
  const status = res.statusCode ?? 0;
  walk.httpStatus = status;
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    if (body.length < 512) body += chunk;
  });
  const finish = (): void => {
    walk.transcript.record('in', walk.now(), 'upgrade', { text: `HTTP ${status} ${body.slice(0, 512)}`.trim() });
    walk.fail(upgradeRefused(status, body));
  };
  res.on('end', finish);
  res.on('error', finish);
  walk.after(REFUSED_BODY_MS, finish);
}

function connect(walk: WalkState): void {
  const { target, check, plan, token } = walk;
  const url = new URL(target.url);
  const secure = url.protocol === 'wss:';
  const headers: Record<string, string> = { 'user-agent': `canary/${VERSION}` };
  for (const [name, value] of Object.entries(target.headers)) {
    if (!isBypassHeader(name)) headers[name] = value;
  }
  Object.assign(headers, plan.headers);
  // The walk's own trace context wins over a configured one: its trace id is the one the result keeps.
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'traceparent') delete headers[name];
  headers['traceparent'] = traceparent(walk.trace);
  const { presentation } = walk.deps.tokens;
  const credentials = upgradeCredentials(presentation, token);
  for (const secret of credentials.secrets) walk.transcript.addSecret(secret);
  Object.assign(headers, credentials.headers);
  // The token in the query string (`send_as: query`) is set on the URL the socket requests and
  // nowhere else: the transcript records the path alone, and no result carries the URL.
  for (const [name, value] of Object.entries(credentials.query)) url.searchParams.set(name, value);
  const protocols = [...credentials.protocols];
  const options: ClientOptions = {
    headers,
    maxPayload: check.maxPayloadBytes,
    perMessageDeflate: false,
    autoPong: false,
    followRedirects: false,
    rejectUnauthorized: !target.tls.insecureSkipVerify,
    createConnection: ((opts: net.NetConnectOpts & tls.ConnectionOptions) => openSocket(walk, opts, secure)) as unknown as typeof net.createConnection,
  };
  if (target.tls.caFile !== null) options.ca = readFileSync(target.tls.caFile);

  walk.armBudget(check.handshakeTimeoutMs, 'the handshake budget passed');
  const auth = token === null ? 'none' : presentation.sendAs.join('+');
  walk.transcript.record('out', walk.now(), 'upgrade', { text: `GET ${url.pathname} (auth: ${auth})`, size: 0 });
  const ws = new WebSocket(url, protocols, { ...options, closeTimeout: CLOSE_HANDSHAKE_MS } as ClientOptions);
  walk.ws = ws;
  ws.on('error', (error) => onSocketError(walk, error));
  ws.on('unexpected-response', (_req, res) => onRefused(walk, res));
  ws.on('upgrade', (res) => {
    walk.transcript.record('in', walk.now(), 'upgrade', { text: `HTTP ${res.statusCode ?? 101}` });
  });
  ws.on('open', () => {
    walk.opened = true;
    walk.subprotocol = subprotocolLabel(ws.protocol);
    walk.enter('welcome', 'upgrade');
    walk.advance();
  });
  listen(walk, ws);
}

export const upgradeStep: Step = { start: connect };
