import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { AUTH_PROBES, type AuthConfig, type AuthEnforcementCheck, type AuthProbe, type CheckConfig, type TargetConfig } from '../../../src/config/types.ts';
import { systemClock } from '../../../src/clock.ts';
import {
  REFERENCE_SECRET,
  verifyAccessToken,
  type ConnectionRecord,
} from '../../../src/reference/index.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { startBackend } from '../../support/backend.ts';
import { goldenPathCheck, jwtAuth, target, withFault } from '../../support/fixtures.ts';
import { runIn, runOnce } from '../../support/run.ts';
import { BOGUS_TOKEN, BYPASS_HEADERS, probeTokens } from '../../../src/checks/auth-enforcement/probes.ts';

const BYPASS_HEADER_NAMES = Object.keys(BYPASS_HEADERS).map((name) => name.toLowerCase());

function enforcementCheck(overrides: Partial<AuthEnforcementCheck> = {}): AuthEnforcementCheck {
  return { ...goldenPathCheck({ name: 'authz' }), type: 'auth_enforcement', probes: [...AUTH_PROBES], ...overrides };
}

function run(where: TargetConfig, check: CheckConfig, runId = 'authz1'): Promise<CheckResult> {
  return runIn(where, check, { env: {}, runId });
}

function probe(url: string, check: AuthEnforcementCheck = enforcementCheck(), auth: AuthConfig = jwtAuth(REFERENCE_SECRET)): Promise<CheckResult> {
  return runOnce(url, check, auth, { env: {}, runId: 'authz1' });
}

/** The fields every auth_enforcement test asserts exactly. */
function verdict(result: CheckResult): Record<string, unknown> {
  return {
    check: result.check,
    type: result.type,
    runId: result.runId,
    result: result.result,
    phase: result.phase,
    reason: result.reason,
    message: result.message,
    closeCode: result.closeCode,
    httpStatus: result.httpStatus,
    events: result.events,
    protocol: result.protocol,
    details: result.details,
  };
}

const BASE = { check: 'authz', type: 'auth_enforcement', runId: 'authz1', events: [], protocol: { welcome: 'none', envelope: 'none', subprotocol: 'none' } };
const SUCCESS = { ...BASE, result: 'success', phase: null, reason: null, message: null, closeCode: null, httpStatus: null };

function bypassRecords(records: readonly ConnectionRecord[]): ConnectionRecord[] {
  return records.filter((record) => record.headerNames.some((name) => /test|e2e/i.test(name)));
}

