/** Pure text rendering of work units: the ps and queue tables, `work-unit show`, inject results, history. */
import type {
  ConfigDto,
  HistoryDto,
  HostSummaryDto,
  InjectResponse,
  UnitPageDto,
  WorkUnitDto,
} from '../api/dto.js';
import { formatSpent, formatUsd } from '../domain/budget.js';
import type { Status } from '../domain/work-unit.js';
import { unitHost } from './format-hosts.js';
import { type CliIo, type Colour, type Column, paint, renderTable } from './output.js';

type Painter = Pick<CliIo, 'color'>;

export const STATUS_COLOUR: Record<Status, Colour> = {
  READY: 'cyan',
  RUNNING: 'blue',
  BLOCKED: 'magenta',
  NEEDS_ATTENTION: 'yellow',
  VERIFYING: 'cyan',
  DONE: 'green',
};

/** `$0.00`, `$0.0031`, `$1.25`: small costs keep two significant places. */
export function formatCost(usd: number): string {
  return formatUsd(usd);
}

/** The per-unit limits a unit's spend is shown against (`ve orch config`). */
export type UnitLimits = Pick<ConfigDto, 'unit_budget_usd' | 'unit_budget_tokens'>;
const NO_LIMITS: UnitLimits = { unit_budget_usd: null, unit_budget_tokens: null };

/** `$3.20`, or `$3.20 of $5.00` when the unit has a USD limit. */
export function formatUnitCost(u: WorkUnitDto, limits: UnitLimits): string {
  const of = limits.unit_budget_usd;
  return of === null ? formatCost(u.cost_usd) : formatSpent({ limit: 'unit_usd', spent: u.cost_usd, of });
}

/** `1,200 in / 300 out`, with `(1,500 of 5,000 tokens)` when the unit has a token limit. */
export function formatUnitTokens(u: WorkUnitDto, limits: UnitLimits): string {
  const io = `${formatTokens(u.tokens_in)} in / ${formatTokens(u.tokens_out)} out`;
  const of = limits.unit_budget_tokens;
  return of === null
    ? io
    : `${io} (${formatSpent({ limit: 'unit_tokens', spent: u.tokens_in + u.tokens_out, of })})`;
}

/** 42s, 5m, 1.3h (reference §5 attention format), also used for uptime. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

export function formatTokens(n: number): string {
  return n.toLocaleString('en-US');
}

function reasonOf(u: WorkUnitDto): string {
  if (u.status !== 'NEEDS_ATTENTION' || !u.attention_reason) return '';
  return u.attention_kind ? `${u.attention_kind}: ${u.attention_reason}` : u.attention_reason;
}

/**
 * `ve orch ps`: CHUNK PHASE STATUS HOST BLOCKED-BY COST (against the unit limit, if any), TOKENS
 * with a token limit, and REASON when any unit needs attention. `trainPositions`: each VERIFYING
 * unit's place in the landing train, shown as `VERIFYING #2`; `hosts`: the pool, to say which units
 * wait for their host (HOST shows only when a unit has one other than `local`).
 */
export function renderUnitTable(
  io: Painter,
  units: readonly WorkUnitDto[],
  opts: {
    trainPositions?: ReadonlyMap<string, number>;
    limits?: UnitLimits;
    hosts?: readonly HostSummaryDto[];
  } = {},
): string[] {
  if (units.length === 0) return ['No work units'];
  const trainPositions = opts.trainPositions ?? new Map<string, number>();
  const limits = opts.limits ?? NO_LIMITS;
  const statusOf = (u: WorkUnitDto) => {
    const at = u.status === 'VERIFYING' ? trainPositions.get(u.chunk) : undefined;
    return at === undefined ? u.status : `${u.status} #${at}`;
  };
  const columns: Column<WorkUnitDto>[] = [
    { header: 'CHUNK', value: (u) => u.chunk },
    { header: 'PHASE', value: (u) => u.phase },
    { header: 'STATUS', value: statusOf, colour: (u) => STATUS_COLOUR[u.status] ?? null },
    ...(units.some((u) => u.host !== null && u.host !== 'local')
      ? [{ header: 'HOST', value: (u: WorkUnitDto) => unitHost(u, opts.hosts ?? []), max: 32 }]
      : []),
    {
      header: 'BLOCKED-BY',
      value: (u) => (u.blocked_by.length > 0 ? u.blocked_by.join(', ') : '-'),
      max: 40,
    },
    { header: 'COST', value: (u) => formatUnitCost(u, limits) },
  ];
  const tokenLimit = limits.unit_budget_tokens;
  if (tokenLimit !== null) {
    columns.push({
      header: 'TOKENS',
      value: (u) => formatSpent({ limit: 'unit_tokens', spent: u.tokens_in + u.tokens_out, of: tokenLimit }),
    });
  }
  if (units.some((u) => reasonOf(u) !== '')) {
    columns.push({ header: 'REASON', value: (u) => reasonOf(u) || '-', max: 60 });
  }
  return renderTable(io, columns, units);
}

