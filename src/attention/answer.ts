/**
 * Answering an attention item. A live agent waiting on the question gets the answer in its session at
 * once; otherwise the answer is stored and the phase resumes its saved session with it. An answer to
 * anything but the item pending now is refused, so a stale question can never reach a later phase.
 */
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import type { PendingQuestion, WorkUnit } from '../domain/work-unit.js';
import type { QuestionAnswer } from '../ports/agent-backend.js';
import type { LivePhases } from '../ports/live-phases.js';
import type { AttentionLogStore, UnitStore } from '../ports/store.js';
import { closeItem, sendBackWithGuidance } from './item-actions.js';
import { planFeedback } from './plan-approval.js';

export interface AnswerInput {
  answer?: string;
  /** 1-based option of the first question */
  option?: number;
  answers?: Record<string, string>;
  question_id?: string;
  answered_by?: string;
}

export interface AnswerDeps {
  store: UnitStore & AttentionLogStore;
  live: LivePhases;
}

export async function answerItem(deps: AnswerDeps, chunk: string, input: AnswerInput): Promise<WorkUnit> {
  const name = toChunkName(chunk);
  const unit = await deps.store.get(name);
  if (!unit) throw new OrchError(ErrorCode.not_found, `work unit '${chunk}' not found`);
  if (unit.status !== 'NEEDS_ATTENTION') {
    throw new OrchError(
      ErrorCode.conflict,
      `work unit '${chunk}' is not waiting for an answer (status ${unit.status})`,
    );
  }
  if (unit.attention_kind === 'CONFLICT') {
    throw new OrchError(
      ErrorCode.conflict,
      `'${chunk}' waits on a conflict decision: use 've orch resolve ${chunk} --with <other> parallelize|serialize'`,
    );
  }
  if (input.question_id !== undefined && input.question_id !== unit.question?.id) {
    throw new OrchError(
      ErrorCode.conflict,
      `that question is no longer pending for '${chunk}' (it was answered, withdrawn or replaced)`,
    );
  }
  const resolved = unit.question ? answersFor(unit.question, input) : { answers: {}, text: freeText(input) };
  const by = input.answered_by ?? 'operator';
  if (unit.attention_kind === 'VERIFY' || unit.attention_kind === 'TESTS')
    return sendBackWithGuidance(deps.store, unit, resolved.text, by);
  // feedback on a plan resumes the PLAN session framed as such; the plan then comes back for approval
  const text = unit.attention_kind === 'PLAN' ? planFeedback(unit.chunk, resolved.text) : resolved.text;
  const qid = unit.question?.id ?? null;
  const live = qid !== null && deps.live.waitingQuestion(name) === qid;
  const next = await closeItem(
    deps.store,
    unit,
    live ? { type: 'resume', answer: text } : { type: 'answer', answer: text },
    { reason: `answered by ${by}`, by, answer: resolved.text, questionId: qid },
  );
  if (live && qid !== null) deps.live.deliverAnswer(name, qid, { answers: resolved.answers });
  return next;
}

function freeText(input: AnswerInput): string {
  const text = input.answer?.trim();
  if (!text)
    throw new OrchError(ErrorCode.invalid_input, 'give an answer: text, --option N, or per-question answers');
  return text;
}

/** Maps the operator's input onto the agent's questions: one answer per question text. */
export function answersFor(
  question: PendingQuestion,
  input: AnswerInput,
): { answers: QuestionAnswer['answers']; text: string } {
  const answers: Record<string, string> = {};
  const first = question.questions[0];
  if (input.option !== undefined) {
    if (!first)
      throw new OrchError(ErrorCode.invalid_input, 'the pending item has no options to choose from');
    const chosen = first.options[input.option - 1];
    if (!Number.isInteger(input.option) || !chosen) {
      throw new OrchError(ErrorCode.invalid_input, `option must be 1..${first.options.length}`);
    }
    answers[first.question] = chosen.label;
  }
  for (const [q, a] of Object.entries(input.answers ?? {})) {
    if (!question.questions.some((x) => x.question === q)) {
      throw new OrchError(
        ErrorCode.invalid_input,
        `no pending question reads ${JSON.stringify(q.slice(0, 80))}`,
      );
    }
    if (typeof a !== 'string' || a.trim() === '')
      throw new OrchError(ErrorCode.invalid_input, 'answers must be non-empty text');
    answers[q] = a.trim();
  }
  const text = input.answer?.trim();
  for (const q of question.questions)
    if (answers[q.question] === undefined && text) answers[q.question] = text;
  const missing = question.questions.filter((q) => answers[q.question] === undefined);
  if (missing.length > 0) {
    throw new OrchError(
      ErrorCode.invalid_input,
      `no answer for: ${missing.map((q) => JSON.stringify(q.question)).join(', ')}`,
    );
  }
  return {
    answers,
    text: question.questions.map((q) => `${q.question} → ${answers[q.question]}`).join('\n'),
  };
}
