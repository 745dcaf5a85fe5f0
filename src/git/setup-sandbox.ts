/**
 * Setup commands run with the confinement of agents' shell commands: a setup runs project code (npm
 * install scripts, `prepare`, whatever a lockfile an agent edited pulls in), so under `agent_sandbox`
 * it gets bubblewrap with writes limited to the checkout and the package caches, like an agent's
 * Bash. Without that, an agent could change package.json and have ve run the result outside its
 * sandbox. Linux only: elsewhere `auto` runs the setup unconfined (logged) and `on` refuses it.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { Logger } from '../ports/logger.js';
import { bwrapUnavailable } from '../process/bubblewrap.js';

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
