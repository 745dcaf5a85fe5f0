/**
 * The plan-approval gate (issue 11 §6): with `plan_approval` on, a finished PLAN waits as a PLAN item.
 * The operator reads the plan as committed on the unit's branch, then approves it (the unit moves on
 * to IMPLEMENT) or answers with feedback (attention/answer.ts resumes the PLAN session with it).
 */
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, NotFoundError, OrchError } from '../domain/errors.js';
import { nextPhase, type Phase, type WorkUnit } from '../domain/work-unit.js';
import type { AttentionLogStore, UnitStore } from '../ports/store.js';
import { acceptTestChanges, closeItem } from './item-actions.js';

export interface PlanView {
  chunk: string;
  /** PLAN.md as committed; null when there is none there */
  plan: string | null;
  /** where it was read: the unit's branch, or base when the unit has no branch yet */
  ref: string;
  /** the commit it was read at; null when `ref` does not exist */
  commit: string | null;
  /** the unit waits for this plan's approval (a PLAN item) */
  awaiting_approval: boolean;
}

export interface PlanDeps {
  store: Pick<UnitStore, 'get'>;
  /** tip commit of every `orch/<chunk>` branch */
  branchTips(): Promise<Map<string, string>>;
  baseTip(): Promise<string | null>;
  baseBranch: string;
  /** a file as committed at `commit`, or null */
  committedFile(commit: string, path: string): Promise<string | null>;
}

/** The unit's PLAN.md as committed: what IMPLEMENT will work from, not a working copy in between. */
export async function readPlan(deps: PlanDeps, chunk: string): Promise<PlanView> {
  const name = toChunkName(chunk);
  const unit = await deps.store.get(name);
  if (!unit) throw new NotFoundError('work unit', chunk);
  const tip = (await deps.branchTips()).get(name);
  const [ref, commit] =
    tip !== undefined ? [`orch/${name}`, tip] : [unit.base_branch ?? deps.baseBranch, await deps.baseTip()];
  const plan = commit === null ? null : await deps.committedFile(commit, `docs/chunks/${name}/PLAN.md`);
  const awaiting_approval = unit.status === 'NEEDS_ATTENTION' && unit.attention_kind === 'PLAN';
  return { chunk: name, plan, ref, commit, awaiting_approval };
}

export const PLAN_FEEDBACK_INTRO = 'The operator read your plan and asks for changes before approving it:';

/** What a PLAN item's answer becomes in the resumed PLAN session. */
export function planFeedback(chunk: string, feedback: string): string {
  return [
    PLAN_FEEDBACK_INTRO,
    '',
    feedback,
    '',
    `Revise docs/chunks/${chunk}/PLAN.md accordingly, commit it, and finish: the plan then goes back to the operator for approval.`,
  ].join('\n');
}

/**
 * Approves a PLAN item (the unit moves on to IMPLEMENT in a fresh session) or a TESTS item (it lands
 * with those test changes); audited with who approved.
 */
export async function approveItem(
  deps: { store: Pick<UnitStore, 'get' | 'transition'> & Pick<AttentionLogStore, 'recordAttentionAnswered'> },
  chunk: string,
  by: string,
): Promise<WorkUnit> {
  const name = toChunkName(chunk);
  const unit = await deps.store.get(name);
  if (!unit) throw new NotFoundError('work unit', chunk);
  if (unit.status === 'NEEDS_ATTENTION' && unit.attention_kind === 'TESTS')
    return acceptTestChanges(deps.store, unit, by);
  if (unit.status !== 'NEEDS_ATTENTION' || unit.attention_kind !== 'PLAN') {
    throw new OrchError(
      ErrorCode.invalid_transition,
      `work unit '${chunk}' has no plan or test changes waiting for approval (it is ${unit.status}${unit.attention_kind ? `, ${unit.attention_kind}` : ''} at ${unit.phase})`,
    );
  }
  const reason = `plan approved by ${by}`;
  const next = nextPhase(unit.phase) as Phase;
  return closeItem(deps.store, unit, { type: 'approve', phase: next }, { reason, by, answer: reason });
}
