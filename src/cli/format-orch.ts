/** Pure text rendering of daemon-wide views: status, config, conflicts, conflict analysis, worktrees. */
import type { BudgetStatusDto, ConfigDto, ConflictDto, StatusDto, WorktreeListDto } from '../api/dto.js';
import { formatSpent, formatUsd, raiseCommand } from '../domain/budget.js';
import { STATUSES } from '../domain/work-unit.js';
import { hostStatusLines } from './format-hosts.js';
import { formatCost, formatDuration, formatTokens } from './format-units.js';
import { type CliIo, paint, renderTable } from './output.js';

type Painter = Pick<CliIo, 'color'>;

/** What `status` shows when the daemon does not answer (`pid`: a process that holds the pid file). */
export function stoppedStatus(projectRoot: string, pid: number | null): StatusDto {
  return {
    running: false,
    pid,
    version: '',
    project_root: projectRoot,
    base_branch: null,
    started_at: null,
    uptime_seconds: null,
    counts: {},
    agents: { running: 0, max: 0 },
    total_cost_usd: 0,
    url: null,
    agent_sandbox: { mode: 'auto', active: false, reason: null, held: null },
    setup: null,
    verification: null,
    train: null,
    config_warnings: [],
    prompts: null,
    budget: null,
    usage_limit: null,
    hosts: [],
  };
}

/**
 * `ve orch status`; `dashboardUrl` is the tokenised URL built from `.ve/` files, if known; `now`
 * (epoch ms) dates the times it shows.
 */
export function renderStatus(io: Painter, s: StatusDto, dashboardUrl: string | null, now: number): string[] {
  if (!s.running) return [`Status: ${paint(io, 'dim', 'Stopped')}`];
  const lines = [
    `Status: ${paint(io, 'green', 'Running')}`,
    `PID: ${s.pid ?? '?'}`,
    `Uptime: ${s.uptime_seconds === null ? '?' : formatDuration(s.uptime_seconds)}`,
    `Project: ${s.project_root}`,
    `Base branch: ${s.base_branch ?? '-'}`,
    `Agents: ${s.agents.running}/${s.agents.max} running`,
    `Total cost: ${formatCost(s.total_cost_usd)}`,
    `Agent sandbox: ${sandboxLine(io, s.agent_sandbox)}`,
  ];
  if (s.setup) lines.push(`Setup: ${formatSetup(s.setup)}`);
  if (s.budget) lines.push(...budgetLines(io, s.budget, now));
  if (s.usage_limit) {
    const { resumes_at, units } = s.usage_limit;
    lines.push(
      paint(
        io,
        'yellow',
        `Usage limit: resumes at ${formatClockTime(resumes_at, now)}, ${units} unit${units === 1 ? '' : 's'} waiting`,
      ),
    );
  }
  if (s.verification) lines.push(`Landings: ${verificationLine(io, s.verification)}`);
  if (s.prompts) lines.push(...promptLines(io, s.prompts));
  if (s.train && s.train.entries > 0)
    lines.push(`Landing train: ${s.train.entries} waiting, ${s.train.running} verifying (ve orch train)`);
  for (const w of s.config_warnings) lines.push(paint(io, 'yellow', `Config warning: ${w}`));
  lines.push(...hostStatusLines(io, s.hosts));
  const counted = STATUSES.filter((st) => (s.counts[st] ?? 0) > 0);
  lines.push(`Work units:${counted.length === 0 ? ' none' : ''}`);
  for (const st of counted) lines.push(`  ${st}: ${s.counts[st]}`);
  const url = dashboardUrl ?? s.url;
  if (url) lines.push(`Dashboard: ${url}`);
  return lines;
}

/**
 * The limits in force and the project's window on one line (none when no limit is set); then, in
 * colour, what they hold: every unit while the window is spent, and the units parked as BUDGET items.
 */
