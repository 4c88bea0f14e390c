import { dirname } from 'node:path';
import { deepFreeze } from '../result/types.ts';
import type { Config, ServiceConfig, TargetConfig } from './types.ts';
import { listConfigFiles } from './discover.ts';
import { ConfigError, reporterFor, type ConfigProblem } from './errors.ts';
import type { Context } from './fields.ts';
import { checkFiles } from './file-checks.ts';
import { parseYamlFile, UNPARSED } from './parse.ts';
import { validateTarget } from './validate.ts';
import type { CheckTypes } from './checks.ts';

export { ConfigError, type ConfigProblem, type EnvironmentGap } from './errors.ts';
export { parseDuration } from './duration.ts';

/** Everything {@link inspectConfig} found. */
export interface ConfigInspection {
  /** The deep-frozen config, or null when a problem other than a `run` gap stopped it. */
  readonly config: Config | null;
  /** Every problem in every file, in the order found; environment gaps carry `gap`. */
  readonly problems: readonly ConfigProblem[];
}

/**
 * Loads and validates the configuration.
 *
 * @param path a YAML file (one target), or a folder whose `*.yaml`/`*.yml` files are each loaded,
 * sorted by name, skipping `*.example.yaml`/`*.example.yml` templates and hidden files
 * @param env where `${VAR}` references are read
 * @param types the check types (`CHECK_CONFIGS` of the checks registry)
 * @returns the deep-frozen config
 * @throws ConfigError listing every problem in every file (but `run` gaps, which do not stop a load)
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv, types: CheckTypes): Promise<Config> {
  const { config, problems } = await inspectConfig(path, env, types);
  if (config === null) throw new ConfigError(problems.filter((p) => p.gap !== 'run'));
  return config;
}

/**
 * Like {@link loadConfig}, but returns every problem instead of throwing, environment gaps included
 * (an unset `token_env`, which `loadConfig` lets through since only runs need it): what
 * `canary validate` reports.
 */
export async function inspectConfig(path: string, env: NodeJS.ProcessEnv, types: CheckTypes): Promise<ConfigInspection> {
  const problems: ConfigProblem[] = [];
  const targets: TargetConfig[] = [];
  const seen = new Map<string, string>();
  let service: ServiceConfig = { adminToken: null };
  let serviceFile: string | null = null;
  for (const file of await listConfigFiles(path, problems)) {
    const ctx: Context = { ...reporterFor(file, problems), env, dir: dirname(file), files: [] };
    const document = await parseYamlFile(ctx);
    if (document === UNPARSED) continue;
    const { target, config, service: fileService } = validateTarget(ctx, document, types);
    if (fileService !== undefined) {
      if (serviceFile === null) {
        service = fileService;
        serviceFile = file;
      } else ctx.report('service', `is already set in ${serviceFile}; only one file may have a service section`);
    }
    await checkFiles(ctx, ctx.files);
    if (target !== undefined) {
      const first = seen.get(target);
      if (first === undefined) seen.set(target, file);
      else ctx.report('target', `duplicate target "${target}" (also in ${first})`);
    }
    if (config !== undefined) targets.push(config);
  }
  const stopped = problems.some((p) => p.gap !== 'run');
  return { config: stopped ? null : deepFreeze({ targets, service }), problems };
}
