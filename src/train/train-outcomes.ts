/**
 * What the train does to a unit: land it, finish it, send it back to its agent with the failing
 * output, or raise an item. Each is one transition (plus the git work it implies); a unit the operator
 * changed meanwhile is left alone (its next change re-plans the train).
 */
import { isOrchError } from '../domain/errors.js';
import type { AttentionKind, Phase, WorkUnit } from '../domain/work-unit.js';
import type { UnitFieldPatch, WriteOptions } from '../ports/store.js';
import type { VerifyResult } from '../ports/train.js';
import type { TrainDeps, TrainSettings } from './train-deps.js';
import type { VerifyRuns } from './verify-runs.js';

export interface TrainOutcomes {
  land(
    unit: WorkUnit,
    commit: string,
    expectedBase: string,
    verified: boolean,
    s: TrainSettings,
  ): Promise<boolean>;
  finishContained(unit: WorkUnit): Promise<boolean>;
  conflict(unit: WorkUnit, files: string[]): Promise<boolean>;
  blame(unit: WorkUnit, spec: string, s: TrainSettings): Promise<boolean>;
  baseBroken(unit: WorkUnit, s: TrainSettings): Promise<boolean>;
  baseMissing(unit: WorkUnit): Promise<boolean>;
}

export function trainOutcomes(deps: TrainDeps, runs: VerifyRuns): TrainOutcomes {
  const base = deps.baseBranch;
  const note = (chunk: string, text: string) => {
    const event = { type: 'train' as const, text, at: new Date(deps.clock.now()).toISOString() };
    const seq = deps.phaseLog.append(chunk, 'VERIFY', event);
    deps.bus.publish({ type: 'phase_log', chunk, phase: 'VERIFY', event: { seq, event } });
  };
  /** one guarded transition; false when the unit moved on meanwhile */
  const move = async (
    unit: WorkUnit,
    event: Parameters<TrainDeps['store']['transition']>[1],
    reason: string,
    fields?: UnitFieldPatch,
    opts: Partial<WriteOptions> = {},
  ): Promise<boolean> => {
    try {
      await deps.store.transition(
        unit.chunk,
        event,
        { source: 'train', expectedVersion: unit.version, reason, ...opts },
        fields,
      );
      return true;
    } catch (e) {
      if (
        isOrchError(e, 'stale_write') ||
        isOrchError(e, 'invalid_transition') ||
        isOrchError(e, 'not_found')
      ) {
        deps.log.info('train: unit changed meanwhile; left as it is', {
          chunk: unit.chunk,
          event: event.type,
        });
        return true;
      }
      throw e;
    }
  };
  const attend = (
    unit: WorkUnit,
    kind: AttentionKind,
    reason: string,
    details?: unknown,
    fields?: UnitFieldPatch,
  ) => move(unit, { type: 'attend', kind, reason, details }, reason, fields);
  /** after landing: worktree and branch go; a failure there leaves litter, never lost work */
  const tidy = async (unit: WorkUnit) => {
    try {
      await deps.worktrees.remove(unit.chunk, { force: true, keepBranch: false, baseBranch: base });
    } catch (error) {
      deps.log.warn('landed, but the worktree could not be removed', { chunk: unit.chunk, error });
    }
  };

  return {
    async land(unit, commit, expectedBase, verified, s) {
      const r = await deps.landing.land(base, expectedBase, commit);
      if (r.kind === 'moved') {
        deps.log.info('train: base moved before landing; rebuilding on the new tip', {
          chunk: unit.chunk,
          tip: r.tip,
        });
        return true;
      }
      if (r.kind === 'refused') {
        // finalizing stays set: `retry` brings it back into the train once the operator is ready
        return attend(unit, 'MERGE', `Landing on ${base} refused: ${r.message}`);
      }
      const short = commit.slice(0, 12);
      const how = verified ? `verified by \`${s.command}\`` : 'WITHOUT verification (operator override)';
      note(unit.chunk, `landed on ${base} at ${short}, ${how}`);
      await tidy(unit);
      // unguarded: base has moved, so this must be recorded whatever else changed on the unit meanwhile
      return move(
        unit,
        { type: 'finish' },
        `landed on ${base} at ${short}, ${how}`,
        { finalizing: false, worktree: null },
        { expectedVersion: undefined },
      );
    },

    async finishContained(unit) {
      note(unit.chunk, `nothing left to land: the branch is already in ${base}`);
      await tidy(unit);
      return move(unit, { type: 'finish' }, `nothing left to merge into ${base}`, {
        finalizing: false,
        worktree: null,
      });
    },

    async conflict(unit, files) {
      const s = await deps.settings();
      const list = files.join(', ') || '(unknown files)';
      if (unit.merge_conflict_retries >= s.mergeConflictMaxRetries) {
        return attend(
          unit,
          'MERGE',
          `Merge into ${base} conflicts after ${unit.merge_conflict_retries} rebase rounds (${list}): resolve it by hand, then retry`,
          { files },
          { finalizing: false },
        );
      }
      note(unit.chunk, `conflicts with ${base} in ${list}: back to REBASE`);
      return move(
        unit,
        {
          type: 'send_back',
          phase: 'REBASE',
          reentry_context: `Merging orch/${unit.chunk} into ${base} conflicts in: ${list}. Merge ${base} into this branch, resolve the conflicts keeping both intents, run the tests, and commit.`,
        },
        'merge conflict: rebase',
        { merge_conflict_retries: unit.merge_conflict_retries + 1 },
      );
    },

    async blame(unit, spec, s) {
      const failure = runs.lastFailure(spec);
      const report = failureReport(s, failure?.result ?? null);
      const details = {
        run_id: failure?.runId ?? null,
        command: s.command,
        exit_code: failure?.result.exitCode ?? null,
      };
      if (failure?.result.outcome === 'error') {
        return attend(unit, 'VERIFY', `Verification could not run: ${failure.result.message}`, details);
      }
      if (unit.verify_retries >= s.maxRetries) {
        return attend(
          unit,
          'VERIFY',
          `Verification failed after ${unit.verify_retries} round(s) back to the agent (limit ${s.maxRetries}). ${report}`,
          details,
        );
      }
      let phase: Phase = 'IMPLEMENT';
      try {
        if ((await deps.landing.mergeBaseIntoBranch(unit.chunk, base)).kind === 'conflict') phase = 'REBASE';
      } catch (error) {
        deps.log.error('could not merge base into a unit sent back', { chunk: unit.chunk, error });
        return attend(
          unit,
          'VERIFY',
          `Verification failed, and ${base} could not be merged into the branch: ${String(error)}. ${report}`,
          details,
        );
      }
      note(
        unit.chunk,
        `verification failed: back to ${phase} (round ${unit.verify_retries + 1} of ${s.maxRetries})`,
      );
      return move(
        unit,
        {
          type: 'send_back',
          phase,
          reentry_context: sendBackContext(unit.chunk, base, s, failure?.result ?? null, phase),
        },
        `verification failed: back to ${phase}`,
        { verify_retries: unit.verify_retries + 1, implement_iterations: 0 },
      );
    },

    async baseBroken(unit, s) {
      const check = runs.lastFailure((await deps.landing.baseTip(base)) ?? '');
      return attend(
        unit,
        'VERIFY',
        `${base} itself fails the verify command, so no unit is blamed; fix ${base} (or the command), then retry to verify again. ${failureReport(s, check?.result ?? null)}`,
        { command: s.command, base_check_run: check?.runId ?? null },
      );
    },

    async baseMissing(unit) {
      return attend(
        unit,
        'MERGE',
        `cannot land: base '${base}' is not a branch; the work stays on orch/${unit.chunk}`,
      );
    },
  };
}

