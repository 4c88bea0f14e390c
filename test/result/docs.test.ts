import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DEGRADATIONS, REASON_NAMES } from '../../src/result/reasons.ts';
import { FAULTS } from '../../src/reference/index.ts';
import { createMetrics } from '../../src/metrics/index.ts';
import { goldenPathCheck, target } from '../support/fixtures.ts';

const README = new URL('../../README.md', import.meta.url);

function undocumented(readme: string, names: Iterable<string>): string[] {
  return [...names].filter((name) => !readme.includes(`\`${name}`));
}

test('the README documents every failure reason and degradation', async () => {
  const readme = await readFile(README, 'utf8');
  assert.deepEqual(undocumented(readme, REASON_NAMES), []);
  assert.deepEqual(undocumented(readme, Object.keys(DEGRADATIONS)), []);
});

test('the README documents every reference-backend fault', async () => {
  const readme = await readFile(README, 'utf8');
  assert.deepEqual(undocumented(readme, Object.keys(FAULTS)), []);
});

test('the README documents every canary metric family', async () => {
  const readme = await readFile(README, 'utf8');
  const config = { targets: [target('ws://127.0.0.1:1/ws', { type: 'none' }, { checks: [goldenPathCheck()] })], service: { adminToken: null } };
  const metrics = createMetrics(config, { defaultMetrics: false });
  const families = (await metrics.registry.getMetricsAsJSON()).filter((m) => m.name.startsWith('canary_'));
  assert.ok(families.length >= 18);
  const names = families.map((m) => (String(m.type) === 'counter' && !m.name.endsWith('_total') ? `${m.name}_total` : m.name));
  assert.deepEqual(undocumented(readme, names), []);
});
