/**
 * The pool's hosts reached over the system ssh (ports/hosts.ts HostConnections): one SshWorkspace per
 * host, the checks behind `hosts check` and the health monitor, and the sweep of a removed host.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { basename, posix } from 'node:path';
import type { Host, HostTools } from '../domain/host.js';
import type { HostCheck, HostConnections, HostWorkspace } from '../ports/hosts.js';
import { SshConnectionError } from './errors.js';
import { CHECK_TOOLS, STOP_PROCESSES, SWEEP_PROJECT } from './remote-scripts.js';
import { parseSshTarget } from './ssh-command.js';
import type { SshHost, SshTransport } from './ssh-transport.js';
import { SshWorkspace } from './ssh-workspace.js';

export interface SshHostPoolOptions {
  transport: SshTransport;
  /** the operator's repository */
  localRoot: string;
  /** this project's folder name on every host (`projectIdFor`) */
  projectId: string;
  /** names the OS sandbox masks in a worktree (for each host's excludes file) */
  maskedNames: readonly string[];
  /** the Claude Code the daemon runs for `local` units (what `hosts check` reports for local) */
  localClaude: string;
}

/** How long a check may take before the host counts as unreachable (Claude Code's --version included). */
const CHECK_TIMEOUT_MS = 60_000;
const PING_TIMEOUT_MS = 20_000;

export class SshHostPool implements HostConnections {
  private readonly workspaces = new Map<string, { key: string; workspace: SshWorkspace }>();
  private readonly reached = new Map<string, SshHost>();

  constructor(private readonly opts: SshHostPoolOptions) {}

  workspace(host: Host): HostWorkspace {
    const key = JSON.stringify([host.ssh, host.workdir, host.claude_path]);
    const known = this.workspaces.get(host.name);
    if (known && known.key === key) return known.workspace;
    const workspace = new SshWorkspace({
      transport: this.opts.transport,
      host: this.sshHost(host),
      localRoot: this.opts.localRoot,
      projectId: this.opts.projectId,
      workdir: required(host, 'workdir'),
      claudePath: required(host, 'claude_path'),
      maskedNames: this.opts.maskedNames,
    });
    this.workspaces.set(host.name, { key, workspace });
    return workspace;
  }

  async check(host: Host): Promise<HostCheck> {
    const t0 = performance.now();
    if (host.ssh === null) {
      const out = await runLocally(['sh', '-c', CHECK_TOOLS, 'sh', this.opts.localClaude]);
      return { unreachable: null, tools: parseTools(out), ms: performance.now() - t0 };
    }
    try {
      const out = await this.opts.transport.runOk(
        this.sshHost(host),
        ['sh', '-c', CHECK_TOOLS, 'sh', host.claude_path ?? 'claude'],
        { timeoutMs: CHECK_TIMEOUT_MS },
      );
      return { unreachable: null, tools: parseTools(out), ms: performance.now() - t0 };
    } catch (err) {
      if (!(err instanceof SshConnectionError)) throw err;
      return { unreachable: err.detail || err.message, tools: null, ms: performance.now() - t0 };
    }
  }

  async ping(host: Host): Promise<string | null> {
    try {
      await this.opts.transport.runOk(this.sshHost(host), ['true'], { timeoutMs: PING_TIMEOUT_MS });
      return null;
    } catch (err) {
      if (err instanceof SshConnectionError) return err.detail || err.message;
      throw err;
    }
  }

  async sweep(host: Host): Promise<void> {
    const folder = posix.join(required(host, 'workdir'), this.opts.projectId);
    await this.opts.transport.runOk(
      this.sshHost(host),
      ['sh', '-c', SWEEP_PROJECT, 'sh', folder, STOP_PROCESSES],
      {
        timeoutMs: CHECK_TIMEOUT_MS,
      },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.reached.values()].map((h) => this.opts.transport.disconnect(h)));
  }

  private sshHost(host: Host): SshHost {
    if (!host.ssh) throw new Error(`host ${host.name} is not reached over ssh`);
    const h = { name: host.name, target: parseSshTarget(host.ssh) };
    this.reached.set(host.name, h);
    return h;
  }
}

/** What a host reached over ssh always has on record (`hosts add` sets it). */
function required(host: Host, field: 'workdir' | 'claude_path'): string {
  const value = host[field];
  if (value === null) throw new Error(`host ${host.name} has no ${field} on record`);
  return value;
}

/** `<name>-<hash>` of the operator's repository: names its folder on every host. */
export function projectIdFor(root: string): string {
  const name = basename(root)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 10);
  return name ? `${name}-${hash}` : `p-${hash}`;
}

/** CHECK_TOOLS' lines, `<tool>\t<version or nothing>`. */
export function parseTools(out: string): HostTools {
  const found = new Map(
    out
      .split('\n')
      .map((l) => l.split('\t'))
      .filter((p): p is [string, string] => p.length === 2)
      .map(([k, v]) => [k, v.trim() || null]),
  );
  return {
    git: found.get('git') ?? null,
    claude: found.get('claude') ?? null,
    bwrap: found.get('bwrap') ?? null,
    socat: found.get('socat') ?? null,
  };
}

function runLocally(argv: [string, ...string[]]): Promise<string> {
  const [command, ...args] = argv;
  return new Promise((resolve, reject) =>
    execFile(command, args, { encoding: 'utf8', timeout: CHECK_TIMEOUT_MS }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    ),
  );
}
