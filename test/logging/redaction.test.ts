import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/logging/logger.ts';
import { MemoryDestination } from './test-helpers.ts';

const TOKEN = 'opaque-fetched-token-7Qx9Lm2';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

describe('log lines go through the run redactor', () => {
  it('a known token is redacted raw, base64url and in its subprotocol forms', () => {
    const out = new MemoryDestination();
    createLogger({ destination: out, secrets: () => [TOKEN] }).info(`raw ${TOKEN} b64 ${b64(TOKEN)}`, {
      offered: `jwt-auth, jwt.${b64(TOKEN)}`,
      env: `jwt.staging.${TOKEN}`,
    });
    const [entry] = out.entries();
    assert.deepEqual([entry?.['message'], entry?.['offered'], entry?.['env']], ['raw [REDACTED] b64 [REDACTED]', 'jwt-auth, jwt.[REDACTED]', 'jwt.[REDACTED]']);
    assert.equal(out.text().includes(TOKEN) || out.text().includes(b64(TOKEN)), false);
  });

  it('a 1 MiB adversarial line is written, redacted and cut, within a second', () => {
    for (const unit of ['eyJ', 'jwt.', 'eyJabcd.efgh.']) {
      const out = new MemoryDestination();
      const started = performance.now();
      createLogger({ destination: out, secrets: () => [TOKEN] }).info(`${TOKEN} ${unit.repeat(Math.ceil((1024 * 1024) / unit.length))}`);
      const tookMs = performance.now() - started;
      assert.ok(tookMs < 1000, `${unit}: took ${tookMs} ms`);
      const [entry] = out.entries();
      assert.equal(typeof entry?.['truncated'], 'object');
      assert.equal(String(entry?.['message']).startsWith('[REDACTED] '), true);
      assert.equal(out.text().includes(TOKEN), false);
    }
  });
});
