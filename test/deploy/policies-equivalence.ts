/**
 * A promtool unit test that proves inlined alert expressions equal the originals: over the input
 * series of every test group of canary-rules.test.yml, at every evaluation step, the original
 * expression (reading the recording rules, evaluated as usual) and the inlined one return the same
 * series with the same values.
 *
 * The rule file keeps the original groups and recording rules; each alerting rule is replaced, in
 * its place (so it reads the recorded series of the same evaluation, as the alert does), by three
 * recording rules:
 * - `<prefix>_orig:<n>`: the alert's expression;
 * - `<prefix>_inl:<n>`: its inlined form;
 * - `<prefix>_mismatch:<n>`: a sample for every series one of them has and the other has not, and
 *   for every series both have with different values (both NaN counts as equal).
 * Each test group runs past its last eval_time by the longest warm-up of any alert (see
 * {@link recordedWarmUpSeconds}), then asks for every mismatch sample of the whole run
 * (`count_over_time` over all steps from the alert's warm-up on) and expects none; and, where the
 * existing tests expect the alert firing, that the original had samples at some of those steps,
 * so an empty comparison cannot pass.
 */
import { parse, stringify } from 'yaml';
import { durationSeconds, recordedWarmUpSeconds, type Recorded } from './promql-inline.ts';
import { readRuleFile, readUnitTests, type AlertRule } from './rules-yaml.ts';

type Mapping = Record<string, unknown>;

function mapping(value: unknown, where: string): Mapping {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where}: expected a mapping`);
  return value as Mapping;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where}: expected a list`);
  return value;
}

/** One way of inlining to compare with the original; `prefix` names its recording rules. */
export interface Variant {
  readonly prefix: string;
  /** The inlined expression of `rule`, whose recorded series are evaluated every `interval`. */
  readonly inline: (rule: AlertRule, records: readonly Recorded[]) => string;
}

/** The promtool files of a comparison, and what each of its checks is about. */
export interface Equivalence {
  /** The rule file's text: the original groups, alerts replaced by the comparison rules. */
  readonly rulesText: string;
  /** The unit test file's text; it names the rule file `equivalence-rules.yml`. */
  readonly testsText: string;
  /** The alerts in rule-file order: `n` in the recording rule names is the index here. */
  readonly alerts: readonly AlertRule[];
  /** Per alert, the test groups (indexes) where the original must have samples. */
  readonly nonVacuousGroups: ReadonlyMap<number, readonly number[]>;
}

export const EQUIVALENCE_RULES_FILE = 'equivalence-rules.yml';

/** Labels the same on both sides, and values equal (NaN = NaN): anything else is a mismatch. */
function mismatchExpr(orig: string, inl: string): string {
  return `(${orig} unless ${inl}) or (${inl} unless ${orig}) or ((${orig} != ${inl}) unless ((${orig} != ${orig}) and (${inl} != ${inl})))`;
}

/** The alerts a test case expects of `rule`: its name and all of its labels match. */
function expectsFiring(rule: AlertRule, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(rule.labels).every(([name, value]) => labels[name] === value);
}

/**
 * Builds the comparison of every alert of `rulesText` under each of `variants`, over the test
 * groups of `testsText` (canary-rules.test.yml). Subqueries that replace ranges over recorded
 * series use the test file's evaluation_interval, the interval at which promtool evaluates the
 * recording rules.
 */
