/**
 * deploy/cloudmonitoring/policies/: the Cloud Monitoring alerting policies made from
 * deploy/prometheus/canary-rules.yml by `npm run policies`. They are current, read no recording
 * rule, carry each rule's duration, interval, labels and severity, and their queries are proven
 * equal to the rules' expressions by promtool over the rules' own unit test series.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { buildEquivalence, buildPolicyAlertTests, EQUIVALENCE_RULES_FILE, failedChecks, POLICY_RULES_FILE } from './policies-equivalence.ts';
import { buildPolicyFiles, POLICIES_DIR, policyQuery, PROMETHEUS_CONFIG_FILE, RULES_FILE, SEVERITIES } from './policies.ts';
import { colonMetricNames, durationSeconds, findSelectors, inlineRecordingRules, recordedWarmUpSeconds, type Recorded } from './promql-inline.ts';
import { REPO_ROOT, runTool } from './rules-tools.ts';
import { readRuleFile } from './rules-yaml.ts';

const TESTS_FILE = 'deploy/prometheus/canary-rules.test.yml';
const rulesText = await readFile(join(REPO_ROOT, RULES_FILE), 'utf8');
const configText = await readFile(join(REPO_ROOT, PROMETHEUS_CONFIG_FILE), 'utf8');
const rules = readRuleFile(rulesText, RULES_FILE);
const generated = buildPolicyFiles(rulesText, configText);

describe('deploy/cloudmonitoring/policies', { concurrency: true }, () => {
  it('holds exactly the files npm run policies writes from the rule file', async () => {
    const dir = join(REPO_ROOT, POLICIES_DIR);
    const committed = (await readdir(dir)).sort();
    const expected = generated.map((f) => f.fileName);
    const hint = `deploy/cloudmonitoring/policies/ is stale: run \`npm run policies\` and commit the result`;
    assert.deepEqual(committed, expected, hint);
    for (const file of generated) assert.equal(await readFile(join(dir, file.fileName), 'utf8'), file.text, `${file.fileName}: ${hint}`);
  });

  it('makes one policy per alerting rule, and a file of its own for each same-named rule', () => {
    assert.equal(generated.length, rules.alerts.length);
    assert.deepEqual(
      generated.filter((f) => f.rule.alert === 'CanaryNotReporting').map((f) => [f.fileName, f.policy.displayName]),
      [
        ['CanaryNotReporting-absent.json', 'CanaryNotReporting (cause=absent)'],
        ['CanaryNotReporting-never_ran.json', 'CanaryNotReporting (cause=never_ran)'],
        ['CanaryNotReporting-stale.json', 'CanaryNotReporting (cause=stale)'],
      ],
    );
    assert.equal(new Set(generated.map((f) => f.policy.displayName)).size, generated.length, 'display names are unique: the README updates policies by them');
  });

  it('queries no recording rule: no metric name with a colon, none of the recorded series', () => {
    const recorded = new Set(rules.records.map((r) => r.record));
    for (const { fileName, policy } of generated) {
      const query = policy.conditions[0].conditionPrometheusQueryLanguage.query;
      assert.deepEqual(colonMetricNames(query), [], fileName);
      assert.deepEqual(findSelectors(query).filter((s) => recorded.has(s.metric)).map((s) => s.metric), [], fileName);
    }
  });

  it('has exactly the fields of a PromQL alerting policy, each taken from its rule', () => {
    for (const { fileName, rule, policy } of generated) {
      const condition = policy.conditions[0].conditionPrometheusQueryLanguage;
      assert.deepEqual(Object.keys(policy), ['displayName', 'documentation', 'userLabels', 'conditions', 'combiner', 'alertStrategy', 'severity'], fileName);
      assert.deepEqual(Object.keys(policy.documentation), ['content', 'mimeType'], fileName);
      assert.equal(policy.documentation.mimeType, 'text/markdown', fileName);
      assert.equal(policy.conditions.length, 1, fileName);
      assert.deepEqual(Object.keys(policy.conditions[0]), ['displayName', 'conditionPrometheusQueryLanguage'], fileName);
      assert.deepEqual(Object.keys(condition), ['query', 'duration', 'evaluationInterval', 'labels', 'ruleGroup', 'alertRule'], fileName);
      assert.deepEqual(policy.alertStrategy, { autoClose: '1800s' }, fileName);
      assert.equal(policy.combiner, 'OR', fileName);
      assert.equal(policy.severity, SEVERITIES[rule.labels['severity'] ?? ''], fileName);
      assert.ok(policy.displayName.startsWith(rule.alert), fileName);
      assert.equal(policy.conditions[0].displayName, policy.displayName, fileName);
      assert.deepEqual(condition.labels, rule.labels, fileName);
      assert.deepEqual(policy.userLabels, Object.fromEntries(Object.entries(rule.labels).map(([k, v]) => [k, v.toLowerCase()])), fileName);
      assert.equal(condition.ruleGroup, 'canary', fileName);
      assert.equal(condition.alertRule, rule.alert, fileName);
      // prometheus.yml's global evaluation_interval: the group sets none.
      assert.equal(condition.evaluationInterval, '30s', fileName);
      assert.equal(condition.duration, `${rule.for === null ? 0 : durationSeconds(rule.for)}s`, fileName);
      const runbook = rule.annotations['runbook_url'] ?? '';
      assert.ok(runbook !== '' && policy.documentation.content.includes(`Runbook: ${runbook}`), fileName);
      assert.doesNotMatch(policy.documentation.content, /\{\{|\$labels|\$value/, `${fileName}: no Prometheus template is left in the documentation`);
    }
    assert.deepEqual(
      generated.map((f) => `${f.fileName} ${f.policy.severity}`).filter((line) => line.endsWith('WARNING')),
      [
        'CanaryBadInputMishandled.json WARNING',
        'CanaryConfigReloadFailed.json WARNING',
        'CanaryDependencyUnhealthy.json WARNING',
        'CanaryErrorBudgetBurnSlow.json WARNING',
        'CanaryGoldenPathSlow.json WARNING',
        'CanaryMessageBurstFailing.json WARNING',
        'CanaryProtocolChanged.json WARNING',
        'CanarySkippingRuns.json WARNING',
        'CanaryTLSCertExpiringSoon.json WARNING',
      ],
    );
    const golden = generated.find((f) => f.fileName === 'CanaryGoldenPathFailing.json');
    assert.equal(
      golden?.policy.documentation.content.split('\n\n')[0],
      '**Golden path ${metric.label.check} keeps failing on ${metric.label.target}**',
    );
  });

  it('ships queries promtool accepts', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'canary-policies-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const groups = [
      {
        name: 'policies',
        rules: generated.map(({ policy }) => {
          const condition = policy.conditions[0].conditionPrometheusQueryLanguage;
          return { alert: condition.alertRule, expr: condition.query, labels: condition.labels };
        }),
      },
    ];
    await writeFile(join(dir, 'policies.yml'), stringify({ groups }));
    const run = await runTool('promtool', ['check', 'rules', 'policies.yml'], { cwd: dir });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, /FAILED/, run.stdout + run.stderr);
    assert.match(run.stdout, new RegExp(`SUCCESS: ${generated.length} rules found`), run.stdout + run.stderr);
  });

  it('inlined queries equal the original expressions at every step of the rules unit tests (promtool)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'canary-policies-equivalence-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const testsText = await readFile(join(REPO_ROOT, TESTS_FILE), 'utf8');
    const equivalence = buildEquivalence(rulesText, testsText, [{ prefix: 'equiv', inline: policyQuery }]);
    await writeFile(join(dir, EQUIVALENCE_RULES_FILE), equivalence.rulesText);
    await writeFile(join(dir, 'equivalence.test.yml'), equivalence.testsText);
    const run = await runTool('promtool', ['test', 'rules', 'equivalence.test.yml'], { cwd: dir, timeoutMs: 180_000 });
    const output = run.stdout + run.stderr;
    const failed = failedChecks(output);
    const name = (i: number): string => equivalence.alerts[i]?.alert ?? String(i);
    assert.deepEqual([...(failed.mismatched.get('equiv') ?? [])].map(name), [], `inlined and original differ:\n${output.slice(0, 4000)}`);
    assert.deepEqual([...(failed.vacuous.get('equiv') ?? [])].map(name), [], `the original had no sample to compare:\n${output.slice(0, 4000)}`);
    assert.doesNotMatch(output, /FAILED/, output.slice(0, 4000));
    assert.match(run.stdout, /SUCCESS/, output);
    // Every alert was compared where its original fires, not only where both are empty.
    assert.deepEqual(
      equivalence.alerts.map((rule, i) => `${rule.alert}${(equivalence.nonVacuousGroups.get(i) ?? []).length > 0 ? '' : ' (never compared firing)'}`),
      equivalence.alerts.map((rule) => rule.alert),
    );
  });

  it('passes the rules unit tests alert for alert, as rules built from the policy files alone (promtool)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'canary-policies-alerts-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const testsText = await readFile(join(REPO_ROOT, TESTS_FILE), 'utf8');
    const records: Recorded[] = rules.records.map((r) => ({ record: r.record, expr: r.expr, interval: '30s' }));
    const built = buildPolicyAlertTests(
      testsText,
      generated.map(({ fileName, rule, policy }) => ({
        ...policy.conditions[0].conditionPrometheusQueryLanguage,
        name: fileName.replace(/\.json$/, ''),
        warmUpSeconds: recordedWarmUpSeconds(rule.expr, records),
      })),
    );
    assert.doesNotMatch(built.rulesText, /record:/);
    await writeFile(join(dir, POLICY_RULES_FILE), built.rulesText);
    await writeFile(join(dir, 'policy-alerts.test.yml'), built.testsText);
    const run = await runTool('promtool', ['test', 'rules', 'policy-alerts.test.yml'], { cwd: dir, timeoutMs: 180_000 });
    const output = run.stdout + run.stderr;
    assert.doesNotMatch(output, /FAILED/, output.slice(0, 4000));
    assert.match(run.stdout, /SUCCESS/, output);
    // Left out: only the start-up grace of the absent form, whose heartbeat is younger than its
    // 10m range until 10m after the evaluator starts, plus its `for: 5m`; Cloud Monitoring has no such start.
    assert.deepEqual([...new Set(built.skipped.map((c) => c.alertname))], ['CanaryNotReporting-absent']);
    assert.deepEqual(built.skipped.filter((c) => durationSeconds(c.evalTime) >= 900), []);
  });
});

describe('inlining recording rules', () => {
  const records: Recorded[] = [
    { record: 'tcr:failures:increase15m', expr: 'sum by (target, check, reason) (increase(failures_total[15m]))', interval: '30s' },
    { record: 'tc:failures:max', expr: 'max by (target, check) (tcr:failures:increase15m)', interval: '30s' },
    { record: 'tc:ratio:rate5m', expr: 'sum by (target, check) (rate(failures_total[5m]))\n  /\nsum by (target, check) (rate(runs_total[5m]))', interval: '30s' },
    { record: 'heartbeat:timestamp_seconds', expr: 'vector(time())', interval: '1m' },
    { record: 'instance:runs:rate5m', expr: '(rate(runs_total{job="canary"}[5m]))', interval: '30s' },
    { record: 'tc:runs:sum_rate5m', expr: 'sum without (instance) (rate(runs_total[5m]))', interval: '30s' },
  ];
  const cases: readonly [string, string][] = [
    ['tc:ratio:rate5m > 0.1', '(sum by (target, check) (rate(failures_total[5m])) / sum by (target, check) (rate(runs_total[5m]))) > 0.1'],
    ['tc:failures:max >= 3', '(max by (target, check) ((sum by (target, check, reason) (increase(failures_total[15m]))))) >= 3'],
    ['sum by (target) (tcr:failures:increase15m{reason!="canary_error"})', 'sum by (target) ((sum by (target, check, reason) (increase(failures_total{reason!="canary_error"}[15m]))))'],
    ['tcr:failures:increase15m{reason=~"a|b", target="x"}', '(sum by (target, check, reason) (increase(failures_total{reason=~"a|b", target="x"}[15m])))'],
    ['time() - min_over_time(heartbeat:timestamp_seconds[10m]) >= 60', 'time() - min_over_time((vector(time()))[10m:1m]) >= 60'],
    ['max_over_time(tcr:failures:increase15m{reason="x"}[1h] offset 5m)', 'max_over_time((sum by (target, check, reason) (increase(failures_total{reason="x"}[15m])))[1h:30s] offset 5m)'],
    ['max_over_time(tc:ratio:rate5m[30m:1m])', 'max_over_time((sum by (target, check) (rate(failures_total[5m])) / sum by (target, check) (rate(runs_total[5m])))[30m:1m])'],
    ['up{instance="a:9090"} # tc:ratio:rate5m\n', 'up{instance="a:9090"}'],
    ['instance:runs:rate5m{instance="a"} > 0', '((rate(runs_total{job="canary", instance="a"}[5m]))) > 0'],
    ['tc:runs:sum_rate5m{target!="x"}', '(sum without (instance) (rate(runs_total{target!="x"}[5m])))'],
  ];
  for (const [expr, inlined] of cases) {
    it(`inlines ${expr.trim()}`, () => {
      assert.equal(inlineRecordingRules(expr, records, 'TestAlert'), inlined);
      assert.deepEqual(colonMetricNames(inlined), []);
    });
  }

  const refused: readonly [string, string][] = [
    ['tc:ratio:rate5m{target="x"}', 'TestAlert: cannot inline tc:ratio:rate5m{target="x"}: its matchers can only be pushed into label-preserving functions of one selector, aggregated by the matched labels if at all, and tc:ratio:rate5m is sum by (target, check) (rate(failures_total[5m])) / sum by (target, check) (rate(runs_total[5m]))'],
    ['tc:failures:max{reason="x"}', 'TestAlert: cannot inline tc:failures:max{reason="x"}: its matchers can only be pushed into label-preserving functions of one selector, aggregated by the matched labels if at all, and tc:failures:max is max by (target, check) ((sum by (target, check, reason) (increase(failures_total[15m]))))'],
    ['tc:runs:sum_rate5m{instance="a"}', 'TestAlert: cannot inline tc:runs:sum_rate5m{instance="a"}: its matchers can only be pushed into label-preserving functions of one selector, aggregated by the matched labels if at all, and tc:runs:sum_rate5m is sum without (instance) (rate(runs_total[5m]))'],
    ['tc:failures:max offset 5m', 'TestAlert: cannot inline tc:failures:max offset 5m: offset on an instant recorded series is not supported'],
    ['tc:failures:max @ 100', 'TestAlert: cannot inline tc:failures:max @ 100: the @ modifier on a recorded series is not supported'],
    ['{__name__="tc:failures:max"}', 'a selector by __name__ is not supported: {__name__="tc:failures:max"}'],
  ];
  for (const [expr, message] of refused) {
    it(`refuses ${expr}`, () => {
      assert.throws(() => inlineRecordingRules(expr, records, 'TestAlert'), { message });
    });
  }

  it('reads Prometheus durations in seconds', () => {
    assert.deepEqual(['1m', '15m', '1h30m', '30s', '500ms', '1d'].map(durationSeconds), [60, 900, 5400, 30, 0.5, 86_400]);
    assert.throws(() => durationSeconds('5 m'), { message: 'not a Prometheus duration: "5 m"' });
    assert.throws(() => durationSeconds('300'), { message: 'not a Prometheus duration: "300"' });
  });

  it('counts the warm-up of ranges over recorded series, through the series that read them', () => {
    assert.equal(recordedWarmUpSeconds('time() - min_over_time(heartbeat:timestamp_seconds[10m]) >= 60', records), 600);
    assert.equal(recordedWarmUpSeconds('max_over_time(tc:failures:max[1h:5m]) + tc:ratio:rate5m', records), 3600);
    assert.equal(recordedWarmUpSeconds('rate(failures_total[1h])', records), 0);
  });
});
