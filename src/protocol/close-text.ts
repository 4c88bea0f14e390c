/**
 * What a close code or an HTTP refusal means on the backend's real stack (FastAPI/Starlette under
 * uvicorn), in words for result messages and logs. Observed against Debian's python3-uvicorn,
 * python3-starlette and python3-fastapi (issue 10, "What the real server stack does").
 */

/** The fact a close adds to a result message, or null when the code says it all. */
export function closeHint(code: number, reason: string): string | null {
  if (code === 1011 && /keepalive ping timeout/i.test(reason)) {
    return "uvicorn's keepalive: the canary did not answer the server's pings in time, which can be the canary's own starvation (CPU throttled, event loop blocked) rather than the backend";
  }
  if (code === 1012) return 'a server restart: Cloud Run scale-in or a new revision closes in-flight sockets';
  if (code === 1001) return 'the server is going away: an instance shutting down (scale-in, a new revision)';
  if (code === ABNORMAL_CLOSURE) {
    return 'an exception in the handler after accept (uvicorn drops the socket), an instance killed, a server restart (Cloud Run scale-in, a new revision), or the network in between (a proxy or load balancer timing out)';
  }
  return null;
}

/** 1006: no close frame arrived, the socket just ended (RFC 6455 §7.1.5); never sent by a peer. */
const ABNORMAL_CLOSURE = 1006;

/**
 * `the server closed with <code> "<reason>"[ <where>][: <hint>]`. Without a hint it is exactly the
 * sentence the walk writes today, so wiring it in changes only the messages that gain a fact.
 * A 1006 is no close at all, so it reads `the connection dropped without a close frame (1006)`:
 * the server did not necessarily end it; the network may have.
 *
 * @param where e.g. `in phase events`; omitted when empty
 */
export function describeClose(code: number, reason: string, where = ''): string {
  const what = code === ABNORMAL_CLOSURE ? 'the connection dropped without a close frame (1006)' : `the server closed with ${code}`;
  const base = `${what}${reason === '' ? '' : ` "${reason}"`}${where === '' ? '' : ` ${where}`}`;
  const hint = closeHint(code, reason);
  return hint === null ? base : `${base}: ${hint}`;
}

/** The fact an HTTP answer to the upgrade adds, or null when the status says it all. */
export function httpRefusalHint(status: number, body: string): string | null {
  if (status === 403 && body.trim() === '') {
    return 'an empty 403 is how uvicorn answers every refusal before accept: authentication, but also a readiness guard, an unknown path or a validation error';
  }
  if (status === 503) return 'the backend or a gateway is not ready (start-up, readiness guard) or overloaded';
  return null;
}

/**
 * `the upgrade was refused with HTTP <status>[: <hint>]`. Without a hint it is exactly the sentence
 * the walk writes today.
 *
 * @param body the answer's body as read (possibly cut); only whether it is empty matters
 */
export function describeHttpRefusal(status: number, body: string): string {
  const base = `the upgrade was refused with HTTP ${status}`;
  const hint = httpRefusalHint(status, body);
  return hint === null ? base : `${base}: ${hint}`;
}