/** How the failure reads in an item: what ran, how it ended, the last lines of its output. */
export function failureReport(s: Pick<TrainSettings, 'command'>, r: VerifyResult | null): string {
  if (!r) return `\`${s.command}\` failed.`;
  const how = r.message ?? (r.exitCode !== null ? `exited ${r.exitCode}` : 'failed');
  return `\`${s.command}\` ${how}.${r.tail ? `\nLast output:\n${r.tail}` : ''}`;
}

/** The re-entry context a unit sent back gets: enough to fix the failure without asking anyone. */
export function sendBackContext(
  chunk: string,
  base: string,
  s: Pick<TrainSettings, 'command'>,
  r: VerifyResult | null,
  phase: Phase,
): string {
  const how =
    r?.message ??
    (r?.exitCode !== null && r?.exitCode !== undefined ? `exit code ${r.exitCode}` : 'it failed');
  const merged =
    phase === 'REBASE'
      ? `Merging ${base} into this branch conflicts: run \`git merge ${base}\`, resolve the conflicts keeping both intents, and commit the merge first.`
      : `${base} has been merged into this branch, so you are working on what would have landed.`;
  return [
    `Before landing orch/${chunk}, ve merged it with ${base} (and the units landing ahead of it) and ran the project's verify command on the result in a clean checkout. It failed, so nothing landed.`,
    '',
    `Command: \`${s.command}\``,
    `Result: ${how}${r?.sandboxed ? ' (run in the OS sandbox)' : ''}`,
    '',
    'Last lines of its output:',
    '```',
    r?.tail || '(no output)',
    '```',
    '',
    merged,
    `Find the cause, fix it on this branch, run \`${s.command}\` yourself until it passes, and commit. If the failure is not caused by this chunk and you cannot fix it here, ask the operator with AskUserQuestion.`,
  ].join('\n');
}
