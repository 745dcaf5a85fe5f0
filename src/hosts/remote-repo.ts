/**
 * The repository on a host: a bare mirror fed by `git push` from the operator's repository (the host
 * cannot reach the daemon, so objects always travel from the daemon's side, and git's negotiation
 * sends only what the mirror lacks), a worktree per unit cloned from it (its own repository, sharing
 * the mirror's objects), and the fetch of a unit's branch back, fenced by the unit's lease
 * (domain/lease.ts). Layout on the host, under `<workdir>/<project>/`:
 *
 *   mirror.git/              bare; refs/heads/<base>, refs/ve/start/<c>, refs/ve/state/<c>
 *   worktrees/<c>/           the unit's clone (objects from the mirror) on orch/<c>
 *   units/<c>/lease          `<epoch> <token>`, 0600, written last when the worktree is made
 *   units/<c>/run/<id>.pid   `<pid> <start time>` of each Claude Code process of the unit
 *   agent-excludes           the excludes file sandboxed git reads (the OS sandbox's masked names)
 *
 * Between phases the unit's work moves whole: the branch, and the worktree's uncommitted files as a
 * state commit (working-state.ts), to the host before a phase (`sendState`) and back after it
 * (`fetchBack` with `into`).
 */
import { realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { unitBranch } from '../config/paths.js';
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { compareLease, formatLease, type Lease, parseLease, showLease } from '../domain/lease.js';
import { git, gitFailed, gitOk } from '../git/git-cli.js';
import { queueFor } from '../git/mutation-queue.js';
import type { EnsureWorktreeOptions, FetchedBranch, HostWorktree, TransferStats } from '../ports/hosts.js';
import { RemoteCommandError, SshConnectionError, StaleLeaseError } from './errors.js';
import {
  APPLY_STATE,
  CREATE_WORKTREE,
  INIT_MIRROR,
  LANDING_PATHS,
  PREPARE_PROJECT,
  READ_UNIT,
  REMOVE_UNIT,
  RESOLVE_DIR,
  SETUP_ONCE,
  SNAPSHOT_STATE,
  STOP_PROCESSES,
  STOP_UNIT,
} from './remote-scripts.js';
import type { RemoteResult, SshHost, SshTransport } from './ssh-transport.js';
import { applyWorkingState, snapshotWorktree } from './working-state.js';

export interface RemoteRepoDeps {
  transport: SshTransport;
  host: SshHost;
  /** the operator's repository */
  localRoot: string;
  /** names this project's folder on the host (several projects may share a host) */
  projectId: string;
  /** the host's folder for ve projects: absolute, or relative to the remote user's home */
  workdir: string;
  /** names the OS sandbox masks in a worktree, for the host's excludes file (agents/claude/os-sandbox.ts) */
  maskedNames?: readonly string[];
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
    tmpDir: (chunk: string) => posix.join(unit(chunk), 'tmp'),
    excludes: posix.join(projectRoot, 'agent-excludes'),
  };
}
export type HostLayout = ReturnType<typeof hostLayout>;

