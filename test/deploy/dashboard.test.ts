/**
 * Static checks of the shipped Grafana dashboard (deploy/grafana/canary-dashboard.json): that it
 * imports (export-for-sharing shape, one datasource input used everywhere), that on-call finds every
 * panel it needs, that its layout is sound, and that every PromQL expression names only metrics the
 * canary exports and parses (promtool, offline). The live test runs the same expressions against a
 * real Prometheus.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry, type OpenMetricsContentType } from 'prom-client';
import { createFamilies } from '../../src/metrics/families.ts';
import { dashboardExpressions, metricNames, substituteGrafanaVariables } from './dashboard-exprs.ts';

const ROOT = new URL('../../', import.meta.url);
const DASHBOARD_URL = new URL('deploy/grafana/canary-dashboard.json', ROOT);
const DS = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
const CORE_PANELS = new Set(['timeseries', 'stat', 'table', 'heatmap', 'state-timeline', 'bargauge', 'text']);

type Json = Record<string, unknown>;

interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly datasource?: unknown;
  readonly instant?: boolean;
  readonly range?: boolean;
  readonly format?: string;
  readonly legendFormat?: string;
}

interface GridPos {
  readonly h: number;
  readonly w: number;
  readonly x: number;
  readonly y: number;
}

interface Override {
  readonly matcher: { readonly id: string; readonly options: unknown };
  readonly properties: readonly { readonly id: string; readonly value: unknown }[];
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly description?: string;
  readonly datasource?: unknown;
  readonly gridPos: GridPos;
  readonly targets?: readonly Target[];
  readonly panels?: readonly Panel[];
  readonly fieldConfig?: { readonly defaults?: Json & { readonly unit?: string; readonly custom?: Json }; readonly overrides?: readonly Override[] };
  readonly options?: Json;
  readonly transformations?: readonly { readonly id: string; readonly options: Json }[];
}

interface Variable {
  readonly name: string;
  readonly type: string;
  readonly datasource?: unknown;
  readonly definition?: string;
  readonly query?: string | { readonly query?: string };
  readonly multi?: boolean;
  readonly includeAll?: boolean;
  readonly allValue?: string | null;
}

interface Dashboard {
  readonly __inputs: readonly Json[];
  readonly __requires: readonly { readonly type: string; readonly id: string; readonly version: string }[];
  readonly schemaVersion: number;
  readonly uid: string;
  readonly title: string;
  readonly tags: readonly string[];
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}

const raw = readFileSync(DASHBOARD_URL, 'utf8');
const parsed: unknown = JSON.parse(raw);
const dashboard = parsed as Dashboard;

/** Every panel, rows and panels nested in collapsed rows included. */
function allPanels(panels: readonly Panel[] = dashboard.panels): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

const panels = allPanels();
const visible = panels.filter((panel) => panel.type !== 'row');

function panelTitled(title: string): Panel {
  const found = panels.filter((panel) => panel.title === title);
  assert.equal(found.length, 1, `exactly one panel titled "${title}"`);
  return found[0] as Panel;
}

function exprsOf(panel: Panel): string[] {
  return (panel.targets ?? []).map((target) => target.expr);
}

/** The label names of every canary family, by series name (histograms expanded), from the instruments themselves. */
function exportedSeries(): Map<string, readonly string[]> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  createFamilies(registry);
  const series = new Map<string, readonly string[]>();
  for (const metric of registry.getMetricsAsArray()) {
    const labels = (metric as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
    const type = String(metric.type);
    const names = type === 'histogram' ? ['_bucket', '_sum', '_count'].map((suffix) => `${metric.name}${suffix}`) : [metric.name];
    for (const name of names) series.set(name, type === 'histogram' && name.endsWith('_bucket') ? [...labels, 'le'] : labels);
  }
  return series;
}

const SERIES = exportedSeries();

/** Grafana's byName/byRegexp matching of a field display name (a plain pattern is anchored, like stringToJsRegex). */
function matcherMatches(matcher: Override['matcher'], displayName: string): boolean {
  if (typeof matcher.options !== 'string') return false;
  if (matcher.id === 'byName') return matcher.options === displayName;
  if (matcher.id !== 'byRegexp') return false;
  const literal = /^\/(.*)\/([gimsuy]*)$/.exec(matcher.options);
  const regex = literal === null ? new RegExp(`^${matcher.options}$`) : new RegExp(literal[1] ?? '', literal[2]);
  return regex.test(displayName);
}

