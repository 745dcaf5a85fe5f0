/** In-memory Worktrees: worktree dirs are real temp folders (agents and chunk docs need files), git is not. */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  EnsuredWorktree,
  LiveProbe,
  MergeResult,
  WorktreeInfo,
  WorktreeState,
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
  setupFailure: string | null = null;
  /** files an agent left uncommitted, by chunk: commitAll commits (and returns) them */
  readonly uncommitted = new Map<string, string[]>();
  /**
   * what `inspect` reports after a phase, by chunk; by default a phase that did its work: one new
   * commit changing src/<chunk>.txt, a clean tree
   */
  readonly state = new Map<string, { newCommits: number; changedFiles: string[]; dirty: string[] }>();

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

  async commitAll(chunk: string): Promise<string[]> {
    const files = this.uncommitted.get(chunk) ?? [];
    this.uncommitted.delete(chunk);
    const n = (this.commits.get(chunk) ?? 0) + 1;
    this.commits.set(chunk, n);
    if (this.tips.has(chunk)) this.tips.set(chunk, `${chunk}@${n}`);
    return files;
  }

  async inspect(chunk: string, since: string | null): Promise<WorktreeState> {
    const tip = this.tips.get(chunk) ?? null;
    const worked = { newCommits: 1, changedFiles: [`src/${chunk}.txt`], dirty: [] };
    const s = this.state.get(chunk) ?? worked;
    return since === null ? { tip, newCommits: 0, changedFiles: [], dirty: s.dirty } : { tip, ...s };
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

  async runSetup(): Promise<void> {
    if (this.setupFailure) throw new Error(this.setupFailure);
  }
}