/** what `ve orch ps` asked for, so that the next-page hint can repeat it */
export interface PsQuery {
  status?: Status;
  active?: boolean;
  limit?: number;
  after?: string;
}

/**
 * The last line of a paged `ve orch ps` when more units follow: how many, and the command for the next
 * page. After a first page the count left is known (total minus this page); further on only the total is.
 */
export function renderNextPage(page: UnitPageDto, q: PsQuery): string[] {
  if (page.next_after === null) return [];
  const filter = q.status ? ` --status ${q.status}` : q.active ? ' --active' : '';
  const next = `ve orch ps${filter} --limit ${q.limit ?? page.count} --after ${page.next_after}`;
  const left =
    q.after === undefined
      ? `${formatTokens(page.total - page.count)} more`
      : `more (${formatTokens(page.total)} in all)`;
  return [`… ${left}: ${next}`];
}

/** `ve orch queue`: the ready queue in dispatch order. */
export function renderQueue(io: Painter, units: readonly WorkUnitDto[]): string[] {
  if (units.length === 0) return ['Ready queue is empty'];
  const rows = units.map((u, i) => ({ u, position: i + 1 }));
  return renderTable(
    io,
    [
      { header: '#', value: (r: (typeof rows)[number]) => String(r.position) },
      { header: 'CHUNK', value: (r) => r.u.chunk },
      { header: 'PHASE', value: (r) => r.u.phase },
      { header: 'PRIORITY', value: (r) => String(r.u.priority) },
    ],
    rows,
  );
}

/** One line per injected unit, e.g. `Injected: auth [PLAN] priority=0 blocked_by=[db]`. */
export function renderInjected(res: InjectResponse): string[] {
  const lines = res.results.map((u) => {
    const blocked = u.blocked_by.length > 0 ? ` blocked_by=[${u.blocked_by.join(', ')}]` : '';
    const retain = u.retain_worktree ? ' retain=true' : '';
    return `Injected: ${u.chunk} [${u.phase}] priority=${u.priority}${blocked}${retain}`;
  });
  if (res.results.length > 1) lines.push(`Injected ${res.results.length} chunks in dependency order`);
  return lines;
}

/**
 * Per-chunk warnings (`<chunk>: <message>`) that say the same thing become one line naming the chunks,
 * so injecting 500 fresh chunks prints one warning, not 500.
 */
export function collapseWarnings(warnings: readonly string[]): string[] {
  const chunksByMessage = new Map<string, string[]>();
  for (const w of warnings) {
    const m = /^([a-z][a-z0-9_-]*): ([\s\S]*)$/.exec(w);
    const [chunk, message] = m ? [m[1] as string, m[2] as string] : ['', w];
    const chunks = chunksByMessage.get(message) ?? [];
    chunks.push(chunk);
    chunksByMessage.set(message, chunks);
  }
  return [...chunksByMessage].map(([message, chunks]) => {
    const named = chunks.filter(Boolean);
    if (named.length === 0) return message;
    const shown =
      named.length > 3 ? `${named.slice(0, 3).join(', ')} and ${named.length - 3} more` : named.join(', ');
    return `${shown}: ${message}`;
  });
}

