/** Binds the apps to their listeners: the unix socket (0600) and 127.0.0.1:<port>. */
import { chmod, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import { type AppOptions, createApp } from './app.js';

export interface Listeners {
  port: number;
  close(): Promise<void>;
}

export async function listen(
  opts: Omit<AppOptions, 'tcp'> & {
    socketPath: string;
    port: number;
    portIsPreference?: boolean;
    host?: string;
    token: string;
  },
): Promise<Listeners> {
  let port = 0;
  const socketApp = mount(opts);
  const tcpApp = mount({ ...opts, tcp: { token: opts.token, port: () => port } });

  await rm(opts.socketPath, { force: true });
  const socketServer = await start(socketApp, (s, done) => s.listen(opts.socketPath, done));
  await chmod(opts.socketPath, 0o600);
  const tcpServer = await start(tcpApp, (s, done) =>
    s.listen(opts.port, opts.host ?? '127.0.0.1', done),
  ).catch((e: NodeJS.ErrnoException) => {
    // the previous run's port is only a preference: taken meanwhile, any free port will do
    if (e.code !== 'EADDRINUSE' || !opts.portIsPreference) throw e;
    return start(tcpApp, (s, done) => s.listen(0, opts.host ?? '127.0.0.1', done));
  });
  port = (tcpServer.address() as AddressInfo).port;
  return {
    port,
    close: async () => {
      await Promise.all([closeServer(socketServer), closeServer(tcpServer)]);
      await rm(opts.socketPath, { force: true });
    },
  };
}

type Mounted = {
  fetch: ReturnType<typeof createApp>['fetch'];
  inject: (s: Server) => void;
  wss: { clients: Set<{ terminate(): void }> };
};

function mount(opts: AppOptions): Mounted {
  let ws: ReturnType<typeof createNodeWebSocket> | undefined;
  const app = createApp(opts, (bare) => {
    ws = createNodeWebSocket({ app: bare });
    return ws.upgradeWebSocket;
  });
  const sockets = ws as ReturnType<typeof createNodeWebSocket>;
  return { fetch: app.fetch, inject: sockets.injectWebSocket, wss: sockets.wss };
}

async function start(
  m: Mounted,
  bind: (s: Server, done: () => void) => void,
): Promise<Server & { wss: Mounted['wss'] }> {
  const server = createAdaptorServer({ fetch: m.fetch }) as Server;
  m.inject(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    bind(server, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return Object.assign(server, { wss: m.wss });
}

async function closeServer(server: Server & { wss: Mounted['wss'] }): Promise<void> {
  for (const client of server.wss.clients) client.terminate();
  server.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
