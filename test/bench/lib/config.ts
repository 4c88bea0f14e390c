/** Target files the benchmark's `serve` children load: golden_path checks against the reference backend. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REFERENCE_SECRET } from '../../../src/reference/index.ts';

/** Options of {@link targetYaml}. */
export interface TargetSpec {
  /** `ws://127.0.0.1:PORT/ws` */
  readonly url: string;
  /** How many golden_path checks; the first is named `golden_path`, the rest `golden_path_002`, ... */
  readonly checks: number;
  /** Their schedule, e.g. `1h` (idle) or `1s` (soak). */
  readonly every: string;
  readonly timeout?: string;
}

/** The name of the `i`-th (0-based) check of {@link targetYaml}. */
export function checkName(i: number): string {
  return i === 0 ? 'golden_path' : `golden_path_${String(i + 1).padStart(3, '0')}`;
}

/**
 * One target file (target `bench`) with `spec.checks` golden_path checks signed as the reference
 * backend verifies. `handshake: off`: the reference backend speaks the second generation, and with
 * `auto` every run would wait out the 1 s handshake window (wall time, not CPU).
 */
export function targetYaml(spec: TargetSpec): string {
  const lines = [
    'target: bench',
    `url: ${spec.url}`,
    'auth:',
    '  type: jwt',
    `  secret: ${REFERENCE_SECRET}`,
    '  issuer: netra-auth-service',
    '  audience: netra-platform',
    '  subject: canary-bench',
    '  claims: {token_type: access}',
    'checks:',
  ];
  for (let i = 0; i < spec.checks; i++) {
    lines.push(
      `  - name: ${checkName(i)}`,
      '    type: golden_path',
      `    every: ${spec.every}`,
      `    timeout: ${spec.timeout ?? '20s'}`,
      '    slow_after: 10s',
      '    handshake: off',
      '    expect_answer: {field: result.answer, contains: "Reference answer to"}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A config file in a fresh temporary folder. */
export interface TempConfig {
  readonly path: string;
  remove(): Promise<void>;
}

/** Writes {@link targetYaml} of `spec` to a temporary `bench.yaml`. */
export async function writeTarget(spec: TargetSpec): Promise<TempConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'canary-bench-'));
  const path = join(dir, 'bench.yaml');
  await writeFile(path, targetYaml(spec));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}
