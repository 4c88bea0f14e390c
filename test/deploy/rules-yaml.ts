/**
 * Typed views of the deploy YAML files the rules tests inspect: the Prometheus rule file, its
 * promtool unit tests and the Alertmanager config. Each reader validates the shape it relies on
 * and reports every problem at once, one line each, naming where it is.
 */
import { parse } from 'yaml';

type Mapping = Readonly<Record<string, unknown>>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects shape problems while reading; {@link done} throws them all at once. */
class Reader {
  readonly #file: string;
  readonly problems: string[] = [];

  constructor(file: string) {
    this.#file = file;
  }

  problem(where: string, what: string): void {
    this.problems.push(`${this.#file}: ${where}: ${what}`);
  }

  mapping(value: unknown, where: string): Mapping {
    if (isMapping(value)) return value;
    this.problem(where, 'expected a mapping');
    return {};
  }

  list(value: unknown, where: string): readonly unknown[] {
    if (Array.isArray(value)) return value;
    this.problem(where, 'expected a list');
    return [];
  }

  /** A list that may be absent (then empty). */
  optionalList(value: unknown, where: string): readonly unknown[] {
    return value === undefined || value === null ? [] : this.list(value, where);
  }

  string(value: unknown, where: string): string {
    if (typeof value === 'string') return value;
    this.problem(where, `expected a string, got ${JSON.stringify(value)}`);
    return '';
  }

  optionalString(value: unknown, where: string): string | null {
    return value === undefined || value === null ? null : this.string(value, where);
  }

  /** A mapping of strings (labels, annotations); absent means empty. */
  strings(value: unknown, where: string): Readonly<Record<string, string>> {
    if (value === undefined || value === null) return {};
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(this.mapping(value, where))) {
      // YAML reads `check: golden_path` as a string, but `code: 1011` as a number: labels are strings.
      out[key] = typeof item === 'number' ? String(item) : this.string(item, `${where}.${key}`);
    }
    return out;
  }

  done<T>(value: T): T {
    if (this.problems.length > 0) throw new Error(this.problems.join('\n'));
    return value;
  }
}

function parseYaml(text: string, file: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    throw new Error(`${file}: not YAML: ${(error as Error).message}`);
  }
}

