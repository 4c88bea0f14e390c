import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeClose, describeHttpRefusal } from '../../src/protocol/close-text.ts';

describe('describeClose', { concurrency: true }, () => {
  const cases: [code: number, reason: string, where: string, message: string][] = [
    [1011, 'Internal error', 'in phase events', 'the server closed with 1011 "Internal error" in phase events'],
    [
      1011,
      'keepalive ping timeout',
      'in phase events',
      `the server closed with 1011 "keepalive ping timeout" in phase events: uvicorn's keepalive: the canary did not answer the server's pings in time, which can be the canary's own starvation (CPU throttled, event loop blocked) rather than the backend`,
    ],
    [1012, '', 'in phase events', 'the server closed with 1012 in phase events: a server restart: Cloud Run scale-in or a new revision closes in-flight sockets'],
    [1001, 'going away', '', 'the server closed with 1001 "going away": the server is going away: an instance shutting down (scale-in, a new revision)'],
    [
      1006,
      '',
      'in phase handshake',
      'the connection dropped without a close frame (1006) in phase handshake: an exception in the handler after accept (uvicorn drops the socket), an instance killed, a server restart (Cloud Run scale-in, a new revision), or the network in between (a proxy or load balancer timing out)',
    ],
    [1008, 'Auth failed', 'in phase welcome', 'the server closed with 1008 "Auth failed" in phase welcome'],
    [1000, '', '', 'the server closed with 1000'],
  ];
  for (const [code, reason, where, message] of cases) {
    it(`says ${JSON.stringify(message.slice(0, 60))}... for ${code} ${JSON.stringify(reason)}`, () => {
      assert.equal(describeClose(code, reason, where), message);
    });
  }
});

describe('describeHttpRefusal', { concurrency: true }, () => {
  const cases: [status: number, body: string, message: string][] = [
    [
      403,
      '',
      'the upgrade was refused with HTTP 403: an empty 403 is how uvicorn answers every refusal before accept: authentication, but also a readiness guard, an unknown path or a validation error',
    ],
    [403, '\r\n', 'the upgrade was refused with HTTP 403: an empty 403 is how uvicorn answers every refusal before accept: authentication, but also a readiness guard, an unknown path or a validation error'],
    [403, '{"detail":"Forbidden by IAM"}', 'the upgrade was refused with HTTP 403'],
    [401, '', 'the upgrade was refused with HTTP 401'],
    [503, 'Startup in progress', 'the upgrade was refused with HTTP 503: the backend or a gateway is not ready (start-up, readiness guard) or overloaded'],
    [404, '', 'the upgrade was refused with HTTP 404'],
  ];
  for (const [status, body, message] of cases) {
    it(`describes HTTP ${status} with body ${JSON.stringify(body)}`, () => {
      assert.equal(describeHttpRefusal(status, body), message);
    });
  }
});
