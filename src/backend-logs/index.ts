/**
 * The backend's side of a failure: after a failed run against a target with `backend_logs`, its
 * Cloud Logging entries around the run, bounded in count, size and time, redacted, attached to the
 * run. A failure to read is a note on the run, never a failure of the check.
 */
export { wantsBackendLogs } from './policy.ts';
export { BackendLogsReader, type BackendLogsReaderOptions } from './read.ts';
export { loadLibraryClients, type EntriesClient, type ListRequest, type LoggingApiOptions, type MakeClient } from './client.ts';
export { backendLogsQueries, runThreadId, type BackendLogsQueries, type RunWindow } from './query.ts';
export { boundEntries, shapeEntry, type LibraryEntry } from './shape.ts';
export { errorNote, timeoutNote } from './classify.ts';
export {
  MAX_BACKEND_LOGS_BYTES,
  MAX_ENTRY_TEXT_CHARS,
  type BackendLogEntry,
  type BackendLogs,
  type BackendLogsNote,
  type BackendLogsNoteCode,
} from '../result/backend-logs.ts';