/** Renders a legend format for one series' labels, as Grafana does for `{{label}}`. */
function legend(format: string, labels: Record<string, string>): string {
  return format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_whole, name: string) => labels[name] ?? '');
}

/** Runs `promtool check rules` on a rule file holding `exprs` as recording rules. Fails (never skips) without promtool. */
function promtoolCheckRules(exprs: readonly string[]): { readonly status: number | null; readonly output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'canary-dashboard-'));
  try {
    const file = join(dir, 'dashboard-rules.yml');
    const rules = exprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr }));
    // JSON is YAML: no quoting rules to get wrong.
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'canary-dashboard', rules }] }, null, 2));
    const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
    if (run.error !== undefined) {
      assert.fail(
        `promtool could not run (${run.error.message}). Install it: apt-get update && apt-get install -y --no-install-recommends prometheus`,
      );
    }
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('metricNames', () => {
  const cases: [string, string[]][] = [
    ['canary_check_up', ['canary_check_up']],
    [
      'histogram_quantile(0.95, sum by (le, phase) (rate(canary_phase_duration_seconds_bucket{target=~"$target", phase="events"}[$__rate_interval])))',
      ['canary_phase_duration_seconds_bucket'],
    ],
    ['sum(rate(a_total[5m])) without (instance, job) / on (target) group_left (check) b', ['a_total', 'b']],
    ['x > bool 1 and y unless z or w offset 5m', ['x', 'y', 'z', 'w']],
    ['SUM BY (le) (m) + Sum without(le)(n) + count_values("version", canary_build_info)', ['m', 'n', 'canary_build_info']],
    ['time() - max by (target, check) (canary_last_run_timestamp_seconds{check!~"a|b"}) > 1e-9 * 0x1F', ['canary_last_run_timestamp_seconds']],
    ['label_replace(up, "dst", "$1", "src", "(canary_not_a_metric)")', ['up']],
    ['{__name__="canary_check_up", target="x"} or {__name__=~"canary_.*"}', ['canary_check_up', '__name__ matcher {__name__=~"canary_.*"}']],
    ['rate(m[5m:1m] offset -1h30m) @ start() + Inf - NaN', ['m']],
    ['a\n  # by comment_name\n  + b', ['a', 'b']],
    ['max(canary_check_up) by (target) + min(canary_check_up)', ['canary_check_up']],
    ['sum(x{le="+Inf", reason=~"on|by"}) by (le) ignoring (reason) group_right () y', ['x', 'y']],
  ];
  for (const [expr, expected] of cases) {
    it(`finds ${JSON.stringify(expected)} in ${expr.replace(/\s+/g, ' ')}`, () => {
      assert.deepEqual(metricNames(expr), expected);
    });
  }
});

describe('substituteGrafanaVariables', () => {
  it('turns the four macros and the template variables into plain PromQL, and leaves anything else visible', () => {
    assert.equal(
      substituteGrafanaVariables('increase(m{target=~"$target", check=~"${check}", location=~"$location"}[$__rate_interval]) / increase(m[$__range]) + n[$__interval]'),
      'increase(m{target=~".*", check=~".*", location=~".*"}[1m]) / increase(m[1h]) + n[1m]',
    );
    assert.equal(substituteGrafanaVariables('m[$__range_s]'), 'm[$__range_s]');
  });
});

describe('dashboardExpressions', () => {
  it('lists the expr of every target, nested rows and annotations included, with its panel title', () => {
    const doc = {
      panels: [
        { title: 'a', targets: [{ expr: 'x' }, { expr: '' }] },
        { title: 'row', type: 'row', panels: [{ title: 'b', targets: [{ expr: 'y' }] }] },
      ],
      annotations: { list: [{ name: 'deploys', expr: 'z' }] },
    };
    assert.deepEqual(dashboardExpressions(doc), [
      { panel: 'a', expr: 'x' },
      { panel: 'b', expr: 'y' },
      { panel: 'annotation deploys', expr: 'z' },
    ]);
    assert.deepEqual(dashboardExpressions(null), []);
  });
});

