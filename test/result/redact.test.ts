import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redactor, redact } from '../../src/result/redact.ts';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJjYW5hcnktdGVzdCIsImV4cCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
/** An opaque token as a token_url service might hand out: nothing about it is JWT-shaped. */
const FETCHED = 'opaque-fetched-token-7Qx9Lm2';
/** A bearer token from the environment. */
const BEARER_ENV = 'env_bearer_token_Zz81Kp0';
const SIGNING_KEY = 'signing-key-s3cret';
const SESSION = 'session-token-from-handshake-41';
const QUOTED = 'pa"ss\\word';
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

const SECRETS = [FETCHED, BEARER_ENV, SIGNING_KEY, QUOTED];

describe('redaction table: input → exact output', () => {
  const rows: readonly (readonly [string, string, string])[] = [
    ['a raw JWT', `token ${JWT} end`, 'token [REDACTED] end'],
    ['a JWT glued to other text', `xx${JWT}yy!`, 'xx[REDACTED]!'],
    ['a JWT without its signature', `${JWT.slice(0, JWT.lastIndexOf('.'))} rest`, '[REDACTED] rest'],
    ['a JWT cut by the server after its payload started', JWT.slice(0, 60), '[REDACTED]'],
    ['the base64url subprotocol form of a JWT', `offered jwt-auth, jwt.${b64(JWT)}`, 'offered jwt-auth, jwt.[REDACTED]'],
    ['the base64url form of an opaque token, bare', `echo ${b64(FETCHED)} back`, 'echo [REDACTED] back'],
    ['the base64url subprotocol form of an opaque token', `jwt.${b64(FETCHED)}`, 'jwt.[REDACTED]'],
    ['Authorization: Bearer with a JWT', `Authorization: Bearer ${JWT}`, 'Authorization: Bearer [REDACTED]'],
    ['Bearer with an unknown opaque token', 'authorization: bearer abcdefgh1234', 'authorization: bearer [REDACTED]'],
    ['Bearer x: too short to be a token', 'Bearer x', 'Bearer x'],
    ['the fetched token in an error frame', `{"type":"error","message":"bad token ${FETCHED}"}`, '{"type":"error","message":"bad token [REDACTED]"}'],
    ['the bearer env token in a close reason', `Auth failed for ${BEARER_ENV}`, 'Auth failed for [REDACTED]'],
    ['a configured signing key', `key=${SIGNING_KEY};`, 'key=[REDACTED];'],
    ['a secret JSON-escaped', `{"k":${JSON.stringify(QUOTED)}}`, '{"k":"[REDACTED]"}'],
    ['a secret raw with quotes', `said ${QUOTED}.`, 'said [REDACTED].'],
    ['jwt.<env>.<token>', `jwt.staging.${FETCHED}`, 'jwt.[REDACTED]'],
    ['jwt-auth.<env>.<JWT>', `jwt-auth.staging.${JWT}`, 'jwt-auth.[REDACTED]'],
    ['jwt-auth.<token>', 'jwt-auth.abcdefghijkl', 'jwt-auth.[REDACTED]'],
    ['bearer.<env>.<token>', 'bearer.production.abcdefghijkl', 'bearer.[REDACTED]'],
    ['staging-auth.<token>', 'staging-auth.abcdefghijkl', 'staging-auth.[REDACTED]'],
    ['a short token after jwt. is left', 'jwt-auth, jwt.abc', 'jwt-auth, jwt.abc'],
    ['jwt-auth at the end of a sentence', 'the server selected jwt-auth. Fine', 'the server selected jwt-auth. Fine'],
    ['"eyJ" repeated, no dots', 'eyJeyJeyJeyJeyJ', 'eyJeyJeyJeyJeyJ'],
    ['"jwt." repeated', 'jwt.jwt.jwt.jwt.jwt.', 'jwt.[REDACTED]'],
    ['two secrets side by side', `${FETCHED}${SIGNING_KEY}`, '[REDACTED]'],
    ['a JWT shape with short later segments', `eyJ${FETCHED.replaceAll('-', '')}.abcd.efg`, '[REDACTED]'],
    ['no secret: unchanged', 'close 1011 Internal error', 'close 1011 Internal error'],
  ];
  for (const [name, input, output] of rows) {
    it(name, () => {
      assert.equal(new Redactor(SECRETS).redact(input), output);
    });
  }

  it('redact(text, secrets) is the same scan', () => {
    assert.equal(redact(`a ${FETCHED} ${JWT}`, [FETCHED]), 'a [REDACTED] [REDACTED]');
  });

  it('a session token added later is redacted in every form', () => {
    const redactor = new Redactor(SECRETS);
    assert.equal(redactor.redact(`s=${SESSION}`), `s=${SESSION}`);
    redactor.add(SESSION);
    assert.equal(redactor.redact(`s=${SESSION} b=${b64(SESSION)}`), 's=[REDACTED] b=[REDACTED]');
    assert.deepEqual(redactor.secrets, [...SECRETS, SESSION]);
  });

  it('null and short secrets are ignored', () => {
    const redactor = new Redactor([null, 'abc', '']);
    assert.deepEqual(redactor.secrets, []);
    assert.equal(redactor.redact('abc abc'), 'abc abc');
  });
});