export function budgetLines(io: Painter, b: BudgetStatusDto, now: number): string[] {
  const parts: string[] = [];
  if (b.phase_usd !== null) parts.push(`per phase ${formatUsd(b.phase_usd)}`);
  const unit = [
    b.unit_usd === null ? null : formatUsd(b.unit_usd),
    b.unit_tokens === null ? null : `${formatTokens(b.unit_tokens)} tokens`,
  ].filter((x) => x !== null);
  if (unit.length > 0) parts.push(`per unit ${unit.join(' and ')}`);
  const p = b.project;
  const window = p ? `in the last ${formatHours(p.window_hours)}` : '';
  if (p)
    parts.push(
      `project ${formatSpent({ limit: 'project_usd', spent: p.spent_usd, of: p.limit_usd })} ${window}`,
    );
  const lines = parts.length > 0 ? [`Budget: ${parts.join(' · ')}`] : [];
  if (p?.reached) {
    const until = p.frees_at ? `until ${formatClockTime(p.frees_at, now)} ` : '';
    lines.push(
      paint(
        io,
        'red',
        `Project budget reached: no phase starts ${until}(${p.waiting} unit${p.waiting === 1 ? '' : 's'} waiting), or raise it: ${raiseCommand({ limit: 'project_usd', spent: p.spent_usd, of: p.limit_usd })}`,
      ),
    );
  }
  if (b.items > 0) {
    lines.push(
      paint(
        io,
        'yellow',
        `Over budget: ${b.items} unit${b.items === 1 ? '' : 's'} wait for a raised limit (ve orch attention)`,
      ),
    );
  }
  return lines;
}

/** `24 h`, `1.5 h` */
function formatHours(hours: number): string {
  return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
}

/** `15:00` on the day of `now` (local time), else `Mar 3 15:00`. */
export function formatClockTime(iso: string, now: number): string {
  const at = new Date(iso);
  const hm = `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
  if (at.toDateString() === new Date(now).toDateString()) return hm;
  return `${at.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${hm}`;
}

/** Which phase prompts the project overrides, and the refused overrides (their phases do not run). */
export function promptLines(io: Painter, p: NonNullable<StatusDto['prompts']>): string[] {
  const lines = [
    `Prompts: ${p.overrides.length === 0 ? 'shipped' : `shipped, with the project's ${p.overrides.join(', ')}`}`,
  ];
  for (const problem of p.problems)
    lines.push(
      `  ${paint(io, 'red', `REFUSED: ${problem.message}; ${problem.phase} does not run until it is fixed`)}`,
    );
  return lines;
}

/** `npm ci (detected from package-lock.json)`, `make deps (setup_command)`, `off`, `none (…)`. */
function formatSetup(setup: NonNullable<StatusDto['setup']>): string {
  if (setup.source === 'off') return 'off';
  return `${setup.command ?? 'none'} (${setup.why})`;
}

/** Whether landings are verified, by what, and from where it was configured. */
export function verificationLine(io: Painter, v: NonNullable<StatusDto['verification']>): string {
  switch (v.source) {
    case 'config':
      return `verified by \`${v.command}\` (ve orch config)`;
    case 'repository':
      return `verified by \`${v.command}\` (ve.yaml)`;
    case 'invalid':
      return paint(
        io,
        'red',
        `HELD: ve.yaml cannot be read, nothing lands until it is fixed (${v.error ?? '?'})`,
      );
    case 'off':
      return paint(
        io,
        'yellow',
        'NOT verified (verification turned off: ve orch config --verify-command off)',
      );
    case 'none':
      return paint(
        io,
        'yellow',
        "NOT verified: set a verify command (ve orch config --verify-command 'npm test')",
      );
  }
}

/**
 * The OS sandbox, or what runs without it: the tool policy reads command text, so code an agent runs
 * through an interpreter (`node -e`, `python -c`, a script it wrote) is beyond it (docs/security.md).
 */
function sandboxLine(io: Painter, sb: StatusDto['agent_sandbox']): string {
  if (sb.held) return paint(io, 'yellow', `agents held: ${sb.held}`);
  if (sb.active) return 'OS sandbox under shell commands';
  return paint(
    io,
    'yellow',
    `tool policy only (${sb.reason ?? 'off'}): it cannot see what inline code (node -e, python -c, perl -e, …) ` +
      'or scripts the agents write do',
  );
}

