import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { html } from './html.ts';
import { page } from './layout.ts';
import { adminReloadHandler, adminRunHandler } from './admin.ts';
import { renderRunPage } from './run-page.ts';
import { statusView } from './status-json.ts';
import { renderStatusPage } from './status-page.ts';
import type { HttpDeps } from './types.ts';

/**
 * Inline styles only, nothing loaded from anywhere: even if escaping failed somewhere, a script
 * from a hostile server's text would not run.
 */
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sendHtml(res: Response, status: number, body: string): void {
  res.status(status).set('Content-Security-Policy', HTML_CSP).type('html').send(body);
}

function methodNotAllowed(allow: string): RequestHandler {
  return (_req, res) => {
    res.status(405).set('Allow', allow).json({ error: 'method not allowed' });
  };
}

function httpStatusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const record = error as Record<string, unknown>;
  const status = record['status'] ?? record['statusCode'];
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

/**
 * The canary's HTTP surface: status page, `/status.json`, run views, metrics, health and the admin
 * run-now endpoint. Reads only through `deps`; holds no state of its own.
 *
 * | Route | Answer |
 * |---|---|
 * | `GET /` | status page (HTML, reloads every 15 s) |
 * | `GET /status.json` | every check's state ({@link statusView}) |
 * | `GET /runs/:id` | one recent run with its transcript; 404 `{"error":"run not found"}` |
 * | `GET /runs/:id/view` | the same run as HTML |
 * | `GET /metrics` | `deps.renderMetrics(Accept)` |
 * | `GET /healthz` | 200 `{"status":"ok"}` |
 * | `GET /readyz` | 200 `{"status":"ready"}` or 503 `{"status":"not ready"}` |
 * | `POST /checks/:name/run` | runs a check now (bearer admin token) |
 * | `POST /-/reload` | re-reads the configuration (bearer admin token) |
 */
export function createHttpApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
    next();
  });

  const getOnly = methodNotAllowed('GET, HEAD');

  app
    .route('/')
    .get((_req, res) => sendHtml(res, 200, renderStatusPage(deps.status())))
    .all(getOnly);

  app
    .route('/status.json')
    .get((_req, res) => {
      res.json(statusView(deps.status()));
    })
    .all(getOnly);

  app
    .route('/runs/:id')
    .get((req: Request<{ id: string }>, res) => {
      const result = deps.getRun(req.params.id);
      if (result === undefined) res.status(404).json({ error: 'run not found' });
      else res.json(result);
    })
    .all(getOnly);

  app
    .route('/runs/:id/view')
    .get((req: Request<{ id: string }>, res) => {
      const result = deps.getRun(req.params.id);
      if (result !== undefined) {
        sendHtml(res, 200, renderRunPage(result));
        return;
      }
      const body = html`<div class="meta"><a href="/">← status page</a></div><h1>Run not found</h1>
<p>This run is not in the run store: only the most recent runs of each check are kept.</p>`;
      sendHtml(res, 404, page({ title: 'run not found — canary', body }));
    })
    .all(getOnly);

  app
    .route('/metrics')
    .get(async (req, res) => {
      const { contentType, chunks } = await deps.renderMetrics(req.get('accept'));
      let length = 0;
      for (const chunk of chunks) length += chunk.byteLength;
      res.status(200).set({ 'Content-Type': contentType, 'Content-Length': String(length) });
      // The cached chunks go to the socket as they are, in one writev: corked until end(), which
      // uncorks. A HEAD response ignores the writes and keeps the length.
      res.cork();
      for (const chunk of chunks) res.write(chunk);
      res.end();
    })
    .all(getOnly);

  app
    .route('/healthz')
    .get((_req, res) => {
      res.json({ status: 'ok' });
    })
    .all(getOnly);

  app
    .route('/readyz')
    .get((_req, res) => {
      if (deps.ready()) res.json({ status: 'ready' });
      else res.status(503).json({ status: 'not ready' });
    })
    .all(getOnly);

  app.route('/checks/:name/run').post(adminRunHandler(deps)).all(methodNotAllowed('POST'));
  app.route('/-/reload').post(adminReloadHandler(deps)).all(methodNotAllowed('POST'));

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const status = httpStatusOf(error);
    if (status !== null) {
      res.status(status).json({ error: 'bad request' });
      return;
    }
    deps.onError?.(error);
    res.status(500).json({ error: 'internal error' });
  });

  return app;
}
