/**
 * In-memory Worktrees: worktree dirs are real temp folders (agents, chunk docs and setup commands need
 * files), git is not. A branch is a snapshot of its files at creation and at the last commit, so
 * commitAll, diff, list and remove answer as git would; test/contracts/worktrees.contract.ts holds it
 * to the real adapter. Merges and probe conflicts are scripted (`finalizeScript`, `probeResult`).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { toChunkName } from '../../src/domain/chunk-name.js';
import { ErrorCode, NotFoundError, OrchError } from '../../src/domain/errors.js';
import type {
  EnsuredWorktree,
  LiveProbe,
  MergeResult,
  WorktreeInfo,
  WorktreeState,
  Worktrees,
} from '../../src/ports/worktrees.js';

/** relative path → content */
type Files = Map<string, string>;

interface Branch {
  /** the files the worktree started from (base, as far as this fake knows it) */
  base: Files;
  /** the files at the branch tip */
  committed: Files;
  commits: number;
  /** the files at each commit, by number (0: at creation) */
  history: Files[];
}

export class FakeWorktrees implements Worktrees {
  readonly merged: string[] = [];
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
  private readonly branches = new Map<string, Branch>();

  constructor(
    private readonly root: string,
    private readonly base = 'main',
  ) {}

  private path(chunk: string): string {
    return join(this.root, '.ve', 'chunks', toChunkName(chunk), 'worktree');
  }

  async defaultBase(): Promise<string> {
    return this.base;
  }

  async ensure(chunk: string, opts: { baseBranch: string }): Promise<EnsuredWorktree> {
    const path = this.path(chunk);
    const created = !existsSync(path);
    if (created) {
      mkdirSync(path, { recursive: true });
      const branch = this.branches.get(chunk);
      if (branch) writeFiles(path, branch.committed);
      else {
        const docs = join(this.root, 'docs', 'chunks', chunk);
        if (existsSync(docs)) cpSync(docs, join(path, 'docs', 'chunks', chunk), { recursive: true });
      }
    }
    if (!this.branches.has(chunk)) {
      const files = snapshot(path);
      this.branches.set(chunk, { base: files, committed: files, commits: 0, history: [files] });
      this.tips.set(chunk, `${chunk}@0`);
    }
    return { path, branch: `orch/${chunk}`, baseBranch: opts.baseBranch, created };
  }

  async exists(chunk: string): Promise<boolean> {
    return existsSync(this.path(chunk));
  }

  async commitAll(chunk: string): Promise<string[]> {
    const path = this.path(chunk);
    const branch = this.branches.get(chunk);
    if (!existsSync(path) || !branch) throw new NotFoundError('worktree', chunk);
    const now = snapshot(path);
    const changed = changedPaths(branch.committed, now);
    if (changed.length === 0) return [];
    branch.committed = now;
    branch.commits += 1;
    branch.history.push(now);
    this.tips.set(chunk, `${chunk}@${branch.commits}`);
    return changed;
  }

  async inspect(chunk: string, since: string | null): Promise<WorktreeState> {
    const path = this.path(chunk);
    const branch = this.branches.get(chunk);
    if (!existsSync(path) || !branch) throw new NotFoundError('worktree', chunk);
    const tip = this.tips.get(chunk) ?? null;
    const dirty = changedPaths(branch.committed, snapshot(path));
    const from = since === null ? branch.commits : Number(since.split('@')[1] ?? branch.commits);
    const then = branch.history[from] ?? branch.committed;
    return {
      tip,
      newCommits: branch.commits - from,
      changedFiles: changedPaths(then, branch.committed),
      dirty,
    };
  }

  async finalize(chunk: string): Promise<MergeResult> {
    if (await this.exists(chunk)) await this.commitAll(chunk);
    const next = this.finalizeScript.get(chunk)?.shift();
    if (next && next.kind !== 'merged') return next;
    this.merged.push(chunk);
    this.dropBranch(chunk);
    rmSync(this.path(chunk), { recursive: true, force: true });
    return next ?? { kind: 'merged', commit: 'f'.repeat(40) };
  }

