/**
 * The HTTP application: one Hono app per listener (unix socket or TCP), sharing the services and the
 * WebSocket broadcaster. The TCP app adds the token/Host/Origin guards.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { UpgradeWebSocket } from 'hono/ws';
import { toChunkName } from '../domain/chunk-name.js';
import { MAX_BODY_BYTES } from './body.js';
import type { LogWsMessage } from './dto.js';
import { errorBody, toErrorResponse } from './errors.js';
import { registerHostRoutes } from './routes/hosts.js';
import { registerInterventionRoutes } from './routes/interventions.js';
import { registerProjectRoutes } from './routes/project.js';
import { registerUnitRoutes } from './routes/units.js';
import { tcpGuard } from './security.js';
import type { ApiServices } from './services.js';
import { registerStatic, type StaticOptions } from './static.js';
import type { Broadcaster } from './ws.js';

export interface AppOptions {
  services: ApiServices;
  broadcaster: Broadcaster;
  /** TCP listeners need the token and the Host/Origin checks */
  tcp?: { token: string; port: () => number };
  static?: StaticOptions;
}

/** `withSockets` receives the app before its routes exist (the WebSocket adapter needs it) */
export function createApp(opts: AppOptions, withSockets?: (app: Hono) => UpgradeWebSocket): Hono {
  const app = new Hono();
  const upgrade = withSockets?.(app);
  const { services: s } = opts;
  app.onError((err, c) => toErrorResponse(c, err, s.log));
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  if (opts.tcp) app.use('*', tcpGuard(opts.tcp));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        c.json(errorBody('payload_too_large', `request body over ${MAX_BODY_BYTES} bytes`), 413),
    }),
  );
  registerProjectRoutes(app, s);
  registerInterventionRoutes(app, s);
  registerUnitRoutes(app, s);
  registerHostRoutes(app, s);
  if (upgrade) registerSockets(app, opts, upgrade);
  if (opts.static) registerStatic(app, opts.static);
  return app;
}

function registerSockets(app: Hono, opts: AppOptions, upgrade: UpgradeWebSocket): void {
  const { services: s, broadcaster } = opts;
  app.get(
    '/ws',
    upgrade(() => {
      let remove: (() => void) | null = null;
      return {
        onOpen: (_evt, ws) => {
          // register first so no change committed while the snapshot is read can be missed
          const queued: string[] = [];
          let ready = false;
          remove = broadcaster.add((text) => (ready ? ws.send(text) : queued.push(text)));
          broadcaster
            .snapshot()
            .then((snap) => {
              ws.send(JSON.stringify(snap));
              for (const q of queued) ws.send(q);
              ready = true;
            })
            .catch((error: unknown) => {
              s.log.error('ws snapshot failed', { error });
              ws.close(1011, 'snapshot failed');
            });
        },
        onClose: () => remove?.(),
        onError: () => remove?.(),
      };
    }),
  );
  app.get(
    '/ws/log/:chunk',
    upgrade((c) => {
      const chunk = toChunkName(c.req.param('chunk'));
      let unsubscribe: (() => void) | null = null;
      return {
        onOpen: (_evt, ws) => {
          const send = (m: LogWsMessage) => ws.send(JSON.stringify(m));
          const sent = new Set<string>();
          const live: LogWsMessage[] = [];
          let ready = false;
          unsubscribe = s.subscribe((e) => {
            if (e.type !== 'phase_log' || e.chunk !== chunk) return;
            const m = {
              type: 'log',
              phase: e.phase,
              seq: Number(e.event.seq),
              event: e.event.event,
            } as LogWsMessage;
            if (ready) send(m);
            else live.push(m);
          });
          s.phaseLog(chunk)
            .then((backlog) => {
              if (backlog.length === 0) send({ type: 'info', message: 'Waiting for log output...' });
              for (const b of backlog) {
                sent.add(`${b.phase}:${b.seq}`);
                send({ type: 'log', phase: b.phase, seq: b.seq, event: b.event });
              }
              for (const m of live) if (m.type !== 'log' || !sent.has(`${m.phase}:${m.seq}`)) send(m);
              ready = true;
            })
            .catch((error: unknown) => send({ type: 'error', message: String(error) }));
        },
        onClose: () => unsubscribe?.(),
        onError: () => unsubscribe?.(),
      };
    }),
  );
}
