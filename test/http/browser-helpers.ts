/**
 * Headless Chromium for the page tests: finds Debian's `chromium`, runs it with a throwaway profile
 * and a deadline, and reads rows out of the DOM it dumps.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** How long one Chromium run may take before it is killed. */
export const CHROMIUM_TIMEOUT_MS = 30_000;

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
];

/** `CHROMIUM_BIN`, else `chromium` on PATH; null when there is neither. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env['CHROMIUM_BIN'] !== undefined ? [env['CHROMIUM_BIN']] : (env['PATH'] ?? '').split(path.delimiter).filter((dir) => dir !== '').map((dir) => path.join(dir, 'chromium'));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not this one
    }
  }
  return null;
}

/** The Chromium binary, or a failure that says how to install it. These tests never skip. */
export function requireChromium(): string {
  const bin = findChromium();
  if (bin === null) {
    throw new Error(
      'headless Chromium is required for the status page tests but no `chromium` was found (CHROMIUM_BIN, else PATH): ' +
        'install it with `apt-get update && apt-get install -y --no-install-recommends chromium`',
    );
  }
  return bin;
}

/** What a Chromium run printed. */
export interface ChromiumOutput {
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs headless Chromium with `args` and a fresh profile directory (removed afterwards). Kills its
 * whole process group and rejects after `timeoutMs`; rejects too when it exits non-zero.
 */
export async function runChromium(args: readonly string[], timeoutMs: number = CHROMIUM_TIMEOUT_MS): Promise<ChromiumOutput> {
  const bin = requireChromium();
  const profile = await mkdtemp(path.join(tmpdir(), 'canary-chromium-'));
  try {
    return await new Promise<ChromiumOutput>((resolve, reject) => {
      const child = spawn(bin, [...FLAGS, `--user-data-dir=${profile}`, ...args], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            child.kill('SIGKILL');
          }
        }
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) reject(new Error(`chromium did not finish within ${timeoutMs} ms and was killed; stderr ends:\n${stderr.slice(-2000)}`));
        else if (code !== 0) reject(new Error(`chromium exited with ${code ?? signal}; stderr ends:\n${stderr.slice(-2000)}`));
        else resolve({ stdout, stderr });
      });
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The DOM of `url` after Chromium rendered it (`--dump-dom`). */
export async function dumpDom(url: string): Promise<string> {
  const { stdout } = await runChromium(['--dump-dom', url]);
  return stdout;
}

/** Writes a PNG of `url` at 1280×800 to `file`. */
export async function screenshot(url: string, file: string): Promise<void> {
  await runChromium([`--screenshot=${file}`, '--window-size=1280,800', url]);
}

const ENTITIES: Readonly<Record<string, string>> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&nbsp;': ' ' };

/** The text of an HTML fragment, whitespace collapsed. */
export function textOf(fragment: string): string {
  return fragment
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(lt|gt|amp|quot|#39|nbsp);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, ' ')
    .trim();
}

/** A table row of the dumped DOM: its attributes and its markup. */
export interface DomRow {
  readonly attributes: Readonly<Record<string, string>>;
  readonly html: string;
}

/** Every `<tr>` carrying `data-check`, with its attributes decoded. */
export function checkRows(dom: string): DomRow[] {
  const rows: DomRow[] = [];
  for (const match of dom.matchAll(/<tr\b([^>]*\bdata-check="[^>]*)>([\s\S]*?)<\/tr>/g)) {
    const attributes: Record<string, string> = {};
    for (const attr of (match[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) attributes[attr[1] ?? ''] = textOf(attr[2] ?? '');
    rows.push({ attributes, html: match[2] ?? '' });
  }
  return rows;
}