  async probe(a: string, b: string): Promise<LiveProbe> {
    toChunkName(a);
    toChunkName(b);
    this.probes.push(`${a}+${b}`);
    return this.probeResult(a, b);
  }

  async branchTips(): Promise<Map<string, string>> {
    return new Map(this.tips);
  }

  async unmergedCommits(chunk: string): Promise<number> {
    toChunkName(chunk);
    return this.branches.get(chunk)?.commits ?? 0;
  }

  async remove(chunk: string, opts: { force: boolean; keepBranch: boolean }): Promise<void> {
    const path = this.path(chunk);
    const branch = this.branches.get(chunk);
    if (!opts.force && branch) {
      if (!opts.keepBranch && branch.commits > 0) {
        throw new OrchError(
          ErrorCode.conflict,
          `branch orch/${chunk} has ${branch.commits} unmerged commit(s); use --force to delete anyway`,
          { chunk, unmerged_commits: branch.commits },
        );
      }
      if (existsSync(path) && !sameFiles(snapshot(path), branch.committed)) {
        throw new OrchError(
          ErrorCode.conflict,
          `worktree of ${chunk} has uncommitted changes; use --force to delete anyway`,
          { chunk },
        );
      }
    }
    if (!opts.keepBranch) this.dropBranch(chunk);
    rmSync(path, { recursive: true, force: true });
  }

  async list(): Promise<WorktreeInfo[]> {
    const dir = join(this.root, '.ve', 'chunks');
    const withDir = existsSync(dir) ? readdirSync(dir).filter((c) => existsSync(this.path(c))) : [];
    const chunks = [...new Set([...withDir, ...this.branches.keys()])].sort();
    return chunks.map((chunk) => {
      const exists = existsSync(this.path(chunk));
      return {
        chunk,
        path: this.path(chunk),
        branch: `orch/${chunk}`,
        exists,
        // ve locks every worktree it creates
        locked: exists,
        unmerged_commits: this.branches.get(chunk)?.commits ?? 0,
      };
    });
  }

  /** Whole-file hunks: committed work against base, then what is uncommitted, as GitWorktrees orders them. */
  async diff(chunk: string): Promise<string> {
    const path = this.path(chunk);
    const branch = this.branches.get(chunk);
    if (!branch) return '';
    const committed = diffFiles(branch.base, branch.committed);
    const uncommitted = existsSync(path) ? diffFiles(branch.committed, snapshot(path)) : '';
    return committed + (uncommitted ? `# uncommitted changes in the worktree\n${uncommitted}` : '');
  }

  private dropBranch(chunk: string): void {
    this.branches.delete(chunk);
    this.tips.delete(chunk);
  }
}

function snapshot(dir: string): Files {
  const files: Files = new Map();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.set(relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

function writeFiles(dir: string, files: Files): void {
  for (const [rel, text] of files) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
}

/** the paths whose content differs between two snapshots, sorted */
function changedPaths(a: Files, b: Files): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((p) => a.get(p) !== b.get(p)).sort();
}

function sameFiles(a: Files, b: Files): boolean {
  return a.size === b.size && [...a].every(([p, text]) => b.get(p) === text);
}

/** A git-style diff replacing each changed file whole (enough for readers of a diff, not for patch). */
function diffFiles(before: Files, after: Files): string {
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  let out = '';
  for (const p of paths) {
    const [old, now] = [before.get(p), after.get(p)];
    if (old === now) continue;
    const lines = (text: string | undefined) =>
      text === undefined ? [] : text.replace(/\n$/, '').split('\n');
    const [minus, plus] = [lines(old), lines(now)];
    out += `diff --git a/${p} b/${p}\n`;
    out += `--- ${old === undefined ? '/dev/null' : `a/${p}`}\n+++ ${now === undefined ? '/dev/null' : `b/${p}`}\n`;
    out += `@@ -${minus.length === 0 ? 0 : 1},${minus.length} +${plus.length === 0 ? 0 : 1},${plus.length} @@\n`;
    out += [...minus.map((l) => `-${l}`), ...plus.map((l) => `+${l}`)].map((l) => `${l}\n`).join('');
  }
  return out;
}
