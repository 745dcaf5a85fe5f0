/** Pure one-line rendering of logged agent events (`.ve/chunks/<c>/log/<phase>.jsonl`) for `ve orch tail`. */
import type { LogWsMessage } from '../api/dto.js';
import { formatCost } from './format-units.js';
import { type CliIo, paint } from './output.js';

/** One agent event as logged (api/dto.ts carries the shape); `at` may be missing in a hand-made log. */
type LogEvent = Extract<LogWsMessage, { type: 'log' }>['event'];
export type LoggedEvent = LogEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'at'> & { at?: string }
    : never
  : never;
type Painter = Pick<CliIo, 'color'>;

const MAX_DETAIL = 200;

/** Parses one JSONL line; a line that is not an event object comes back as null. */
export function parseLogLine(line: string): LoggedEvent | null {
  try {
    const v: unknown = JSON.parse(line);
    if (typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string') {
      return v as LoggedEvent;
    }
    return null;
  } catch {
    // a torn or foreign line: the caller shows it raw
    return null;
  }
}

/** HH:MM:SS in local time, or 8 spaces-worth of `--:--:--` when the event has no timestamp. */
export function clockTime(iso: string | undefined): string {
  if (!iso) return '--:--:--';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function phaseHeader(io: Painter, phase: string, firstAt: string | undefined): string {
  const started = firstAt ? ` (started ${clockTime(firstAt)})` : '';
  return paint(io, 'bold', `=== ${phase} ===${started}`);
}

function flat(text: string, max?: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return max !== undefined && one.length > max ? `${one.slice(0, max - 3)}...` : one;
}

/** The most telling argument of a tool call: the command, the file, the pattern, else the JSON. */
export function toolSummary(input: unknown): string {
  if (typeof input === 'object' && input !== null) {
    const o = input as Record<string, unknown>;
    for (const key of ['command', 'file_path', 'path', 'pattern', 'url', 'query', 'description']) {
      const v = o[key];
      if (typeof v === 'string' && v.length > 0) return flat(v, MAX_DETAIL);
    }
  }
  const json = input === undefined ? undefined : JSON.stringify(input);
  return json === undefined || json === '{}' ? '' : flat(json, MAX_DETAIL);
}

/** How the runner's end-of-phase decisions read in the log. */
const CHECK_LABELS = {
  nudge: '↻ reminded:',
  extend: '↻ more turns:',
  ask: '? asked in prose:',
} as const;

/** One readable line per event, prefixed with its time. */
export function formatEvent(io: Painter, e: LoggedEvent): string {
  const t = paint(io, 'dim', clockTime(e.at));
  switch (e.type) {
    case 'session':
      return `${t} ${paint(io, 'dim', `session ${e.session_id}${e.model ? ` (${e.model})` : ''}`)}`;
    case 'text':
      return `${t} ${flat(e.text)}`;
    case 'tool_call': {
      const detail = toolSummary(e.input);
      const why = e.description ? paint(io, 'dim', ` # ${flat(e.description, 80)}`) : '';
      return `${t} ${paint(io, 'cyan', `→ ${e.name}`)}${detail ? ` ${detail}` : ''}${why}`;
    }
    case 'tool_result':
      return e.is_error
        ? `${t} ${paint(io, 'red', '← error:')} ${flat(e.content, MAX_DETAIL)}`
        : `${t} ${paint(io, 'dim', `← ${flat(e.content, MAX_DETAIL) || '(no output)'}`)}`;
    case 'denied':
      return `${t} ${paint(io, 'red', `✗ denied ${e.tool}:`)} ${flat(e.reason, MAX_DETAIL)}`;
    case 'question': {
      const qs = e.questions.map((q) => `${flat(q.question)} [${q.options.map((o) => o.label).join(' | ')}]`);
      return `${t} ${paint(io, 'yellow', '? question:')} ${qs.join(' / ')}`;
    }
    case 'guidance':
      return `${t} ${paint(io, 'magenta', '» guidance:')} ${flat(e.text)}`;
    case 'result': {
      const parts = [
        e.subtype,
        `turns=${e.num_turns}`,
        `cost=${formatCost(e.total_cost_usd)}`,
        `time=${Math.round(e.duration_ms / 1000)}s`,
      ];
      const text = e.result_text ? ` ${flat(e.result_text, MAX_DETAIL)}` : '';
      const label = e.is_error ? paint(io, 'red', '= result (error)') : paint(io, 'green', '= result');
      return `${t} ${label} ${parts.join(' ')}${text}`;
    }
    case 'verify_started': {
      const on = e.ahead.length > 0 ? ` (${e.base_tip.slice(0, 10)} + ${e.ahead.join(' + ')})` : '';
      return `${t} ${paint(io, 'cyan', `▶ verify #${e.run_id}:`)} \`${e.command}\` on ${e.commit.slice(0, 10)}${on}`;
    }
    case 'verify_output':
      // the command's own lines, as it printed them
      return e.text
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => `${t} ${paint(io, 'dim', '│')} ${line}`)
        .join('\n');
    case 'verify_finished': {
      const ok = e.outcome === 'passed';
      const how = e.exit_code !== null ? ` exit ${e.exit_code}` : '';
      const label = paint(io, ok ? 'green' : 'red', `■ verify #${e.run_id} ${e.outcome}`);
      const took = `in ${Math.round(e.duration_ms / 1000)}s`;
      return `${t} ${label}${how} ${took}${e.message ? ` — ${flat(e.message, MAX_DETAIL)}` : ''}`;
    }
    case 'train':
      return `${t} ${paint(io, 'magenta', '◆')} ${flat(e.text)}`;
    case 've_commit':
      return `${t} ${paint(io, 'yellow', '✎ ve committed what the session left:')} ${e.files.join(', ')}`;
    case 'check':
      // the whole note: it is what the agent was told, and why the phase went on
      return `${t} ${paint(io, 'yellow', CHECK_LABELS[e.decision])} ${flat(e.text)}`;
    default:
      return `${t} ${flat(JSON.stringify(e), MAX_DETAIL)}`;
  }
}
