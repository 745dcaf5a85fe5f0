/** HostWorkspace on a host reached over ssh: the mirror, worktrees and state transfers of
 * remote-repo.ts, Claude Code through remote-claude.ts, commands through the transport. */
import { toChunkName } from '../domain/chunk-name.js';
import type { Lease } from '../domain/lease.js';
import type {
  ClaudeLauncher,
  ClaudeSpawnContext,
  EnsureWorktreeOptions,
  FetchedBranch,
  HostCommandResult,
  HostWorkspace,
  HostWorktree,
  TransferStats,
} from '../ports/hosts.js';
import { remoteClaudeLauncher } from './remote-claude.js';
import { RemoteRepo, type RemoteRepoDeps } from './remote-repo.js';

export interface SshWorkspaceDeps extends RemoteRepoDeps {
  /** Claude Code on the host (absolute, or on the login PATH) */
  claudePath: string;
}

/** `cd` into $1, then run the rest as the command */
const IN_DIR = 'cd -- "$1" && shift && exec "$@"';

export class SshWorkspace implements HostWorkspace {
  readonly host: string;
  private readonly repo: RemoteRepo;

  constructor(private readonly deps: SshWorkspaceDeps) {
    this.host = deps.host.name;
    this.repo = new RemoteRepo(deps);
  }

  ensureMirror(baseBranch: string): Promise<TransferStats> {
    return this.repo.ensureMirror(baseBranch);
  }

  ensureWorktree(chunk: string, opts: EnsureWorktreeOptions): Promise<HostWorktree> {
    return this.repo.ensureWorktree(chunk, opts);
  }

  sendState(chunk: string, lease: Lease, from: string): Promise<TransferStats> {
    return this.repo.sendState(chunk, lease, from);
  }

  fetchBack(chunk: string, lease: Lease, expectedOld: string | null, into?: string): Promise<FetchedBranch> {
    return this.repo.fetchBack(chunk, lease, expectedOld, into);
  }

  runSetup(chunk: string, lease: Lease, command: string, timeoutSeconds: number): Promise<HostCommandResult> {
    return this.repo.runSetup(chunk, lease, command, timeoutSeconds);
  }

  stopUnit(chunk: string, lease: Lease): Promise<void> {
    return this.repo.stopUnit(chunk, lease);
  }

  removeUnit(chunk: string, lease: Lease): Promise<void> {
    return this.repo.removeUnit(chunk, lease);
  }

  landingPaths(paths: readonly string[]): Promise<string[]> {
    return this.repo.landingPaths(paths);
  }

  async claudeLauncher(ctx: ClaudeSpawnContext): Promise<ClaudeLauncher> {
    const chunk = toChunkName(ctx.chunk);
    const l = await this.repo.layout();
    return remoteClaudeLauncher({
      transport: this.deps.transport,
      host: this.deps.host,
      claudePath: this.deps.claudePath,
      runDir: l.runDir(chunk),
      leaseFile: l.lease(chunk),
      lease: ctx.lease,
      ...(ctx.onStderr ? { onStderr: ctx.onStderr } : {}),
    });
  }

  runCommand(argv: readonly string[], opts: { cwd: string; input?: string }): Promise<HostCommandResult> {
    return this.deps.transport.run(this.deps.host, ['sh', '-c', IN_DIR, 'sh', opts.cwd, ...argv], {
      ...(opts.input !== undefined ? { input: opts.input } : {}),
    });
  }
}
