/**
 * A local stand-in for the Cloud Logging API's `entries.list` over REST
 * (https://cloud.google.com/logging/docs/reference/v2/rest/v2/entries/list): `POST /v2/entries:list`
 * with `{resourceNames, filter, orderBy, pageSize, pageToken}`, answering `{entries, nextPageToken}`.
 * The real client library talks to it with a fixed access token. Google's API is the one thing
 * that cannot run here.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { TestContext } from 'node:test';
import { OAuth2Client } from 'google-auth-library';
import type { LoggingApiOptions } from '../../src/backend-logs/index.ts';
import { listenLoopback } from '../support/net.ts';

export const FIXED_ACCESS_TOKEN = 'ya29.fixed-test-access-token';

/** One request as the server received it. */
export interface ListCall {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: {
    readonly resourceNames?: readonly string[];
    readonly filter?: string;
    readonly orderBy?: string;
    readonly pageSize?: number;
    readonly pageToken?: string;
  };
}

/** How the server answers one call: a status and a JSON body, after `delayMs`. */
export interface Answer {
  readonly status?: number;
  readonly body: unknown;
  readonly delayMs?: number;
}

export interface LoggingApi {
  readonly calls: ListCall[];
  /** The client options that reach this server with the fixed token. */
  readonly api: LoggingApiOptions;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

/** The `{error}` body Google's APIs answer with. */
export function apiError(code: number, status: string, message: string): unknown {
  return { error: { code, status, message } };
}

/** Starts the stand-in on 127.0.0.1:0; `answer` decides each call. Closed by `t.after`. */
export async function startLoggingApi(t: TestContext, answer: (call: ListCall) => Answer): Promise<LoggingApi> {
  const calls: ListCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const call: ListCall = {
        path: `${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}`,
        authorization: req.headers.authorization,
        body: JSON.parse(text) as ListCall['body'],
      };
      calls.push(call);
      const { status = 200, body, delayMs = 0 } = answer(call);
      const timer = setTimeout(() => {
        timers.delete(timer);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      }, delayMs);
      timers.add(timer);
    });
  });
  const port = await listenLoopback(server);
  t.after(async () => {
    for (const timer of timers) clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: FIXED_ACCESS_TOKEN, expiry_date: Date.now() + 3_600_000 });
  return { calls, api: { apiEndpoint: '127.0.0.1', port, protocol: 'http', authClient } };
}

/** Asserts the calls' paths and credentials: every one an `entries.list` with the fixed token. */
export function assertListCalls(calls: readonly ListCall[], count: number): void {
  assert.deepEqual(
    calls.map((call) => [call.path, call.authorization]),
    Array.from({ length: count }, () => ['POST /v2/entries:list', `Bearer ${FIXED_ACCESS_TOKEN}`]),
  );
}
