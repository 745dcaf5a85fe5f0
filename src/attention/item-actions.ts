/**
 * Acting on an attention item: the unit's transition and the answer in the attention log, together.
 * The failed-verification (VERIFY) item's own actions live here too: send back with guidance, and
 * land anyway.
 */
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { UnitEvent } from '../domain/transitions.js';
import type { WorkUnit } from '../domain/work-unit.js';
import type { AttentionLogStore, UnitFieldPatch, UnitStore } from '../ports/store.js';

type ItemStore = Pick<UnitStore, 'transition'> & Pick<AttentionLogStore, 'recordAttentionAnswered'>;

/** One guarded transition for the item's unit, and the answer recorded against the raised item. */
export async function closeItem(
  store: ItemStore,
  unit: WorkUnit,
  event: UnitEvent,
  how: { reason: string; by: string; answer: string; questionId?: string | null; fields?: UnitFieldPatch },
): Promise<WorkUnit> {
  const next = await store.transition(
    unit.chunk,
    event,
    { source: 'api', expectedVersion: unit.version, reason: how.reason, actor: how.by },
    how.fields,
  );
  await store.recordAttentionAnswered({
    chunk: unit.chunk,
    question_id: how.questionId ?? null,
    answer: how.answer,
    answered_by: how.by,
  });
  return next;
}

/**
 * Answering a VERIFY or TESTS item sends the unit back to its agent: a fresh IMPLEMENT session that
 * gets what was found (the item's text) and the operator's guidance.
 */
export function sendBackWithGuidance(
  store: ItemStore,
  unit: WorkUnit,
  guidance: string,
  by: string,
): Promise<WorkUnit> {
  const base = unit.base_branch ?? 'the base branch';
  const tests = unit.attention_kind === 'TESTS';
  const context = [
    unit.attention_reason ?? 'The verify command failed on the merge of this branch with the base branch.',
    '',
    `Operator guidance: ${guidance}`,
    '',
    tests
      ? 'Unless the guidance says otherwise, bring back every test you deleted, skipped or focused and the test script as it was, make the code pass them, and commit.'
      : `Merge ${base} into this branch first (\`git merge ${base}\`; resolve any conflict), then fix the failure, run the verify command yourself until it passes, and commit.`,
  ].join('\n');
  return closeItem(
    store,
    unit,
    { type: 'send_back', phase: 'IMPLEMENT', reentry_context: context },
    { reason: `sent back with guidance by ${by}`, by, answer: guidance, fields: { implement_iterations: 0 } },
  );
}

/**
 * Approving a TESTS item: the operator lets the unit land with the test changes the guard found. It
 * goes on to its landing (verified as usual) and is not stopped for them again, until its agent
 * works on it again. Audited with who decided.
 */
export function acceptTestChanges(store: ItemStore, unit: WorkUnit, by: string): Promise<WorkUnit> {
  const reason = `test changes accepted by ${by}`;
  return closeItem(
    store,
    unit,
    { type: 'retry' },
    { reason, by, answer: reason, fields: { tests_accepted: true } },
  );
}

/**
 * The operator's override on a VERIFY item: the unit re-enters the landing train and lands without
 * its verification (still in train order, still by compare-and-swap). Audited with who decided.
 */
export function landUnverified(store: ItemStore, unit: WorkUnit, by: string, now: number): Promise<WorkUnit> {
  if (unit.status !== 'NEEDS_ATTENTION' || unit.attention_kind !== 'VERIFY') {
    throw new OrchError(
      ErrorCode.invalid_transition,
      `work unit '${unit.chunk}' has no failed verification to override (status ${unit.status}${unit.attention_kind ? `, ${unit.attention_kind}` : ''})`,
    );
  }
  const reason = `land WITHOUT verification: operator override by ${by}`;
  return closeItem(
    store,
    unit,
    { type: 'enqueue', train_seq: now, land_unverified: true },
    { reason, by, answer: reason },
  );
}
