// Writes deploy/cloudmonitoring/policies/ from deploy/prometheus/canary-rules.yml: `npm run policies`.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../deploy/rules-tools.ts';
import { buildPolicyFiles, POLICIES_DIR, PROMETHEUS_CONFIG_FILE, RULES_FILE } from '../deploy/policies.ts';

const files = buildPolicyFiles(await readFile(join(REPO_ROOT, RULES_FILE), 'utf8'), await readFile(join(REPO_ROOT, PROMETHEUS_CONFIG_FILE), 'utf8'));
const dir = join(REPO_ROOT, POLICIES_DIR);
await mkdir(dir, { recursive: true });
const wanted = new Set(files.map((f) => f.fileName));
for (const name of await readdir(dir)) {
  if (name.endsWith('.json') && !wanted.has(name)) await rm(join(dir, name));
}
for (const file of files) await writeFile(join(dir, file.fileName), file.text);
console.log(`wrote ${files.length} policies to ${dir}`);
