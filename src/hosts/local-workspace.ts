/**
 * HostWorkspace for the host `local`, over the code paths ve has always used: the Worktrees port
 * makes `.ve/chunks/<c>/worktree` inside the operator's repository, the SDK spawns Claude Code
 * itself, and the unit's branch is already where the merge wants it, so there is nothing to mirror
 * or fetch. The lease fences hosts from each other; on the daemon's own machine there is no other
 * copy of the unit to fence off.
 */
import { execFile } from 'node:child_process';
import { gitOk } from '../git/git-cli.js';
import type { Worktrees } from '../ports/worktrees.js';
import type * as ws from './workspace.js';

export class LocalWorkspace implements ws.HostWorkspace {
  readonly host = 'local';

  constructor(private readonly deps: { worktrees: Worktrees; root: string }) {}

  async ensureMirror(_baseBranch: string): Promise<ws.TransferStats> {
    return { objects: 0, ms: 0 }; // the operator's repository is the mirror
  }

  async ensureWorktree(chunk: string, opts: ws.EnsureWorktreeOptions): Promise<ws.HostWorktree> {
    const wt = await this.deps.worktrees.ensure(chunk, { baseBranch: opts.baseBranch });
    const out = await gitOk(
      ['rev-parse', '--path-format=absolute', 'HEAD', '--git-dir', '--git-common-dir'],
      {
        cwd: wt.path,
      },
    );
    const [head, gitDir, commonDir] = out.trim().split('\n') as [string, string, string];
    return { path: wt.path, branch: wt.branch, head, gitDir, commonDir, created: wt.created };
  }

  async fetchBack(chunk: string, _lease: unknown, expectedOld: string | null): Promise<ws.FetchedBranch> {
    const tip = (await this.deps.worktrees.branchTips()).get(chunk);
    if (!tip) throw new Error(`unit ${chunk} has no branch in the operator's repository`);
    return { commit: tip, previous: expectedOld, objects: 0, ms: 0 };
  }

  async claudeLauncher(): Promise<ws.ClaudeLauncher> {
    // the SDK's own spawn, and its own kill of the local process tree, as before hosts existed
    return { spawn: undefined, settled: async () => {} };
  }

  runCommand(argv: readonly string[], opts: { cwd: string; input?: string }): Promise<ws.HostCommandResult> {
    const [command, ...args] = argv;
    if (!command) return Promise.reject(new Error('runCommand: empty argv'));
    return new Promise((resolve, reject) => {
      const child = execFile(command, args, { cwd: opts.cwd, encoding: 'utf8' }, (err, stdout, stderr) => {
        const code = (err as { code?: unknown } | null)?.code;
        if (err && typeof code !== 'number') return reject(err);
        resolve({ code: err ? (code as number) : 0, stdout, stderr });
      });
      child.stdin?.on('error', () => {
        // the command may exit before reading its stdin
      });
      child.stdin?.end(opts.input ?? '');
    });
  }
}
