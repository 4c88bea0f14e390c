/**
 * Event-latency error from the backend's own stamps. The backend (envelope B, `data.timestamp` in
 * epoch seconds, sub-millisecond under the benchmark) stamps each event when it sends it, and its
 * `agent_completed` carries `execution_time_ms` from the chat message's arrival; so the backend's
 * latency of event i is `stamp_i − (stamp_completed − execution_time_ms)`, one clock, no
 * synchronisation. A client's error for that event is the latency it reported (arrival − its
 * send) minus the backend's: both network legs plus whatever the client did before stamping.
 */

/** One event as a client reported it. */
export interface ReportedEvent {
  readonly name: string;
  /** The latency the client reported: arrival − its send of the chat message. */
  readonly reportedMs: number;
  /** The frame's text (may be cut short; only the stamps are read). */
  readonly text: string;
}

const STAMP = /"timestamp":(\d+(?:\.\d+)?)/;
const EXECUTION = /"execution_time_ms":(\d+(?:\.\d+)?)/;

function stampMs(text: string): number | null {
  const match = STAMP.exec(text);
  return match === null ? null : Number(match[1]) * 1000;
}

/**
 * The latency errors (ms) of one run's events, in order; empty when its completion carries no
 * stamps. Events whose frame has no numeric stamp are left out.
 */
export function latencyErrorsMs(events: readonly ReportedEvent[], completion = 'agent_completed'): number[] {
  const last = [...events].reverse().find((event) => event.name === completion);
  if (last === undefined) return [];
  const completedAtMs = stampMs(last.text);
  const execution = EXECUTION.exec(last.text);
  if (completedAtMs === null || execution === null) return [];
  const messageAtMs = completedAtMs - Number(execution[1]);
  const errors: number[] = [];
  for (const event of events) {
    const sentAtMs = stampMs(event.text);
    if (sentAtMs !== null) errors.push(event.reportedMs - (sentAtMs - messageAtMs));
  }
  return errors;
}
