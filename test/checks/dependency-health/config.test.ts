import assert from 'node:assert/strict';
import { join } from 'node:path';
import { suite, test } from 'node:test';
import { assertConfigError, loadConfig, tempFiles } from '../../support/config.ts';

const HEAD = 'target: t\nurl: wss://api.staging.example.com/ws\n';
const CHECK = 'checks:\n  - name: deps\n    type: dependency_health\n';

interface BadCase {
  readonly name: string;
  /** Lines appended to the check (indented 4). */
  readonly lines: string;
  /** The lines of `error.message` after `<file>: `. */
  readonly expected: readonly string[];
}

const BAD: readonly BadCase[] = [
  {
    name: 'an endpoint that is neither a path nor an http(s) URL',
    lines: '    endpoints: [health]\n',
    expected: ['checks[0].endpoints[0]: expected a path like "/health" or an http:// or https:// URL, got "health"'],
  },
  {
    name: 'a ws:// endpoint',
    lines: '    endpoints: ["/health", "ws://x/health"]\n',
    expected: ['checks[0].endpoints[1]: expected a path like "/health" or an http:// or https:// URL, got "ws://x/health"'],
  },
  {
    name: 'a protocol-relative endpoint',
    lines: '    endpoints: ["//evil.example.com/health"]\n',
    expected: ['checks[0].endpoints[0]: expected a path like "/health" or an http:// or https:// URL, got "//evil.example.com/health"'],
  },
  {
    name: 'an endpoint URL with credentials',
    lines: '    endpoints: ["https://user:pw@api.example.com/health"]\n',
    expected: ['checks[0].endpoints[0]: expected a URL without credentials (it becomes a metric label), got "https://user:pw@api.example.com/health"'],
  },
  {
    name: 'a repeated endpoint',
    lines: '    endpoints: [/health, /health]\n',
    expected: ['checks[0].endpoints[1]: duplicate endpoint "/health" (also checks[0].endpoints[0])'],
  },
  {
    name: 'no endpoints',
    lines: '    endpoints: []\n',
    expected: ['checks[0].endpoints: expected a non-empty list of endpoints (a path like "/health" or an http:// or https:// URL), got an empty list'],
  },
  {
    name: 'a health_timeout that is not a duration',
    lines: '    health_timeout: 5\n',
    expected: ['checks[0].health_timeout: expected a duration like "30s" or "500ms", got 5'],
  },
  {
    name: 'a zero health_timeout',
    lines: '    health_timeout: 0s\n',
    expected: ['checks[0].health_timeout: expected a duration greater than 0, got "0s"'],
  },
  {
    name: 'a misspelt key',
    lines: '    health_timout: 2s\n',
    expected: ['checks[0].health_timout: unknown field (did you mean "health_timeout"?)'],
  },
];

suite('bad dependency_health checks: file → exact error text', { concurrency: true }, () => {
  for (const bad of BAD) {
    test(bad.name, (t) => assertConfigError(t, `${HEAD}${CHECK}${bad.lines}`, bad.expected));
  }
});

test('dependency_health defaults: /health and /health/ready, 5 s each, any auth', async (t) => {
  const dir = await tempFiles(t, { 'a.yaml': `${HEAD}${CHECK}` });
  const check = (await loadConfig(join(dir, 'a.yaml'), {})).targets[0]?.checks[0];
  assert.ok(check?.type === 'dependency_health');
  assert.deepEqual([check.endpoints, check.healthTimeoutMs, check.timeoutMs], [['/health', '/health/ready'], 5000, 150_000]);
});

test('dependency_health takes paths and URLs, and caps health_timeout to timeout', async (t) => {
  const lines = '    endpoints: [/health/startup, "https://status.example.com/api/health"]\n    health_timeout: 1m\n    timeout: 20s\n';
  const dir = await tempFiles(t, { 'a.yaml': `${HEAD}${CHECK}${lines}` });
  const check = (await loadConfig(join(dir, 'a.yaml'), {})).targets[0]?.checks[0];
  assert.ok(check?.type === 'dependency_health');
  assert.deepEqual([check.endpoints, check.healthTimeoutMs], [['/health/startup', 'https://status.example.com/api/health'], 20_000]);
});
