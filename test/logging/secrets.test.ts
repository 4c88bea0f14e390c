import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { createLogger } from '../../src/logging/logger.ts';
import { createRunLogSink } from '../../src/logging/run-sink.ts';
import { failedResult, MemoryDestination, transcriptEntry } from './test-helpers.ts';

const SECRET = 'hunter2-signing-key-0123456789';
/** A secret with characters JSON escapes, so it is written differently than it is given. */
const QUOTED_SECRET = 'pa"ss\\word/ünïcode';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnktdGVzdCIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
const FORBIDDEN = [SECRET, QUOTED_SECRET, JSON.stringify(QUOTED_SECRET).slice(1, -1), JWT, 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIi'];

function assertClean(out: MemoryDestination): void {
  assert.ok(out.lines().length > 0);
  for (const line of out.lines()) {
    for (const forbidden of FORBIDDEN) assert.equal(line.includes(forbidden), false, `${JSON.stringify(forbidden)} in ${line}`);
  }
}

function logEverything(pretty: boolean): MemoryDestination {
  const out = new MemoryDestination();
  const logger = createLogger({ destination: out, pretty, secrets: () => [SECRET, QUOTED_SECRET] });
  logger.info(`token is ${JWT} and key is ${SECRET} and ${QUOTED_SECRET}`, {
    token: JWT,
    headers: { authorization: `Bearer ${JWT}`, 'sec-websocket-protocol': `jwt-auth, jwt.${JWT}` },
    nested: [{ key: SECRET }, QUOTED_SECRET],
    [`key-${SECRET}`]: true,
    err: new Error(`signing with ${SECRET} failed for ${JWT}`),
  });
  logger.child({ labels: { target: `t-${SECRET}` }, fields: { quoted: QUOTED_SECRET } }).warning('child');
  createRunLogSink(logger).record(
    failedResult({
      message: `auth failed for ${JWT}`,
      closeReason: `bad key ${SECRET}`,
      transcript: {
        entries: [
          transcriptEntry({ dir: 'out', kind: 'upgrade', type: null, text: `Authorization: Bearer ${JWT}` }),
          transcriptEntry({ dir: 'out', kind: 'text', type: 'user_message', text: `{"token":"${SECRET}","quoted":${JSON.stringify(QUOTED_SECRET)}}` }),
          transcriptEntry({ dir: 'in', kind: 'close', type: null, text: `1008 invalid token ${JWT}` }),
        ],
        dropped: 0,
      },
    }),
  );
  return out;
}

suite('secrets never reach the output', () => {
  test('JSON: messages, fields, keys, labels, errors and a failed run’s transcript are redacted', () => {
    const out = logEverything(false);
    assertClean(out);
    const [first, second, run] = out.entries();
    assert.equal(first?.['message'], 'token is [REDACTED] and key is [REDACTED] and [REDACTED]');
    assert.equal(first?.['token'], '[REDACTED]');
    assert.equal(first?.['key-[REDACTED]'], true);
    assert.deepEqual(second?.['logging.googleapis.com/labels'], { target: 't-[REDACTED]' });
    assert.equal(second?.['quoted'], '[REDACTED]');
    assert.equal(run?.['closeReason'], 'bad key [REDACTED]');
    assert.equal(run?.['detail'], 'auth failed for [REDACTED]');
    assert.equal(JSON.stringify(run?.['transcript']).includes('Bearer [REDACTED]'), true);
  });

  test('pretty: the same entries are redacted too', () => {
    assertClean(logEverything(true));
  });

  test('secrets added after the logger was made are redacted too', () => {
    const out = new MemoryDestination();
    const secrets: string[] = [];
    const logger = createLogger({ destination: out, secrets: () => secrets });
    secrets.push(SECRET);
    logger.info(`late ${SECRET}`);
    assertClean(out);
  });

  test('JWT-shaped text is redacted with no secrets configured', () => {
    const out = new MemoryDestination();
    createLogger({ destination: out }).info(`Bearer ${JWT}`, { subprotocol: `jwt.${JWT}` });
    assertClean(out);
    assert.deepEqual(
      [out.entries()[0]?.['message'], out.entries()[0]?.['subprotocol']],
      ['Bearer [REDACTED]', 'jwt.[REDACTED]'],
    );
  });
});

test('when the secret list cannot be read, the entry is withheld rather than written unredacted', () => {
  const out = new MemoryDestination();
  const logger = createLogger({
    destination: out,
    secrets: () => {
      throw new Error('no secrets today');
    },
  });
  logger.info(`key ${SECRET}`);
  assertClean(out);
  assert.deepEqual(out.entries(), [{ severity: 'ERROR', message: 'log entry withheld: the secret list could not be read' }]);
});