export function buildEquivalence(rulesText: string, testsText: string, variants: readonly Variant[]): Equivalence {
  const rules = readRuleFile(rulesText, 'rules');
  const unitTests = readUnitTests(testsText, 'tests');
  const testsDoc = mapping(parse(testsText), 'tests');
  const evalInterval = typeof testsDoc['evaluation_interval'] === 'string' ? testsDoc['evaluation_interval'] : '1m';
  const evalSeconds = durationSeconds(evalInterval);
  const records: Recorded[] = rules.records.map((r) => ({ record: r.record, expr: r.expr, interval: evalInterval }));
  const alerts = rules.alerts;
  const warmUps = alerts.map((rule) => recordedWarmUpSeconds(rule.expr, records));
  const longestWarmUp = Math.max(0, ...warmUps);

  const rulesDoc = mapping(parse(rulesText), 'rules');
  let n = 0;
  const groups = list(rulesDoc['groups'], 'groups').map((groupValue, g) => {
    const group = mapping(groupValue, `groups[${g}]`);
    const replaced = list(group['rules'], `groups[${g}].rules`).flatMap((ruleValue, r) => {
      const rule = mapping(ruleValue, `groups[${g}].rules[${r}]`);
      if (typeof rule['alert'] !== 'string') return [{ record: rule['record'], expr: rule['expr'] }];
      const index = n++;
      const alert = alerts[index];
      if (alert === undefined || alert.alert !== rule['alert']) throw new Error(`alert ${String(rule['alert'])} is not the ${index}th of the rule file`);
      return variants.flatMap((variant) => {
        const orig = `${variant.prefix}_orig:${index}`;
        const inl = `${variant.prefix}_inl:${index}`;
        return [
          { record: orig, expr: alert.expr },
          { record: inl, expr: variant.inline(alert, records) },
          { record: `${variant.prefix}_mismatch:${index}`, expr: mismatchExpr(orig, inl) },
        ];
      });
    });
    return { ...group, rules: replaced };
  });

  const nonVacuousGroups = new Map<number, number[]>();
  const tests = list(testsDoc['tests'], 'tests.tests').map((groupValue, g) => {
    const group = mapping(groupValue, `tests[${g}]`);
    const parsed = unitTests.groups[g];
    const evalTimes = [
      ...list(group['alert_rule_test'], `tests[${g}].alert_rule_test`),
      ...list(group['promql_expr_test'], `tests[${g}].promql_expr_test`),
    ].map((c, i) => durationSeconds(String(mapping(c, `tests[${g}] case ${i}`)['eval_time'])));
    // Past the last step of the group's own tests by the longest warm-up, so an alert with one
    // is still compared over as many steps as the group tests it.
    const horizon = Math.max(0, ...evalTimes) + longestWarmUp;
    const checks: { expr: string; eval_time: string; exp_samples: { labels: string; value: number }[] }[] = [];
    alerts.forEach((alert, index) => {
      const from = warmUps[index] ?? 0;
      if (horizon < from) return;
      const window = `${horizon - from + evalSeconds / 2}s`;
      const firing = parsed?.alertCases.some((c) => c.alertname === alert.alert && c.expAlerts.some((a) => expectsFiring(alert, a.labels))) ?? false;
      for (const variant of variants) {
        checks.push({ expr: `count_over_time(${variant.prefix}_mismatch:${index}[${window}])`, eval_time: `${horizon}s`, exp_samples: [] });
        if (firing) {
          checks.push({ expr: `sgn(count(count_over_time(${variant.prefix}_orig:${index}[${window}])))`, eval_time: `${horizon}s`, exp_samples: [{ labels: '{}', value: 1 }] });
        }
      }
      if (firing) nonVacuousGroups.set(index, [...(nonVacuousGroups.get(index) ?? []), g]);
    });
    const out: Mapping = { input_series: group['input_series'], promql_expr_test: checks };
    if (group['interval'] !== undefined) out['interval'] = group['interval'];
    return out;
  });

  return {
    rulesText: stringify({ groups }, { lineWidth: 0 }),
    testsText: stringify({ rule_files: [EQUIVALENCE_RULES_FILE], evaluation_interval: evalInterval, tests }, { lineWidth: 0 }),
    alerts,
    nonVacuousGroups,
  };
}

/**
 * The comparisons promtool reported failing, by variant prefix: the alert indexes whose mismatch
 * check found samples, and those whose non-vacuity check found none.
 */
