/**
 * The on-call package: deploy/prometheus/canary-rules.yml (checked and unit-tested with promtool),
 * its unit tests, the example Prometheus config and deploy/alertmanager/alertmanager.yml (checked
 * and route-tested with amtool), and the runbooks the alerts link to.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMetrics } from '../../src/metrics/sink.ts';
import { oneCheckConfig } from '../metrics/test-helpers.ts';
import { metricNames } from './dashboard-exprs.ts';
import { REPO_ROOT, runTool, type ToolRun } from './rules-tools.ts';
import {
  matcherMatches,
  normalizeMatcher,
  readAlertmanagerConfig,
  readRuleFile,
  readUnitTests,
  type AlertRule,
  type InhibitRule,
  type Route,
} from './rules-yaml.ts';

const PROMETHEUS_DIR = join(REPO_ROOT, 'deploy', 'prometheus');
const RULES_FILE = 'deploy/prometheus/canary-rules.yml';
const TESTS_FILE = 'deploy/prometheus/canary-rules.test.yml';
const ALERTMANAGER_FILE = 'deploy/alertmanager/alertmanager.yml';
const RUNBOOKS_DIR = join(REPO_ROOT, 'deploy', 'runbooks');

const rules = readRuleFile(readFileSync(join(REPO_ROOT, RULES_FILE), 'utf8'), RULES_FILE);
const unitTests = readUnitTests(readFileSync(join(REPO_ROOT, TESTS_FILE), 'utf8'), TESTS_FILE);
const alertmanager = readAlertmanagerConfig(readFileSync(join(REPO_ROOT, ALERTMANAGER_FILE), 'utf8'), ALERTMANAGER_FILE);

/** The alerts on-call relies on, by the names the runbooks and dashboards use. */
const REQUIRED_ALERTS = [
  'CanaryGoldenPathFailing',
  'CanaryWebSocket1011',
  'CanaryAgentEventsMissing',
  'CanaryAuthFailing',
  'CanaryGoldenPathSlow',
  'CanaryErrorBudgetBurnFast',
  'CanaryErrorBudgetBurnSlow',
  'CanaryNotReporting',
  'CanaryTLSCertExpiringSoon',
  'CanaryAuthBypass',
  'CanaryUserIsolationViolated',
  'CanaryHandshakeStormFailing',
  'CanarySilentAgentFailure',
  'CanaryDependencyUnhealthy',
  'CanaryMessageBurstFailing',
  'CanaryBadInputCrashesBackend',
  'CanaryBadInputMishandled',
  'CanaryHandshakeIncomplete',
  'CanaryAnswerMismatch',
];

/** Alerts about the canary process itself, which carry no target label. */
const PROCESS_ALERTS: readonly string[] = ['CanaryConfigReloadFailed'];

/** Where each alert must be delivered, by its labels. */
const RECEIVERS = { page: 'oncall-pager', ticket: 'canary-tickets', canaryOwners: 'canary-owners' } as const;

const RUNBOOK_URL = /^https:\/\/github\.com\/OWNER\/canary\/blob\/main\/deploy\/runbooks\/([A-Za-z0-9_-]+\.md)$/;

function output(run: ToolRun): string {
  return `${run.stdout}${run.stderr}`;
}

function ruleName(rule: AlertRule): string {
  const extra = Object.entries(rule.labels)
    .filter(([name]) => name !== 'severity')
    .map(([name, value]) => `${name}="${value}"`);
  return extra.length === 0 ? rule.alert : `${rule.alert}{${extra.join(',')}}`;
}

/** The firing alerts the unit tests expect of `rule`: its name and every label it sets. */
function firingCasesOf(rule: AlertRule): { labels: Readonly<Record<string, string>>; annotations: Readonly<Record<string, string>> }[] {
  return unitTests.groups.flatMap((group) =>
    group.alertCases
      .filter((c) => c.alertname === rule.alert)
      .flatMap((c) => c.expAlerts)
      .filter((alert) => Object.entries(rule.labels).every(([name, value]) => alert.labels[name] === value)),
  );
}

