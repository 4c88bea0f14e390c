/** The canary's HTTP surface: status page, status.json, run views, metrics, health and admin run-now. */
export { createHttpApp } from './app.ts';
export { listen } from './listen.ts';
export type { HttpServer } from './listen.ts';
export { ADMIN_DISABLED_ERROR } from './admin.ts';
export { statusView } from './status-json.ts';
export type { CheckState, CheckStatusView, StateCounts, StatusView } from './status-json.ts';
export { STATUS_REFRESH_SECONDS } from './status-page.ts';
export type { AdminOutcome, AdminRequestEvent, HttpDeps, ReloadOutcome, RunNowOutcome } from './types.ts';