describe('the shipped Grafana dashboard', () => {
  it('is a dashboard exported for sharing externally: one Prometheus input, requirements, identity', () => {
    assert.ok(dashboard.schemaVersion === 38 || dashboard.schemaVersion === 39, `schemaVersion ${dashboard.schemaVersion}`);
    assert.equal(dashboard.uid, 'canary-golden-path');
    assert.equal(dashboard.title, 'Canary: WebSocket golden path');
    assert.ok(dashboard.tags.includes('canary'));
    assert.deepEqual(dashboard.time, { from: 'now-6h', to: 'now' });
    assert.equal(dashboard.refresh, '30s');
    assert.equal((parsed as Json)['id'], null, 'an exported dashboard has no database id');

    assert.equal(dashboard.__inputs.length, 1);
    const input = dashboard.__inputs[0] as Json;
    assert.equal(input['name'], 'DS_PROMETHEUS');
    assert.equal(input['type'], 'datasource');
    assert.equal(input['pluginId'], 'prometheus');

    const grafana = dashboard.__requires.find((r) => r.type === 'grafana' && r.id === 'grafana');
    assert.ok(grafana !== undefined, '__requires names grafana');
    const [major = 0] = grafana.version.split('.').map(Number);
    assert.ok(major >= 10, `requires Grafana >= 10.0.0, not ${grafana.version}`);
    assert.ok(dashboard.__requires.some((r) => r.type === 'datasource' && r.id === 'prometheus'));
    const usedTypes = new Set(visible.map((panel) => panel.type));
    const requiredPanels = new Set(dashboard.__requires.filter((r) => r.type === 'panel').map((r) => r.id));
    assert.deepEqual([...requiredPanels].sort(), [...usedTypes].sort(), '__requires lists exactly the panel plugins used');
    for (const type of usedTypes) assert.ok(CORE_PANELS.has(type), `${type} is a core panel`);
  });

  it('refers to its datasource only through the DS_PROMETHEUS input', () => {
    const uids = [...raw.matchAll(/"uid":\s*"([^"]*)"/g)].map((m) => m[1]);
    const datasourceUids = new Set(uids.filter((uid) => uid !== 'canary-golden-path' && uid !== '-- Grafana --'));
    assert.deepEqual([...datasourceUids], ['${DS_PROMETHEUS}']);
    for (const panel of panels) {
      assert.deepEqual(panel.datasource, DS, `datasource of panel "${panel.title}"`);
      for (const target of panel.targets ?? []) assert.deepEqual(target.datasource, DS, `datasource of "${panel.title}" ${target.refId}`);
    }
    for (const variable of dashboard.templating.list) {
      if (variable.type === 'query') assert.deepEqual(variable.datasource, DS, `datasource of variable ${variable.name}`);
    }
  });

  it('has the target and check variables (multi-value, All = .*), and location whose All also matches no label', () => {
    const byName = new Map(dashboard.templating.list.map((v) => [v.name, v]));
    const expected: [string, string][] = [
      ['target', 'label_values(canary_config_info, target)'],
      ['check', 'label_values(canary_config_info{target=~"$target"}, check)'],
    ];
    if (byName.has('location')) expected.push(['location', 'label_values(canary_check_up, location)']);
    for (const [name, query] of expected) {
      const variable = byName.get(name);
      assert.ok(variable !== undefined, `variable ${name}`);
      assert.equal(variable.type, 'query');
      assert.equal(variable.definition, query);
      assert.equal(typeof variable.query === 'string' ? variable.query : variable.query?.query, query);
      assert.equal(variable.multi, true, `${name} is multi-value`);
      assert.equal(variable.includeAll, true, `${name} includes All`);
      assert.equal(variable.allValue, '.*', `${name}'s All is .*`);
    }
  });

  it('gives every panel a unique id, a title, a description and a place on the 24-column grid that no other panel takes', () => {
    const ids = panels.map((panel) => panel.id);
    assert.ok(ids.every((id) => Number.isInteger(id) && id > 0));
    assert.equal(new Set(ids).size, ids.length, 'unique panel ids');
    for (const panel of panels) {
      assert.ok(panel.title.trim() !== '', `panel ${panel.id} has a title`);
      if (panel.type !== 'row') assert.ok((panel.description ?? '').length >= 80, `"${panel.title}" tells on-call what to look for`);
      const { h, w, x, y } = panel.gridPos;
      assert.ok([h, w, x, y].every(Number.isInteger), `"${panel.title}" grid position is whole`);
      assert.ok(x >= 0 && y >= 0 && w >= 1 && h >= 1 && x + w <= 24, `"${panel.title}" fits in 24 columns: ${JSON.stringify(panel.gridPos)}`);
    }
    const placed = dashboard.panels; // nested panels of collapsed rows are laid out when the row opens
    for (const [i, a] of placed.entries()) {
      for (const b of placed.slice(i + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w && b.gridPos.x < a.gridPos.x + a.gridPos.w && a.gridPos.y < b.gridPos.y + b.gridPos.h && b.gridPos.y < a.gridPos.y + a.gridPos.h;
        assert.equal(overlap, false, `"${a.title}" and "${b.title}" overlap`);
      }
    }
    const titles = visible.map((panel) => panel.title);
    assert.equal(new Set(titles).size, titles.length, 'unique panel titles');
  });

  it('has every panel on-call needs, on the right metric, with its unit', () => {
    const required: { title: string; type: string; metrics: string[]; unit?: string }[] = [
      { title: 'Up (last run)', type: 'stat', metrics: ['canary_check_up'] },
      { title: 'Success ratio over the range', type: 'stat', metrics: ['canary_check_runs_total'], unit: 'percentunit' },
      { title: 'Time since last success', type: 'stat', metrics: ['canary_last_success_timestamp_seconds'], unit: 's' },
      { title: 'WebSocket 1011 closes in range', type: 'stat', metrics: ['canary_ws_close_total'] },
      { title: 'Up state over time', type: 'state-timeline', metrics: ['canary_check_up'] },
      { title: 'Runs by result', type: 'timeseries', metrics: ['canary_check_runs_total'] },
      { title: 'Failure reasons over time', type: 'timeseries', metrics: ['canary_check_failures_total'] },
      { title: 'Failure reasons in range', type: 'table', metrics: ['canary_check_failures_total'] },
      { title: 'WebSocket close codes', type: 'timeseries', metrics: ['canary_ws_close_total'] },
      { title: 'Missing events by event', type: 'timeseries', metrics: ['canary_events_missing_total'] },
      { title: 'Degraded runs by degradation', type: 'timeseries', metrics: ['canary_check_degraded_total'] },
      { title: 'Phase latency p50 / p95 / p99', type: 'timeseries', metrics: ['canary_phase_duration_seconds_bucket'], unit: 's' },
      { title: 'Phase p95 over the range', type: 'bargauge', metrics: ['canary_phase_duration_seconds_bucket'], unit: 's' },
      { title: 'Run duration heatmap', type: 'heatmap', metrics: ['canary_check_duration_seconds_bucket'] },
      { title: 'Run duration p95 and deadline', type: 'timeseries', metrics: ['canary_check_duration_seconds_bucket', 'canary_check_timeout_seconds'], unit: 's' },
      { title: 'Event latency p95 by event', type: 'timeseries', metrics: ['canary_event_latency_seconds_bucket'], unit: 's' },
      { title: 'Schedule lag p50 / p95', type: 'timeseries', metrics: ['canary_schedule_lag_seconds_bucket'], unit: 's' },
      { title: 'Skipped runs by reason', type: 'timeseries', metrics: ['canary_runs_skipped_total'] },
      { title: 'Time since last run', type: 'stat', metrics: ['canary_last_run_timestamp_seconds'], unit: 's' },
      { title: 'Protocol variant seen', type: 'table', metrics: ['canary_protocol_info'] },
      { title: 'Protocol changes in range', type: 'stat', metrics: ['canary_protocol_changes_total'] },
      { title: 'TLS certificate expiry', type: 'stat', metrics: ['canary_tls_cert_expiry_timestamp_seconds'] },
      { title: 'Canary build', type: 'table', metrics: ['canary_build_info'] },
      { title: 'Auth bypass failures over time', type: 'timeseries', metrics: ['canary_check_failures_total'] },
      { title: 'Auth bypasses in range', type: 'stat', metrics: ['canary_check_failures_total', 'canary_config_info'] },
      { title: 'User isolation violations over time', type: 'timeseries', metrics: ['canary_check_failures_total'] },
      { title: 'Isolation violations in range', type: 'stat', metrics: ['canary_check_failures_total', 'canary_config_info'] },
      { title: 'Handshake storm failures by reason', type: 'timeseries', metrics: ['canary_check_failures_total', 'canary_config_info'] },
      { title: 'Silent agent failures over time', type: 'timeseries', metrics: ['canary_check_failures_total'] },
      { title: 'Dependency health by endpoint', type: 'table', metrics: ['canary_dependency_health'] },
      { title: 'Dependency health over time', type: 'state-timeline', metrics: ['canary_dependency_health'] },
      { title: 'Message burst delivery', type: 'timeseries', metrics: ['canary_check_failures_total', 'canary_config_info'] },
      { title: 'Bad input handling', type: 'timeseries', metrics: ['canary_check_failures_total', 'canary_config_info'] },
      { title: 'Connections never ready (handshake_incomplete)', type: 'timeseries', metrics: ['canary_check_failures_total'] },
      { title: 'Wrong answers (answer_mismatch)', type: 'timeseries', metrics: ['canary_check_failures_total'] },
    ];
    for (const { title, type, metrics, unit } of required) {
      const panel = panelTitled(title);
      assert.equal(panel.type, type, `"${title}" is a ${type}`);
      const names = exprsOf(panel).flatMap(metricNames);
      for (const metric of metrics) assert.ok(names.includes(metric), `"${title}" queries ${metric}`);
      if (unit !== undefined) assert.equal(panel.fieldConfig?.defaults?.unit, unit, `unit of "${title}"`);
    }
    for (const panel of visible) {
      const unit = panel.type === 'heatmap' ? (panel.options?.['yAxis'] as Json | undefined)?.['unit'] : panel.fieldConfig?.defaults?.unit;
      if (panel.type !== 'table') assert.ok(typeof unit === 'string' && unit !== '', `"${panel.title}" sets a unit`);
    }
    assert.equal((panelTitled('Run duration heatmap').options?.['yAxis'] as Json)['unit'], 's');
  });

  it('computes what the titles promise', () => {
    const [ratio = ''] = exprsOf(panelTitled('Success ratio over the range'));
    assert.match(ratio, /^1 - \(.*canary_check_runs_total\{[^}]*result="failure"[^}]*\}\[\$__range\].*\/.*canary_check_runs_total\{[^}]*\}\[\$__range\]/);
    assert.match(exprsOf(panelTitled('Time since last success'))[0] ?? '', /^time\(\) - /);
    assert.deepEqual(
      exprsOf(panelTitled('Phase latency p50 / p95 / p99')).map((expr) => /^histogram_quantile\(([\d.]+), sum by \(le, phase\) \(rate\(/.exec(expr)?.[1]),
      ['0.5', '0.95', '0.99'],
    );
    assert.match(exprsOf(panelTitled('Event latency p95 by event'))[0] ?? '', /^histogram_quantile\(0\.95, sum by \(le, event\) /);
    assert.ok(exprsOf(panelTitled('Schedule lag p50 / p95')).some((expr) => expr.startsWith('histogram_quantile(0.95, ')));
    assert.match(exprsOf(panelTitled('WebSocket close codes'))[0] ?? '', /^sum by \(code\) \(increase\(canary_ws_close_total\{[^}]*\}\[\$__rate_interval\]\)\)/);
    assert.match(exprsOf(panelTitled('WebSocket 1011 closes in range'))[0] ?? '', /canary_ws_close_total\{[^}]*code="1011"[^}]*\}\[\$__range\]/);
    assert.match(exprsOf(panelTitled('Failure reasons over time'))[0] ?? '', /sum by \(reason, phase\) \(increase\(canary_check_failures_total/);
    assert.match(exprsOf(panelTitled('Skipped runs by reason'))[0] ?? '', /sum by \([^)]*\breason\) \(increase\(canary_runs_skipped_total/);
    assert.match(exprsOf(panelTitled('Protocol variant seen'))[0] ?? '', /canary_protocol_info\{[^}]*\} == 1/);
    assert.match(exprsOf(panelTitled('Protocol changes in range'))[0] ?? '', /increase\(canary_protocol_changes_total\{[^}]*\}\[\$__range\]\)/);
    assert.match(exprsOf(panelTitled('TLS certificate expiry'))[0] ?? '', /^\(.*canary_tls_cert_expiry_timestamp_seconds.* - time\(\)\) \/ 86400$/);
    assert.equal(panelTitled('Run duration heatmap').targets?.[0]?.format, 'heatmap');
  });

  it('has the row "Beyond the golden path" with the checks beyond it, each on its reason or type', () => {
    const row = panelTitled('Beyond the golden path');
    assert.equal(row.type, 'row');
    const below = dashboard.panels.filter((panel) => panel.gridPos.y > row.gridPos.y);
    const nextRow = below.filter((panel) => panel.type === 'row').sort((a, b) => a.gridPos.y - b.gridPos.y)[0];
    const inRow = new Set(below.filter((panel) => nextRow === undefined || panel.gridPos.y < nextRow.gridPos.y).map((panel) => panel.title));
    const titles = [
      'Auth bypass failures over time',
      'Auth bypasses in range',
      'User isolation violations over time',
      'Isolation violations in range',
      'Handshake storm failures by reason',
      'Silent agent failures over time',
      'Dependency health by endpoint',
      'Dependency health over time',
      'Message burst delivery',
      'Bad input handling',
    ];
    assert.deepEqual(titles.filter((title) => !inRow.has(title)), [], 'panels of the row "Beyond the golden path"');

    const reasonOf = (title: string, reason: string, range: string): void => {
      const [expr = ''] = exprsOf(panelTitled(title));
      assert.match(expr, new RegExp(`canary_check_failures_total\\{[^}]*reason="${reason}"[^}]*\\}\\[\\${range}\\]`), `"${title}": ${expr}`);
    };
    reasonOf('Auth bypass failures over time', 'auth_bypass', '$__rate_interval');
    reasonOf('Auth bypasses in range', 'auth_bypass', '$__range');
    reasonOf('User isolation violations over time', 'isolation_violation', '$__rate_interval');
    reasonOf('Isolation violations in range', 'isolation_violation', '$__range');
    reasonOf('Silent agent failures over time', 'silent_agent_failure', '$__rate_interval');
    assert.match(exprsOf(panelTitled('Auth bypasses in range'))[0] ?? '', /canary_config_info\{[^}]*type="auth_enforcement"[^}]*\}/);
    assert.match(exprsOf(panelTitled('Isolation violations in range'))[0] ?? '', /canary_config_info\{[^}]*type="user_isolation"[^}]*\}/);
    const storm = exprsOf(panelTitled('Handshake storm failures by reason'))[0] ?? '';
    assert.match(storm, /^sum by \([^)]*\breason\b[^)]*\) \(increase\(canary_check_failures_total\{[^}]*\}\[\$__rate_interval\]\) and on \([^)]*\) canary_config_info\{[^}]*type="handshake_storm"[^}]*\}\)/);

    const burst = exprsOf(panelTitled('Message burst delivery'))[0] ?? '';
    assert.match(burst, /^sum by \([^)]*\breason\b[^)]*\) \(increase\(canary_check_failures_total\{[^}]*\}\[\$__rate_interval\]\) and on \([^)]*\) canary_config_info\{[^}]*type="message_burst"[^}]*\}\)/);
    const hygiene = exprsOf(panelTitled('Bad input handling'))[0] ?? '';
    assert.match(hygiene, /^sum by \((?=[^)]*\breason\b)(?=[^)]*\bphase\b)[^)]*\) \(increase\(canary_check_failures_total\{[^}]*\}\[\$__rate_interval\]\) and on \([^)]*\) canary_config_info\{[^}]*type="input_hygiene"[^}]*\}\)/);
    // close_1011 on bad input is red, and only close_1011.
    const hygienePanel = panelTitled('Bad input handling');
    const hygieneLegend = hygienePanel.targets?.[0]?.legendFormat ?? '';
    const red = (hygienePanel.fieldConfig?.overrides ?? []).filter((o) => matcherMatches(o.matcher, legend(hygieneLegend, { target: 'staging', check: 'hygiene', reason: 'close_1011', phase: 'send' })));
    assert.equal(red.length, 1, '"Bad input handling": one override matches close_1011');
    assert.deepEqual(new Map((red[0] as Override).properties.map((p) => [p.id, p.value])).get('color'), { fixedColor: 'red', mode: 'fixed' });
    assert.equal(
      (hygienePanel.fieldConfig?.overrides ?? []).some((o) => matcherMatches(o.matcher, legend(hygieneLegend, { target: 'staging', check: 'hygiene', reason: 'bad_input_mishandled', phase: 'send' }))),
      false,
      '"Bad input handling": only close_1011 is red',
    );

    // A violation in range is red: the stats turn red from 1.
    for (const title of ['Auth bypasses in range', 'Isolation violations in range']) {
      const steps = ((panelTitled(title).fieldConfig?.defaults?.['thresholds'] as Json | undefined)?.['steps'] ?? []) as { color: string; value: number | null }[];
      assert.deepEqual(steps.map((step) => [step.value, step.color]), [[null, 'green'], [1, 'red']], `"${title}" thresholds`);
    }
    for (const title of ['Auth bypass failures over time', 'User isolation violations over time']) {
      assert.deepEqual(panelTitled(title).fieldConfig?.defaults?.['color'], { fixedColor: 'red', mode: 'fixed' }, `"${title}" is red`);
    }
  });

  it("shows the third generation's set-up and answer failures on their own reasons", () => {
    for (const [title, reason] of [
      ['Connections never ready (handshake_incomplete)', 'handshake_incomplete'],
      ['Wrong answers (answer_mismatch)', 'answer_mismatch'],
    ] as const) {
      const [expr = ''] = exprsOf(panelTitled(title));
      assert.match(expr, new RegExp(`canary_check_failures_total\\{[^}]*reason="${reason}"[^}]*\\}\\[\\$__rate_interval\\]`), `"${title}": ${expr}`);
    }
    assert.match(panelTitled('Phase latency p50 / p95 / p99').description ?? '', /\bhandshake\b/);
  });

  it('shows the failure reasons and the protocol variant as tables with the promised columns', () => {
    const columns = (panel: Panel): string[] => {
      const target = panel.targets?.[0];
      assert.equal(target?.instant, true, `"${panel.title}" is an instant query`);
      assert.equal(target?.format, 'table', `"${panel.title}" is formatted as a table`);
      const by = /^(?:sort_desc\()?(?:round\()?\w+ by \(([^)]*)\)/.exec(target?.expr ?? '');
      assert.ok(by !== null, `"${panel.title}" aggregates by its columns: ${target?.expr}`);
      const organize = panel.transformations?.find((t) => t.id === 'organize')?.options ?? {};
      const excluded = (organize['excludeByName'] ?? {}) as Record<string, boolean>;
      const renamed = (organize['renameByName'] ?? {}) as Record<string, string>;
      const order = (organize['indexByName'] ?? {}) as Record<string, number>;
      const fields = ['Time', ...(by[1] ?? '').split(',').map((s) => s.trim()), 'Value'];
      return fields
        .filter((field) => excluded[field] !== true)
        .sort((a, b) => (order[a] ?? 99) - (order[b] ?? 99))
        .map((field) => renamed[field] ?? field);
    };
    const reasons = panelTitled('Failure reasons in range');
    assert.deepEqual(columns(reasons), ['target', 'check', 'phase', 'reason', 'count']);
    assert.match(reasons.targets?.[0]?.expr ?? '', /^sort_desc\(.*increase\(canary_check_failures_total\{[^}]*\}\[\$__range\]\).*\) > 0\)$/);
    assert.deepEqual(columns(panelTitled('Protocol variant seen')), ['target', 'welcome', 'envelope', 'subprotocol', 'handshake']);
    const health = panelTitled('Dependency health by endpoint');
    assert.deepEqual(columns(health), ['target', 'check', 'endpoint', 'state']);
    assert.match(health.targets?.[0]?.expr ?? '', /canary_dependency_health\{[^}]*\} == 1\)$/);
  });

  it('stands out close code 1011 in red and thicker on the close-codes panel', () => {
    const panel = panelTitled('WebSocket close codes');
    const target = panel.targets?.[0];
    const format = target?.legendFormat ?? '';
    const name1011 = legend(format, { code: '1011' });
    const name1000 = legend(format, { code: '1000' });
    const overrides = (panel.fieldConfig?.overrides ?? []).filter((o) => matcherMatches(o.matcher, name1011));
    assert.equal(overrides.length, 1, `one override matches the 1011 series "${name1011}"`);
    assert.equal(matcherMatches((overrides[0] as Override).matcher, name1000), false, 'the 1011 override leaves 1000 alone');
    const properties = new Map((overrides[0] as Override).properties.map((p) => [p.id, p.value]));
    assert.deepEqual(properties.get('color'), { fixedColor: 'red', mode: 'fixed' });
    const defaultWidth = Number(panel.fieldConfig?.defaults?.custom?.['lineWidth'] ?? 1);
    assert.ok(Number(properties.get('custom.lineWidth')) > defaultWidth, '1011 is drawn thicker than the other codes');
    const otherColor = panel.fieldConfig?.defaults?.['color'] as Json | undefined;
    assert.notEqual(otherColor?.['fixedColor'], 'red', 'no other code is red');
  });

  it('filters every canary selector by the target, check and location variables its labels allow', () => {
    for (const { panel, expr } of dashboardExpressions(parsed)) {
      for (const match of expr.matchAll(/\b(canary_[a-zA-Z0-9_:]+)(\{[^}]*\})?/g)) {
        const [, name = '', braces] = match;
        const labels = SERIES.get(name) ?? [];
        assert.ok(braces !== undefined, `"${panel}": ${name} has label matchers`);
        assert.ok(braces.includes('location=~"$location"'), `"${panel}": ${name} is filtered by location`);
        if (labels.includes('target')) assert.ok(braces.includes('target=~"$target"'), `"${panel}": ${name} is filtered by target`);
        if (labels.includes('check')) assert.ok(braces.includes('check=~"$check"'), `"${panel}": ${name} is filtered by check`);
      }
    }
  });

  it('uses only $target, $check, $location, $__rate_interval and $__range, ranges only from the two macros, $__range only in instant queries, $__rate_interval only in range queries', () => {
    for (const panel of visible) {
      const refIds = (panel.targets ?? []).map((t) => t.refId);
      assert.equal(new Set(refIds).size, refIds.length, `"${panel.title}" has unique refIds`);
      for (const target of panel.targets ?? []) {
        const where = `"${panel.title}" ${target.refId}`;
        assert.equal(substituteGrafanaVariables(target.expr).includes('$'), false, `${where} uses only known variables: ${target.expr}`);
        for (const range of target.expr.matchAll(/\[([^\]]*)\]/g)) {
          assert.ok(range[1] === '$__rate_interval' || range[1] === '$__range', `${where} range [${range[1]}]`);
        }
        if (target.expr.includes('$__range')) assert.equal(target.instant, true, `${where} uses $__range, so it is an instant query`);
        if (target.expr.includes('$__rate_interval')) assert.equal(target.instant, false, `${where} uses $__rate_interval, so it is a range query`);
        assert.equal(target.range, target.instant !== true, `${where} is either a range or an instant query`);
      }
    }
  });

  it('names only metrics the canary exports in every expression', () => {
    const expressions = dashboardExpressions(parsed);
    assert.ok(expressions.length >= visible.length, 'every panel has at least one expression');
    for (const panel of visible) assert.ok((panel.targets ?? []).length > 0, `"${panel.title}" has a query`);
    const known = new Set([...SERIES.keys(), 'up']);
    for (const { panel, expr } of expressions) {
      const names = metricNames(substituteGrafanaVariables(expr));
      assert.ok(names.length > 0, `"${panel}" selects a metric: ${expr}`);
      assert.deepEqual(
        names.filter((name) => !known.has(name)),
        [],
        `"${panel}" names only canary metrics: ${expr}`,
      );
    }
  });

  it('parses as PromQL after substituting the Grafana variables (promtool check rules)', () => {
    const exprs = dashboardExpressions(parsed).map(({ expr }) => substituteGrafanaVariables(expr));
    const result = promtoolCheckRules(exprs);
    assert.equal(result.status, 0, result.output);
    assert.match(result.output, new RegExp(`SUCCESS: ${exprs.length} rules found`));
    const broken = promtoolCheckRules(['sum by (le (rate(canary_check_up[1m]))']);
    assert.notEqual(broken.status, 0, 'promtool rejects a malformed expression');
  });
});
