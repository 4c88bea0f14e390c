/**
 * The one builder of every `CheckResult`: {@link freezeResult} bounds, redacts and freezes what a
 * walk ({@link walkResult}), several walks ({@link combineWalks}) or a check type hands it.
 */
import type { TargetConfig, WalkSettings } from '../config/types.ts';
import { TIMED_PHASES, type Phase, type Reason, type TimedPhase } from '../result/reasons.ts';
import { Redactor } from '../result/redact.ts';
import { frozenCopy, type CheckResult, type Envelope, type ProtocolVariant, type TranscriptEntry } from '../result/types.ts';
import { undecided } from './classify.ts';
import type { WalkState } from './state.ts';

/** Characters of `message`, `closeReason` and each details string kept in a result; the rest is cut with {@link CUT_MARKER}. */
export const MAX_RESULT_TEXT_CHARS = 300;
/** Characters of a transcript entry's text kept when a result is frozen (the recorder cuts to its own, smaller limit first). */
export const MAX_TRANSCRIPT_TEXT_CHARS = 4096;
/** Appended to a cut string. */
export const CUT_MARKER = '…';

const cutMarker = (): string => CUT_MARKER;

function bound(redactor: Redactor, text: string, maxChars: number): string {
  return redactor.cut(text, maxChars, cutMarker).toWellFormed();
}

function boundOrNull(redactor: Redactor, text: string | null, maxChars: number): string | null {
  return text === null ? null : bound(redactor, text, maxChars);
}

function entry(redactor: Redactor, e: TranscriptEntry): TranscriptEntry {
  return { ...e, type: boundOrNull(redactor, e.type, MAX_RESULT_TEXT_CHARS), text: boundOrNull(redactor, e.text, MAX_TRANSCRIPT_TEXT_CHARS) };
}

/**
 * Freezes a finished result so no sink can change what the others see. The one place every
 * string that came from the server or an error is redacted before it reaches a result: `message`,
 * `closeReason`, details strings, event names and transcript text pass through `redactor` (the
 * run's secrets in every form, plus JWT- and token-shaped text) and are cut to a bound
 * ({@link MAX_RESULT_TEXT_CHARS}), scanning only the bound plus an overlap. Strings are made
 * well-formed UTF-16 (a lone surrogate becomes U+FFFD) so every output format can carry them.
 */
export function freezeResult(result: CheckResult, redactor: Redactor = new Redactor()): CheckResult {
  const details: Record<string, number | string | boolean | null> = {};
  for (const [key, value] of Object.entries(result.details)) {
    details[bound(redactor, key, MAX_RESULT_TEXT_CHARS)] = typeof value === 'string' ? bound(redactor, value, MAX_RESULT_TEXT_CHARS) : value;
  }
  const safe: CheckResult = {
    ...result,
    message: boundOrNull(redactor, result.message, MAX_RESULT_TEXT_CHARS),
    closeReason: boundOrNull(redactor, result.closeReason, MAX_RESULT_TEXT_CHARS),
    events: result.events.map((e) => ({ ...e, name: bound(redactor, e.name, MAX_RESULT_TEXT_CHARS) })),
    transcript: { ...result.transcript, entries: result.transcript.entries.map((e) => entry(redactor, e)) },
    details,
  };
  return frozenCopy(safe);
}

/** The result of one walk, once its teardown is done. */
export function walkResult(walk: WalkState): CheckResult {
  const outcome = walk.outcome ?? { kind: 'failure', ...undecided(walk.phase) };
  const failure = outcome.kind === 'failure' ? outcome : null;
  const envelopes = [...walk.envelopes];
  return freezeResult({
    runId: walk.deps.runId,
    check: walk.check.name,
    target: walk.target.target,
    type: walk.check.type,
    result: failure !== null ? 'failure' : walk.degradations.size > 0 ? 'degraded' : 'success',
    phase: failure?.phase ?? null,
    reason: failure?.reason ?? null,
    message: failure?.message ?? null,
    degradations: failure === null ? [...walk.degradations] : [],
    missingEvent: failure?.missingEvent ?? null,
    closeCode: walk.closeCode,
    closeReason: walk.closeReason,
    httpStatus: walk.httpStatus,
    events: walk.events,
    eventsDropped: walk.eventsDropped,
    phases: walk.timings,
    durationSeconds: (walk.deps.clock.monoMs() - walk.startMono) / 1000,
    protocol: {
      welcome: walk.welcome,
      envelope: envelopes.length === 0 ? 'none' : envelopes.length === 1 ? (envelopes[0] as Envelope) : 'mixed',
      subprotocol: walk.subprotocol,
      // absent means none: an earlier generation's record is as it always was
      ...(walk.handshaken ? { handshake: 'lifecycle' as const } : {}),
    },
    startedAt: new Date(walk.startWall).toISOString(),
    traceId: walk.trace.traceId,
    tlsCertExpiresAt: walk.tlsCertExpiresAt,
    transcript: walk.transcript.finish(),
    details: {},
  }, walk.transcript.redactor);
}

