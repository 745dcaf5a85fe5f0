// @ts-check
/**
 * The phase timeline of one unit, read from the audit log (status log, phase runs, attention log):
 * a per-phase summary (runs, time, cost) and the story of the unit in order. Re-read whenever the
 * unit's version changes, so it follows the unit live.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { clockTime, duration, money, PHASE_ORDER, phaseLabel } from './format.js';
import { errorText, html, serverNow } from './ui.js';

/** @typedef {import('../api/dto.js').HistoryDto} History */
/** @typedef {{at: string, icon: string, tone: string, title: string, detail?: string}} Entry */

/** @param {{chunk: string, version: number}} p */
export function Timeline({ chunk, version }) {
  const [history, setHistory] = useState(/** @type {History | null} */ (null));
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    api.history(chunk).then(
      (h) => {
        if (!live) return;
        setHistory(h);
        setError('');
      },
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [chunk, version]);
  if (error) return html`<p class="form-error" role="alert">${error}</p>`;
  if (!history) return html`<p class="hint">Reading the audit log…</p>`;
  const entries = timelineEntries(history);
  return html`<div class="timeline-view">
    <${PhaseSummary} history=${history} />
    ${
      entries.length === 0
        ? html`<p class="empty">Nothing recorded yet.</p>`
        : html`<ol class="timeline">
          ${entries.map(
            (e, i) => html`<li key=${i} class=${`tl tl-${e.tone}`}>
              <time datetime=${e.at}>${clockTime(e.at)}</time>
              <span class="tl-icon" aria-hidden="true">${e.icon}</span>
              <div class="tl-body"><span class="tl-title">${e.title}</span>${e.detail && html`<span class="tl-detail">${e.detail}</span>`}</div>
            </li>`,
          )}
        </ol>`
    }
  </div>`;
}

/** @param {{history: History}} p */
function PhaseSummary({ history }) {
  const runs = history.phase_runs;
  const phases = PHASE_ORDER.filter((p) => p !== 'REBASE' || runs.some((r) => r.phase === 'REBASE'));
  return html`<ol class="phase-summary" aria-label="Phases">
    ${phases.map((p) => {
      const mine = runs.filter((r) => r.phase === p);
      const open = mine.some((r) => r.ended_at === null);
      const ms = mine.reduce(
        (t, r) => t + ((r.ended_at ? Date.parse(r.ended_at) : serverNow()) - Date.parse(r.started_at)),
        0,
      );
      const cost = mine.reduce((t, r) => t + r.cost_usd, 0);
      const state = open ? 'now' : mine.length ? 'past' : 'later';
      return html`<li key=${p} class=${`ps ps-${state}`}>
        <span class="ps-name">${phaseLabel(p)}</span>
        <span class="ps-facts">${mine.length === 0 ? 'not run' : `${open ? 'running · ' : ''}${duration(ms)} · ${money(cost)}${mine.length > 1 ? ` · ${mine.length} runs` : ''}`}</span>
      </li>`;
    })}
  </ol>`;
}

/**
 * Pure: the audit log as one chronological story.
 * @param {History} h
 * @returns {Entry[]}
 */
export function timelineEntries(h) {
  /** @type {Entry[]} */
  const out = [];
  for (const s of h.history) {
    const to = s.new_status;
    out.push({
      at: s.at,
      icon:
        to === 'RUNNING'
          ? '▶'
          : to === 'DONE'
            ? '✓'
            : to === 'NEEDS_ATTENTION'
              ? '!'
              : to === 'BLOCKED'
                ? '‖'
                : to === 'DELETED'
                  ? '✕'
                  : '○',
      tone: s.forced ? 'forced' : to.toLowerCase(),
      title: `${s.old_status ? `${label(s.old_status)} → ` : 'Created as '}${label(to)}${s.phase ? ` · ${phaseLabel(s.phase)}` : ''}`,
      detail: [s.reason, `by ${s.source}${s.forced ? ' (forced)' : ''}`].filter(Boolean).join(' — '),
    });
  }
  for (const r of h.phase_runs) {
    if (!r.ended_at) continue;
    const took = duration(Date.parse(r.ended_at) - Date.parse(r.started_at));
    out.push({
      at: r.ended_at,
      icon: r.outcome === 'completed' ? '●' : '◌',
      tone: r.error ? 'error' : 'run',
      title: `${phaseLabel(r.phase)} run ended: ${r.outcome ?? 'unknown'}`,
      detail: [`${took}, ${money(r.cost_usd)}`, r.error].filter(Boolean).join(' — '),
    });
  }
  for (const a of h.attention) {
    const raised = /** @type {{reason?: string, question?: {questions?: {question: string}[]}} | null} */ (
      a.raised
    );
    const asked = raised?.question?.questions?.map((q) => q.question).join(' / ');
    out.push({
      at: a.raised_at,
      icon: '?',
      tone: 'attention',
      title: `${a.kind.charAt(0)}${a.kind.slice(1).toLowerCase()} raised`,
      detail: asked || raised?.reason || '',
    });
    if (a.answered_at)
      out.push({
        at: a.answered_at,
        icon: '↩',
        tone: 'answer',
        title: `Answered by ${a.answered_by ?? 'someone'}`,
        detail: a.answer ?? '',
      });
  }
  return out.sort((x, y) => x.at.localeCompare(y.at));
}

/** @param {string} s */
function label(s) {
  return s === 'NEEDS_ATTENTION' ? 'Needs attention' : s.charAt(0) + s.slice(1).toLowerCase();
}