/** One alerting rule. `for` is null when the rule has none. */
export interface AlertRule {
  readonly group: string;
  /** The group's `interval`; null when it leaves it to the global evaluation_interval. */
  readonly groupInterval: string | null;
  readonly alert: string;
  readonly expr: string;
  readonly for: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One recording rule. */
export interface RecordingRule {
  readonly group: string;
  /** The group's `interval`; null when it leaves it to the global evaluation_interval. */
  readonly groupInterval: string | null;
  readonly record: string;
  readonly expr: string;
}

/** A Prometheus rule file, its rules in file order. */
export interface RuleFile {
  readonly alerts: readonly AlertRule[];
  readonly records: readonly RecordingRule[];
}

/** Reads a Prometheus rule file (`groups[].rules[]`). */
export function readRuleFile(text: string, file: string): RuleFile {
  const r = new Reader(file);
  const alerts: AlertRule[] = [];
  const records: RecordingRule[] = [];
  const doc = r.mapping(parseYaml(text, file), 'top level');
  r.list(doc['groups'], 'groups').forEach((groupValue, g) => {
    const group = r.mapping(groupValue, `groups[${g}]`);
    const name = r.string(group['name'], `groups[${g}].name`);
    const groupInterval = r.optionalString(group['interval'], `groups[${g}].interval`);
    r.list(group['rules'], `groups[${g}].rules`).forEach((ruleValue, i) => {
      const where = `groups[${g}].rules[${i}]`;
      const rule = r.mapping(ruleValue, where);
      const expr = r.string(rule['expr'], `${where}.expr`);
      if (typeof rule['alert'] === 'string') {
        alerts.push({
          group: name,
          groupInterval,
          alert: rule['alert'],
          expr,
          for: r.optionalString(rule['for'], `${where}.for`),
          labels: r.strings(rule['labels'], `${where}.labels`),
          annotations: r.strings(rule['annotations'], `${where}.annotations`),
        });
      } else if (typeof rule['record'] === 'string') {
        records.push({ group: name, groupInterval, record: rule['record'], expr });
      } else {
        r.problem(where, 'neither `alert` nor `record` is a string');
      }
    });
  });
  return r.done({ alerts, records });
}

/** One expected alert of an `alert_rule_test` case. */
export interface ExpectedAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** One `alert_rule_test` case: the alerts expected to fire at `evalTime` (empty: none). */
export interface AlertCase {
  readonly group: number;
  readonly evalTime: string;
  readonly alertname: string;
  readonly expAlerts: readonly ExpectedAlert[];
}

/** One test group of a promtool unit test file. */
export interface TestGroup {
  readonly index: number;
  /** The spacing of the input series; null when the group leaves it to promtool's default. */
  readonly interval: string | null;
  readonly alertCases: readonly AlertCase[];
}

/** A promtool unit test file. */
export interface UnitTestFile {
  readonly ruleFiles: readonly string[];
  readonly groups: readonly TestGroup[];
}

/** Reads a `promtool test rules` file. */
export function readUnitTests(text: string, file: string): UnitTestFile {
  const r = new Reader(file);
  const doc = r.mapping(parseYaml(text, file), 'top level');
  const ruleFiles = r.list(doc['rule_files'], 'rule_files').map((f, i) => r.string(f, `rule_files[${i}]`));
  const groups = r.list(doc['tests'], 'tests').map((groupValue, g): TestGroup => {
    const where = `tests[${g}]`;
    const group = r.mapping(groupValue, where);
    const alertCases = r.optionalList(group['alert_rule_test'], `${where}.alert_rule_test`).map((caseValue, c): AlertCase => {
      const at = `${where}.alert_rule_test[${c}]`;
      const testCase = r.mapping(caseValue, at);
      const expAlerts = r.optionalList(testCase['exp_alerts'], `${at}.exp_alerts`).map((alertValue, a): ExpectedAlert => {
        const alert = r.mapping(alertValue, `${at}.exp_alerts[${a}]`);
        return {
          labels: r.strings(alert['exp_labels'], `${at}.exp_alerts[${a}].exp_labels`),
          annotations: r.strings(alert['exp_annotations'], `${at}.exp_alerts[${a}].exp_annotations`),
        };
      });
      return {
        group: g,
        evalTime: r.string(testCase['eval_time'], `${at}.eval_time`),
        alertname: r.string(testCase['alertname'], `${at}.alertname`),
        expAlerts,
      };
    });
    return { index: g, interval: r.optionalString(group['interval'], `${where}.interval`), alertCases };
  });
  return r.done({ ruleFiles, groups });
}

/** One route of an Alertmanager routing tree, with its children. */
export interface Route {
  readonly receiver: string | null;
  readonly matchers: readonly string[];
  readonly groupBy: readonly string[];
  readonly routes: readonly Route[];
}

/** One inhibition rule. */
export interface InhibitRule {
  readonly sourceMatchers: readonly string[];
  readonly targetMatchers: readonly string[];
  readonly equal: readonly string[];
}

/** The parts of an Alertmanager config the tests check. */
export interface AlertmanagerConfig {
  readonly route: Route;
  readonly inhibitRules: readonly InhibitRule[];
  readonly receivers: readonly string[];
}

/** Reads an Alertmanager config (0.25 syntax: `matchers`, `source_matchers`, `target_matchers`). */
export function readAlertmanagerConfig(text: string, file: string): AlertmanagerConfig {
  const r = new Reader(file);
  const doc = r.mapping(parseYaml(text, file), 'top level');
  const strings = (value: unknown, where: string): string[] => r.optionalList(value, where).map((v, i) => r.string(v, `${where}[${i}]`));
  const route = (value: unknown, where: string): Route => {
    const m = r.mapping(value, where);
    return {
      receiver: r.optionalString(m['receiver'], `${where}.receiver`),
      matchers: strings(m['matchers'], `${where}.matchers`),
      groupBy: strings(m['group_by'], `${where}.group_by`),
      routes: r.optionalList(m['routes'], `${where}.routes`).map((child, i) => route(child, `${where}.routes[${i}]`)),
    };
  };
  const inhibitRules = r.optionalList(doc['inhibit_rules'], 'inhibit_rules').map((value, i): InhibitRule => {
    const m = r.mapping(value, `inhibit_rules[${i}]`);
    return {
      sourceMatchers: strings(m['source_matchers'], `inhibit_rules[${i}].source_matchers`),
      targetMatchers: strings(m['target_matchers'], `inhibit_rules[${i}].target_matchers`),
      equal: strings(m['equal'], `inhibit_rules[${i}].equal`),
    };
  });
  const receivers = r.list(doc['receivers'], 'receivers').map((value, i) => r.string(r.mapping(value, `receivers[${i}]`)['name'], `receivers[${i}].name`));
  return r.done({ route: route(doc['route'], 'route'), inhibitRules, receivers });
}

/** A matcher without its quotes and spaces: `severity = "page"` → `severity=page`. */
export function normalizeMatcher(matcher: string): string {
  return matcher.replace(/[\s"']/g, '');
}

/**
 * Whether an Alertmanager matcher (`name="value"`, `name!="value"`, `name=~"regex"`,
 * `name!~"regex"`; the value quoted or not) selects `labels`. A missing label has the empty
 * value; regexes are anchored, as in Alertmanager. Throws on text that is no matcher.
 */
export function matcherMatches(matcher: string, labels: Readonly<Record<string, string>>): boolean {
  const parsed = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(\S*))\s*$/.exec(matcher);
  if (parsed === null) throw new Error(`not an Alertmanager matcher: ${matcher}`);
  const [, name = '', op, doubleQuoted, singleQuoted, bare] = parsed;
  const value = (doubleQuoted ?? singleQuoted ?? bare ?? '').replace(/\\(.)/g, '$1');
  const actual = labels[name] ?? '';
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '=~':
      return new RegExp(`^(?:${value})$`).test(actual);
    default:
      return !new RegExp(`^(?:${value})$`).test(actual);
  }
}
