/**
 * After COMPLETE (whose exit conditions say the chunk declared itself done): merge `orch/<c>` into
 * the base branch, or hand it to the landing train when landings are verified. The `finalizing` flag
 * makes this re-entrant: after a crash the unit goes straight back here.
 */
import type { OrchestratorConfig } from '../config/schema.js';
import { isChunkStatus } from '../domain/chunk-doc.js';
import { describeWeakening, findTestWeakening } from '../domain/test-weakening.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { RunnerDeps } from './runner-deps.js';

export async function finalizeUnit(
  deps: RunnerDeps,
  unit: WorkUnit,
  config: OrchestratorConfig,
): Promise<void> {
  const { store, worktrees } = deps;
  const base = unit.base_branch as string;
  const attend = async (kind: 'MERGE' | 'ERROR' | 'TESTS', reason: string, details?: unknown) => {
    await store.transition(
      unit.chunk,
      { type: 'attend', kind, reason, details },
      { source: 'runner', reason },
    );
  };
  if (!unit.finalizing) {
    await normalizeGoalStatus(deps, unit);
    unit = await store.update(unit.chunk, { finalizing: true }, { source: 'runner', reason: 'finalizing' });
  }

  if (unit.retain_worktree) {
    await worktrees.commitAll(unit.chunk, `ve: ${unit.chunk} complete`);
    await store.transition(
      unit.chunk,
      { type: 'finish' },
      { source: 'runner', reason: 'complete (worktree retained, not merged)' },
      { finalizing: false },
    );
    return;
  }

  // before it is verified or lands: passing tests prove little if the unit turned them off
  if (config.test_guard && !unit.tests_accepted && (await worktrees.exists(unit.chunk))) {
    const weakened = findTestWeakening(await worktrees.diff(unit.chunk, base));
    if (weakened.length > 0) {
      // finalizing stays set: approval, or `retry` after the operator restored the tests, comes back here
      await attend('TESTS', testsReason(unit.chunk, base, weakened.map(describeWeakening)), { weakened });
      return;
    }
  }

  const verify = await deps.verifySettings?.();
  // an unreadable ve.yaml also queues: nothing may land unverified because a file broke
  if (verify?.command || verify?.source === 'invalid') {
    // the landing train verifies the exact tree before it moves base (DESIGN §16); no agent slot is held
    if (await worktrees.exists(unit.chunk))
      await worktrees.commitAll(unit.chunk, `feat: chunk ${unit.chunk}`);
    await store.transition(
      unit.chunk,
      { type: 'enqueue', train_seq: deps.clock.now() },
      { source: 'runner', reason: `joined the landing train (verified by \`${verify.command ?? '?'}\`)` },
    );
    return;
  }

  const result = await deps.mergeQueue.submit(unit.chunk, () => worktrees.finalize(unit.chunk, base));
  switch (result.kind) {
    case 'merged':
      await store.transition(
        unit.chunk,
        { type: 'finish' },
        {
          source: 'runner',
          reason: result.commit
            ? `merged into ${base} at ${result.commit.slice(0, 12)}`
            : `nothing left to merge into ${base}`,
        },
        { finalizing: false, worktree: null },
      );
      return;
    case 'conflict':
      if (unit.merge_conflict_retries >= config.merge_conflict_max_retries) {
        await store.update(unit.chunk, { finalizing: false }, { source: 'runner' });
        await attend(
          'MERGE',
          `Merge into ${base} conflicts after ${unit.merge_conflict_retries} rebase rounds (${result.files.join(', ')}): resolve it by hand, then retry`,
        );
        return;
      }
      await store.transition(
        unit.chunk,
        {
          type: 'advance',
          phase: 'REBASE',
          reentry_context: `Merging orch/${unit.chunk} into ${base} conflicts in: ${result.files.join(', ') || '(unknown files)'}. Merge ${base} into this branch, resolve the conflicts keeping both intents, run the tests, and commit.`,
        },
        { source: 'runner', reason: 'merge conflict: rebase' },
        { finalizing: false, merge_conflict_retries: unit.merge_conflict_retries + 1 },
      );
      return;
    case 'refused':
      // finalizing stays set: `retry` goes straight back to the merge once the operator is ready
      await attend('MERGE', `Merge into ${base} refused: ${result.message}`);
      return;
  }
}

function testsReason(chunk: string, base: string, findings: string[]): string {
  return [
    `orch/${chunk} weakens the tests that would verify it before it lands on ${base}:`,
    ...findings.map((f) => `- ${f}`),
    `Land it with these changes: ve orch approve ${chunk}. Or send it back: ve orch answer ${chunk} "<what to do>".`,
  ].join('\n');
}

/**
 * The COMPLETE check accepts a status in another case (`status: active`); the document on base gets
 * the canonical one, so everything that reads GOAL.md later agrees.
 */
async function normalizeGoalStatus(deps: RunnerDeps, unit: WorkUnit): Promise<void> {
  const worktree = unit.worktree;
  if (!worktree || !(await deps.worktrees.exists(unit.chunk))) return;
  const goal = await deps.chunks.inspectGoal(unit.chunk, worktree);
  const raw = goal?.status ?? null;
  const canonical = raw?.toUpperCase() ?? null;
  if (raw === null || canonical === raw || !isChunkStatus(canonical)) return;
  await deps.chunks.setStatus(unit.chunk, canonical, worktree);
  await deps.worktrees.commitAll(unit.chunk, `ve: GOAL.md status ${raw} → ${canonical}`);
}
