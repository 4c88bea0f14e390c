import { before, after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startReferenceBackend, REFERENCE_SECRET, type ReferenceBackend } from '../../../src/reference/index.ts';
import type { TlsConfig } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { FIVE_EVENTS, goldenPathCheck, jwtAuth } from '../../support/fixtures.ts';
import { outcome, runOnce } from '../../support/run.ts';

const OPENSSL = '/usr/bin/openssl';

/** A self-signed certificate for 127.0.0.1 (subjectAltName IP:127.0.0.1), valid for 2 days, made by the openssl CLI. */
async function selfSignedCert(dir: string): Promise<{ keyFile: string; certFile: string }> {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await promisify(execFile)(OPENSSL, [
    'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-keyout', keyFile, '-out', certFile, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ]);
  return { keyFile, certFile };
}

function run(url: string, tls: TlsConfig): Promise<CheckResult> {
  return runOnce(url, goldenPathCheck(), jwtAuth(REFERENCE_SECRET), { target: { tls } });
}

const SUCCESS = { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS] };

describe('golden path over wss', { concurrency: true }, () => {
  let dir: string;
  let certFile: string;
  let certPem: string;
  let backend: ReferenceBackend;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'canary-tls-'));
    const files = await selfSignedCert(dir);
    certFile = files.certFile;
    certPem = await readFile(certFile, 'utf8');
    backend = await startReferenceBackend({ tls: { key: await readFile(files.keyFile, 'utf8'), cert: certPem } });
  });
  after(async () => {
    await backend.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves wss and https', () => {
    assert.match(backend.url, /^wss:\/\/127\.0\.0\.1:\d+\/ws$/);
    assert.match(backend.httpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('succeeds with the certificate as caFile, times the tls phase and reports the certificate expiry', async () => {
    const result = await run(backend.url, { caFile: certFile, insecureSkipVerify: false });
    assert.deepEqual(outcome(result), SUCCESS);
    assert.deepEqual(Object.keys(result.phases), ['token', 'dns', 'tcp', 'tls', 'upgrade', 'welcome', 'events']);
    const notAfter = new Date(Date.parse(new X509Certificate(certPem).validTo)).toISOString();
    assert.equal(result.tlsCertExpiresAt, notAfter);
    const { stdout } = await promisify(execFile)(OPENSSL, ['x509', '-noout', '-enddate', '-in', certFile]);
    assert.equal(new Date(Date.parse(stdout.trim().replace(/^notAfter=/, ''))).toISOString(), result.tlsCertExpiresAt);
  });

  it('fails tls in phase tls when the certificate is not trusted', async () => {
    const result = await run(backend.url, { caFile: null, insecureSkipVerify: false });
    assert.deepEqual(outcome(result), { ...SUCCESS, result: 'failure', phase: 'tls', reason: 'tls', events: [] });
    assert.equal(result.message, 'tls: self-signed certificate: trust its CA with tls.ca_file, or set tls.insecure_skip_verify: true (a lab only)');
    assert.equal(result.tlsCertExpiresAt, null);
    assert.deepEqual(Object.keys(result.phases), ['token', 'dns', 'tcp']);
  });

  it('succeeds with insecureSkipVerify and still reports the certificate expiry', async () => {
    const result = await run(backend.url, { caFile: null, insecureSkipVerify: true });
    assert.deepEqual(outcome(result), SUCCESS);
    assert.equal(result.tlsCertExpiresAt, new Date(Date.parse(new X509Certificate(certPem).validTo)).toISOString());
  });


  it('reports an unreadable caFile as canary_error instead of crashing the process', async () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const result = await run(backend.url, { caFile: missing, insecureSkipVerify: false });
    assert.deepEqual(outcome(result), { ...SUCCESS, result: 'failure', phase: 'dns', reason: 'canary_error', events: [] });
    assert.equal(result.message, `canary error: ENOENT: no such file or directory, open '${missing}'`);
  });
});
