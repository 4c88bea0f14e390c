/**
 * Test support: the build context as `docker build` sees it (.dockerignore applied) and what a COPY
 * of it writes where. Patterns follow moby's patternmatcher, which BuildKit uses: Go's
 * `filepath.Match` plus `**`, a pattern also excludes everything below a folder it matches, the
 * last matching line wins and `!` lets a path back in. https://docs.docker.com/build/concepts/context/#dockerignore-files
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export interface IgnoreRule {
  /** The cleaned pattern, without `!`. */
  readonly pattern: string;
  readonly negated: boolean;
  readonly regexp: RegExp;
}

/** A pattern as an anchored regular expression over `/`-separated relative paths. */
export function patternRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else source += '[^/]*';
    } else if (c === '?') source += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) source += `\\${pattern[++i] ?? ''}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new Error(`unterminated [ in .dockerignore pattern "${pattern}"`);
      source += `[${pattern.slice(i + 1, end).replace(/^!/, '^')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** The rules of a .dockerignore file, in order; comments and blank lines dropped. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    if (negated) line = line.slice(1).trim();
    const pattern = path.posix.normalize(line.replace(/^\/+/, '')).replace(/\/+$/, '');
    if (pattern === '' || pattern === '.') continue;
    rules.push({ pattern, negated, regexp: patternRegExp(pattern) });
  }
  return rules;
}

/** Whether `file` (relative, `/`-separated) stays out of the context: the last rule matching it or a parent decides. */
export function isIgnored(rules: readonly IgnoreRule[], file: string): boolean {
  const parts = file.split('/');
  const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (prefixes.some((prefix) => rule.regexp.test(prefix))) ignored = !rule.negated;
  }
  return ignored;
}

/** Whether a `!` rule could let something below the ignored folder `dir` back in. */
function mayReinclude(rules: readonly IgnoreRule[], dir: string): boolean {
  return rules.some((rule) => rule.negated && (rule.pattern.startsWith(`${dir}/`) || /[*?[\\]/.test(rule.pattern.split('/')[0] ?? '')));
}

/**
 * Every regular file under `root` as a relative `/`-separated path, sorted (symbolic links are not
 * followed); with `rules`, only those the build context holds.
 */
export async function listFiles(root: string, rules: readonly IgnoreRule[] = []): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
      const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!isIgnored(rules, rel) || mayReinclude(rules, rel)) await walk(rel);
      } else if (entry.isFile() && !isIgnored(rules, rel)) files.push(rel);
    }
  }
  await walk('');
  return files.sort();
}

/** One file a COPY writes: from `from` (relative to its source tree) to `to` (absolute in the stage). */
export interface CopiedFile {
  readonly from: string;
  readonly to: string;
}

/**
 * What `COPY sources... dest` writes, given the files of its source tree: a folder's contents go
 * into `dest`; a file goes to `dest` itself unless `dest` ends in `/` or there are several sources
 * (then into it). Wildcards follow the .dockerignore syntax.
 *
 * @param sources relative to the source tree (a leading `/` or `./` is dropped)
 * @param dest absolute, or relative to `workdir`
 * @throws Error when a source matches nothing (missing, or left out by .dockerignore)
 */
export function resolveCopy(files: readonly string[], sources: readonly string[], dest: string, workdir: string): CopiedFile[] {
  const destPath = path.posix.resolve(workdir, dest);
  const intoDir = dest.endsWith('/') || sources.length > 1;
  const copied: CopiedFile[] = [];
  for (const raw of sources) {
    const source = path.posix.normalize(raw.replace(/^\/+/, '')).replace(/\/+$/, '');
    if (/[*?[]/.test(source)) {
      const regexp = patternRegExp(source);
      const matched = files.filter((file) => regexp.test(file));
      for (const file of matched) copied.push({ from: file, to: path.posix.join(destPath, path.posix.basename(file)) });
      if (matched.length === 0) throw new Error(`COPY ${raw}: matches no file of the build context`);
    } else if (source !== '.' && files.includes(source)) {
      copied.push({ from: source, to: intoDir ? path.posix.join(destPath, path.posix.basename(source)) : destPath });
    } else {
      const prefix = source === '.' ? '' : `${source}/`;
      const inside = files.filter((file) => file.startsWith(prefix));
      if (inside.length === 0) throw new Error(`COPY ${raw}: no such file or folder in the build context (or .dockerignore leaves it out)`);
      for (const file of inside) copied.push({ from: file, to: path.posix.join(destPath, file.slice(prefix.length)) });
    }
  }
  return copied;
}
