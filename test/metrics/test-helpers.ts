/** Test helpers for the metrics sink: a result builder and a tiny text-exposition parser. */
import type { Config, GoldenPathCheck } from '../../src/config/types.ts';
import type { CheckResult } from '../../src/result/types.ts';
import { FIVE_EVENTS, goldenPathCheck, target } from '../support/fixtures.ts';
import { checkResult } from '../support/results.ts';

export const TARGET = 'test';
export const CHECK = 'golden_path';

/** A config with one target (`test`) and one golden_path check (`golden_path`). */
export function oneCheckConfig(check: GoldenPathCheck = goldenPathCheck()): Config {
  return { targets: [target('ws://127.0.0.1:1/ws', { type: 'none' }, { checks: [check] })], service: { adminToken: null } };
}

let runs = 0;

/** A successful golden-path run of `test`/`golden_path`, five events, every phase but tls timed, no transcript. */
export function successResult(overrides: Partial<CheckResult> = {}): CheckResult {
  runs += 1;
  return checkResult({
    runId: `run${String(runs).padStart(4, '0')}`,
    check: CHECK,
    target: TARGET,
    events: FIVE_EVENTS.map((name, i) => ({ name, seconds: 0.1 * (i + 1) })),
    phases: { token: 0.002, dns: 0.001, tcp: 0.003, upgrade: 0.02, welcome: 0.01, events: 0.5 },
    durationSeconds: 0.75,
    startedAt: '2025-01-01T00:00:00.000Z',
    transcript: { entries: [], dropped: 0 },
    ...overrides,
  });
}

/** A run that failed with close 1011 after two events. */
export function close1011Result(overrides: Partial<CheckResult> = {}): CheckResult {
  return successResult({
    result: 'failure',
    phase: 'events',
    reason: 'close_1011',
    message: 'the server closed with 1011 "Internal error" in phase events',
    closeCode: 1011,
    closeReason: 'Internal error',
    events: [
      { name: 'agent_started', seconds: 0.1 },
      { name: 'agent_thinking', seconds: 0.2 },
    ],
    phases: { token: 0.002, dns: 0.001, tcp: 0.003, upgrade: 0.02, welcome: 0.01 },
    durationSeconds: 0.3,
    ...overrides,
  });
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
}

/** Parses sample lines (`name{labels} value`) of a text exposition; comments are skipped. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`unparsable sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] ?? ''] = unescapeLabel(pair[2] ?? '');
    }
    const value = match[3] ?? '';
    samples.push({ name: match[1] ?? '', labels, value: value === 'Nan' ? Number.NaN : Number(value) });
  }
  return samples;
}

/** `name{a="1",b="2"}` with labels sorted: a stable key for one series. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${labels[key] ?? ''}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/** Every series of the exposition by {@link seriesKey}. */
export function seriesMap(text: string): Map<string, number> {
  return new Map(parseSamples(text).map((s) => [seriesKey(s.name, s.labels), s.value]));
}

/** The value of one series, matched on its full label set; undefined when absent. */
export function valueOf(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  return seriesMap(text).get(seriesKey(name, labels));
}

/** The samples of the family `name` (its exact sample name). */
export function samplesOf(text: string, name: string): Sample[] {
  return parseSamples(text).filter((s) => s.name === name);
}

/** Lines of the exposition that belong to families whose name starts with `prefix`. */
export function familiesWithPrefix(text: string, prefix: string): string {
  const kept = text.split('\n').filter((line) => {
    const name = line.startsWith('# HELP ') || line.startsWith('# TYPE ') ? line.split(' ')[2] : line.split(/[{ ]/)[0];
    return name?.startsWith(prefix) === true;
  });
  return `${kept.join('\n')}\n`;
}