describe('auth_enforcement against the reference backend', { concurrency: true }, () => {
  it('succeeds when the backend rejects all six probes', async (t) => {
    const backend = await startBackend(t);
    const result = await probe(backend.url);
    assert.deepEqual(verdict(result), { ...SUCCESS, details: { probes: 6, rejected: 6, accepted: '' } });
    const records = backend.connections();
    assert.equal(records.length, 6);
    assert.deepEqual(records.map((r) => r.authOk), [false, false, false, false, false, false]);
    assert.deepEqual(records.map((r) => r.messagesReceived), [[], [], [], [], [], []], 'no probe sends a chat message');
    const bypass = bypassRecords(records);
    assert.equal(bypass.length, 1, 'only the bypass_headers probe sends test headers');
    assert.deepEqual(BYPASS_HEADER_NAMES.filter((name) => bypass[0]?.headerNames.includes(name)), BYPASS_HEADER_NAMES);
    const tokenless = records.filter((r) => !r.headerNames.includes('authorization'));
    assert.equal(tokenless.length, 1, 'only no_token sends no Authorization header');
    assert.deepEqual(tokenless[0]?.offeredSubprotocols, [], 'and no subprotocol token');
  });

  it('test_bypass lets the bogus token with the bypass headers in, up to the agent events: auth_bypass in phase events', async (t) => {
    const backend = await startBackend(t, { faults: 'test_bypass' });
    const result = await probe(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'events',
      reason: 'auth_bypass',
      message: 'the backend let in 1 of 6 probes it must refuse: bypass_headers',
      closeCode: null,
      httpStatus: null,
      details: { probes: 6, rejected: 5, accepted: 'bypass_headers' },
    });
    const types = result.transcript.entries.map((entry) => entry.type).filter((type) => type !== null);
    assert.deepEqual(types.slice(0, 3), ['ping', 'pong', 'system_message'], 'the transcript is the accepted probe’s, from its welcome');
    assert.equal(types.at(-1), 'agent_completed');
  });

  it('a probe let in to the welcome whose message then fails is still a bypass, in phase welcome', async (t) => {
    const backend = await startBackend(t, { faults: 'test_bypass,error_frame' });
    const result = await probe(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'welcome',
      reason: 'auth_bypass',
      message: 'the backend let in 1 of 6 probes it must refuse: bypass_headers',
      closeCode: null,
      httpStatus: null,
      details: { probes: 6, rejected: 5, accepted: 'bypass_headers' },
    });
  });

  it('accept_expired lets the expired token in: auth_bypass naming expired', async (t) => {
    const backend = await startBackend(t, { faults: 'accept_expired' });
    const result = await probe(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'events',
      reason: 'auth_bypass',
      message: 'the backend let in 1 of 6 probes it must refuse: expired',
      closeCode: null,
      httpStatus: null,
      details: { probes: 6, rejected: 5, accepted: 'expired' },
    });
    const accepted = backend.connections().filter((r) => r.authOk === true);
    assert.equal(accepted.length, 1);
    const claims = accepted[0]?.claims ?? {};
    assert.equal(Number(claims['exp']) - Number(claims['iat']), 3600, 'issued 2 h ago, expired 1 h ago');
    assert.ok(Math.abs(Number(claims['iat']) - (Date.now() / 1000 - 7200)) < 60);
    assert.deepEqual([claims['iss'], claims['token_type'], claims['sub']], ['netra-auth-service', 'access', 'canary-test'], 'otherwise valid');
  });

  it('names every accepted probe when test_bypass and accept_expired are both on', async (t) => {
    const backend = await startBackend(t, { faults: 'test_bypass,accept_expired' });
    const result = await probe(backend.url);
    assert.equal(result.message, 'the backend let in 2 of 6 probes it must refuse: expired, bypass_headers');
    assert.deepEqual(result.details, { probes: 6, rejected: 4, accepted: 'expired,bypass_headers' });
  });

  it('upgrade_status=503 cannot prove enforcement: upgrade_rejected, not auth_bypass', async (t) => {
    const backend = await startBackend(t);
    const result = await probe(withFault(backend.url, 'upgrade_status=503'));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'upgrade',
      reason: 'upgrade_rejected',
      message: 'probe no_token could not prove enforcement: the upgrade was refused with HTTP 503: the backend or a gateway is not ready (start-up, readiness guard) or overloaded',
      closeCode: null,
      httpStatus: 503,
      details: { probes: 6, rejected: 0, accepted: '' },
    });
  });

  it('a gateway refusing every probe with HTTP 401 counts as enforcement', async (t) => {
    const backend = await startBackend(t);
    const result = await probe(withFault(backend.url, 'auth_http=401'));
    assert.deepEqual(verdict(result), { ...SUCCESS, details: { probes: 6, rejected: 6, accepted: '' } });
  });

  it('with auth none, the keyless probes are sent both ways and rejected', async (t) => {
    const backend = await startBackend(t);
    const check = enforcementCheck({ probes: ['no_token', 'wrong_key', 'bypass_headers'] });
    const result = await probe(backend.url, check, { type: 'none' });
    assert.deepEqual(verdict(result), { ...SUCCESS, details: { probes: 3, rejected: 3, accepted: '' } });
    const sources = backend.connections().map((r) => [r.headerNames.includes('authorization'), r.offeredSubprotocols.length]);
    assert.deepEqual(sources.sort(), [[false, 0], [true, 2], [true, 2]]);
  });

  it('RS256: wrong_key signs with a fresh RSA key, which the backend rejects', async (t) => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dir = await mkdtemp(path.join(tmpdir(), 'canary-authz-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const keyFile = path.join(dir, 'rs.pem');
    await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const backend = await startBackend(t, { verifyKey: { algorithm: 'RS256', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() } });
    const auth = jwtAuth(REFERENCE_SECRET, { algorithm: 'RS256', secret: null, privateKeyFile: keyFile });
    const golden = goldenPathCheck();
    const check = enforcementCheck({ probes: ['wrong_key', 'expired', 'wrong_issuer', 'wrong_token_type'] });
    const where = target(backend.url, auth, { checks: [golden, check] });
    assert.equal((await run(where, golden)).result, 'success', 'the real key gets in');
    const result = await run(where, check);
    assert.deepEqual(verdict(result), { ...SUCCESS, details: { probes: 4, rejected: 4, accepted: '' } });
  });

  it('a golden_path run never sends bypass headers, even next to an auth_enforcement check', async (t) => {
    const backend = await startBackend(t);
    const golden = goldenPathCheck();
    const check = enforcementCheck();
    const where = target(backend.url, jwtAuth(REFERENCE_SECRET), { checks: [golden, check] });
    assert.equal((await run(where, check)).result, 'success');
    const probesSeen = backend.connections().length;
    assert.equal((await run(where, golden)).result, 'success');
    const goldenRecords = backend.connections().slice(probesSeen);
    assert.equal(goldenRecords.length, 1);
    assert.deepEqual(bypassRecords(goldenRecords), []);
    assert.deepEqual(
      goldenRecords[0]?.headerNames.filter((name) => BYPASS_HEADER_NAMES.includes(name)),
      [],
    );
  });
});

