/**
 * The git port: per-unit worktrees on `orch/<chunk>` and the merge of finished branches into the
 * base branch. Every mutating git operation on the host repository is serialized by the adapter.
 */

export interface EnsuredWorktree {
  path: string;
  branch: string;
  baseBranch: string;
  /** true when this call created it (first dispatch), false when it was reused */
  created: boolean;
}

export type MergeResult =
  /** the branch landed on base (or there was nothing to merge); worktree and branch are gone */
  | { kind: 'merged'; commit: string | null }
  /** the branch and base touch the same lines: the unit goes to REBASE */
  | { kind: 'conflict'; files: string[]; message: string }
  /** git refused without conflict (e.g. the operator's local edits would be overwritten) */
  | { kind: 'refused'; message: string };

export interface WorktreeInfo {
  chunk: string;
  path: string;
  branch: string;
  exists: boolean;
  locked: boolean;
  /** commits on the branch not on base */
  unmerged_commits: number;
}

export interface WorktreeState {
  tip: string | null;
  newCommits: number;
  changedFiles: string[];
  dirty: string[];
}

export interface LiveProbe {
  clean: boolean;
  conflicting_files: string[];
}

export interface Worktrees {
  /** the branch the daemon merges into (the host's current branch at start) */
  defaultBase(): Promise<string>;
  /** creates (or reuses) the worktree and branch; copies `.worktreeinclude` files on creation */
  ensure(chunk: string, opts: { baseBranch: string }): Promise<EnsuredWorktree>;
  exists(chunk: string): Promise<boolean>;
  /** commits everything in the worktree; the paths it committed (none: there was nothing to commit) */
  commitAll(chunk: string, message: string): Promise<string[]>;
  /**
   * what the worktree holds now: its branch tip, the commits and changed files since `since` (a
   * commit; null counts nothing), and uncommitted changes (ignored and include-listed files aside)
   */
  inspect(chunk: string, since: string | null): Promise<WorktreeState>;
  /** commits leftovers, merges `orch/<chunk>` into base, and removes worktree + branch once landed */
  finalize(chunk: string, baseBranch: string): Promise<MergeResult>;
  /**
   * git merge-tree of two units' branches, or of `commits` (their tips as read by `branchTips`, so a
   * result can be cached by commit); touches no working copy
   */
  probe(chunkA: string, chunkB: string, commits?: readonly [string, string]): Promise<LiveProbe>;
  /** the tip commit of every `orch/<chunk>` branch, by chunk: one read, no working copy, no queue */
  branchTips(): Promise<Map<string, string>>;
  /** commits on `orch/<chunk>` not reachable from base (0 when the branch is gone) */
  unmergedCommits(chunk: string, baseBranch: string): Promise<number>;
  /** refuses (conflict error) when the branch has unmerged commits unless `force` */
  remove(chunk: string, opts: { force: boolean; keepBranch: boolean; baseBranch: string }): Promise<void>;
  list(baseBranch: string): Promise<WorktreeInfo[]>;
  /** unified diff of the branch against base */
  diff(chunk: string, baseBranch: string): Promise<string>;
}
