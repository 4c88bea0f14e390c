import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFsError, FILE_FIELD, type ConfigProblem } from './errors.ts';

const CONFIG_FILE = /\.ya?ml$/;
const TEMPLATE_FILE = /\.example\.ya?ml$/;

/** Whether a folder entry is loaded: `*.yaml`/`*.yml`, not a `*.example.*` template, not hidden. */
export function isConfigFileName(name: string): boolean {
  return CONFIG_FILE.test(name) && !TEMPLATE_FILE.test(name) && !name.startsWith('.');
}

/**
 * The files `path` stands for: itself when it is a file (a template included), else the config
 * files directly inside the folder, sorted by name. Problems (missing path, empty folder) are added
 * to `problems` on `(file)`.
 *
 * @returns the file paths, joined to `path` and not absolutized
 */
export async function listConfigFiles(path: string, problems: ConfigProblem[]): Promise<string[]> {
  const report = (message: string): string[] => {
    problems.push({ file: path, field: FILE_FIELD, message });
    return [];
  };
  try {
    if (!(await stat(path)).isDirectory()) return [path];
    const entries = await readdir(path, { withFileTypes: true });
    const files: string[] = [];
    for (const entry of entries) {
      if (!isConfigFileName(entry.name)) continue;
      const file = join(path, entry.name);
      if (entry.isFile() || (entry.isSymbolicLink() && (await stat(file).then((s) => s.isFile(), () => true)))) {
        files.push(file);
      }
    }
    files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (files.length === 0) return report('expected at least one .yaml or .yml file (templates *.example.yaml do not count), found none');
    return files;
  } catch (error) {
    return report(`cannot read: ${describeFsError(error)}`);
  }
}
