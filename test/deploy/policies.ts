/**
 * Cloud Monitoring alerting policies made from deploy/prometheus/canary-rules.yml: one
 * AlertPolicy (REST v3 JSON) per alerting rule, with a `conditionPrometheusQueryLanguage` whose
 * query has every recording rule inlined (Cloud Monitoring evaluates no recording rules).
 * `npm run policies` writes them to deploy/cloudmonitoring/policies/; policies.test.ts checks
 * they are current and equivalent to the rules.
 */
import { parse } from 'yaml';
import { durationSeconds, findSelectors, inlineRecordingRules, type Recorded } from './promql-inline.ts';
import { readRuleFile, type AlertRule } from './rules-yaml.ts';

/** Where the policies live, relative to the repository root. */
export const POLICIES_DIR = 'deploy/cloudmonitoring/policies';
export const RULES_FILE = 'deploy/prometheus/canary-rules.yml';
export const PROMETHEUS_CONFIG_FILE = 'deploy/prometheus/prometheus.yml';

/** Prometheus' evaluation_interval when its config sets none. */
const PROMETHEUS_DEFAULT_EVALUATION_INTERVAL = '1m';

/** The alerting policy's severity for each value of the rules' `severity` label. */
export const SEVERITIES: Readonly<Record<string, 'CRITICAL' | 'WARNING'>> = { page: 'CRITICAL', ticket: 'WARNING' };

/** Incidents of a policy whose query returns no data for this long are closed. */
export const AUTO_CLOSE = '1800s';

/** The PromQL condition of a policy (AlertPolicy.Condition.PrometheusQueryLanguageCondition). */
export interface PromQlCondition {
  readonly query: string;
  /** The rule's `for`, e.g. `300s`; `0s` without one. */
  readonly duration: string;
  /** The rule group's evaluation interval, e.g. `30s`. */
  readonly evaluationInterval: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ruleGroup: string;
  readonly alertRule: string;
}

/** An AlertPolicy as `gcloud monitoring policies create --policy-from-file` reads it, without channels. */
export interface AlertPolicy {
  readonly displayName: string;
  readonly documentation: { readonly content: string; readonly mimeType: 'text/markdown' };
  readonly userLabels: Readonly<Record<string, string>>;
  readonly conditions: readonly [{ readonly displayName: string; readonly conditionPrometheusQueryLanguage: PromQlCondition }];
  readonly combiner: 'OR';
  readonly alertStrategy: { readonly autoClose: string };
  readonly severity: 'CRITICAL' | 'WARNING';
}

/** One policy file: its name in {@link POLICIES_DIR}, the rule it comes from, and its text. */
export interface PolicyFile {
  readonly fileName: string;
  readonly rule: AlertRule;
  readonly policy: AlertPolicy;
  readonly text: string;
}

/** A protobuf Duration in JSON: `300s`. */
function protoDuration(seconds: number): string {
  return `${seconds}s`;
}

/** The global evaluation_interval of a Prometheus config, or Prometheus' default. */
export function globalEvaluationInterval(configText: string, file: string): string {
  const doc: unknown = parse(configText);
  const global = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['global'] : undefined;
  const interval = typeof global === 'object' && global !== null ? (global as Record<string, unknown>)['evaluation_interval'] : undefined;
  if (interval === undefined) return PROMETHEUS_DEFAULT_EVALUATION_INTERVAL;
  if (typeof interval !== 'string') throw new Error(`${file}: global.evaluation_interval: expected a duration, got ${JSON.stringify(interval)}`);
  durationSeconds(interval);
  return interval;
}

/**
 * Go template actions of an annotation, for Cloud Monitoring's documentation: `{{ $labels.x }}`
 * becomes the documentation variable `${metric.label.x}`; every other action (values, and
 * `range`/`if` blocks, which run PromQL in Prometheus) becomes `…`, as Cloud Monitoring does not
 * render them.
 */
export function documentationText(template: string): string {
  let out = '';
  let depth = 0;
  let last = 0;
  for (const match of template.matchAll(/\{\{-?\s*(.*?)\s*-?\}\}/gs)) {
    const action = match[1] ?? '';
    const index = match.index;
    if (depth === 0) out += template.slice(last, index);
    last = index + match[0].length;
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(action);
    if (/^(range|if|with)\b/.test(action)) {
      depth++;
    } else if (action === 'end') {
      depth--;
      if (depth === 0) out += '…';
    } else if (depth === 0) {
      out += label === null ? '…' : `\${metric.label.${label[1]}}`;
    }
  }
  return out + template.slice(last);
}

const USER_LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/;
const USER_LABEL_VALUE = /^[a-z0-9_-]{0,63}$/;

function userLabels(rule: AlertRule): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(rule.labels).sort(([a], [b]) => a.localeCompare(b))) {
    const lower = value.toLowerCase();
    if (!USER_LABEL_KEY.test(key) || !USER_LABEL_VALUE.test(lower)) {
      throw new Error(`${rule.alert}: label ${key}=${JSON.stringify(value)} cannot be a Cloud Monitoring user label (lowercase letters, digits, _ and -, at most 63)`);
    }
    out[key] = lower;
  }
  return out;
}

