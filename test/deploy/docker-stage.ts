/**
 * Test support: replays the image's final stage into a folder standing for its WORKDIR, step by
 * step from the parsed Dockerfile, with no Docker engine:
 *  - COPY from the build context copies the checkout's files that .dockerignore lets in;
 *  - COPY --from=<stage> copies from that stage's folder, the stage replayed the same way first;
 *  - RUN is split on `&&`, and each command runs as written in the stage's folder, or is stood in
 *    for or skipped for a stated reason.
 * A command the replay does not know fails it: teach {@link planRun} rather than let a Dockerfile
 * change go unproven.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { listFiles, resolveCopy, type IgnoreRule } from './docker-context.ts';
import { stageNamed, type Stage } from './docker-file.ts';

const run = promisify(execFile);

/**
 * This machine's network settings, which an install needs as much as the image builder's own: a
 * proxy, or a TLS-inspecting gateway's CA. Nothing else of the caller's environment reaches a
 * replayed command (npm_config_local_prefix, say, would point npm back at the checkout).
 */
const NETWORK_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'npm_config_registry', 'npm_config_cafile', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_noproxy'];

function networkEnv(): Record<string, string> {
  return Object.fromEntries(NETWORK_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] ?? '']])));
}

/** What the replay does with one command of a RUN line. */
export type RunPlan =
  | { readonly action: 'run' }
  /** Link the checkout's node_modules into the stage instead. */
  | { readonly action: 'link-node-modules'; readonly why: string }
  | { readonly action: 'skip'; readonly why: string };

/**
 * The replay's decision for one command (a RUN line split on `&&`), by stage role.
 *
 * @param final whether the command is in the image's own (last) stage
 */
export function planRun(command: string, final: boolean): RunPlan | null {
  const words = command.trim().split(/\s+/);
  const npm = words[0] === 'npm' ? words.slice(1) : [];
  if (final && npm[0] === 'ci' && npm.includes('--omit=dev')) return { action: 'run' };
  if (final && npm.join(' ') === 'cache clean --force') return { action: 'skip', why: 'keeps the npm cache out of the layer; here it would empty the default cache' };
  if (!final && npm[0] === 'ci') return { action: 'link-node-modules', why: "the checkout's node_modules, installed from the same lockfile, dev dependencies included" };
  if (!final && npm.join(' ') === 'run build') return { action: 'run' };
  return null;
}

export interface ReplayOptions {
  readonly stages: readonly Stage[];
  readonly ignore: readonly IgnoreRule[];
  /** The checkout: the build context. */
  readonly context: string;
  /** An empty folder; each replayed stage gets a subfolder. */
  readonly scratch: string;
  /** PATH for the commands that run; the first `node` on it should be the image's Node. */
  readonly path: string;
  /** Bound on each command that runs. */
  readonly commandTimeoutMs: number;
  /** Receives a line per command skipped or stood in for. */
  readonly log?: (line: string) => void;
}

export interface ReplayedStage {
  /** The folder standing for the stage's WORKDIR. */
  readonly dir: string;
  readonly stage: Stage;
}

/** Where an absolute path of the stage lands in its folder; only paths under WORKDIR are replayed. */
function inStage(dir: string, workdir: string, absolute: string): string {
  const rel = path.posix.relative(workdir, absolute);
  if (rel.startsWith('..') || path.posix.isAbsolute(rel)) throw new Error(`${absolute} is outside WORKDIR ${workdir}, which the replay does not follow`);
  return path.join(dir, ...rel.split('/').filter((part) => part !== ''));
}

/** Where a COPY reads: the build context, or an earlier stage's folder (replayed first). */
interface CopySource {
  readonly root: string;
  readonly files: readonly string[];
  /** Turns a COPY source into a path relative to `root`. */
  readonly relative: (source: string) => string;
}

interface Replay {
  readonly options: ReplayOptions;
  readonly context: CopySource;
  readonly done: Map<number, ReplayedStage>;
}

async function stageSource(replay: Replay, ref: string, before: number): Promise<CopySource> {
  const from = stageNamed(replay.options.stages, ref, before);
  const replayed = await replayStage(replay, replay.options.stages.indexOf(from));
  return {
    root: replayed.dir,
    files: await listFiles(replayed.dir),
    relative: (source) => {
      const rel = path.posix.relative(from.workdir, path.posix.resolve(from.workdir, source));
      if (rel.startsWith('..')) throw new Error(`COPY --from=${ref} ${source}: outside that stage's WORKDIR ${from.workdir}, which the replay does not follow`);
      return rel;
    },
  };
}

async function replayStage(replay: Replay, index: number): Promise<ReplayedStage> {
  const { options, done } = replay;
  const already = done.get(index);
  if (already !== undefined) return already;
  const stage = options.stages[index];
  if (stage === undefined) throw new Error(`no stage ${index}`);
  const final = index === options.stages.length - 1;
  const dir = path.join(options.scratch, `stage-${index}${stage.name === null ? '' : `-${stage.name}`}`);
  await mkdir(dir, { recursive: true });
  let workdir = '/';
  for (const step of stage.steps) {
    if (step.kind === 'WORKDIR') {
      if (workdir !== '/' && step.path !== workdir) throw new Error(`WORKDIR ${step.path}: one WORKDIR per stage is all the replay follows`);
      workdir = step.path;
    } else if (step.kind === 'COPY') {
      const source = step.from === null ? replay.context : await stageSource(replay, step.from, index);
      for (const file of resolveCopy(source.files, step.sources.map(source.relative), step.dest, workdir)) {
        const target = inStage(dir, workdir, file.to);
        await mkdir(path.dirname(target), { recursive: true });
        await copyFile(path.join(source.root, file.from), target);
      }
    } else {
      for (const command of step.command.split('&&').map((c) => c.trim())) {
        const plan = planRun(command, final);
        if (plan === null) throw new Error(`RUN ${command}: the replay does not know this command; teach planRun() in src/deploy/docker-stage.ts`);
        if (plan.action === 'skip') options.log?.(`skipped \`${command}\`: ${plan.why}`);
        else if (plan.action === 'link-node-modules') {
          options.log?.(`stood in for \`${command}\`: ${plan.why}`);
          await symlink(path.join(options.context, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
        } else {
          // npm uses this user's default cache (HOME) and trusts it for what the lockfile pins
          // (prefer-offline): the registry is asked only for what the cache lacks.
          const env = { ...networkEnv(), ...step.env, PATH: options.path, HOME: process.env['HOME'] ?? dir, npm_config_prefer_offline: 'true' };
          await run('sh', ['-c', command], { cwd: dir, env, timeout: options.commandTimeoutMs, maxBuffer: 16 * 1024 * 1024 }).catch((error: unknown) => {
            const detail = error as { stdout?: string; stderr?: string; signal?: string };
            const late = detail.signal === 'SIGTERM' ? ` (no end within ${options.commandTimeoutMs} ms)` : '';
            throw new Error(`RUN ${command} failed${late}:\n${detail.stdout ?? ''}${detail.stderr ?? String(error)}`);
          });
        }
      }
    }
  }
  const replayed = { dir, stage };
  done.set(index, replayed);
  return replayed;
}

/** Replays the last stage (and the stages it copies from) into `options.scratch`. */
export async function replayFinalStage(options: ReplayOptions): Promise<ReplayedStage> {
  const context: CopySource = { root: options.context, files: await listFiles(options.context, options.ignore), relative: (source) => source };
  return replayStage({ options, context, done: new Map() }, options.stages.length - 1);
}
