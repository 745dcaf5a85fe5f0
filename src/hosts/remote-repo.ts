/**
 * The repository on a host: a bare mirror fed by `git push` from the operator's repository (the host
 * cannot reach the daemon, so objects always travel from the daemon's side, and git's negotiation
 * sends only what the mirror lacks), worktrees made from it, and the fetch of a unit's branch back,
 * fenced by the unit's lease (lease.ts). Layout on the host, under `<workdir>/<project>/`:
 *
 *   mirror.git/              bare; refs/heads/<base>, refs/heads/orch/<c>, refs/ve/start/<c>
 *   worktrees/<c>/           the unit's worktree on orch/<c>
 *   units/<c>/lease          `<epoch> <token>`, 0600, written last when the worktree is made
 *   units/<c>/run/<id>.pid   `<pid> <start time>` of each Claude Code process of the unit
 */
import { realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { unitBranch } from '../config/paths.js';
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { git, gitFailed, gitOk } from '../git/git-cli.js';
import { queueFor } from '../git/mutation-queue.js';
import { SshConnectionError, StaleLeaseError } from './errors.js';
import { compareLease, formatLease, type Lease, parseLease, showLease } from './lease.js';
import { CREATE_WORKTREE, INIT_MIRROR, READ_UNIT, RESOLVE_DIR, STOP_PROCESSES } from './remote-scripts.js';
import type { SshHost, SshTransport } from './ssh-transport.js';
import type { EnsureWorktreeOptions, FetchedBranch, HostWorktree, TransferStats } from './workspace.js';

export interface RemoteRepoDeps {
  transport: SshTransport;
  host: SshHost;
  /** the operator's repository */
  localRoot: string;
  /** names this project's folder on the host (several projects may share a host) */
  projectId: string;
  /** the host's folder for ve projects: absolute, or relative to the remote user's home */
  workdir: string;
}

const PROJECT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Paths on the host, POSIX. */
export function hostLayout(projectRoot: string) {
  const unit = (chunk: string) => posix.join(projectRoot, 'units', chunk);
  return {
    root: projectRoot,
    mirror: posix.join(projectRoot, 'mirror.git'),
    worktree: (chunk: string) => posix.join(projectRoot, 'worktrees', chunk),
    unit,
    lease: (chunk: string) => posix.join(unit(chunk), 'lease'),
    runDir: (chunk: string) => posix.join(unit(chunk), 'run'),
  };
}
export type HostLayout = ReturnType<typeof hostLayout>;

export class RemoteRepo {
  private layoutP: Promise<HostLayout> | null = null;
  private readonly localRoot: string;

  constructor(private readonly deps: RemoteRepoDeps) {
    if (!PROJECT_ID.test(deps.projectId))
      throw new OrchError(ErrorCode.invalid_input, `invalid project id ${JSON.stringify(deps.projectId)}`);
    this.localRoot = realpathSync(deps.localRoot);
  }

  /** the project's folders on the host, resolved (and created) on first use */
  layout(): Promise<HostLayout> {
    this.layoutP ??= this.sh(RESOLVE_DIR, posix.join(this.deps.workdir, this.deps.projectId)).then((out) =>
      hostLayout(out.trim()),
    );
    // a failed resolve (host down) is retried by the next call
    this.layoutP.catch(() => {
      this.layoutP = null;
    });
    return this.layoutP;
  }

  /** creates the mirror once, then pushes the base branch: only objects the mirror lacks travel */
  async ensureMirror(baseBranch: string): Promise<TransferStats> {
    const l = await this.layout();
    await this.sh(INIT_MIRROR, l.mirror);
    return this.push(l, [`+refs/heads/${baseBranch}:refs/heads/${baseBranch}`]);
  }

  async ensureWorktree(chunkName: string, opts: EnsureWorktreeOptions): Promise<HostWorktree> {
    const chunk = toChunkName(chunkName);
    const l = await this.layout();
    const branch = unitBranch(chunk);
    const state = await this.readUnit(l, chunk);
    const verdict = compareLease(opts.lease, state.lease);
    if (verdict === 'newer')
      throw new StaleLeaseError(this.deps.host.name, chunk, showLease(opts.lease), showLease(state.lease));
    if (verdict === 'same') {
      const found = await this.existingWorktree(l, chunk, branch);
      if (found) return found;
    }
    const start = await gitOk(['rev-parse', '--verify', `${opts.startPoint}^{commit}`], {
      cwd: this.localRoot,
    });
    await this.push(l, [
      `+refs/heads/${opts.baseBranch}:refs/heads/${opts.baseBranch}`,
      `+${start.trim()}:refs/ve/start/${chunk}`,
    ]);
    const out = await this.sh(
      CREATE_WORKTREE,
      l.mirror,
      l.worktree(chunk),
      l.unit(chunk),
      branch,
      `refs/ve/start/${chunk}`,
      formatLease(opts.lease).trim(),
      STOP_PROCESSES,
    );
    const [head, gitDir, commonDir] = out.trim().split('\n') as [string, string, string];
    return { path: l.worktree(chunk), branch, head, gitDir, commonDir, created: true };
  }

  /**
   * Fetches `orch/<chunk>` from the host into the operator's repository. The host's lease is read
   * first (with the branch tip, in one round trip) and must equal `lease`; the fetched commit must be
   * that tip; and the local ref moves only from `expectedOld` (compare-and-swap), so a fetch from a
   * host that lost the unit, or racing another fetch, changes nothing.
   */
  async fetchBack(chunkName: string, lease: Lease, expectedOld: string | null): Promise<FetchedBranch> {
    const chunk = toChunkName(chunkName);
    const l = await this.layout();
    const branch = unitBranch(chunk);
    const state = await this.readUnit(l, chunk);
    if (compareLease(lease, state.lease) !== 'same')
      throw new StaleLeaseError(this.deps.host.name, chunk, showLease(lease), showLease(state.lease));
    if (!state.tip)
      throw new OrchError(ErrorCode.not_found, `host ${this.deps.host.name} has no branch ${branch}`);
    const incoming = `refs/ve/incoming/${this.deps.host.name}/${chunk}`;
    return queueFor(this.localRoot).run(async () => {
      const t0 = performance.now();
      const fetched = await this.git([
        'fetch',
        '--no-tags',
        '--no-write-fetch-head',
        '--progress',
        this.deps.transport.url(this.deps.host, l.mirror),
        `+refs/heads/${branch}:${incoming}`,
      ]);
      // the sending side's pack-objects line, `remote: Total N (delta D)`: absent when nothing was new
      const objects = countObjects(fetched.stderr);
      try {
        const got = (await this.git(['rev-parse', '--verify', incoming])).stdout.trim();
        if (got !== state.tip)
          throw new OrchError(
            ErrorCode.conflict,
            `${branch} on host ${this.deps.host.name} moved during the fetch (${state.tip} → ${got}); is an agent still running?`,
          );
        // CAS: '' as the old value means "must not exist yet"
        await this.git(['update-ref', `refs/heads/${branch}`, got, expectedOld ?? '']);
        return { commit: got, previous: expectedOld, objects, ms: performance.now() - t0 };
      } finally {
        await this.git(['update-ref', '-d', incoming]);
      }
    });
  }

  private async existingWorktree(l: HostLayout, chunk: string, branch: string): Promise<HostWorktree | null> {
    const r = await this.deps.transport.run(this.deps.host, [
      'git',
      '-C',
      l.worktree(chunk),
      'rev-parse',
      '--path-format=absolute',
      'HEAD',
      '--git-dir',
      '--git-common-dir',
      '--symbolic-full-name',
      'HEAD',
    ]);
    if (r.code !== 0) return null; // gone (a host cleanup, a disk swap): made anew under the same lease
    const [head, gitDir, commonDir, ref] = r.stdout.trim().split('\n') as [string, string, string, string];
    if (ref !== `refs/heads/${branch}`) return null;
    return { path: l.worktree(chunk), branch, head, gitDir, commonDir, created: false };
  }

  private async readUnit(l: HostLayout, chunk: string): Promise<{ lease: Lease | null; tip: string | null }> {
    const out = await this.sh(READ_UNIT, l.lease(chunk), l.mirror, `refs/heads/${unitBranch(chunk)}`);
    const [leaseText = '', tip = ''] = out.split('---\n');
    return { lease: parseLease(leaseText), tip: tip.trim() || null };
  }

  private async push(l: HostLayout, refspecs: string[]): Promise<TransferStats> {
    const t0 = performance.now();
    const url = this.deps.transport.url(this.deps.host, l.mirror);
    const r = await this.git(['push', '--porcelain', '--progress', '--no-verify', url, ...refspecs]);
    return { objects: countObjects(r.stderr), ms: performance.now() - t0 };
  }

  /**
   * git in the operator's repository, reaching the host through the transport's master connection. A
   * push or fetch that failed while no connection is up failed for want of the host.
   */
  private async git(args: string[]) {
    const { transport, host } = this.deps;
    const r = await git(args, { cwd: this.localRoot, env: transport.gitEnv(host) });
    if (r.code === 0) return r;
    if ((args[0] === 'push' || args[0] === 'fetch') && !(await transport.connected(host)))
      throw new SshConnectionError(host.name, lastSshLine(r.stderr));
    throw gitFailed(args, this.localRoot, r);
  }

  private sh(script: string, ...args: string[]): Promise<string> {
    return this.deps.transport.runOk(this.deps.host, ['sh', '-c', script, 'sh', ...args]);
  }
}

/** the ssh line in git's stderr ("ssh: connect to host … refused"), else its first line */
function lastSshLine(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  return lines.find((l) => l.startsWith('ssh:')) ?? lines[0] ?? '';
}

/** objects in the pack git sent or received, from pack-objects' `Total N (delta D)` line */
function countObjects(stderr: string): number {
  const m = /Total (\d+) \(delta/.exec(stderr);
  return m ? Number(m[1]) : 0;
}