function sortedRecord(record: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The name suffix of each rule among rules sharing one alert name: the values of the labels that
 * tell them apart (`absent` for `cause: absent`), or its position (`1`, `2`...) when no label does.
 * A rule with a name of its own has none.
 */
function suffixes(rules: readonly AlertRule[]): Map<AlertRule, { file: string; display: string } | null> {
  const out = new Map<AlertRule, { file: string; display: string } | null>();
  const byName = Map.groupBy(rules, (rule) => rule.alert);
  for (const same of byName.values()) {
    if (same.length === 1) {
      out.set(same[0] as AlertRule, null);
      continue;
    }
    const keys = [...new Set(same.flatMap((rule) => Object.keys(rule.labels)))]
      .sort()
      .filter((key) => new Set(same.map((rule) => rule.labels[key] ?? '')).size > 1);
    const byLabels = same.map((rule) => ({
      file: keys.map((key) => rule.labels[key] ?? '').join('-'),
      display: keys.map((key) => `${key}=${rule.labels[key] ?? ''}`).join(', '),
    }));
    const distinct = new Set(byLabels.map((s) => s.file)).size === same.length && byLabels.every((s) => /^[A-Za-z0-9_-]+$/.test(s.file));
    same.forEach((rule, i) => out.set(rule, distinct ? (byLabels[i] ?? null) : { file: String(i + 1), display: String(i + 1) }));
  }
  return out;
}

/** The query of a policy: the rule's expression with every recording rule inlined. */
export function policyQuery(rule: AlertRule, records: readonly Recorded[]): string {
  return inlineRecordingRules(rule.expr, records, `${rule.alert} (group ${rule.group})`);
}

/**
 * Builds every policy file from the text of the rule file and of the Prometheus config (for the
 * evaluation interval of groups that set none), sorted by file name. Throws, naming the alert, on
 * a rule it cannot turn into a policy.
 */
export function buildPolicyFiles(rulesText: string, configText: string): PolicyFile[] {
  const rules = readRuleFile(rulesText, RULES_FILE);
  const globalInterval = globalEvaluationInterval(configText, PROMETHEUS_CONFIG_FILE);
  const records: Recorded[] = rules.records.map((r) => ({ record: r.record, expr: r.expr, interval: r.groupInterval ?? globalInterval }));
  const suffixOf = suffixes(rules.alerts);
  const recordNames = new Set(records.map((r) => r.record));
  const readsRecorded = (rule: AlertRule): boolean => findSelectors(rule.expr).some((s) => recordNames.has(s.metric));
  const files = rules.alerts.map((rule): PolicyFile => {
    const suffix = suffixOf.get(rule) ?? null;
    const displayName = suffix === null ? rule.alert : `${rule.alert} (${suffix.display})`;
    const severityLabel = rule.labels['severity'] ?? '';
    const severity = SEVERITIES[severityLabel];
    if (severity === undefined) throw new Error(`${rule.alert}: severity ${JSON.stringify(severityLabel)} is neither page nor ticket`);
    const runbook = rule.annotations['runbook_url'];
    const content = [
      `**${documentationText(rule.annotations['summary'] ?? rule.alert)}**`,
      ...(rule.annotations['description'] === undefined ? [] : [documentationText(rule.annotations['description'])]),
      ...(runbook === undefined ? [] : [`Runbook: ${runbook}`]),
      `From the alerting rule ${rule.alert} of ${RULES_FILE} (\`npm run policies\`)${readsRecorded(rule) ? ', with the recording rules it reads inlined in the query' : ''}.`,
    ].join('\n\n');
    const policy: AlertPolicy = {
      displayName,
      documentation: { content, mimeType: 'text/markdown' },
      userLabels: userLabels(rule),
      conditions: [
        {
          displayName,
          conditionPrometheusQueryLanguage: {
            query: policyQuery(rule, records),
            duration: protoDuration(rule.for === null ? 0 : durationSeconds(rule.for)),
            evaluationInterval: protoDuration(durationSeconds(rule.groupInterval ?? globalInterval)),
            labels: sortedRecord(rule.labels),
            ruleGroup: rule.group,
            alertRule: rule.alert,
          },
        },
      ],
      combiner: 'OR',
      alertStrategy: { autoClose: AUTO_CLOSE },
      severity,
    };
    return { fileName: `${rule.alert}${suffix === null ? '' : `-${suffix.file}`}.json`, rule, policy, text: `${JSON.stringify(policy, null, 2)}\n` };
  });
  const seen = new Set<string>();
  for (const { fileName } of files) {
    if (seen.has(fileName)) throw new Error(`two rules make the policy file ${fileName}`);
    seen.add(fileName);
  }
  return files.sort((a, b) => (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0));
}