describe('forged tokens', { concurrency: true }, () => {
  const auth = jwtAuth(REFERENCE_SECRET);
  const forge = (probeName: AuthProbe, with_: AuthConfig = auth): Promise<string | null> =>
    probeTokens(with_, probeName, systemClock, []).getToken(new AbortController().signal);

  it('are the configured token with exactly one thing wrong', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = async (name: AuthProbe): Promise<Record<string, unknown>> => {
      const token = await forge(name);
      assert.ok(token !== null);
      const { iat, exp, jti, ...rest } = decodeJwt(token);
      assert.ok(typeof jti === 'string' && typeof iat === 'number' && typeof exp === 'number');
      return { ...rest, ageSeconds: Math.round((now - iat) / 60) * 60, lifeSeconds: exp - iat };
    };
    const valid = { sub: 'canary-test', iss: 'netra-auth-service', aud: 'netra-platform', token_type: 'access', email: 'canary@example.com', permissions: ['read', 'write'], ageSeconds: 0, lifeSeconds: 600 };
    assert.deepEqual(await claims('expired'), { ...valid, ageSeconds: 7200, lifeSeconds: 3600 });
    assert.deepEqual(await claims('wrong_issuer'), { ...valid, iss: 'canary-wrong-issuer' });
    assert.deepEqual(await claims('wrong_token_type'), { ...valid, token_type: 'refresh' });
    assert.deepEqual(await claims('wrong_key'), valid);
  });

  it('wrong_key is signed with a key the backend does not have, of the configured algorithm', async () => {
    const token = await forge('wrong_key');
    assert.ok(token !== null);
    assert.equal(decodeProtectedHeader(token).alg, 'HS256');
    const verified = await verifyAccessToken(token, REFERENCE_SECRET);
    assert.deepEqual(verified.ok, false);
  });

  it('without jwt auth, wrong_key is a backend-shaped HS256 token; no_token is none; bypass_headers is bogus', async () => {
    const token = await forge('wrong_key', { type: 'none' });
    assert.ok(token !== null);
    const { iat: _iat, exp: _exp, jti: _jti, ...claims } = decodeJwt(token);
    assert.deepEqual(claims, { sub: 'canary', iss: 'netra-auth-service', token_type: 'access' });
    assert.equal(await forge('no_token'), null);
    assert.equal(await forge('bypass_headers'), BOGUS_TOKEN);
  });
});
