import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { CheckResult } from '../result/types.ts';
import type { AdminOutcome, HttpDeps, RunNowOutcome } from './types.ts';

/** The body of `404` when the admin endpoint is off. */
export const ADMIN_DISABLED_ERROR = 'admin endpoint disabled: set CANARY_ADMIN_TOKEN';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Compares a presented token with the expected one in constant time. Both are hashed with SHA-256
 * first so `timingSafeEqual` sees equal lengths and the length of the token does not leak.
 */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header (scheme case-insensitive, RFC 7235 §2.1), or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  return BEARER.exec(header)?.[1] ?? null;
}

function traceHeader(req: Request): string | null {
  return req.get('x-cloud-trace-context') ?? req.get('traceparent') ?? null;
}

/** The `ran` body: the result without its transcript, and where to read the transcript. */
export function ranBody(result: CheckResult): Record<string, unknown> {
  const { transcript: _transcript, ...rest } = result;
  return { ...rest, transcriptUrl: `/runs/${encodeURIComponent(result.runId)}` };
}

/** Answers 404 when the admin endpoints are off and 401 without the right bearer token; true when authorized. */
function authorize(deps: HttpDeps, req: Request, res: Response, report: (outcome: AdminOutcome) => void): boolean {
  if (deps.adminToken === null || deps.adminToken === '') {
    report('disabled');
    res.status(404).json({ error: ADMIN_DISABLED_ERROR });
    return false;
  }
  const presented = bearerToken(req.get('authorization'));
  if (presented === null || !tokenMatches(presented, deps.adminToken)) {
    report('unauthorized');
    res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: presented === null ? 'missing bearer token' : 'invalid bearer token' });
    return false;
  }
  return true;
}

/**
 * `POST /-/reload`: re-reads the configuration. 404 when the admin endpoints are off (or the service
 * cannot reload), 401 without the right bearer token, 200 with what changed, or 422 when the new
 * configuration is invalid: its problems go to the log only (they may quote values), and the old
 * configuration keeps running.
 */
export function adminReloadHandler(deps: HttpDeps): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!authorize(deps, req, res, () => undefined)) return;
    if (deps.reload === undefined) {
      res.status(404).json({ error: 'reload unavailable' });
      return;
    }
    const outcome = await deps.reload();
    if (outcome.kind === 'reloaded') {
      const { kind: _kind, ...changes } = outcome;
      res.status(200).json({ status: 'reloaded', ...changes });
    } else {
      const problems = `${outcome.problems} problem${outcome.problems === 1 ? '' : 's'}`;
      res.status(422).json({ error: `config invalid (${problems}, see the log); the previous config keeps running` });
    }
  };
}

/**
 * `POST /checks/:name/run[?target=]`: runs a check now. Answers 404 when the endpoint is off,
 * 401 without the right bearer token, then by the scheduler's outcome: 200, 404, or 409.
 */
export function adminRunHandler(deps: HttpDeps): (req: Request<{ name: string }>, res: Response) => Promise<void> {
  return async (req, res) => {
    const check = req.params.name;
    const rawTarget: unknown = req.query['target'];
    const target = typeof rawTarget === 'string' && rawTarget !== '' ? rawTarget : undefined;
    const report = (outcome: AdminOutcome): void => {
      deps.onAdminRequest?.({ check, target: target ?? null, outcome, traceHeader: traceHeader(req) });
    };
    res.set('Cache-Control', 'no-store');

    if (!authorize(deps, req, res, report)) return;
    if (rawTarget !== undefined && typeof rawTarget !== 'string') {
      report('bad_request');
      res.status(400).json({ error: 'give target at most once' });
      return;
    }

    let outcome: RunNowOutcome;
    try {
      outcome = await deps.runNow(check, target);
    } catch (error) {
      report('error');
      throw error;
    }
    report(outcome.kind);
    switch (outcome.kind) {
      case 'ran':
        res.status(200).json(ranBody(outcome.result));
        return;
      case 'not_found':
        res.status(404).json({ error: 'check not found' });
        return;
      case 'ambiguous':
        res.status(409).json({ error: 'several targets have this check: add ?target=', targets: outcome.targets });
        return;
      case 'busy':
        res.status(409).json({ error: 'check is running' });
        return;
    }
  };
}