export class RemoteRepo {
  private layoutP: Promise<HostLayout> | null = null;
  /** the last push to the mirror in flight (`inMirror`: they run one after another) */
  private mirrorQueue: Promise<unknown> = Promise.resolve();
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
    const masked = (this.deps.maskedNames ?? []).map((n) => `${n}\n`).join('');
    await this.sh(PREPARE_PROJECT, l.mirror, l.excludes, masked, INIT_MIRROR);
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
      start.trim(),
      formatLease(opts.lease).trim(),
      STOP_PROCESSES,
    );
    const [head, gitDir, commonDir] = out.trim().split('\n') as [string, string, string];
    return { ...this.places(l, chunk), branch, head, gitDir, commonDir, created: true };
  }

  /** the daemon's copy `from` (branch and uncommitted files) becomes the host worktree's state */
  async sendState(chunkName: string, lease: Lease, from: string): Promise<TransferStats> {
    const chunk = toChunkName(chunkName);
    const l = await this.layout();
    const t0 = performance.now();
    const { head, state } = await snapshotWorktree(from);
    const pushed = await this.push(l, [
      `+${head}:refs/ve/start/${chunk}`,
      `+${state}:refs/ve/state/${chunk}`,
    ]);
    await this.fenced(chunk, lease, APPLY_STATE, l.worktree(chunk), head, state, l.tmpDir(chunk));
    return { objects: pushed.objects, ms: performance.now() - t0 };
  }

  /** the setup command in the unit's worktree unless it already succeeded there (SETUP_ONCE) */
  async runSetup(chunkName: string, lease: Lease, command: string, timeoutSeconds: number) {
    const chunk = toChunkName(chunkName);
    const l = await this.layout();
    const r = await this.leased(chunk, lease, SETUP_ONCE, l.worktree(chunk), command, String(timeoutSeconds));
    return { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }

  async stopUnit(chunkName: string, lease: Lease): Promise<void> {
    const chunk = toChunkName(chunkName);
    const l = await this.layout();
    await this.fenced(chunk, lease, STOP_UNIT, l.runDir(chunk), STOP_PROCESSES);
  }

  async removeUnit(chunkName: string, lease: Lease): Promise<void> {
    const chunk = toChunkName(chunkName);
    const l = await this.layout();
    await this.fenced(
      chunk,
      lease,
      REMOVE_UNIT,
      l.mirror,
      l.worktree(chunk),
      l.unit(chunk),
      chunk,
      STOP_PROCESSES,
    );
  }

  async landingPaths(paths: readonly string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const out = await this.sh(LANDING_PATHS, ...paths);
    const lines = out.split('\n').filter((x) => x !== '');
    if (lines.length !== paths.length)
      throw new OrchError(
        ErrorCode.internal,
        `realpath on host ${this.deps.host.name} answered ${lines.length} of ${paths.length} paths`,
      );
    return lines;
  }

  /**
   * Fetches `orch/<chunk>` from the host into the operator's repository. The host's lease must equal
   * `lease` (checked in the same round trip that reads the branch tip, or that snapshots the
   * worktree's state); the fetched commit must be that tip; and the local ref moves only from
   * `expectedOld` (compare-and-swap), so a fetch from a host that lost the unit, or racing another
   * fetch, changes nothing. With `into`, the worktree's uncommitted files come too and are written
   * into that folder (the daemon's copy of the worktree, on `orch/<chunk>`).
   */
  async fetchBack(
    chunkName: string,
    lease: Lease,
    expectedOld: string | null,
    into?: string,
  ): Promise<FetchedBranch> {
    const chunk = toChunkName(chunkName);
    const l = await this.layout();
    const branch = unitBranch(chunk);
    const tips = into ? await this.snapshot(l, chunk, lease) : await this.tipUnderLease(l, chunk, lease);
    const incoming = `refs/ve/incoming/${this.deps.host.name}/${chunk}`;
    const fetched = await queueFor(this.localRoot).run(async () => {
      const t0 = performance.now();
      const r = await this.git([
        'fetch',
        '--no-tags',
        '--no-write-fetch-head',
        '--progress',
        this.deps.transport.url(this.deps.host, l.worktree(chunk)),
        `+refs/heads/${branch}:${incoming}`,
        ...(tips.state ? [`+refs/ve/state/${chunk}:${incoming}-state`] : []),
      ]);
      // the sending side's pack-objects line, `remote: Total N (delta D)`: absent when nothing was new
      const objects = countObjects(r.stderr);
      try {
        const got = (await this.git(['rev-parse', '--verify', incoming])).stdout.trim();
        if (got !== tips.head)
          throw new OrchError(
            ErrorCode.conflict,
            `${branch} on host ${this.deps.host.name} moved during the fetch (${tips.head} → ${got}); is an agent still running?`,
          );
        // CAS: '' as the old value means "must not exist yet"
        await this.git(['update-ref', `refs/heads/${branch}`, got, expectedOld ?? '']);
        return { commit: got, previous: expectedOld, objects, ms: performance.now() - t0 };
      } finally {
        await this.git(['update-ref', '-d', incoming]);
        if (tips.state) await this.git(['update-ref', '-d', `${incoming}-state`]);
      }
    });
    if (into && tips.state) {
      const t0 = performance.now();
      await applyWorkingState(into, tips.state);
      fetched.ms += performance.now() - t0;
    }
    return fetched;
  }

  private async tipUnderLease(
    l: HostLayout,
    chunk: string,
    lease: Lease,
  ): Promise<{ head: string; state: string | null }> {
    const found = await this.readUnit(l, chunk);
    if (compareLease(lease, found.lease) !== 'same')
      throw new StaleLeaseError(this.deps.host.name, chunk, showLease(lease), showLease(found.lease));
    if (!found.tip)
      throw new OrchError(
        ErrorCode.not_found,
        `host ${this.deps.host.name} has no branch ${unitBranch(chunk)}`,
      );
    return { head: found.tip, state: null };
  }

  /** SNAPSHOT_STATE under the lease: the branch tip and the worktree's state commit */
  private async snapshot(
    l: HostLayout,
    chunk: string,
    lease: Lease,
  ): Promise<{ head: string; state: string }> {
    const out = await this.fenced(chunk, lease, SNAPSHOT_STATE, l.worktree(chunk), `refs/ve/state/${chunk}`);
    const [head, state] = out.trim().split(' ') as [string, string];
    return { head, state };
  }

  /**
   * Runs a script whose first two parameters are the unit's lease file and the lease line it must
   * hold (the script's CHECK_LEASE exits 98 otherwise): a stale lease becomes StaleLeaseError.
   */
  private async fenced(chunk: string, lease: Lease, script: string, ...args: string[]): Promise<string> {
    const r = await this.leased(chunk, lease, script, ...args);
    if (r.code !== 0)
      throw new RemoteCommandError(
        this.deps.host.name,
        ['sh', '-c', script.trim().split('\n')[0] ?? ''],
        r.code,
        r.stderr,
      );
    return r.stdout;
  }

  /** `fenced` with the script's own exit code and output, for a script that may fail (the setup) */
  private async leased(
    chunk: string,
    lease: Lease,
    script: string,
    ...args: string[]
  ): Promise<RemoteResult> {
    const l = await this.layout();
    const lines = [l.lease(chunk), formatLease(lease).trim()];
    const r = await this.deps.transport.run(this.deps.host, ['sh', '-c', script, 'sh', ...lines, ...args]);
    if (r.code === 98) {
      const held = /the host holds (.*)$/m.exec(r.stderr)?.[1]?.trim() ?? '';
      const found = held === 'none' ? null : parseLease(held);
      throw new StaleLeaseError(this.deps.host.name, chunk, showLease(lease), found && showLease(found));
    }
    return r;
  }

  private places(l: HostLayout, chunk: string) {
    return { path: l.worktree(chunk), root: l.root, excludesFile: l.excludes, tmpDir: l.tmpDir(chunk) };
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
    return { ...this.places(l, chunk), branch, head, gitDir, commonDir, created: false };
  }

  private async readUnit(l: HostLayout, chunk: string): Promise<{ lease: Lease | null; tip: string | null }> {
    const out = await this.sh(
      READ_UNIT,
      l.lease(chunk),
      l.worktree(chunk),
      `refs/heads/${unitBranch(chunk)}`,
    );
    const [leaseText = '', tip = ''] = out.split('---\n');
    return { lease: parseLease(leaseText), tip: tip.trim() || null };
  }

  private push(l: HostLayout, refspecs: string[]): Promise<TransferStats> {
    return this.inMirror(async () => {
      const t0 = performance.now();
      const url = this.deps.transport.url(this.deps.host, l.mirror);
      const r = await this.git(['push', '--porcelain', '--progress', '--no-verify', url, ...refspecs]);
      return { objects: countObjects(r.stderr), ms: performance.now() - t0 };
    });
  }

  /**
   * Runs `work` when no other push to this mirror runs: every phase start pushes the base branch, and
   * two pushes of one ref at once make the later fail on its lock. One daemon per project feeds a
   * mirror, so an in-process queue is enough.
   */
  private inMirror<T>(work: () => Promise<T>): Promise<T> {
    const next = this.mirrorQueue.then(work, work);
    this.mirrorQueue = next.catch(() => undefined);
    return next;
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
    // git's progress lines come first on stderr; the error says what went wrong
    throw gitFailed(args, this.localRoot, { ...r, stderr: withoutProgress(r.stderr) });
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

/** git's stderr without its progress lines (`Enumerating objects`, `remote: Total …`) */
function withoutProgress(stderr: string): string {
  const progress = /^(remote: )?(Enumerating|Counting|Compressing|Writing|Receiving|Resolving|Total|Delta)\b/;
  return stderr
    .split(/[\r\n]+/)
    .filter((l) => l.trim() && !progress.test(l))
    .join('\n');
}

/** objects in the pack git sent or received, from pack-objects' `Total N (delta D)` line */
function countObjects(stderr: string): number {
  const m = /Total (\d+) \(delta/.exec(stderr);
  return m ? Number(m[1]) : 0;
}
