/**
 * The on-call package proven with real components: the reference backend, the canary service, a
 * real Prometheus loading the shipped rule file (only the `for:` durations shortened) and a real
 * Alertmanager with the shipped routing, whose receivers point at a webhook server in this test.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { startReferenceBackend, REFERENCE_SECRET, type ReferenceBackend } from '../../src/reference/index.ts';
import { createLogger } from '../../src/logging/index.ts';
import { MemoryDestination } from '../logging/test-helpers.ts';
import { startService, type RunningService } from '../../src/service/service.ts';
import { goldenPathCheck, jwtAuth, target, withFault } from '../support/fixtures.ts';
import { until } from '../support/net.ts';
import { dashboardExpressions, metricNames } from './dashboard-exprs.ts';
import {
  startAlertmanager,
  startPrometheus,
  startWebhookReceiver,
  type AlertmanagerHandle,
  type PrometheusHandle,
  type WebhookReceiver,
} from './live-stack.ts';

const ROOT = new URL('../../', import.meta.url);
const RULES = new URL('deploy/prometheus/canary-rules.yml', ROOT);
const ALERTMANAGER = new URL('deploy/alertmanager/alertmanager.yml', ROOT);
const DASHBOARD = new URL('deploy/grafana/canary-dashboard.json', ROOT);

/** The shipped rules with only the `for:` durations shortened, so alerts fire within seconds. */
export function shortenFor(rules: string): string {
  return rules.replace(/^(\s*)for:\s*\S+\s*$/gm, '$1for: 1s');
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shipped Alertmanager config with every receiver sent to the test's webhook and short group timings. */
export function pointAtWebhook(config: string, webhookUrl: string): string {
  const doc: unknown = parse(config);
  if (!isMapping(doc)) throw new Error('alertmanager.yml is not a mapping');
  const receivers = Array.isArray(doc['receivers']) ? doc['receivers'] : [];
  doc['receivers'] = receivers.filter(isMapping).map((receiver) => ({
    name: receiver['name'],
    webhook_configs: [{ url: `${webhookUrl}/${String(receiver['name'])}`, send_resolved: false }],
  }));
  const shorten = (route: unknown): void => {
    if (!isMapping(route)) return;
    for (const key of ['group_wait', 'group_interval']) if (key in route || route === doc['route']) route[key] = '1s';
    if (Array.isArray(route['routes'])) route['routes'].forEach(shorten);
  };
  shorten(doc['route']);
  delete doc['global'];
  return stringify(doc);
}

function ruleExpressions(rules: string): { name: string; expr: string }[] {
  const doc = parse(rules) as { groups: { rules: { alert?: string; record?: string; expr: string }[] }[] };
  return doc.groups.flatMap((group) => group.rules.map((rule) => ({ name: rule.alert ?? rule.record ?? '?', expr: String(rule.expr) })));
}

function recordedNames(rules: string): string[] {
  const doc = parse(rules) as { groups: { rules: { record?: string }[] }[] };
  return doc.groups.flatMap((group) => group.rules.flatMap((rule) => (rule.record === undefined ? [] : [rule.record])));
}

/** Every series name the canary's /metrics exposes, histograms expanded to their series. */
function exportedNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const match of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = match;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(`${name}${suffix}`);
    else names.add(name);
  }
  return names;
}

