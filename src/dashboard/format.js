// @ts-check
/**
 * Words and numbers shown to the operator: status and kind labels (each with a symbol, so colour is
 * never the only cue), durations, money, and the order of the unit groups.
 */

/** @typedef {import('../domain/work-unit.js').Status} Status */
/** @typedef {import('../domain/work-unit.js').AttentionKind} AttentionKind */
/** @typedef {import('../domain/work-unit.js').Phase} Phase */

/** @type {Record<Status, {label: string, icon: string, hint: string}>} */
export const STATUS = {
  RUNNING: { label: 'Running', icon: '▶', hint: 'an agent is working on it now' },
  NEEDS_ATTENTION: { label: 'Needs you', icon: '!', hint: 'parked until you act' },
  READY: { label: 'Ready', icon: '○', hint: 'waiting for a free agent slot' },
  BLOCKED: { label: 'Blocked', icon: '‖', hint: 'waiting for other chunks to finish' },
  VERIFYING: {
    label: 'Verifying',
    icon: '◎',
    hint: 'in the landing train: its merge is tested before it lands',
  },
  DONE: { label: 'Done', icon: '✓', hint: 'merged into the base branch' },
};

/** Group order on the main page: what moves first, what is finished last. */
/** @type {Status[]} */
export const STATUS_ORDER = ['RUNNING', 'NEEDS_ATTENTION', 'VERIFYING', 'READY', 'BLOCKED', 'DONE'];

/** @type {Phase[]} */
export const PHASE_ORDER = ['GOAL', 'PLAN', 'IMPLEMENT', 'REBASE', 'REVIEW', 'COMPLETE'];

/** @type {Record<AttentionKind, {label: string, icon: string}>} */
export const KIND = {
  QUESTION: { label: 'Question', icon: '?' },
  DECISION: { label: 'Decision', icon: '◆' },
  CONFLICT: { label: 'Conflict', icon: '⇄' },
  REVIEW: { label: 'Review', icon: '✎' },
  ERROR: { label: 'Error', icon: '✕' },
  STALLED: { label: 'Stalled', icon: '◷' },
  MERGE: { label: 'Merge', icon: '⎇' },
  SETUP: { label: 'Setup', icon: '⚙' },
  INCOMPLETE: { label: 'Incomplete', icon: '◔' },
  TURNS: { label: 'Out of turns', icon: '⟳' },
  VERIFY: { label: 'Verify failed', icon: '✗' },
  PLAN: { label: 'Plan to approve', icon: '☐' },
  TESTS: { label: 'Tests weakened', icon: '⚠' },
  BUDGET: { label: 'Over budget', icon: '$' },
};

/** @param {string} phase */
export function phaseLabel(phase) {
  return phase.charAt(0) + phase.slice(1).toLowerCase();
}

/**
 * Compact elapsed time: 42s, 5m, 3h 20m, 2d 4h.
 * @param {number} ms
 */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** @param {number} usd */
export function money(usd) {
  if (usd === 0) return '$0';
  if (usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

/** @param {number} n */
export function tokens(n) {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** @param {string} iso */
export function clockTime(iso) {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  const time = d.toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return today ? time : `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

/** @param {number} n @param {string} one @param {string} [many] */
export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : (many ?? `${one}s`)}`;
}