describe('bound first, then scan', () => {
  const redactor = new Redactor(SECRETS);

  it('a JWT straddling the cut is redacted whole, not its prefix kept', () => {
    assert.deepEqual(redactor.bounded(`${'a'.repeat(10)}${JWT}`, 20), { text: 'aaaaaaaaaa[REDACTED]', omittedChars: 106 });
  });

  it('a JWT whose first segment reaches past the scanned window is redacted', () => {
    const long = `eyJ${'A'.repeat(5000)}`;
    assert.deepEqual(redactor.bounded(`ok ${long}`, 10), { text: 'ok [REDACTED]', omittedChars: 4996 });
  });

  it('a literal secret straddling the cut is redacted whole', () => {
    assert.deepEqual(redactor.bounded(`${'x'.repeat(15)}${SIGNING_KEY}tail`, 20), { text: `${'x'.repeat(15)}[REDACTED]`, omittedChars: 17 });
  });

  it('a base64url token straddling the cut is redacted whole', () => {
    assert.deepEqual(redactor.bounded(`${'x'.repeat(15)}${b64(FETCHED)}tail`, 20), { text: `${'x'.repeat(15)}[REDACTED]`, omittedChars: 37 });
  });

  it('a jwt.<token> cut short by the window is redacted', () => {
    assert.deepEqual(redactor.bounded(`jwt.abc${'d'.repeat(500)}`, 6), { text: 'jwt.[REDACTED]', omittedChars: 501 });
  });

  it('a secret that starts after the cut is not shown at all', () => {
    assert.deepEqual(redactor.bounded(`${'x'.repeat(20)}${SIGNING_KEY}`, 20), { text: 'x'.repeat(20), omittedChars: 18 });
  });

  it('cut() appends the marker with the count left out', () => {
    assert.equal(redactor.cut('x'.repeat(30), 20), `${'x'.repeat(20)}… (10 more chars)`);
    assert.equal(redactor.cut('x'.repeat(20), 20), 'x'.repeat(20));
    assert.equal(redactor.cut(`${JWT} ${'x'.repeat(300)}`, 200, () => '…'), `[REDACTED] ${'x'.repeat(83)}…`);
  });

  it('the overlap covers the longest form of the longest secret', () => {
    const long = 'k'.repeat(300);
    const withLong = new Redactor([long]);
    assert.equal(withLong.overlapChars, b64(long).length);
    assert.equal(withLong.bounded(`ab${long}`, 5).text, 'ab[REDACTED]');
  });
});

describe('redaction is linear on adversarial input', () => {
  const MIB = 1024 * 1024;
  const inputs: readonly (readonly [string, string])[] = [
    ['"eyJ" repeated', 'eyJ'],
    ['"jwt." repeated', 'jwt.'],
    ['"eyJ." repeated', 'eyJ.'],
    ['"eyJa" runs with dots', 'eyJaaaa.eyJbbbb.'],
    ['"Bearer " repeated', 'Bearer '],
    ['one base64url run', 'A'],
  ];
  for (const [name, unit] of inputs) {
    it(`1 MiB of ${name} is redacted within 2 s`, () => {
      const text = unit.repeat(Math.ceil(MIB / unit.length));
      const redactor = new Redactor([...SECRETS, JWT]);
      const started = performance.now();
      redactor.redact(text);
      redactor.bounded(text, 512);
      assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
    });
  }

  it('bounded() scans only the bound plus the overlap', () => {
    const text = Buffer.alloc(16 * MIB, 'eyJ').toString('latin1');
    const started = performance.now();
    assert.equal(new Redactor().bounded(text, 512).text, '[REDACTED]');
    assert.ok(performance.now() - started < 200, `took ${performance.now() - started} ms`);
  });
});