/** `ve orch work-unit show`: aligned key/value lines with every field that has a value. */
export function renderUnitDetails(io: Painter, u: WorkUnitDto, limits: UnitLimits = NO_LIMITS): string[] {
  const rows: [string, string][] = [
    ['Chunk', u.chunk],
    ['Phase', u.phase],
    ['Status', paint(io, STATUS_COLOUR[u.status] ?? 'bold', u.status)],
    ['Priority', String(u.priority)],
    ['Blocked by', u.blocked_by.length > 0 ? u.blocked_by.join(', ') : '-'],
    ['Explicit deps', u.explicit_deps ? 'yes' : 'no (conflict oracle decides)'],
  ];
  if (u.attention_kind || u.attention_reason) {
    rows.push(['Attention', [u.attention_kind, u.attention_reason].filter(Boolean).join(': ')]);
    if (u.attention_at) rows.push(['Attention since', u.attention_at]);
  }
  if (u.pending_answer) rows.push(['Pending answer', u.pending_answer]);
  if (u.pending_nudge) rows.push(['Pending note', u.pending_nudge]);
  if (u.reentry_context) rows.push(['Re-entry context', u.reentry_context]);
  rows.push(
    [
      'Host',
      u.host === null
        ? '- (placed at its first dispatch)'
        : `${u.host} (placement ${u.host_epoch}${u.fetched_at ? `, work last fetched ${u.fetched_at}` : ''}${u.fetch_pending ? ', newer work on the host' : ''})`,
    ],
    ['Worktree', u.worktree ?? '-'],
    ['Base branch', u.base_branch ?? '-'],
    ['Session', u.session_id ?? '-'],
    ['Retain worktree', u.retain_worktree ? 'yes' : 'no'],
    ['Cost', formatUnitCost(u, limits)],
    ['Tokens', formatUnitTokens(u, limits)],
    [
      'Iterations',
      `implement=${u.implement_iterations} review=${u.review_iterations} nudges=${u.nudge_count} turn_extensions=${u.turn_extensions}`,
    ],
    [
      'Retries',
      `api=${u.api_retry_count} merge_conflict=${u.merge_conflict_retries} verify=${u.verify_retries}`,
    ],
  );
  if (u.next_retry_at) rows.push(['Next retry at', u.next_retry_at]);
  rows.push(['Created', u.created_at], ['Updated', u.updated_at], ['Version', String(u.version)]);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  const lines = rows.map(([k, v]) => `${`${k}:`.padEnd(width)}  ${v}`);
  if (u.question) {
    lines.push('', `Question (id ${u.question.id}, asked ${u.question.asked_at} in ${u.question.phase}):`);
    for (const q of u.question.questions) {
      lines.push(`  ${q.question}`);
      q.options.forEach((o, i) => {
        lines.push(`    ${i + 1}. ${o.label}${o.description ? ` - ${o.description}` : ''}`);
      });
    }
  }
  return lines;
}

/** `ve orch work-unit history`: status changes, attention raised/answered, and phase runs with cost. */
export function renderHistory(io: Painter, h: HistoryDto): string[] {
  const lines = [`History of ${h.chunk}`, '', 'Status changes:'];
  if (h.history.length === 0) lines.push('  (none)');
  for (const e of h.history) {
    const forced = e.forced ? paint(io, 'red', ' FORCED') : '';
    const phase = e.phase ? ` [${e.phase}]` : '';
    const reason = e.reason ? ` - ${e.reason}` : '';
    lines.push(
      `  ${e.at}  ${e.old_status ?? '-'} -> ${e.new_status}${phase}  ${e.event} by ${e.source}${forced}${reason}`,
    );
  }
  lines.push('', 'Attention:');
  if (h.attention.length === 0) lines.push('  (none)');
  for (const a of h.attention) {
    const phase = a.phase ? ` [${a.phase}]` : '';
    lines.push(`  ${a.raised_at}  ${a.kind}${phase}: ${a.raised?.reason ?? '-'}`);
    if (a.answer !== null) {
      lines.push(`    answered ${a.answered_at ?? '?'} by ${a.answered_by ?? 'unknown'}: ${a.answer}`);
    }
  }
  lines.push('', 'Phase runs:');
  if (h.phase_runs.length === 0) lines.push('  (none)');
  else {
    const table = renderTable(
      io,
      [
        { header: 'PHASE', value: (r: HistoryDto['phase_runs'][number]) => r.phase },
        { header: 'STARTED', value: (r) => r.started_at },
        { header: 'ENDED', value: (r) => r.ended_at ?? '(running)' },
        { header: 'OUTCOME', value: (r) => r.outcome ?? '-' },
        { header: 'COST', value: (r) => formatCost(r.cost_usd) },
        { header: 'TOKENS', value: (r) => `${formatTokens(r.tokens_in)}/${formatTokens(r.tokens_out)}` },
        { header: 'ERROR', value: (r) => r.error ?? '', max: 60 },
      ],
      h.phase_runs,
    );
    lines.push(...table.map((l) => `  ${l}`));
    const total = h.phase_runs.reduce((s, r) => s + r.cost_usd, 0);
    lines.push(`  Total cost: ${formatCost(total)}`);
  }
  return lines;
}
