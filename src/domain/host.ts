/**
 * A host of the pool (DESIGN §15, docs/hosts.md): a machine where agents' processes and worktrees
 * live. The daemon's own machine is the host `local`, always there; the others are reached over ssh.
 */
import { ErrorCode, OrchError } from './errors.js';

export const LOCAL_HOST = 'local';

export const HostState = {
  /** takes new units */
  active: 'active',
  /** finishes the units placed on it, takes no new ones */
  draining: 'draining',
  /** gone: its units were moved; kept only until its stale copies are cleaned (docs/hosts.md) */
  removed: 'removed',
} as const;
export type HostState = (typeof HostState)[keyof typeof HostState];
export const HOST_STATES: readonly HostState[] = Object.values(HostState);

export const HostHealth = {
  /** not checked since it was added */
  unknown: 'unknown',
  /** reachable, with git and Claude Code */
  ok: 'ok',
  /** ssh could not reach it: its units wait for it */
  unreachable: 'unreachable',
  /** reachable but cannot run agents (git or Claude Code missing) */
  unfit: 'unfit',
} as const;
export type HostHealth = (typeof HostHealth)[keyof typeof HostHealth];

/** What `hosts check` found on a host: each tool's version line, null when it is missing. */
export interface HostTools {
  git: string | null;
  claude: string | null;
  bwrap: string | null;
  socat: string | null;
}

export interface Host {
  name: string;
  /** `[user@]host[:port]` as given to `hosts add`; null for `local` */
  ssh: string | null;
  /** agent slots; null for `local`, whose slots are `max_agents` */
  slots: number | null;
  /** where ve keeps its mirrors and worktrees on the host; null for `local` */
  workdir: string | null;
  /** Claude Code on the host (absolute, or a name on its login PATH); null for `local` */
  claude_path: string | null;
  state: HostState;
  health: HostHealth;
  /** why it is not ok, or what is missing (bwrap/socat: agents run without the OS sandbox) */
  health_detail: string | null;
  tools: HostTools | null;
  last_check: string | null;
  created_at: string;
}

/** Host names name folders and git refs: short, lowercase, no dots. */
const NAME = /^[a-z][a-z0-9-]{0,31}$/;

export function assertHostName(name: string): void {
  if (!NAME.test(name))
    throw new OrchError(
      ErrorCode.invalid_name,
      `invalid host name ${JSON.stringify(name.slice(0, 40))}: 1-32 characters, lowercase letters, digits and '-', starting with a letter`,
      { name },
    );
}

export const MAX_HOST_SLOTS = 256;

export function assertSlots(slots: number): void {
  if (!Number.isSafeInteger(slots) || slots < 0 || slots > MAX_HOST_SLOTS)
    throw new OrchError(ErrorCode.invalid_input, `slots must be an integer from 0 to ${MAX_HOST_SLOTS}`, {
      slots,
    });
}

/** A host's slots in force: `local` follows `max_agents`. */
export function slotsOf(host: Pick<Host, 'slots'>, maxAgents: number): number {
  return host.slots ?? maxAgents;
}

/** What a host lacks, from its tool report: git and Claude Code are needed; the sandbox tools are not. */
export function missingTools(tools: HostTools): { required: string[]; optional: string[] } {
  const required = (['git', 'claude'] as const).filter((t) => tools[t] === null);
  const optional = (['bwrap', 'socat'] as const).filter((t) => tools[t] === null);
  return { required, optional };
}

/**
 * A host's health from what a check found: unreachable, unfit (no git or no Claude Code: it cannot
 * run agents), or ok (the detail then says when the OS sandbox tools are missing: agents run with
 * the tool-level policy alone, or fail where `agent_sandbox` is 'on').
 */
export function healthOf(
  unreachable: string | null,
  tools: HostTools | null,
): { health: HostHealth; detail: string | null } {
  if (unreachable !== null || tools === null)
    return { health: HostHealth.unreachable, detail: unreachable ?? 'not reached' };
  const { required, optional } = missingTools(tools);
  if (required.length > 0) return { health: HostHealth.unfit, detail: `missing: ${required.join(', ')}` };
  if (optional.length > 0)
    return { health: HostHealth.ok, detail: `no OS sandbox (missing: ${optional.join(', ')})` };
  return { health: HostHealth.ok, detail: null };
}
