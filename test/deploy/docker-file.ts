/**
 * Test support: reads the part of the Dockerfile syntax canary's Dockerfile uses, resolving ARG and
 * ENV the way `docker build` does, so the proof test can replay a stage without a Docker engine.
 * Anything outside that part is an error rather than a guess: a Dockerfile the replay cannot follow
 * fails the test instead of passing it untested. Syntax: https://docs.docker.com/reference/dockerfile/
 */

/** One filesystem step of a stage, in order. */
export type Step =
  | { readonly kind: 'WORKDIR'; readonly path: string }
  | { readonly kind: 'COPY'; readonly from: string | null; readonly sources: readonly string[]; readonly dest: string }
  /** `env` is what the command sees: the stage's ARG values overridden by its ENV so far. */
  | { readonly kind: 'RUN'; readonly command: string; readonly env: Readonly<Record<string, string>> };

export interface Stage {
  /** The `AS` name, lower-cased; null when the stage has none. */
  readonly name: string | null;
  readonly base: string;
  readonly steps: readonly Step[];
  /** ENV in effect at the end of the stage (what the container starts with). */
  readonly env: Readonly<Record<string, string>>;
  /** The last WORKDIR, absolute; `/` when none. */
  readonly workdir: string;
  /** The last USER; null when none (root). */
  readonly user: string | null;
  readonly expose: readonly string[];
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  /** The HEALTHCHECK command (after `CMD`); null when none. */
  readonly healthcheck: readonly string[] | null;
}

/** Thrown for anything the reader does not follow; the message names the line. */
export class DockerfileError extends Error {
  override readonly name = 'DockerfileError';
}

interface Instruction {
  readonly keyword: string;
  readonly rest: string;
  readonly line: number;
}

/** Logical instructions: comments dropped, `\` continuations joined (also across comment lines). */
function instructions(text: string): Instruction[] {
  const out: Instruction[] = [];
  let joined = '';
  let start = 0;
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    if (/^\s*#/.test(raw) || raw.trim() === '') continue;
    const continued = /\\\s*$/.test(raw);
    if (joined === '') start = index + 1;
    joined += continued ? raw.replace(/\\\s*$/, '') : raw;
    if (continued) continue;
    const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(joined);
    if (match === null) throw new DockerfileError(`line ${start}: expected an instruction, got "${joined.trim()}"`);
    out.push({ keyword: (match[1] ?? '').toUpperCase(), rest: (match[2] ?? '').trim(), line: start });
    joined = '';
  }
  if (joined !== '') throw new DockerfileError(`line ${start}: the file ends inside a continued line`);
  return out;
}

/** `$VAR`, `${VAR}`, `${VAR:-default}` and `${VAR:+alternative}`; `\$` is a literal `$`. Unset is empty. */
function expand(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, op?: string, word?: string, bare?: string) => {
    if (whole === '\\$') return '$';
    const value = vars[braced ?? bare ?? ''];
    if (op === '-') return value === undefined || value === '' ? (word ?? '') : value;
    if (op === '+') return value === undefined || value === '' ? '' : (word ?? '');
    return value ?? '';
  });
}

/** The JSON (exec) form, which must be an array of strings. */
function execForm(instruction: Instruction, text: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((item) => typeof item === 'string')) {
    throw new DockerfileError(`line ${instruction.line}: ${instruction.keyword} must use the exec form, a JSON array of strings (the shell form puts sh in front of node, and SIGTERM never reaches it)`);
  }
  return parsed;
}

/** Leading `--name=value` flags of an instruction, and the rest. */
function flags(instruction: Instruction, allowed: readonly string[]): { flags: Map<string, string>; rest: string } {
  const found = new Map<string, string>();
  let rest = instruction.rest;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest);
    if (match === null) return { flags: found, rest };
    const name = match[1] ?? '';
    if (!allowed.includes(name)) throw new DockerfileError(`line ${instruction.line}: ${instruction.keyword} --${name} is not supported by the replay`);
    found.set(name, match[2] ?? '');
    rest = rest.slice(match[0].length);
  }
}

