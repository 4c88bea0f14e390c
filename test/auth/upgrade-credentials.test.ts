import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { upgradeCredentials, type UpgradeCredentials } from '../../src/auth/upgrade-credentials.ts';
import type { TokenPresentation } from '../../src/config/types.ts';
import { mintReferenceToken } from '../../src/reference/token.ts';
import { connectForTest, startForTest } from '../reference/testkit.ts';

const TOKEN = 'aaa.bbb.ccc';
const B64 = Buffer.from(TOKEN, 'utf8').toString('base64url');

describe('upgradeCredentials', { concurrency: true }, () => {
  const cases: [name: string, presentation: TokenPresentation, expected: UpgradeCredentials][] = [
    [
      'the default: header and the browser subprotocols',
      { sendAs: ['header', 'subprotocol'] },
      { headers: { authorization: `Bearer ${TOKEN}` }, protocols: ['jwt-auth', `jwt.${B64}`], query: {}, secrets: [`jwt.${B64}`, B64] },
    ],
    ['header only', { sendAs: ['header'] }, { headers: { authorization: `Bearer ${TOKEN}` }, protocols: [], query: {}, secrets: [] }],
    [
      'header with X-Environment',
      { sendAs: ['header'], environment: 'staging' },
      { headers: { authorization: `Bearer ${TOKEN}`, 'x-environment': 'staging' }, protocols: [], query: {}, secrets: [] },
    ],
    [
      'jwt.<env>.<token>',
      { sendAs: ['subprotocol'], subprotocolForm: 'jwt', environment: 'staging' },
      { headers: {}, protocols: [`jwt.staging.${TOKEN}`], query: {}, secrets: [`jwt.staging.${TOKEN}`] },
    ],
    [
      'jwt-auth.<env>.<token>',
      { sendAs: ['subprotocol'], subprotocolForm: 'jwt-auth', environment: 'staging' },
      { headers: {}, protocols: [`jwt-auth.staging.${TOKEN}`], query: {}, secrets: [`jwt-auth.staging.${TOKEN}`] },
    ],
    [
      'bearer.<token> without an environment',
      { sendAs: ['subprotocol'], subprotocolForm: 'bearer' },
      { headers: {}, protocols: [`bearer.${TOKEN}`], query: {}, secrets: [`bearer.${TOKEN}`] },
    ],
    [
      'staging-auth.<token> carries no environment',
      { sendAs: ['subprotocol'], subprotocolForm: 'staging-auth', environment: 'production' },
      { headers: {}, protocols: [`staging-auth.${TOKEN}`], query: {}, secrets: [`staging-auth.${TOKEN}`] },
    ],
    [
      '?token=&env=',
      { sendAs: ['query'], environment: 'staging' },
      { headers: {}, protocols: [], query: { token: TOKEN, env: 'staging' }, secrets: [] },
    ],
  ];
  for (const [name, presentation, expected] of cases) {
    it(name, () => {
      assert.deepEqual(upgradeCredentials(presentation, TOKEN), expected);
    });
  }

  it('carries nothing without a token (auth: none)', () => {
    assert.deepEqual(upgradeCredentials({ sendAs: ['header', 'subprotocol', 'query'], environment: 'staging' }, null), {
      headers: {},
      protocols: [],
      query: {},
      secrets: [],
    });
  });

  it('names the URL-encoded token a secret when encoding changes it', () => {
    assert.deepEqual(upgradeCredentials({ sendAs: ['query'] }, 'a+b/c=').secrets, ['a%2Bb%2Fc%3D']);
  });
});

describe('upgradeCredentials against the third-generation reference backend', { concurrency: true }, () => {
  const forms: [name: string, presentation: TokenPresentation, source: string, environment: string | null][] = [
    ['jwt.<env>.<token>', { sendAs: ['subprotocol'], subprotocolForm: 'jwt', environment: 'staging' }, 'subprotocol', 'staging'],
    ['bearer.<env>.<token>', { sendAs: ['subprotocol'], subprotocolForm: 'bearer', environment: 'production' }, 'subprotocol', 'production'],
    ['staging-auth.<token>', { sendAs: ['subprotocol'], subprotocolForm: 'staging-auth' }, 'subprotocol', 'staging'],
    ['the browser subprotocols', { sendAs: ['subprotocol'] }, 'subprotocol', null],
    ['?token=&env=', { sendAs: ['query'], environment: 'staging' }, 'query', 'staging'],
    ['Authorization with X-Environment', { sendAs: ['header'], environment: 'staging' }, 'header', 'staging'],
  ];
  for (const [name, presentation, source, environment] of forms) {
    it(`authenticates with ${name}, and the backend records the environment`, async (t) => {
      const backend = await startForTest(t, { faults: 'lifecycle' });
      const credentials = upgradeCredentials(presentation, await mintReferenceToken({ sub: 'upgrade-user' }));
      const url = new URL(backend.url);
      for (const [key, value] of Object.entries(credentials.query)) url.searchParams.set(key, value);
      const client = await connectForTest(t, url.toString(), { headers: { ...credentials.headers }, protocols: [...credentials.protocols] });
      assert.equal((await client.nextJson()).type, 'ping');
      const welcome = await client.nextJson();
      assert.equal((welcome.data as Record<string, unknown>).user_id, 'upgrade-user');
      const record = backend.connections()[0];
      assert.deepEqual([record?.authOk, record?.tokenSource, record?.environment], [true, source, environment]);
    });
  }
});