describe('deploy/prometheus/canary-rules.yml', { concurrency: true }, () => {
  it('passes promtool check rules', async () => {
    const run = await runTool('promtool', ['check', 'rules', RULES_FILE]);
    assert.equal(run.status, 0, output(run));
    assert.match(run.stdout, /SUCCESS: \d+ rules found/, output(run));
    assert.doesNotMatch(output(run), /FAILED/);
  });

  it('passes its promtool unit tests', async () => {
    const run = await runTool('promtool', ['test', 'rules', TESTS_FILE]);
    // promtool 2.42 exits 0 when the last test group passes even if an earlier one FAILED.
    assert.equal(run.status, 0, output(run));
    assert.doesNotMatch(output(run), /FAILED/, output(run));
    assert.match(run.stdout, /SUCCESS/, output(run));
  });

  it('defines every alert on-call relies on', () => {
    const defined = new Set(rules.alerts.map((rule) => rule.alert));
    assert.deepEqual(REQUIRED_ALERTS.filter((name) => !defined.has(name)), []);
  });

  it('pages every security violation at once, and restricts the storm alert to handshake_storm checks', () => {
    // auth_bypass and isolation_violation are never blips: severity page, no for:, one run is enough.
    for (const [alert, reason] of [
      ['CanaryAuthBypass', 'auth_bypass'],
      ['CanaryUserIsolationViolated', 'isolation_violation'],
    ] as const) {
      const rule = rules.alerts.find((r) => r.alert === alert);
      assert.ok(rule !== undefined, alert);
      assert.equal(rule.labels['severity'], 'page', `${alert} pages`);
      assert.equal(rule.for, null, `${alert} has no for:`);
      assert.ok(rule.expr.includes(`reason="${reason}"`), `${alert} selects reason ${reason}`);
      assert.match(rule.expr, /\)\s*>\s*0\s*$/, `${alert} fires on the first one`);
    }
    const storm = rules.alerts.find((r) => r.alert === 'CanaryHandshakeStormFailing');
    assert.ok(storm?.expr.includes('canary_config_info{type="handshake_storm"}'), 'CanaryHandshakeStormFailing joins canary_config_info{type="handshake_storm"}');
    // The checks beyond the golden path alert on their own type only.
    for (const [alert, type, severity] of [
      ['CanaryMessageBurstFailing', 'message_burst', 'ticket'],
      ['CanaryBadInputCrashesBackend', 'input_hygiene', 'page'],
      ['CanaryBadInputMishandled', 'input_hygiene', 'ticket'],
    ] as const) {
      const rule = rules.alerts.find((r) => r.alert === alert);
      assert.ok(rule !== undefined, alert);
      assert.ok(rule.expr.includes(`canary_config_info{type="${type}"}`), `${alert} joins canary_config_info{type="${type}"}`);
      assert.equal(rule.labels['severity'], severity, `${alert} is a ${severity}`);
    }
    const crash = rules.alerts.find((r) => r.alert === 'CanaryBadInputCrashesBackend');
    assert.ok(crash !== undefined, 'CanaryBadInputCrashesBackend');
    assert.ok(crash.expr.includes('phase="send"') && crash.expr.includes('reason=~"close_1011|close_abnormal"'), 'CanaryBadInputCrashesBackend counts 1011 and 1006 on the bad input only');
    assert.match(crash.expr, />=\s*2\s*\)/, 'CanaryBadInputCrashesBackend needs two crashes: one is a blip');
    // The security violations are not availability: out of the error ratios and burn rates.
    for (const rule of [...rules.records, ...rules.alerts.filter((r) => r.alert.startsWith('CanaryErrorBudgetBurn'))]) {
      for (const [selector = ''] of rule.expr.matchAll(/canary_check_failures_total\{[^}]*\}/g)) {
        assert.ok(/reason!~"[^"]*\bauth_bypass\b[^"]*"/.test(selector) && /\bisolation_violation\b/.test(selector), `${'record' in rule ? rule.record : rule.alert}: ${selector}`);
      }
    }
  });

  it('labels every alert severity page or ticket', () => {
    const wrong = rules.alerts.filter((rule) => rule.labels['severity'] !== 'page' && rule.labels['severity'] !== 'ticket');
    assert.deepEqual(
      wrong.map((rule) => `${ruleName(rule)}: severity ${rule.labels['severity'] ?? 'missing'}`),
      [],
    );
  });

  it('links every alert to its runbook in deploy/runbooks', () => {
    const problems: string[] = [];
    for (const rule of rules.alerts) {
      const url = rule.annotations['runbook_url'] ?? '';
      const file = RUNBOOK_URL.exec(url)?.[1];
      if (file === undefined) problems.push(`${ruleName(rule)}: runbook_url ${JSON.stringify(url)} is not ${RUNBOOK_URL.source}`);
      else if (!existsSync(join(RUNBOOKS_DIR, file))) problems.push(`${ruleName(rule)}: deploy/runbooks/${file} does not exist`);
    }
    assert.deepEqual(problems, []);
  });

  it('names the target and the check of each alert in its summary and description', () => {
    // The labels an alert carries are those its firing unit tests expect; only the dead man's
    // switch for a canary that is gone altogether (absent()) and the alerts about the canary
    // process as a whole (a refused config reload) have no target to name.
    const problems: string[] = [];
    for (const rule of rules.alerts) {
      const firing = firingCasesOf(rule);
      const hasTarget = firing.some((alert) => 'target' in alert.labels);
      const hasCheck = firing.some((alert) => 'check' in alert.labels);
      if (!hasTarget && !rule.expr.includes('absent(') && !PROCESS_ALERTS.includes(rule.alert)) problems.push(`${ruleName(rule)}: fires without a target label`);
      for (const annotation of ['summary', 'description']) {
        const text = rule.annotations[annotation] ?? '';
        if (text === '') problems.push(`${ruleName(rule)}: no ${annotation}`);
        if (hasTarget && !text.includes('$labels.target')) problems.push(`${ruleName(rule)}: ${annotation} does not name $labels.target`);
        if (hasCheck && !text.includes('$labels.check')) problems.push(`${ruleName(rule)}: ${annotation} does not name $labels.check`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('aggregates by target and location everywhere', () => {
    const problems: string[] = [];
    for (const { name, expr } of [
      ...rules.records.map((r) => ({ name: r.record, expr: r.expr })),
      ...rules.alerts.map((r) => ({ name: ruleName(r), expr: r.expr })),
    ]) {
      for (const [, labels = ''] of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
        const list = labels.split(',').map((l) => l.trim());
        if (!list.includes('target') || !list.includes('location')) problems.push(`${name}: by (${labels}) drops target or location`);
      }
    }
    assert.deepEqual(problems, []);
  });

  it('selects only metrics the canary exports, up, and its own recording rules', async () => {
    const metrics = createMetrics(oneCheckConfig(), { revision: 'r1' });
    const exported = new Set<string>();
    for (const [, name = '', type] of (await metrics.render(undefined)).chunks.join('').matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${name}${suffix}`);
      else exported.add(name);
    }
    const known = new Set([...exported, 'up', ...rules.records.map((r) => r.record)]);
    const unknown = [...rules.records.map((r) => ({ name: r.record, expr: r.expr })), ...rules.alerts.map((r) => ({ name: ruleName(r), expr: r.expr }))]
      .flatMap(({ name, expr }) => metricNames(expr).filter((metric) => !known.has(metric)).map((metric) => `${name}: ${metric}`));
    assert.deepEqual(unknown, []);
  });

  it('names recording rules level:metric:operations and evaluates them before the alerts that read them', () => {
    const problems: string[] = [];
    for (const record of rules.records) {
      if (!/^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/.test(record.record)) problems.push(`${record.record}: not level:metric:operations`);
    }
    // Rules of one group run in order; groups run independently, so an alert in another group
    // than a recording rule it reads would see that rule's value of an earlier evaluation.
    for (const rule of rules.alerts) {
      for (const name of metricNames(rule.expr)) {
        const record = rules.records.find((r) => r.record === name);
        if (record !== undefined && record.group !== rule.group) problems.push(`${ruleName(rule)} reads ${name} from group ${record.group}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});

describe('deploy/prometheus/canary-rules.test.yml', { concurrency: true }, () => {
  it('tests the shipped rule file', () => {
    assert.deepEqual(unitTests.ruleFiles, ['canary-rules.yml']);
  });

  it('sets interval in every test group', () => {
    assert.deepEqual(
      unitTests.groups.filter((group) => group.interval === null).map((group) => `tests[${group.index}] has no interval`),
      [],
    );
  });

  it('tests every alert rule firing with its annotations, and every alert not firing', () => {
    const problems: string[] = [];
    for (const rule of rules.alerts) {
      const firing = firingCasesOf(rule);
      if (firing.length === 0) problems.push(`${ruleName(rule)}: no test expects it to fire`);
      for (const alert of firing) {
        for (const annotation of ['summary', 'description', 'runbook_url']) {
          if ((alert.annotations[annotation] ?? '') === '') problems.push(`${ruleName(rule)}: a firing test does not pin its ${annotation}`);
        }
      }
    }
    const quiet = new Set(unitTests.groups.flatMap((group) => group.alertCases.filter((c) => c.expAlerts.length === 0).map((c) => c.alertname)));
    for (const name of new Set(rules.alerts.map((rule) => rule.alert))) {
      if (!quiet.has(name)) problems.push(`${name}: no test expects it not to fire`);
    }
    assert.deepEqual(problems, []);
  });
});

describe('deploy/prometheus/prometheus.yml', () => {
  it('passes promtool check config, scraping job canary and loading the rules', async () => {
    const run = await runTool('promtool', ['check', 'config', 'prometheus.yml'], { cwd: PROMETHEUS_DIR });
    assert.equal(run.status, 0, output(run));
    const text = readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8');
    assert.match(text, /^\s*- job_name: canary$/m);
    assert.match(text, /^\s*- canary-rules\.yml\b/m);
  });
});

/** Every route of the tree, depth first. */
function routes(route: Route): Route[] {
  return [route, ...route.routes.flatMap(routes)];
}

function inhibitRuleFrom(source: string): InhibitRule | undefined {
  return alertmanager.inhibitRules.find((rule) => rule.sourceMatchers.some((m) => matcherMatches(m, { alertname: source })));
}

/** The alert names an inhibition rule's target matchers select, of those the rule file defines. */
function inhibitedNames(rule: InhibitRule): string[] {
  const names = [...new Set(rules.alerts.map((r) => r.alert))];
  return names.filter((alertname) => rule.targetMatchers.every((m) => matcherMatches(m, { alertname })));
}

describe('deploy/alertmanager/alertmanager.yml', { concurrency: true }, () => {
  it('passes amtool check-config', async () => {
    const run = await runTool('amtool', ['check-config', ALERTMANAGER_FILE]);
    assert.equal(run.status, 0, output(run));
    assert.match(run.stdout, /SUCCESS/, output(run));
  });

  it('routes severity page and ticket to separate receivers, one notification per target', () => {
    const all = routes(alertmanager.route);
    const receiverOf = (matcher: string): string | null | undefined =>
      all.find((route) => route.matchers.some((m) => normalizeMatcher(m) === matcher))?.receiver;
    assert.equal(receiverOf('severity=page'), RECEIVERS.page);
    assert.equal(receiverOf('severity=ticket'), RECEIVERS.ticket);
    assert.equal(receiverOf('owner=canary'), RECEIVERS.canaryOwners);
    assert.deepEqual([...alertmanager.receivers].sort(), Object.values(RECEIVERS).sort());
    assert.deepEqual(alertmanager.route.groupBy, ['target']);
  });

  it('delivers every alert of the rule file to the receiver its labels call for (amtool config routes test)', async () => {
    const checks = rules.alerts.map(async (rule) => {
      const labels = { alertname: rule.alert, target: 'staging', check: 'golden_path', ...rule.labels };
      const expected = rule.labels['owner'] === 'canary' ? RECEIVERS.canaryOwners : rule.labels['severity'] === 'page' ? RECEIVERS.page : RECEIVERS.ticket;
      const run = await runTool('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${ALERTMANAGER_FILE}`,
        ...Object.entries(labels).map(([name, value]) => `${name}=${value}`),
      ]);
      assert.equal(run.status, 0, output(run));
      return { rule: ruleName(rule), receiver: run.stdout.trim(), expected };
    });
    const delivered = await Promise.all(checks);
    assert.deepEqual(
      delivered.filter((d) => d.receiver !== d.expected).map((d) => `${d.rule}: ${d.receiver}, expected ${d.expected}`),
      [],
    );
  });

  it('silences every other alert of a target while CanaryNotReporting fires for it, except the security alerts', () => {
    const rule = inhibitRuleFrom('CanaryNotReporting');
    assert.ok(rule !== undefined, 'no inhibit rule with source alertname="CanaryNotReporting"');
    const never = ['CanaryNotReporting', 'CanaryAuthBypass', 'CanaryUserIsolationViolated'];
    const others = [...new Set(rules.alerts.map((r) => r.alert))].filter((name) => !never.includes(name));
    assert.deepEqual(inhibitedNames(rule), others);
    assert.ok(rule.equal.includes('target'), `equal: [${rule.equal.join(', ')}]`);
  });

  it('silences CanaryGoldenPathSlow of the same target and check while CanaryGoldenPathFailing fires', () => {
    const rule = inhibitRuleFrom('CanaryGoldenPathFailing');
    assert.ok(rule !== undefined, 'no inhibit rule with source alertname="CanaryGoldenPathFailing"');
    assert.deepEqual(inhibitedNames(rule), ['CanaryGoldenPathSlow']);
    assert.ok(rule.equal.includes('target') && rule.equal.includes('check'), `equal: [${rule.equal.join(', ')}]`);
  });

  it('silences CanaryAgentEventsMissing of the same target and check while CanaryWebSocket1011 fires', () => {
    const rule = inhibitRuleFrom('CanaryWebSocket1011');
    assert.ok(rule !== undefined, 'no inhibit rule with source alertname="CanaryWebSocket1011"');
    assert.deepEqual(inhibitedNames(rule), ['CanaryAgentEventsMissing']);
    assert.ok(rule.equal.includes('target') && rule.equal.includes('check'), `equal: [${rule.equal.join(', ')}]`);
  });
});
