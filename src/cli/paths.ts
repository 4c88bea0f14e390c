import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The package root (where package.json and checks/ are), from the compiled file's location. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The config the embedded reference backend is checked with. */
export const LOCAL_CONFIG = path.join(PACKAGE_ROOT, 'checks', 'local.yaml');