/** The protocol of a result that saw no welcome it can vouch for; `canary_protocol_info` ignores it. */
export const NO_PROTOCOL: ProtocolVariant = { welcome: 'none', envelope: 'none', subprotocol: 'none' };

/** Per timed phase, the longest duration any sub-run recorded (seconds); phases no sub-run reached are left out. */
export function maxPhases(results: readonly CheckResult[]): Partial<Record<TimedPhase, number>> {
  const out: Partial<Record<TimedPhase, number>> = {};
  for (const phase of TIMED_PHASES) {
    for (const result of results) {
      const seconds = result.phases[phase];
      if (seconds !== undefined) out[phase] = Math.max(out[phase] ?? 0, seconds);
    }
  }
  return out;
}

/** The trace id of the walk a multi-walk result shows (its failure's, else the one shown on success, else the first). */
function traceOf(walk: CheckResult | undefined): { traceId?: string } {
  return walk?.traceId === undefined ? {} : { traceId: walk.traceId };
}

/** When the walks of a multi-walk check began and how long they took together. */
export interface WalksTiming {
  /** Wall-clock start of the first walk, epoch milliseconds. */
  readonly startedAtMs: number;
  /** First start to last teardown, seconds. */
  readonly durationSeconds: number;
}

/** A multi-walk check's verdict: the failure, shown through the walk that explains it, or null. */
export interface WalksVerdict {
  readonly failure: {
    readonly walk: CheckResult;
    readonly phase: Phase | null;
    readonly reason: Reason | null;
    readonly message: string;
  } | null;
  /** The walk whose transcript the result carries when there is no failure. */
  readonly shownOnSuccess: CheckResult | undefined;
  readonly protocol: ProtocolVariant;
  readonly details: CheckResult['details'];
}

/**
 * One result for several walks that send no chat message (no events, no degradations): the
 * failure's phase, reason, close and transcript come from the walk that explains it, `phases`
 * holds the slowest walk's time per phase, and the TLS expiry is the first one any walk saw.
 */
export function combineWalks(
  target: TargetConfig,
  check: WalkSettings,
  runId: string,
  walks: readonly CheckResult[],
  timing: WalksTiming,
  verdict: WalksVerdict,
): CheckResult {
  const { failure } = verdict;
  const shown = failure?.walk ?? verdict.shownOnSuccess;
  return freezeResult({
    runId,
    check: check.name,
    target: target.target,
    type: check.type,
    result: failure === null ? 'success' : 'failure',
    phase: failure?.phase ?? null,
    reason: failure?.reason ?? null,
    message: failure?.message ?? null,
    degradations: [],
    missingEvent: null,
    closeCode: failure?.walk.closeCode ?? null,
    closeReason: failure?.walk.closeReason ?? null,
    httpStatus: failure?.walk.httpStatus ?? null,
    events: [],
    eventsDropped: 0,
    phases: maxPhases(walks),
    durationSeconds: timing.durationSeconds,
    protocol: verdict.protocol,
    startedAt: new Date(timing.startedAtMs).toISOString(),
    ...traceOf(shown ?? walks[0]),
    tlsCertExpiresAt: walks.find((walk) => walk.tlsCertExpiresAt !== null)?.tlsCertExpiresAt ?? null,
    transcript: shown?.transcript ?? { entries: [], dropped: 0 },
    details: verdict.details,
  });
}