/** `a=b c="d e"` pairs, or the legacy `NAME value` form. Values are expanded with `vars`. */
function envPairs(instruction: Instruction, vars: Readonly<Record<string, string>>): [string, string][] {
  const text = instruction.rest;
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(text)) {
    const legacy = /^([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/s.exec(text);
    if (legacy === null) throw new DockerfileError(`line ${instruction.line}: ENV expects NAME=value`);
    return [[legacy[1] ?? '', expand(legacy[2] ?? '', vars)]];
  }
  const pairs: [string, string][] = [];
  const pair = /\s*([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))/y;
  let at = 0;
  while (at < text.length) {
    pair.lastIndex = at;
    const match = pair.exec(text);
    if (match === null) throw new DockerfileError(`line ${instruction.line}: ENV expects NAME=value pairs, got "${text.slice(at).trim()}"`);
    const value = match[2] !== undefined ? expand(match[2].replace(/\\(.)/g, '$1'), vars) : match[3] !== undefined ? match[3] : expand(match[4] ?? '', vars);
    pairs.push([match[1] ?? '', value]);
    at = pair.lastIndex;
    if (text.slice(at).trim() === '') break;
  }
  return pairs;
}

interface StageBuilder {
  name: string | null;
  base: string;
  steps: Step[];
  args: Record<string, string>;
  env: Record<string, string>;
  workdir: string;
  user: string | null;
  expose: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  healthcheck: string[] | null;
}

/**
 * Reads `text` as `docker build --build-arg ...` would.
 *
 * @param buildArgs the `--build-arg` values
 * @returns the stages in order; the last is the image
 * @throws DockerfileError for an instruction or form the replay does not follow
 */
export function parseDockerfile(text: string, buildArgs: Readonly<Record<string, string>> = {}): Stage[] {
  const globalArgs: Record<string, string> = {};
  const stages: StageBuilder[] = [];
  let stage: StageBuilder | null = null;
  for (const instruction of instructions(text)) {
    const { keyword, rest, line } = instruction;
    if (keyword === 'FROM') {
      const { rest: afterFlags } = flags(instruction, ['platform']);
      const match = /^(\S+)(?:\s+AS\s+([A-Za-z][A-Za-z0-9_.-]*))?$/i.exec(afterFlags);
      if (match === null) throw new DockerfileError(`line ${line}: FROM expects "image [AS name]"`);
      stage = {
        name: match[2]?.toLowerCase() ?? null,
        base: expand(match[1] ?? '', globalArgs),
        steps: [],
        args: {},
        env: {},
        workdir: '/',
        user: null,
        expose: [],
        entrypoint: null,
        cmd: null,
        healthcheck: null,
      };
      stages.push(stage);
      continue;
    }
    if (keyword === 'ARG') {
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest);
      if (match === null) throw new DockerfileError(`line ${line}: ARG expects NAME[=default]`);
      const name = match[1] ?? '';
      const scope = stage === null ? globalArgs : stage.args;
      const fallback = match[2] !== undefined ? expand(match[2].replace(/^"(.*)"$/, '$1'), stage === null ? globalArgs : { ...stage.args, ...stage.env }) : stage === null ? undefined : globalArgs[name];
      const value = buildArgs[name] ?? fallback;
      if (value !== undefined) scope[name] = value;
      continue;
    }
    if (stage === null) throw new DockerfileError(`line ${line}: ${keyword} before the first FROM`);
    const vars = { ...stage.args, ...stage.env };
    switch (keyword) {
      case 'ENV':
        for (const [name, value] of envPairs(instruction, vars)) stage.env[name] = value;
        break;
      case 'WORKDIR': {
        const path = expand(rest, vars);
        stage.workdir = path.startsWith('/') ? path : `${stage.workdir.replace(/\/$/, '')}/${path}`;
        stage.steps.push({ kind: 'WORKDIR', path: stage.workdir });
        break;
      }
      case 'COPY': {
        const parsed = flags(instruction, ['from', 'chown', 'chmod', 'link']);
        const words = parsed.rest.startsWith('[') ? execForm(instruction, parsed.rest) : parsed.rest.split(/\s+/).filter((w) => w !== '');
        if (words.length < 2) throw new DockerfileError(`line ${line}: COPY expects at least one source and a destination`);
        const expanded = words.map((word) => expand(word, vars));
        stage.steps.push({ kind: 'COPY', from: parsed.flags.get('from')?.toLowerCase() ?? null, sources: expanded.slice(0, -1), dest: expanded.at(-1) ?? '' });
        break;
      }
      case 'RUN':
        if (rest.startsWith('[') || rest.startsWith('--')) throw new DockerfileError(`line ${line}: RUN is replayed in the shell form only, without flags`);
        stage.steps.push({ kind: 'RUN', command: rest, env: { ...vars } });
        break;
      case 'USER':
        stage.user = expand(rest, vars);
        break;
      case 'EXPOSE':
        stage.expose.push(...expand(rest, vars).split(/\s+/));
        break;
      case 'ENTRYPOINT':
        stage.entrypoint = execForm(instruction, rest);
        break;
      case 'CMD':
        stage.cmd = execForm(instruction, rest);
        break;
      case 'HEALTHCHECK': {
        const parsed = flags(instruction, ['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
        if (/^NONE$/i.test(parsed.rest)) {
          stage.healthcheck = null;
          break;
        }
        const match = /^CMD\s+(.*)$/s.exec(parsed.rest);
        if (match === null) throw new DockerfileError(`line ${line}: HEALTHCHECK expects CMD or NONE`);
        stage.healthcheck = execForm(instruction, match[1] ?? '');
        break;
      }
      case 'LABEL':
      case 'STOPSIGNAL':
        break;
      default:
        throw new DockerfileError(`line ${line}: ${keyword} is not followed by the replay`);
    }
  }
  if (stages.length === 0) throw new DockerfileError('no FROM: not a Dockerfile');
  return stages.map((s) => ({
    name: s.name,
    base: s.base,
    steps: s.steps,
    env: s.env,
    workdir: s.workdir,
    user: s.user,
    expose: s.expose,
    entrypoint: s.entrypoint,
    cmd: s.cmd,
    healthcheck: s.healthcheck,
  }));
}

/** The stage a `COPY --from=` names: an earlier stage's name or index. */
export function stageNamed(stages: readonly Stage[], ref: string, before: number): Stage {
  const index = /^\d+$/.test(ref) ? Number(ref) : stages.findIndex((s) => s.name === ref);
  const found = index >= 0 && index < before ? stages[index] : undefined;
  if (found === undefined) throw new DockerfileError(`COPY --from=${ref} names no earlier stage (an external image cannot be replayed)`);
  return found;
}
