/** In-memory Worktrees: worktree dirs are real temp folders (agents and chunk docs need files), git is not. */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EnsuredWorktree,
  LiveProbe,
  MergeResult,
  WorktreeInfo,
  Worktrees,
} from '../../src/ports/worktrees.js';

export class FakeWorktrees implements Worktrees {
  readonly merged: string[] = [];
  readonly commits = new Map<string, number>();
  /** results to return from the next finalize calls per chunk, in order */
  readonly finalizeScript = new Map<string, MergeResult[]>();
  probeResult: (a: string, b: string) => LiveProbe = () => ({ clean: true, conflicting_files: [] });
  /** every probe made, as `a+b` */
  readonly probes: string[] = [];
  /**
   * Branch tips by chunk, as `branchTips` reports them: set when a worktree is created, moved by each
   * commitAll, gone with the branch. Tests may move a tip by hand (an agent's own commit).
   */
  readonly tips = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly base = 'main',
  ) {}

  private path(chunk: string): string {
    return join(this.root, '.ve', 'chunks', chunk, 'worktree');
  }

  async defaultBase(): Promise<string> {
    return this.base;
  }

  async ensure(chunk: string, opts: { baseBranch: string }): Promise<EnsuredWorktree> {
    const path = this.path(chunk);
    const created = !existsSync(path);
    if (!this.tips.has(chunk)) this.tips.set(chunk, `${chunk}@0`);
    if (created) {
      mkdirSync(path, { recursive: true });
      const docs = join(this.root, 'docs', 'chunks', chunk);
      if (existsSync(docs)) cpSync(docs, join(path, 'docs', 'chunks', chunk), { recursive: true });
    }
    return { path, branch: `orch/${chunk}`, baseBranch: opts.baseBranch, created };
  }

  async exists(chunk: string): Promise<boolean> {
    return existsSync(this.path(chunk));
  }

  async commitAll(chunk: string): Promise<boolean> {
    const n = (this.commits.get(chunk) ?? 0) + 1;
    this.commits.set(chunk, n);
    if (this.tips.has(chunk)) this.tips.set(chunk, `${chunk}@${n}`);
    return true;
  }

  async finalize(chunk: string): Promise<MergeResult> {
    const next = this.finalizeScript.get(chunk)?.shift();
    if (next && next.kind !== 'merged') return next;
    this.merged.push(chunk);
    this.tips.delete(chunk);
    rmSync(this.path(chunk), { recursive: true, force: true });
    return next ?? { kind: 'merged', commit: 'f'.repeat(40) };
  }

  async probe(a: string, b: string): Promise<LiveProbe> {
    this.probes.push(`${a}+${b}`);
    return this.probeResult(a, b);
  }

  async branchTips(): Promise<Map<string, string>> {
    return new Map(this.tips);
  }

  async unmergedCommits(chunk: string): Promise<number> {
    return this.merged.includes(chunk) ? 0 : (this.commits.get(chunk) ?? 0);
  }

  async remove(chunk: string, opts: { keepBranch: boolean }): Promise<void> {
    if (!opts.keepBranch) this.tips.delete(chunk);
    rmSync(this.path(chunk), { recursive: true, force: true });
  }

  async list(): Promise<WorktreeInfo[]> {
    return [];
  }

  async diff(): Promise<string> {
    return '';
  }
}