export function failedChecks(output: string): { mismatched: Map<string, Set<number>>; vacuous: Map<string, Set<number>> } {
  const mismatched = new Map<string, Set<number>>();
  const vacuous = new Map<string, Set<number>>();
  for (const [, prefix = '', index = ''] of output.matchAll(/expr: "count_over_time\((\w+)_mismatch:(\d+)\[/g)) {
    mismatched.set(prefix, (mismatched.get(prefix) ?? new Set()).add(Number(index)));
  }
  for (const [, prefix = '', index = ''] of output.matchAll(/expr: "sgn\(count\(count_over_time\((\w+)_orig:(\d+)\[/g)) {
    vacuous.set(prefix, (vacuous.get(prefix) ?? new Set()).add(Number(index)));
  }
  return { mismatched, vacuous };
}

/** An alert case of canary-rules.test.yml left out of the policy alert tests, and why. */
export interface SkippedCase {
  readonly group: number;
  readonly evalTime: string;
  readonly alertname: string;
}

/** The promtool files that run the rules' own alert tests against the policies. */
export interface PolicyAlertTests {
  readonly rulesText: string;
  readonly testsText: string;
  readonly skipped: readonly SkippedCase[];
}

export const POLICY_RULES_FILE = 'policy-rules.yml';

/** The fields of a policy's PromQL condition that make it an alerting rule. */
export interface PolicyCondition {
  /** A name of its own among the policies (the file name without `.json`). */
  readonly name: string;
  readonly query: string;
  readonly duration: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ruleGroup: string;
  readonly alertRule: string;
  /** The warm-up of its original expression: see {@link recordedWarmUpSeconds}. */
  readonly warmUpSeconds: number;
}

/**
 * The alert tests of `testsText` (canary-rules.test.yml), unchanged but for what a policy cannot
 * hold, against a rule file with no recording rule: one alerting rule per policy, its query as
 * `expr`, its duration as `for`, its labels. Left out: the annotations (Prometheus templates,
 * some of which query recording rules; the policies' documentation is checked on its own), the
 * promql_expr_tests (they read recording rules and Prometheus' own ALERTS series), and the cases
 * of an alert with a warm-up that fall within warm-up + `for` of the evaluator's start, when the
 * recorded series' history is still shorter than the range the alert reads (the heartbeat).
 */
export function buildPolicyAlertTests(testsText: string, conditions: readonly PolicyCondition[]): PolicyAlertTests {
  const testsDoc = mapping(parse(testsText), 'tests');
  const byGroup = Map.groupBy(conditions, (c) => c.ruleGroup);
  const groups = [...byGroup].map(([name, members]) => ({
    name,
    rules: members.map((c) => ({ alert: c.name, expr: c.query, for: c.duration, labels: c.labels })),
  }));
  const forms = Map.groupBy(conditions, (c) => c.alertRule);
  const skipped: SkippedCase[] = [];
  const tests = list(testsDoc['tests'], 'tests.tests').map((groupValue, g) => {
    const group = mapping(groupValue, `tests[${g}]`);
    const cases = list(group['alert_rule_test'], `tests[${g}].alert_rule_test`).flatMap((caseValue, c) => {
      const where = `tests[${g}].alert_rule_test[${c}]`;
      const testCase = mapping(caseValue, where);
      const evalTime = String(testCase['eval_time']);
      const alertname = String(testCase['alertname']);
      const expected = list(testCase['exp_alerts'], `${where}.exp_alerts`).map((a, i) => {
        const labels = mapping(mapping(a, `${where}.exp_alerts[${i}]`)['exp_labels'] ?? {}, `${where}.exp_alerts[${i}].exp_labels`);
        return { labels, form: (forms.get(alertname) ?? []).filter((f) => Object.entries(f.labels).every(([k, v]) => String(labels[k]) === v)) };
      });
      const ambiguous = expected.find((e) => e.form.length !== 1);
      if (ambiguous !== undefined) throw new Error(`${where}: expected alert ${JSON.stringify(ambiguous.labels)} matches ${ambiguous.form.length} rules named ${alertname}`);
      return (forms.get(alertname) ?? []).flatMap((form) => {
        if (form.warmUpSeconds > 0 && durationSeconds(evalTime) < form.warmUpSeconds + durationSeconds(form.duration)) {
          skipped.push({ group: g, evalTime, alertname: form.name });
          return [];
        }
        const expAlerts = expected.filter((e) => e.form[0] === form).map((e) => ({ exp_labels: e.labels }));
        return [{ eval_time: evalTime, alertname: form.name, exp_alerts: expAlerts }];
      });
    });
    const out: Mapping = { input_series: group['input_series'], alert_rule_test: cases };
    if (group['interval'] !== undefined) out['interval'] = group['interval'];
    return out;
  });
  return {
    rulesText: stringify({ groups }, { lineWidth: 0 }),
    testsText: stringify({ rule_files: [POLICY_RULES_FILE], evaluation_interval: testsDoc['evaluation_interval'], tests }, { lineWidth: 0 }),
    skipped,
  };
}
