/**
 * One GET of a health endpoint, classified (protocol.md, "Endpoints": `200 {"status":"healthy"}`,
 * `503 {"status":"unhealthy","message":"Startup in progress"}` while starting).
 */
import type http from 'node:http';
import type https from 'node:https';
import { readFileSync } from 'node:fs';
import type { TlsConfig } from '../../config/types.ts';
import type { HealthState } from '../../result/health.ts';

// Not `import ... from 'node:http'`: an ES import of node:http builds a facade that reads every export,
// and its lazy ones load Node's bundled undici (fetch, WebSocket): 80-300 ms of start-up here.
const httpModule = process.getBuiltinModule('node:http');
const httpsModule = process.getBuiltinModule('node:https');

/** The most of a health answer's body that is read. */
export const MAX_HEALTH_BODY_BYTES = 4096;

const STARTUP = /start[\s_-]*up|starting/i;
/** Bound on waiting for a finished request's socket to close. */
const CLOSE_WAIT_MS = 50;

/** How one endpoint answered. */
export interface HealthProbe {
  /** The endpoint as configured (the metric label). */
  readonly endpoint: string;
  readonly state: HealthState;
  /** The HTTP status, when there was an answer. */
  readonly httpStatus: number | null;
  /** For people: the status and a cut of the body, or the network error. */
  readonly detail: string;
}

/** What a probe needs besides the URL. */
export interface ProbeOptions {
  readonly timeoutMs: number;
  /** The target's TLS settings, used for https. */
  readonly tls: TlsConfig;
  readonly headers: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/**
 * The URL of `endpoint`: a path is resolved against the origin of `targetUrl` (ws → http,
 * wss → https); an absolute http(s) URL is used as is.
 */
export function healthUrl(targetUrl: string, endpoint: string): URL {
  if (!endpoint.startsWith('/')) return new URL(endpoint);
  const target = new URL(targetUrl);
  return new URL(endpoint, `${target.protocol === 'wss:' ? 'https:' : 'http:'}//${target.host}`);
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Classifies an HTTP answer: 2xx is `healthy`; 503 whose JSON `message` or `status` mentions
 * start-up is `starting`; anything else is `unhealthy`.
 */
export function classifyHealth(status: number, body: string): HealthState {
  if (status >= 200 && status < 300) return 'healthy';
  if (status !== 503) return 'unhealthy';
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'unhealthy';
  }
  if (!isRecord(json)) return 'unhealthy';
  const says = [json['message'], json['status']].some((value) => typeof value === 'string' && STARTUP.test(value));
  return says ? 'starting' : 'unhealthy';
}

/**
 * GETs one health endpoint within `timeoutMs`. Never throws: a network error, a TLS error, a
 * timeout or an abort is `unreachable`. The socket is not kept alive, and is closed (within a
 * short bound) before the promise resolves.
 */
export function probeHealth(endpoint: string, url: URL, options: ProbeOptions): Promise<HealthProbe> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let request: http.ClientRequest | null = null;
    let requestClosed = false;
    const finish = (probe: Omit<HealthProbe, 'endpoint'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      const result = { endpoint, ...probe };
      if (request === null || requestClosed) {
        resolve(result);
        return;
      }
      const bound = setTimeout(() => resolve(result), CLOSE_WAIT_MS);
      request.once('close', () => {
        clearTimeout(bound);
        resolve(result);
      });
      request.destroy();
    };
    const unreachable = (why: string): void => finish({ state: 'unreachable', httpStatus: null, detail: why });
    const onAbort = (): void => unreachable('aborted');

    const secure = url.protocol === 'https:';
    const requestOptions: https.RequestOptions = { method: 'GET', headers: { ...options.headers }, agent: false };
    try {
      if (secure) {
        requestOptions.rejectUnauthorized = !options.tls.insecureSkipVerify;
        if (options.tls.caFile !== null) requestOptions.ca = readFileSync(options.tls.caFile);
      }
      request = (secure ? httpsModule : httpModule).request(url, requestOptions, (response) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = (): void => {
          const body = Buffer.concat(chunks).subarray(0, MAX_HEALTH_BODY_BYTES).toString('utf8');
          finish({ state: classifyHealth(status, body), httpStatus: status, detail: `HTTP ${status} ${body.slice(0, 200)}`.trim() });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_HEALTH_BODY_BYTES) done();
        });
        response.on('end', done);
        response.on('error', done);
      });
    } catch (error) {
      unreachable(error instanceof Error ? error.message : String(error));
      return;
    }
    request.on('error', (error) => unreachable(error.message));
    request.once('close', () => {
      requestClosed = true;
    });
    timer = setTimeout(() => unreachable(`no answer within ${options.timeoutMs} ms`), options.timeoutMs);
    if (options.signal?.aborted === true) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    request.end();
  });
}