/** The receiver the shipped Alertmanager config routes `severity=<severity>` alerts to. */
function receiverFor(severity: string): string {
  const doc = parse(readFileSync(ALERTMANAGER, 'utf8')) as { route: { routes?: { matchers?: string[]; receiver: string }[] } };
  const route = (doc.route.routes ?? []).find((r) => (r.matchers ?? []).some((m) => m.replace(/[\s"']/g, '') === `severity=${severity}`));
  if (route === undefined) throw new Error(`alertmanager.yml has no route for severity=${severity}`);
  return route.receiver;
}

function substituteGrafana(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '1m')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?(target|check|location)(:[a-z]+)?\}?/g, '.*');
}

describe('alerts and dashboard against a real Prometheus and Alertmanager', () => {
  let backend: ReferenceBackend;
  let service: RunningService;
  let webhook: WebhookReceiver;
  let alertmanager: AlertmanagerHandle;
  let prometheus: PrometheusHandle;
  let rules: string;

  before(async () => {
    rules = await readFile(RULES, 'utf8');
    backend = await startReferenceBackend();
    const auth = jwtAuth(REFERENCE_SECRET);
    const every = goldenPathCheck({ schedule: { kind: 'every', everySeconds: 1 }, timeoutMs: 3000, slowAfterMs: 2000 });
    service = await startService({
      config: {
        targets: [
          target(backend.url, auth, { target: 'healthy', checks: [every] }),
          target(withFault(backend.url, 'close_1011_after=2'), auth, { target: 'crashing', checks: [every] }),
        ],
        service: { adminToken: null },
      },
      port: 0,
      host: '127.0.0.1',
      logger: createLogger({ destination: new MemoryDestination(), pretty: false, env: {} }),
      adminToken: null,
      env: {},
    });
    webhook = await startWebhookReceiver();
    alertmanager = await startAlertmanager(pointAtWebhook(await readFile(ALERTMANAGER, 'utf8'), webhook.url));
    prometheus = await startPrometheus({
      scrapeTarget: new URL(service.url).host,
      rules: shortenFor(rules),
      alertmanager: alertmanager.address,
    });
    await until(
      'the first scrape of both targets',
      async () => ((await prometheus.query('count(canary_check_up) == 2')).length === 1 ? true : null),
      30_000,
    );
  });

  after(async () => {
    await prometheus?.stop();
    await alertmanager?.stop();
    await webhook?.stop();
    await service?.close();
    await backend?.close();
  });

  it('loads the shipped rule file with every rule healthy', async () => {
    const response = await fetch(`${prometheus.url}/api/v1/rules`);
    const body = (await response.json()) as { data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] } };
    const loaded = body.data.groups.flatMap((g) => g.rules);
    assert.equal(loaded.length, ruleExpressions(rules).length);
    await until(
      'every rule to have been evaluated without error',
      async () => {
        const now = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as typeof body;
        const unhealthy = now.data.groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok');
        return unhealthy.length === 0 ? true : null;
      },
      15_000,
    );
  });

  it('runs every PromQL expression of the rules and the dashboard without error, naming only canary metrics', async () => {
    const exported = exportedNames(await (await fetch(`${service.url}/metrics`)).text());
    const known = new Set([...exported, ...recordedNames(rules), 'up']);
    const dashboard: unknown = JSON.parse(await readFile(DASHBOARD, 'utf8'));
    const expressions = [
      ...ruleExpressions(rules).map(({ name, expr }) => ({ where: `rule ${name}`, expr })),
      ...dashboardExpressions(dashboard).map(({ panel, expr }) => ({ where: `panel ${panel}`, expr: substituteGrafana(expr) })),
    ];
    assert.ok(expressions.length > 20);
    const failures: string[] = [];
    for (const { where, expr } of expressions) {
      const unknown = metricNames(expr).filter((name) => !known.has(name));
      if (unknown.length > 0) failures.push(`${where}: names ${unknown.join(', ')}, which the canary does not export`);
      try {
        await prometheus.query(expr);
      } catch (error) {
        failures.push(`${where}: ${String(error)} in ${expr}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  it('fires CanaryWebSocket1011 for the backend that closes with 1011, and Alertmanager delivers it to the webhook', async () => {
    await until(
      'CanaryWebSocket1011 to fire in Prometheus',
      async () => ((await prometheus.alerts()).some((a) => a.labels['alertname'] === 'CanaryWebSocket1011' && a.labels['target'] === 'crashing' && a.state === 'firing') ? true : null),
      90_000,
    );
    const delivered = await until(
      'the webhook to receive CanaryWebSocket1011',
      async () => webhook.received.find(({ alert }) => alert.labels['alertname'] === 'CanaryWebSocket1011' && alert.labels['target'] === 'crashing') ?? null,
      60_000,
    );
    assert.equal(delivered.alert.status, 'firing');
    assert.match(delivered.alert.annotations['summary'] ?? '', /crashing/);
    assert.match(delivered.alert.annotations['runbook_url'] ?? '', /deploy\/runbooks\/.+\.md$/);
    assert.equal(delivered.path, `/${receiverFor(delivered.alert.labels['severity'] ?? '')}`);
  });

  it('fires no alert at all for the healthy backend', async () => {
    const alerts = await prometheus.alerts();
    const noisy = alerts.filter((a) => a.labels['target'] !== 'crashing').map((a) => `${a.labels['alertname'] ?? '?'}{target=${a.labels['target'] ?? ''}} ${a.state}`);
    assert.deepEqual(noisy, []);
    assert.deepEqual(
      webhook.received.filter(({ alert }) => alert.labels['target'] !== 'crashing').map(({ alert }) => alert.labels['alertname']),
      [],
    );
  });
});

