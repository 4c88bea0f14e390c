/**
 * Why a read failed, as a note on the run: the Logging API's errors carry a gRPC status code
 * (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) whether they came over gRPC or REST.
 */
import type { Redactor } from '../result/redact.ts';
import { formatDuration } from '../config/duration.ts';
import type { BackendLogsNote } from '../result/backend-logs.ts';

/** gRPC PERMISSION_DENIED; REST answers 403 with it. */
const PERMISSION_DENIED = 7;
const HTTP_FORBIDDEN = 403;
/** Characters of an error's message kept in a note. */
const MAX_NOTE_CHARS = 300;

/** The note of a read that did not answer within `timeoutMs`. */
export function timeoutNote(timeoutMs: number): BackendLogsNote {
  return { code: 'timeout', message: `the Logging API did not answer within ${formatDuration(timeoutMs)}` };
}

function numberField(error: unknown, key: string): number | null {
  if (error === null || typeof error !== 'object') return null;
  const value: unknown = (error as Readonly<Record<string, unknown>>)[key];
  return typeof value === 'number' ? value : null;
}

/**
 * Over REST an error's message may be the API's whole answer, `{"error": {"code", "status",
 * "message"}}` (https://cloud.google.com/apis/design/errors#http_mapping): its `message`, then.
 */
function apiMessage(text: string): string {
  if (!text.startsWith('{')) return text;
  try {
    const parsed: unknown = JSON.parse(text);
    const inner: unknown = parsed !== null && typeof parsed === 'object' ? (parsed as { error?: unknown }).error : undefined;
    const message: unknown = inner !== null && typeof inner === 'object' ? (inner as { message?: unknown }).message : undefined;
    return typeof message === 'string' ? message : text;
  } catch {
    return text;
  }
}

/** The note of a failed read of `project`: `permission_denied` says which role is missing; others keep the error's first line, redacted. */
export function errorNote(error: unknown, project: string, redactor: Redactor): BackendLogsNote {
  const code = numberField(error, 'code');
  if (code === PERMISSION_DENIED || code === HTTP_FORBIDDEN || numberField(error, 'status') === HTTP_FORBIDDEN) {
    return {
      code: 'permission_denied',
      message: `the canary's service account may not read the logs of project ${project}: grant it roles/logging.viewer there`,
    };
  }
  const text = apiMessage(error instanceof Error ? error.message : String(error));
  const firstLine = text.split('\n', 1)[0]?.trim() ?? '';
  return { code: 'error', message: redactor.cut(firstLine === '' ? 'unknown error' : firstLine, MAX_NOTE_CHARS, () => '…').toWellFormed() };
}
