// Writes checks/canary.schema.json from the field declarations: `npm run schema`.
import { writeFile } from 'node:fs/promises';
import { CHECK_CONFIGS } from '../../src/checks/registry.ts';
import { schemaText } from '../../src/config/validate.ts';

const target = new URL('../../checks/canary.schema.json', import.meta.url);
await writeFile(target, schemaText(CHECK_CONFIGS));
console.log(`wrote ${target.pathname}`);
