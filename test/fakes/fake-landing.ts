/**
 * In-memory Landing: a base branch whose commits are sets of branch tips (what they contain), so
 * speculative merges, containment, conflicts and compare-and-swap landing behave as in git.
 */
import type { Landing, LandResult, SendBackMerge, SpeculativeMerge } from '../../src/ports/train.js';

export class FakeLanding implements Landing {
  /** what each commit contains: branch tips (`chunk@n`) and base commits made by hand */
  readonly contents = new Map<string, Set<string>>([['b0', new Set()]]);
  tip: string | null = 'b0';
  /** commits landed, in order */
  readonly landed: string[] = [];
  /** chunks sent back with base merged in */
  readonly sentBack: string[] = [];
  /** two chunks whose branches conflict: a function of their chunk names */
  conflicts: (a: string, b: string) => boolean = () => false;
  /** ve.yaml as committed on base (at any commit) */
  settingsFile: string | null = null;
  /** other files as committed, keyed `<commit>:<path>` (a plan on a unit's branch tip, a prompt on base) */
  readonly files = new Map<string, string>();
  /** the next land calls' results (before the CAS), e.g. a refusal */
  readonly landScript: LandResult[] = [];
  private seq = 0;

  async baseTip(): Promise<string | null> {
    return this.tip;
  }

  /** the operator commits on base */
  commitOnBase(label: string): string {
    const parent = this.tip as string;
    const commit = `${parent}>${label}`;
    this.contents.set(commit, new Set([...(this.contents.get(parent) ?? []), label]));
    this.tip = commit;
    return commit;
  }

  async speculate(req: { parent: string; branch: string; tip: string }): Promise<SpeculativeMerge> {
    const inParent = this.contents.get(req.parent);
    if (!inParent) throw new Error(`fake landing: unknown commit ${req.parent}`);
    if (inParent.has(req.tip)) return { kind: 'contained' };
    const chunk = chunkOf(req.tip);
    const clash = [...inParent].find((t) => this.conflicts(chunkOf(t), chunk));
    if (clash) return { kind: 'conflict', files: [`${chunk}.txt`] };
    const commit = `m${++this.seq}(${req.tip})`;
    this.contents.set(commit, new Set([...inParent, req.tip]));
    return { kind: 'commit', commit };
  }

  async land(_base: string, expectedBase: string, commit: string): Promise<LandResult> {
    const scripted = this.landScript.shift();
    if (scripted) return scripted;
    if (this.tip !== expectedBase) return { kind: 'moved', tip: this.tip };
    this.tip = commit;
    this.landed.push(commit);
    return { kind: 'landed', commit };
  }

  async mergeBaseIntoBranch(chunk: string): Promise<SendBackMerge> {
    this.sentBack.push(chunk);
    return { kind: 'merged' };
  }

  async committedFile(commit: string, path: string): Promise<string | null> {
    return path === 've.yaml' ? this.settingsFile : (this.files.get(`${commit}:${path}`) ?? null);
  }

  /** the branch tips a commit contains */
  tipsIn(commit: string): string[] {
    return [...(this.contents.get(commit) ?? [])];
  }
}

export const chunkOf = (tip: string): string => tip.split('@')[0] as string;
