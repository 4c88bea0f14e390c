/**
 * Child process entry: the reference backend on 127.0.0.1, port 0, so its CPU is not the
 * measured client's. argv[2] is a JSON object of `ReferenceBackendOptions` fields (`faults`,
 * `eventDelayMs`) plus `subMillisecond: true` to stamp frames with a sub-millisecond clock. Prints
 * `BACKEND_PORT=<port>` once listening; exits on SIGTERM, or when the benchmark that started it is gone.
 */
import { startReferenceBackend } from '../../../src/reference/index.ts';

const spec = JSON.parse(process.argv[2] ?? '{}') as { faults?: string; eventDelayMs?: number; subMillisecond?: boolean };
const backend = await startReferenceBackend({
  ...(spec.faults === undefined ? {} : { faults: spec.faults }),
  ...(spec.eventDelayMs === undefined ? {} : { eventDelayMs: spec.eventDelayMs }),
  ...(spec.subMillisecond === true ? { nowMs: () => performance.timeOrigin + performance.now() } : {}),
});
process.stdout.write(`BACKEND_PORT=${backend.port}\n`);
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 1000).unref();
process.once('SIGTERM', () => {
  void backend.close().then(() => process.exit(0));
});
