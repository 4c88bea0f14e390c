/** One thing wrong with the configuration. */
export interface ConfigProblem {
  /** The config file as given or joined from the folder (not absolutized). */
  readonly file: string;
  /** Dotted path of the field (`checks[0].timeout`, `auth.secret`), or `(file)` for the whole file. */
  readonly field: string;
  /** What was expected and what was found. */
  readonly message: string;
  /**
   * Set when the environment lacks what the file names (a variable, a readable key or CA file): the
   * file itself may be right. `load`: the config cannot be loaded without it; `run`: it loads, but
   * every run would fail (an unset `token_env`). `canary validate` warns about both unless `--strict`.
   */
  readonly gap?: EnvironmentGap;
}

/** See {@link ConfigProblem.gap}. */
export type EnvironmentGap = 'load' | 'run';

/** The `field` of problems that concern a whole file (unreadable, YAML syntax, not a mapping). */
export const FILE_FIELD = '(file)';

/**
 * Every problem found while loading a configuration, reported at once. `message` has one line per
 * problem: `${file}: ${field}: ${message}`.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = Object.freeze(problems.map((p) => Object.freeze({ ...p })));
  }
}

/** `${file}: ${field}: ${message}`. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}: ${problem.field}: ${problem.message}`;
}

/** Where validators of one file record what they find. */
export interface Reporter {
  readonly file: string;
  report(field: string, message: string, gap?: EnvironmentGap): void;
}

/** A reporter that appends to `problems`. */
export function reporterFor(file: string, problems: ConfigProblem[]): Reporter {
  return {
    file,
    report(field, message, gap) {
      problems.push(gap === undefined ? { file, field, message } : { file, field, message, gap });
    },
  };
}

const MAX_SHOWN_CHARS = 80;

/** Human description of a found value for "got ..." messages: strings quoted, containers named. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= MAX_SHOWN_CHARS
      ? JSON.stringify(value)
      : `${JSON.stringify(value.slice(0, MAX_SHOWN_CHARS))}… (${value.length} characters)`;
  }
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty mapping' : 'a mapping';
  return String(value);
}

/** `node:fs` error codes as short phrases; anything else is shown by its code. */
export function describeFsError(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : 'unknown error';
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, expected a file';
    case 'ENOTDIR':
      return 'a parent of the path is not a folder';
    default:
      return code;
  }
}
