/**
 * The daemon process: `node dist/src/daemon/main.js --project-dir <root> [--port N]`. Started detached
 * by `ve orch start` with stdout/stderr appended to `.ve/orchestrator.log` (JSON lines). Exit codes:
 * 0 after a clean stop, 1 on a startup failure (logged with the reason), 3 when another daemon holds
 * the project.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { listen } from '../api/serve.js';
import { Broadcaster } from '../api/ws.js';
import { watchAttention } from '../attention/notify.js';
import { projectPaths } from '../config/paths.js';
import { isOrchError } from '../domain/errors.js';
import { npmScriptVariables } from '../domain/launcher-env.js';
import { createJsonLogger } from '../infra/json-logger.js';
import { CommandAndWebhookNotifier } from '../infra/notifier.js';
import { acquireProcessLock } from '../store/process-lock.js';
import { createApiServices } from './api-services.js';
import { compose } from './compose.js';
import { dashboardAssets } from './dashboard-assets.js';
import {
  ensureStateDir,
  loadOrCreateToken,
  makePrivate,
  pinBase,
  readLastPort,
  readPinnedBase,
  removeRuntimeFiles,
  writePid,
  writePort,
} from './state-files.js';

const log = createJsonLogger((line) => process.stdout.write(line), { base: { pid: process.pid } });

async function main(): Promise<number> {
  // before anything reads the environment: every child inherits it (domain/launcher-env.ts)
  const launcherVariables = npmScriptVariables(process.env);
  for (const name of launcherVariables) delete process.env[name];
  const { values } = parseArgs({
    options: { 'project-dir': { type: 'string' }, port: { type: 'string', default: '0' } },
  });
  const root = resolve(values['project-dir'] ?? process.cwd());
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    log.error('invalid --port', { port: values.port });
    return 1;
  }
  const paths = projectPaths(root);
  ensureStateDir(paths);
  makePrivate([paths.lock, paths.db]);
  let lock: ReturnType<typeof acquireProcessLock>;
  try {
    lock = acquireProcessLock(paths.lock);
  } catch (e) {
    if (isOrchError(e, 'already_running')) {
      log.error('already running', { project: root });
      return 3;
    }
    throw e;
  }
  writePid(paths, process.pid);
  if (launcherVariables.length > 0)
    log.info('started from an npm script: its npm variables are not passed to setup, verify or agents', {
      dropped: launcherVariables.length,
    });
  // before any work starts: a dashboard whose modules cannot load is an installation fault
  const dashboard = await dashboardAssets(packageRoot());
  // the base is fixed at the first start: a restart while the operator is on another branch must not
  // redirect the merges of units that have not started yet (delete .ve/base-branch to change it)
  const pinned = readPinnedBase(paths);
  const parts = await compose({ root, log, ...(pinned ? { baseBranch: pinned } : {}) });
  if (!pinned) pinBase(paths, parts.baseBranch);
  // said at start (and by `ve orch start` and `status`), not first when the phase runs
  for (const problem of (await parts.promptOverrides()).problems) {
    log.error('prompt override refused; its phase does not run until it is fixed on base', {
      file: problem.file,
      phase: problem.phase,
      error: problem.message,
    });
  }
  const token = loadOrCreateToken(paths);
  const services = createApiServices(parts);
  const broadcaster = new Broadcaster(services);
  broadcaster.start();
  // without --port, reuse the last run's port so open dashboards reconnect after a restart
  const preferred = port === 0 ? readLastPort(paths) : null;
  const listeners = await listen({
    services,
    broadcaster,
    socketPath: paths.socket,
    port: preferred ?? port,
    portIsPreference: preferred !== null,
    token,
    static: dashboard,
  });
  parts.setUrl(`http://127.0.0.1:${listeners.port}/`);
  writePort(paths, listeners.port);
  const stopWatching = watchAttention({
    bus: parts.bus,
    store: parts.store,
    notifier: new CommandAndWebhookNotifier(root, log.child({ component: 'notify' })),
    config: () => parts.store.getConfig(),
    url: parts.url,
    log,
  });
  parts.hostMonitor.start();
  await parts.scheduler.start();
  await parts.train.start();
  const stopLiveWatch = parts.startLiveWatch();
  log.info('ready', { project: root, port: listeners.port, base_branch: parts.baseBranch });

  return new Promise<number>((done) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('stopping', { signal });
      try {
        stopLiveWatch();
        await parts.scheduler.stop();
        await parts.train.stop();
        await parts.dependencies.stop();
        await parts.hostMonitor.stop();
        await parts.connections.close();
        stopWatching();
        broadcaster.stop();
        await listeners.close();
        parts.store.close();
      } catch (error) {
        log.error('error while stopping', { error });
      } finally {
        removeRuntimeFiles(paths);
        lock.release();
        log.info('stopped');
        done(0);
      }
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });
}

function packageRoot(): string {
  return resolve(fileURLToPath(import.meta.url), '..', '..', '..', '..');
}

process.on('unhandledRejection', (error) => log.error('unhandled rejection', { error }));
main()
  .then((code) => process.exit(code))
  .catch((error: unknown) => {
    log.error(error instanceof Error ? error.message : String(error), { error });
    try {
      removeRuntimeFiles(
        projectPaths(
          resolve(
            process.argv.includes('--project-dir')
              ? (process.argv[process.argv.indexOf('--project-dir') + 1] ?? '.')
              : '.',
          ),
        ),
      );
    } catch (cleanup) {
      log.error('could not remove the runtime files', { error: cleanup });
    }
    process.exit(1);
  });
