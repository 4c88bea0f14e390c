import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { systemClock } from '../../src/clock.ts';
import { listenLoopback } from '../support/net.ts';
import { createTokenProvider } from '../../src/auth/provider.ts';

describe('a token provider names every secret the canary sends', { concurrency: true }, () => {
  it('bearer: the token read from the environment, as it is now', () => {
    const env: NodeJS.ProcessEnv = {};
    const tokens = createTokenProvider({ type: 'bearer', tokenEnv: 'T', sendAs: ['header'] }, systemClock, env);
    assert.deepEqual(tokens.secrets, []);
    env['T'] = 'env-bearer-token-1234';
    assert.deepEqual(tokens.secrets, ['env-bearer-token-1234']);
  });

  it('token_url: the configured credentials, then the fetched token too', async (t) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'fetched-opaque-token-5678', expires_in: 900 }));
    });
    const port = await listenLoopback(server);
    t.after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const tokens = createTokenProvider(
      {
        type: 'token_url',
        url: `http://127.0.0.1:${port}/token`,
        headers: { 'x-api-key': 'api-key-value' },
        body: { client_secret: 'client-secret-value', grant_type: 'client_credentials' },
        tokenField: 'access_token',
        expiresInField: 'expires_in',
        sendAs: ['header'],
      },
      systemClock,
    );
    assert.deepEqual(tokens.secrets, ['api-key-value', 'client-secret-value', 'client_credentials']);
    assert.equal(await tokens.getToken(new AbortController().signal), 'fetched-opaque-token-5678');
    assert.deepEqual(tokens.secrets, ['api-key-value', 'client-secret-value', 'client_credentials', 'fetched-opaque-token-5678']);
  });
});
