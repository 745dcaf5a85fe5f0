/**
 * What a finished phase left in its worktree, read for its exit conditions (domain/exit-conditions).
 * Work the agent left uncommitted is committed first, on its behalf, and the log says which files.
 */

import { isOrchError } from '../domain/errors.js';
import type { PhaseFacts } from '../domain/exit-conditions.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { LogEvent } from '../ports/phase-log.js';
import type { RunnerDeps } from './runner-deps.js';

export async function gatherPhaseFacts(
  deps: Pick<RunnerDeps, 'worktrees' | 'chunks' | 'log'>,
  unit: WorkUnit,
  record: (event: LogEvent) => void,
): Promise<PhaseFacts> {
  const { worktrees, chunks } = deps;
  const worktree = unit.worktree as string;
  const message = `ve: commit what the ${unit.phase} session left uncommitted`;
  try {
    const files = await worktrees.commitAll(unit.chunk, message);
    if (files.length > 0) record({ type: 've_commit', files, message });
  } catch (e) {
    // unresolved merge conflicts cannot be committed: they stay dirty, and the check names them
    if (!isOrchError(e, 'conflict')) throw e;
    deps.log.info('left the worktree as it is: it has unresolved conflicts', { chunk: unit.chunk });
  }
  const state = await worktrees.inspect(unit.chunk, unit.phase_start_tip);
  return {
    chunk: unit.chunk,
    newCommits: state.newCommits,
    changedFiles: state.changedFiles,
    dirty: state.dirty,
    plan: await chunks.readArtifact(unit.chunk, 'PLAN.md', worktree),
    goal: await chunks.inspectGoal(unit.chunk, worktree),
  };
}