/** A config value as the operator would type it back: null shows as `none`. */
export function formatConfigValue(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function renderConfig(config: ConfigDto, changed: readonly string[] = []): string[] {
  const keys = Object.keys(config) as (keyof ConfigDto)[];
  const width = Math.max(...keys.map((k) => k.length));
  const lines = ['Orchestrator configuration:'];
  for (const k of keys) {
    const mark = changed.includes(k) ? '  (changed)' : '';
    lines.push(`  ${k.padEnd(width)}  ${formatConfigValue(config[k])}${mark}`);
  }
  return lines;
}

function verdictOf(c: ConflictDto): string {
  return c.override ? `${c.override} (operator)` : c.verdict;
}

export function renderConflicts(
  io: Painter,
  conflicts: readonly ConflictDto[],
  filter: { chunk?: string; unresolved?: boolean },
): string[] {
  if (conflicts.length === 0) {
    if (filter.unresolved) return ['No unresolved conflicts'];
    return [filter.chunk ? `No conflicts for ${filter.chunk}` : 'No conflicts found'];
  }
  const lines: string[] = [];
  const table = renderTable(
    io,
    [
      { header: 'CHUNK A', value: (c: ConflictDto) => c.chunk_a },
      { header: 'CHUNK B', value: (c) => c.chunk_b },
      {
        header: 'VERDICT',
        value: (c) => verdictOf(c),
        colour: (c) => ((c.override ?? c.verdict) === 'ASK_OPERATOR' ? 'yellow' : null),
      },
      { header: 'CONFIDENCE', value: (c) => c.confidence.toFixed(2) },
      { header: 'STAGE', value: (c) => c.stage },
    ],
    conflicts,
  );
  lines.push(table[0] ?? '');
  conflicts.forEach((c, i) => {
    lines.push(table[i + 1] ?? '');
    if (c.overlapping_files.length > 0) lines.push(`    Files: ${listFirst(c.overlapping_files, 3)}`);
    if (c.overlapping_symbols.length > 0) lines.push(`    Symbols: ${listFirst(c.overlapping_symbols, 3)}`);
  });
  return lines;
}

function listFirst(items: readonly string[], n: number): string {
  const more = items.length > n ? ` (+${items.length - n} more)` : '';
  return items.slice(0, n).join(', ') + more;
}

export function renderAnalysis(c: ConflictDto): string[] {
  return [
    `Conflict analysis: ${c.chunk_a} vs ${c.chunk_b}`,
    `  Verdict:    ${verdictOf(c)}`,
    `  Confidence: ${c.confidence.toFixed(2)}`,
    `  Stage:      ${c.stage}`,
    `  Reason:     ${c.reason}`,
    `  Files:      ${c.overlapping_files.length > 0 ? c.overlapping_files.join(', ') : '-'}`,
    `  Symbols:    ${c.overlapping_symbols.length > 0 ? c.overlapping_symbols.join(', ') : '-'}`,
  ];
}

export function renderWorktrees(io: Painter, list: WorktreeListDto): string[] {
  if (list.worktrees.length === 0) return ['No worktrees'];
  const table = renderTable(
    io,
    [
      { header: 'CHUNK', value: (w: WorktreeListDto['worktrees'][number]) => w.chunk },
      { header: 'BRANCH', value: (w) => w.branch },
      { header: 'UNMERGED', value: (w) => String(w.unmerged_commits) },
      {
        header: 'STATE',
        value: (w) => [w.exists ? 'present' : 'missing', w.locked ? 'locked' : ''].filter(Boolean).join(','),
        colour: (w) => (w.exists ? null : 'red'),
      },
      { header: 'PATH', value: (w) => w.path },
    ],
    list.worktrees,
  );
  return [...table, `Total: ${list.count} worktree${list.count === 1 ? '' : 's'}`];
}
