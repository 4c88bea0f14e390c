/**
 * Test support: the module graph of a folder of sources or compiled files, read statically, to prove
 * that what the image holds is what its runtime loads, and nothing it loads is missing.
 */
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';

/**
 * The specifiers a module imports: `import`/`export ... from`, side-effect imports and `import()`
 * with a literal. Type-only imports count (tsc needs their files); they are gone from compiled code.
 */
export function moduleSpecifiers(code: string): string[] {
  const found: string[] = [];
  for (const match of code.matchAll(/^\s*(?:import|export)\b[\w\s{},*$]*?\bfrom\s*(['"])([^'"]+)\1/gm)) found.push(match[2] ?? '');
  for (const match of code.matchAll(/^\s*import\s*(['"])([^'"]+)\1/gm)) found.push(match[2] ?? '');
  for (const match of code.matchAll(/\bimport\(\s*(['"])([^'"]+)\1\s*\)/g)) found.push(match[2] ?? '');
  return found;
}

/** The package a bare specifier names (`@scope/name/sub/path` → `@scope/name`); null for `node:` and built-ins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

export interface ModuleGraph {
  /** Files reached from the entry points, relative to the root. */
  readonly reached: ReadonlySet<string>;
  /** `importer → specifier` for relative imports whose file is not among `files`. */
  readonly missing: readonly string[];
  /** Packages imported by a reached file. */
  readonly packages: ReadonlySet<string>;
}

/**
 * Follows relative imports from `entries` through `files` (paths relative to `root`).
 */
export async function moduleGraph(root: string, files: readonly string[], entries: readonly string[]): Promise<ModuleGraph> {
  const present = new Set(files);
  const reached = new Set<string>();
  const missing: string[] = [];
  const packages = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (reached.has(file)) continue;
    reached.add(file);
    for (const specifier of moduleSpecifiers(await readFile(path.join(root, file), 'utf8'))) {
      if (specifier.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        if (present.has(target)) queue.push(target);
        else missing.push(`${file} → ${specifier}`);
      } else {
        const name = packageOf(specifier);
        if (name !== null) packages.add(name);
      }
    }
  }
  return { reached, missing, packages };
}
