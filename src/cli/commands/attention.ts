/**
 * `ve orch attention|answer|plan|approve|retry|retry-all|kill|interrupt`: the operator's inbox and
 * replies.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { AnswerRequest, AttentionListDto, PlanDto, WorkUnitDto } from '../../api/dto.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import type { PendingQuestion } from '../../domain/work-unit.js';
import { choiceArg, chunkArg, collect, intArg, phaseArg } from '../args.js';
import { unitPath } from '../client.js';
import { type CommonOptions, commandContext, leafCommand, viewCommand } from '../command-kit.js';
import { renderAttention, renderPlan } from '../format-attention.js';
import type { CliIo } from '../output.js';

export function registerAttentionCommands(orch: Command, io: CliIo): void {
  viewCommand<AttentionListDto>(
    orch,
    io,
    {
      name: 'attention',
      description: 'what needs you, most blocking first: questions, reviews, errors, conflicts',
      examples: ['ve orch attention', 've orch attention --json | jq ".items[0].chunk"'],
      path: '/api/attention',
    },
    (res) => renderAttention(io, res.items),
  );

  leafCommand(orch, 'answer <chunk> [text]', "answer a unit's question; it resumes the same session", [
    've orch answer auth_login "Use JWT with a 15 minute expiry"',
    've orch answer auth_login --option 2',
    've orch answer auth_login --for "Which store?=Redis" --for "TTL?=15m"',
  ])
    .option('--option <n>', 'pick option N (1-based) of the first question')
    .option('--question-id <id>', 'the question being answered; refused if another one is pending now')
    .option('--for <question=answer>', 'answer one question by its text (repeatable)', collect)
    .action(
      async (
        chunk: string,
        text: string | undefined,
        opts: CommonOptions & { option?: string; questionId?: string; for?: string[] },
      ) => {
        const name = chunkArg(chunk);
        const body: AnswerRequest = { answered_by: `${operatorName()} (cli)` };
        if (text !== undefined) {
          if (text.trim().length === 0)
            throw new OrchError(ErrorCode.invalid_input, 'the answer text is empty');
          body.answer = text;
        }
        if (opts.option !== undefined) body.option = intArg(opts.option, '--option', { min: 1 });
        if (opts.questionId !== undefined) body.question_id = opts.questionId;
        const ctx = commandContext(io, opts);
        if (opts.for && opts.for.length > 0) {
          const unit = await ctx.client.get<WorkUnitDto>(unitPath(name));
          body.answers = parseForAnswers(opts.for, unit.question);
        }
        if (body.answer === undefined && body.option === undefined && body.answers === undefined) {
          throw new OrchError(
            ErrorCode.invalid_input,
            'give an answer text, --option N or --for "question=answer"',
          );
        }
        const unit = await ctx.client.post<WorkUnitDto>(unitPath(name, '/answer'), body);
        ctx.emit(unit, () => [`Answered ${unit.chunk}; it is ${unit.status} and will resume ${unit.phase}`]);
      },
    );

  leafCommand(orch, 'plan <chunk>', "show a unit's PLAN.md as committed on its branch, for reading", [
    've orch plan auth_login',
    've orch plan auth_login --json | jq -r .plan',
  ]).action(async (chunk: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    const ctx = commandContext(io, opts);
    const plan = await ctx.client.get<PlanDto>(unitPath(name, '/plan'));
    ctx.emit(plan, () => renderPlan(io, plan));
  });

  leafCommand(
    orch,
    'approve <chunk>',
    'approve what a unit waits with: its plan (it moves on to IMPLEMENT), or the test changes the test guard stopped it for (it goes on to land)',
    [
      've orch plan auth_login && ve orch approve auth_login',
      've orch approve legacy_cleanup   # a TESTS item',
    ],
  ).action(async (chunk: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    const ctx = commandContext(io, opts);
    const unit = await ctx.client.post<WorkUnitDto>(unitPath(name, '/approve'), {
      approved_by: `${operatorName()} (cli)`,
    });
    ctx.emit(unit, () => [
      unit.tests_accepted
        ? `Accepted the test changes of ${unit.chunk}; it goes on to land (verified as usual).`
        : `Approved the plan of ${unit.chunk}; it is ${unit.status} and will start ${unit.phase}`,
    ]);
  });

  leafCommand(
    orch,
    'retry <chunk>',
    'retry a unit that needs attention: a TURNS item continues its session with more turns, a VERIFY item is verified again, any other item reruns its phase in a fresh session',
    ['ve orch retry auth_login'],
  ).action(async (chunk: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    const ctx = commandContext(io, opts);
    const unit = await ctx.client.post<WorkUnitDto>(unitPath(name, '/retry'));
    const what =
      unit.status === 'VERIFYING'
        ? 'it is queued to be verified again'
        : unit.session_id !== null
          ? `${unit.phase} continues its session`
          : `${unit.phase} is queued for a fresh run`;
    ctx.emit(unit, () => [`Retried ${unit.chunk}: ${what}`]);
  });

  leafCommand(orch, 'retry-all', 'retry every unit that needs attention (optionally only at one phase)', [
    've orch retry-all',
    've orch retry-all --phase IMPLEMENT',
  ])
    .option('--phase <phase>', 'only units at this phase')
    .action(async (opts: CommonOptions & { phase?: string }) => {
      const phase = opts.phase === undefined ? undefined : phaseArg(opts.phase);
      const ctx = commandContext(io, opts);
      const res = await ctx.client.post<{ count: number; chunks: string[] }>(
        '/api/work-units/retry-all',
        {},
        { phase },
      );
      ctx.emit(res, () =>
        res.count === 0
          ? [`No NEEDS_ATTENTION work units to retry${phase ? ` at phase ${phase}` : ''}`]
          : [`Retried ${res.count} work unit(s):`, ...res.chunks.map((c) => `  ${c}`)],
      );
    });

  leafCommand(orch, 'kill <chunk>', 'stop the running phase now and park the unit (ready or attention)', [
    've orch kill auth_login',
    've orch kill auth_login --to ready',
  ])
    .option('--to <where>', 'ready (dispatch again, the default) or attention (wait for you)')
    .action(async (chunk: string, opts: CommonOptions & { to?: string }) => {
      const name = chunkArg(chunk);
      const to =
        opts.to === undefined
          ? undefined
          : choiceArg(opts.to, ['ready', 'attention'] as const, '--to target');
      const ctx = commandContext(io, opts);
      const unit = await ctx.client.post<WorkUnitDto>(
        unitPath(name, '/kill'),
        to === undefined ? {} : { to },
      );
      ctx.emit(unit, () => [`Killed ${unit.chunk}: now [${unit.phase}] ${unit.status}`]);
    });

  leafCommand(
    orch,
    'interrupt <chunk> <guidance>',
    'send guidance into the running agent session of a unit',
    ['ve orch interrupt auth_login "Stop refactoring the router; only touch src/auth/"'],
  ).action(async (chunk: string, guidance: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    if (guidance.trim().length === 0)
      throw new OrchError(ErrorCode.invalid_input, 'the guidance text is empty');
    const ctx = commandContext(io, opts);
    const res = await ctx.client.post<{ delivered: boolean }>(unitPath(name, '/interrupt'), { guidance });
    ctx.emit(res, () => [
      res.delivered ? `Guidance delivered to ${name}` : `Guidance was not delivered to ${name}`,
    ]);
  });
}

/**
 * `--for "question=answer"` values → answers keyed by question text. The split point is found by
 * matching the pending questions' texts (which may contain '='), else the first '='.
 */
export function parseForAnswers(
  values: readonly string[],
  pending: PendingQuestion | null,
): Record<string, string> {
  const texts = (pending?.questions ?? []).map((q) => q.question).sort((a, b) => b.length - a.length);
  const answers: Record<string, string> = {};
  for (const v of values) {
    const known = texts.find((t) => v.startsWith(`${t}=`));
    const cut = known !== undefined ? known.length : v.indexOf('=');
    if (cut <= 0) throw new OrchError(ErrorCode.invalid_input, `--for expects "question=answer", got '${v}'`);
    const question = known ?? v.slice(0, cut).trim();
    const answer = v.slice(cut + 1).trim();
    if (answer.length === 0)
      throw new OrchError(ErrorCode.invalid_input, `--for '${question}' has an empty answer`);
    answers[question] = answer;
  }
  return answers;
}

/** Who answers, for the audit trail: the login name, or $USER when the OS cannot say. */
function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'operator';
  }
}
