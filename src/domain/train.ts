/**
 * The landing train's decisions (DESIGN §16), pure. Units that finished their agent phases queue in
 * order; entry k is verified on a speculative tree: base, plus every entry ahead of it that is still
 * expected to land (the chain), plus itself. An entry lands only at the head of the train, only when
 * its own tree passed, and only onto the base tip that tree was built on: the commit that lands is
 * the commit that was verified. A failing entry drops out of the chain at once, so the entries behind
 * it re-verify without it (Zuul's dependent pipeline), and it is blamed only when everything ahead of
 * it in its tree has passed.
 */

/**
 * What the verifications of one speculative tree have shown so far. `suspect`: it failed, and a
 * re-run on the same tree (the flaky check) is still owed; `failed`: every allowed run failed.
 */
export type VerifyVerdict = 'none' | 'passed' | 'suspect' | 'failed';

/** One train entry as the engine has built it for this step. */
export interface TrainEntryView {
  chunk: string;
  /** the commit that would land: `parent` merged with this entry's branch; null when it could not be built */
  spec: string | null;
  /** what `spec` was built on: the base tip, or the spec of the chain member ahead */
  parent: string;
  /** the chain members ahead whose work `spec` contains, in train order */
  ahead: string[];
  /** the branch does not merge onto `parent` (files that conflict) */
  conflictFiles: string[] | null;
  /** the branch does not merge onto the base tip either (known only for a conflicting entry) */
  conflictsWithBase: boolean;
  /** the branch is already contained in `parent`: there is nothing to land */
  contained: boolean;
  verdict: VerifyVerdict;
  /** a verification of `spec` is running now */
  running: boolean;
  /** lands without running the verify command (operator override, or verification is off) */
  skipVerify: boolean;
}

/** Whether the entries behind this one build on it: only entries still expected to land. */
export function joinsChain(
  e: Pick<TrainEntryView, 'conflictFiles' | 'contained' | 'verdict' | 'spec'>,
): boolean {
  return (
    e.spec !== null &&
    e.conflictFiles === null &&
    !e.contained &&
    e.verdict !== 'suspect' &&
    e.verdict !== 'failed'
  );
}

/** The verdict of a tree from its runs: a pass after a failure is a flaky pass, and it counts as passed. */
export function verdictOf(runs: { passes: number; fails: number }, flakyReruns: number): VerifyVerdict {
  if (runs.passes > 0) return 'passed';
  if (runs.fails === 0) return 'none';
  return runs.fails > flakyReruns ? 'failed' : 'suspect';
}

export type TrainAction =
  /** the head's tree passed on the current base tip: move base to it (compare-and-swap) */
  | { kind: 'land'; chunk: string; commit: string; expectedBase: string; verified: boolean }
  /** the entry's branch is already in base: finish it without a merge */
  | { kind: 'finish'; chunk: string }
  /** the entry's branch conflicts with base: back to its agent to merge base in */
  | { kind: 'rebase'; chunk: string; files: string[] }
  /** the entry's tree failed and everything ahead of it in that tree passed: it is the cause */
  | { kind: 'blame'; chunk: string; spec: string }
  /** start (or re-run) the verification of the entry's tree */
  | { kind: 'verify'; chunk: string; spec: string }
  /** before blaming anyone: does the base tip itself pass? (a red base is nobody's branch's fault) */
  | { kind: 'check_base'; commit: string }
  /** the base tip itself fails: the train holds, and the operator is told on this entry */
  | { kind: 'base_broken'; chunk: string; spec: string };

/** What is known of the base tip's own verification: checked only when someone would be blamed. */
export type BaseHealth = 'unknown' | 'running' | 'passed' | 'failed';

export interface PlanInput {
  /** entries in train order, as built on `baseTip` */
  entries: readonly TrainEntryView[];
  baseTip: string;
  /** verifications that may start now (parallelism minus those running) */
  freeSlots: number;
  baseHealth: BaseHealth;
}

/**
 * The actions this step allows. Landing is only ever proposed for the head; the engine performs it,
 * then rebuilds and plans again (the entries behind it were built on its commit, so they stay valid).
 */
export function planTrain(input: PlanInput): TrainAction[] {
  const { entries, baseTip } = input;
  const actions: TrainAction[] = [];
  const blamed: { chunk: string; spec: string }[] = [];
  let aheadPassed = true;
  entries.forEach((e, i) => {
    if (i === 0 && e.parent !== baseTip) return; // built on a stale base: the engine rebuilds first
    if (e.contained && e.parent === baseTip) actions.push({ kind: 'finish', chunk: e.chunk });
    else if (e.conflictFiles && (i === 0 || e.conflictsWithBase))
      actions.push({ kind: 'rebase', chunk: e.chunk, files: e.conflictFiles });
    else if (e.spec && e.verdict === 'failed' && aheadPassed) blamed.push({ chunk: e.chunk, spec: e.spec });
    else if (i === 0 && e.spec && (e.skipVerify || e.verdict === 'passed'))
      actions.push({
        kind: 'land',
        chunk: e.chunk,
        commit: e.spec,
        expectedBase: baseTip,
        verified: !e.skipVerify,
      });
    if (joinsChain(e) && !(e.verdict === 'passed' || e.skipVerify)) aheadPassed = false;
  });
  let free = input.freeSlots;
  const first = blamed[0];
  if (first) {
    if (input.baseHealth === 'passed') for (const b of blamed) actions.push({ kind: 'blame', ...b });
    else if (input.baseHealth === 'failed') actions.push({ kind: 'base_broken', ...first });
    else if (input.baseHealth === 'unknown' && free > 0) {
      // the base check goes first: until it is known, nobody can be blamed
      actions.push({ kind: 'check_base', commit: baseTip });
      free -= 1;
    }
  }
  for (const e of entries) {
    if (free <= 0) break;
    if (e.spec === null || e.running || e.skipVerify || e.contained || e.conflictFiles) continue;
    if (e.verdict === 'none' || e.verdict === 'suspect') {
      actions.push({ kind: 'verify', chunk: e.chunk, spec: e.spec });
      free -= 1;
    }
  }
  return actions;
}

/** How an entry reads in `ve orch train` and on the dashboard. */
export type TrainEntryState =
  | 'waiting'
  | 'verifying'
  | 'passed'
  | 'rerunning'
  | 'failed'
  | 'conflict'
  | 'landing';

export function entryState(e: TrainEntryView): TrainEntryState {
  if (e.contained) return 'landing';
  if (e.conflictFiles) return 'conflict';
  if (e.verdict === 'suspect') return e.running ? 'rerunning' : 'failed';
  if (e.verdict === 'failed') return 'failed';
  if (e.running) return 'verifying';
  if (e.verdict === 'passed' || e.skipVerify) return 'passed';
  return 'waiting';
}
