import type { ConfigIndex, IndexedCheck } from './config-index.ts';
import type { Families } from './families.ts';

type LabelSet = Partial<Record<string, string | number>>;

/** What forgetting needs of a prom-client metric: its current series and the removal of one. */
interface Removable {
  get(): Promise<{ readonly values: readonly { readonly labels: LabelSet }[] }>;
  remove(labels: LabelSet): void;
}

/** The checks and targets a new configuration drops or changes, compared with the old one. */
export interface ConfigChange {
  /** `[target, check]` pairs whose series go: checks removed, and checks whose config changed. */
  readonly checks: ReadonlySet<string>;
  /** Targets no longer configured: their target-level series go too. */
  readonly targets: ReadonlySet<string>;
  /** Checks of the new configuration whose series must be created: new and changed ones. */
  readonly fresh: readonly IndexedCheck[];
}

function pairKey(target: unknown, check: unknown): string {
  return JSON.stringify([target, check]);
}

/** Which series a move from `before` to `after` drops and creates. A check's config is compared whole. */
export function configChange(before: ConfigIndex, after: ConfigIndex): ConfigChange {
  const checks = new Set<string>();
  const fresh: IndexedCheck[] = [];
  for (const old of before.checks) {
    const now = after.find(old.target, old.check.name);
    if (now === undefined || JSON.stringify(now.check) !== JSON.stringify(old.check)) checks.add(pairKey(old.target, old.check.name));
  }
  for (const now of after.checks) {
    const old = before.find(now.target, now.check.name);
    if (old === undefined || checks.has(pairKey(now.target, now.check.name))) fresh.push(now);
  }
  const kept = new Set(after.targets);
  return { checks, targets: new Set(before.targets.filter((target) => !kept.has(target))), fresh };
}

/**
 * Removes every series of the dropped checks and targets from every family (prom-client `remove`
 * of each matching label set), so a removed check does not linger in `/metrics` with its last values.
 */
export async function forgetSeries(families: Families, change: ConfigChange): Promise<void> {
  const metrics: readonly Removable[] = Object.values(families);
  for (const metric of metrics) {
    const { values } = await metric.get();
    for (const { labels } of values) {
      const target = labels['target'];
      if (target === undefined) continue;
      const check = labels['check'];
      const dropped = change.targets.has(String(target)) || (check !== undefined && change.checks.has(pairKey(target, check)));
      if (!dropped) continue;
      const { le: _le, ...own } = labels;
      metric.remove(own);
    }
  }
}
