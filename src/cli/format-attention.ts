/** Pure text rendering of the attention queue, parked questions and plans to approve. */
import type { AttentionItemDto, PlanDto } from '../api/dto.js';
import type { PendingQuestion } from '../domain/work-unit.js';
import { renderMarkdown } from './format-markdown.js';
import { formatDuration } from './format-units.js';
import { type CliIo, paint } from './output.js';

/** The questions of a parked AskUserQuestion with their numbered options, indented by `indent`. */
export function renderQuestion(q: PendingQuestion, indent = '    '): string[] {
  const lines: string[] = [];
  q.questions.forEach((item, i) => {
    const prefix = q.questions.length > 1 ? `Q${i + 1}: ` : 'Q: ';
    const header = item.header ? `[${item.header}] ` : '';
    // a question asked in prose can span paragraphs: its later lines stay under the Q:
    const [first = '', ...rest] = item.question.split('\n');
    lines.push(`${indent}${prefix}${header}${first}${item.multiSelect ? ' (several allowed)' : ''}`);
    for (const line of rest) lines.push(line.trim() === '' ? '' : `${indent}  ${line}`);
    item.options.forEach((o, n) => {
      lines.push(`${indent}  ${n + 1}. ${o.label}${o.description ? ` - ${o.description}` : ''}`);
    });
  });
  return lines;
}

/**
 * Ranked items as `[i] chunk  KIND  PHASE  blocks:N  waiting:T`, then the reason, the question(s)
 * with numbered options, and the goal summary.
 */
export function renderAttention(io: Pick<CliIo, 'color'>, items: readonly AttentionItemDto[]): string[] {
  if (items.length === 0) return ['Nothing needs your attention'];
  const lines = [
    paint(io, 'bold', `ATTENTION (${items.length} item${items.length === 1 ? '' : 's'})`),
    '─'.repeat(60),
  ];
  items.forEach((item, i) => {
    const head = [
      `[${i + 1}] ${paint(io, 'bold', item.chunk)}`,
      paint(io, 'yellow', item.kind),
      item.phase,
      `blocks:${item.blocks_count}`,
      `waiting:${formatDuration(item.waiting_seconds)}`,
    ].join('  ');
    lines.push(head);
    lines.push(`    ${item.reason.replace(/\s+/g, ' ').trim()}`);
    if (item.question) lines.push(...renderQuestion(item.question));
    if (item.blocked_by.length > 0) lines.push(`    Blocked by: ${item.blocked_by.join(', ')}`);
    if (item.goal_summary) lines.push(`    Goal: ${item.goal_summary}`);
    lines.push('');
  });
  lines.push(
    `Answer with: ve orch answer <chunk> "<text>" (or --option N); retry with: ve orch retry <chunk>`,
  );
  return lines;
}

/** `ve orch plan`: where the plan was read, the plan rendered, and how to act on it when it waits. */
export function renderPlan(io: Pick<CliIo, 'color'>, p: PlanDto): string[] {
  const file = `docs/chunks/${p.chunk}/PLAN.md`;
  const at = p.commit ? ` at ${p.commit.slice(0, 7)}` : '';
  const head = paint(io, 'dim', `${file} as committed on ${p.ref}${at}`);
  if (p.plan === null) return [head, `No ${file} is committed on ${p.ref}.`];
  const lines = [head, '', ...renderMarkdown(io, p.plan)];
  if (p.awaiting_approval) {
    lines.push(
      '',
      paint(io, 'yellow', `${p.chunk} waits for your approval of this plan.`),
      `Approve: ve orch approve ${p.chunk}    Ask for changes: ve orch answer ${p.chunk} "<what to change>"`,
    );
  }
  return lines;
}
