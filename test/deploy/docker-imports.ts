/**
 * Test support: the module graph of the image's bundle, read by esbuild's parser (its metafile), to
 * prove that what the image holds is what its runtime loads, and nothing it loads is missing. A
 * parser, not a pattern: the bundle carries its libraries' comments, some of which spell imports.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

/** The package a bare specifier names (`@scope/name/sub/path` → `@scope/name`); null for `node:` and built-ins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

export interface ModuleGraph {
  /** Files reached from the entry points through `import`, `export ... from` and `import()`, relative to the root. */
  readonly reached: ReadonlySet<string>;
  /** What esbuild could not resolve among the relative imports, as its messages say it. */
  readonly missing: readonly string[];
  /** Packages imported by a reached file. */
  readonly packages: ReadonlySet<string>;
}

/** Follows the imports of `entries` (paths relative to `root`) through the files under `root`. */
export async function moduleGraph(root: string, entries: readonly string[]): Promise<ModuleGraph> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [...entries],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    logLevel: 'silent',
  }).catch((error: unknown) => {
    const errors = (error as { errors?: readonly { text: string }[] }).errors;
    if (errors === undefined) throw error;
    return { metafile: null, errors };
  });
  if (result.metafile === null) return { reached: new Set(), missing: result.errors.map((e) => e.text), packages: new Set() };
  const reached = new Set(Object.keys(result.metafile.inputs).map((file) => path.posix.normalize(file)));
  const packages = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      // require() calls left in the bundled libraries are theirs (optional peers in try/catch), not imports.
      if (!imported.external || imported.kind === 'require-call') continue;
      const name = packageOf(imported.path);
      if (name !== null) packages.add(name);
    }
  }
  return { reached, missing: [], packages };
}
