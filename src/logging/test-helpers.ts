/**
 * Test doubles for the logging tests: an in-memory destination and check results.
 */
import { Writable } from 'node:stream';
import type { CheckResult, TranscriptEntry } from '../result/types.ts';
import { deepFreeze } from '../result/types.ts';

/** A real Writable that keeps what it is given; confirms each write at once, or after `delayMs`, or never when `stuck`. */
export class MemoryDestination extends Writable {
  readonly chunks: string[] = [];
  /** Writes whose callback has been called. */
  confirmed = 0;
  readonly #delayMs: number | null;
  readonly #stuck: boolean;

  constructor(options: { delayMs?: number; stuck?: boolean } = {}) {
    super({ decodeStrings: false });
    this.#delayMs = options.delayMs ?? null;
    this.#stuck = options.stuck ?? false;
  }

  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(typeof chunk === 'string' ? chunk : String(chunk));
    if (this.#stuck) return;
    const confirm = (): void => {
      this.confirmed += 1;
      callback();
    };
    if (this.#delayMs === null) confirm();
    else setTimeout(confirm, this.#delayMs);
  }

  /** Everything written, as one string. */
  text(): string {
    return this.chunks.join('');
  }

  /** Written lines, without the final empty one. */
  lines(): string[] {
    return this.text().split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
  }

  /** Each line parsed as a JSON object. */
  entries(): Record<string, unknown>[] {
    return this.lines().map((line) => {
      const value: unknown = JSON.parse(line);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`not an object: ${line}`);
      return value as Record<string, unknown>;
    });
  }
}

/** 2025-01-02T03:04:05.678Z. */
export const FIXED_CLOCK = { nowMs: (): number => Date.UTC(2025, 0, 2, 3, 4, 5, 678) };
export const FIXED_TIME = '2025-01-02T03:04:05.678Z';

export function transcriptEntry(overrides: Partial<TranscriptEntry> = {}): TranscriptEntry {
  return { dir: 'in', tMs: 12.5, kind: 'text', type: 'agent_started', size: 27, text: '{"type":"agent_started"}', ...overrides };
}

/** A successful golden-path run; override to make others. */
export function checkResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return deepFreeze({
    runId: 'run-1',
    check: 'golden_path',
    target: 'local',
    type: 'golden_path',
    result: 'success',
    phase: null,
    reason: null,
    message: null,
    degradations: [],
    missingEvent: null,
    closeCode: null,
    closeReason: null,
    httpStatus: null,
    events: [
      { name: 'agent_started', seconds: 0.1 },
      { name: 'agent_completed', seconds: 0.9 },
    ],
    phases: { token: 0.01, upgrade: 0.02, welcome: 0.03, events: 0.9 },
    durationSeconds: 0.96,
    protocol: { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' },
    startedAt: '2025-01-02T03:04:00.000Z',
    tlsCertExpiresAt: null,
    transcript: {
      entries: [
        transcriptEntry({ dir: 'out', tMs: 0, kind: 'upgrade', type: null, size: 0, text: 'GET /ws' }),
        transcriptEntry(),
      ],
      dropped: 0,
    },
    details: {},
    ...overrides,
  });
}

/** A run that failed with close 1011 during the events phase. */
export function failedResult(overrides: Partial<CheckResult> = {}): CheckResult {
  return checkResult({
    runId: 'run-2',
    result: 'failure',
    phase: 'events',
    reason: 'close_1011',
    message: 'The server closed with 1011 (internal error).',
    closeCode: 1011,
    closeReason: 'internal error',
    events: [{ name: 'agent_started', seconds: 0.1 }],
    phases: { token: 0.01, upgrade: 0.02, welcome: 0.03, events: 0.4 },
    durationSeconds: 0.46,
    transcript: {
      entries: [
        transcriptEntry({ dir: 'out', tMs: 0, kind: 'upgrade', type: null, size: 0, text: 'GET /ws' }),
        transcriptEntry({ dir: 'in', tMs: 100.25, kind: 'text', type: 'agent_started', size: 24, text: '{"type":"agent_started"}' }),
        transcriptEntry({ dir: 'in', tMs: 400, kind: 'close', type: null, size: 16, text: '1011 internal error' }),
      ],
      dropped: 0,
    },
    ...overrides,
  });
}
