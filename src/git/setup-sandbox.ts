/**
 * Setup commands run with the confinement of agents' shell commands: a setup runs project code (npm
 * install scripts, `prepare`, whatever a lockfile an agent edited pulls in), so under `agent_sandbox`
 * it gets bubblewrap with writes limited to the checkout and the package caches, like an agent's
 * Bash. Without that, an agent could change package.json and have ve run the result outside its
 * sandbox. Linux only: elsewhere `auto` runs the setup unconfined (logged) and `on` refuses it.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import type { OrchestratorConfig } from '../config/schema.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';

let probe: Promise<string | null> | null = null;

/** null when bubblewrap can confine a command here, else why not (probed once per process). */
export function bwrapUnavailable(): Promise<string | null> {
  probe ??= new Promise((resolve) => {
    if (process.platform !== 'linux') return resolve(`no bubblewrap on ${process.platform}`);
    const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'];
    execFile('bwrap', args, { timeout: 10_000 }, (err) =>
      resolve(err ? `bubblewrap cannot run here (${err.message.split('\n')[0]})` : null),
    );
  });
  return probe;
}

let warned = false;

/**
 * Whether setups run confined: never with `agent_sandbox: off`; with `on` they must (an error when
 * bubblewrap cannot run); with `auto` where it can.
 */
export async function confineSetups(
  mode: OrchestratorConfig['agent_sandbox'],
  log: Logger,
): Promise<boolean> {
  if (mode === 'off') return false;
  const missing = await bwrapUnavailable();
  if (missing === null) return true;
  if (mode === 'on') {
    throw new OrchError(
      ErrorCode.invalid_input,
      `agent_sandbox is on, and setup commands run in the OS sandbox too, but ${missing}; install bubblewrap, or set agent_sandbox to auto`,
    );
  }
  if (!warned) {
    warned = true;
    log.warn('setup commands run without the OS sandbox', { reason: missing });
  }
  return false;
}

/**
 * The bubblewrap command line that runs `/bin/sh -c command` in `cwd` with the whole file system
 * read-only except `writable` (and a fresh /dev and /proc). The network stays, as for agents; the
 * sandbox dies with the daemon.
 */
export function bwrapArgs(command: string, cwd: string, writable: readonly string[]): string[] {
  const binds = [...new Set(writable.map((p) => realpathSync(p)))].flatMap((p) => ['--bind', p, p]);
  return [
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    ...binds,
    '--chdir',
    cwd,
    '/bin/sh',
    '-c',
    command,
  ];
}
