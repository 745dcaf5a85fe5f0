// @ts-check
/**
 * One unit's page: its live state and actions, its attention item, and tabs for the live agent log,
 * the phase timeline from the audit log, the goal document and the branch's diff against base. A
 * finished unit the live state does not hold (older than the snapshot's newest DONE) is read by address.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from './api.js';
import { Spend } from './budget.js';
import { DiffView } from './diff-view.js';
import { clockTime, phaseLabel } from './format.js';
import { hostLabel } from './hosts.js';
import { AttentionCard } from './inbox.js';
import { LogView } from './log-view.js';
import { Markdown } from './markdown.js';
import { Link, unitHref } from './router.js';
import { Timeline } from './timeline.js';
import { ActionButton, Ago, errorText, html, notify, StatusBadge } from './ui.js';
import { PhaseTrack } from './units.js';

/** @typedef {import('./live.js').LiveState} LiveState */
/** @typedef {import('./live.js').Live} Live */
/** @typedef {import('../api/dto.js').WorkUnitDto} Unit */

const TABS = [
  { id: 'log', label: 'Agent log' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'goal', label: 'Goal' },
  { id: 'diff', label: 'Diff' },
];

/**
 * The unit from the live state; one it does not hold is read over REST and merged in (live from then
 * on). `failed` says why it could not be read: not found (404) or the error's text.
 * @param {LiveState} state @param {Live} live @param {string} chunk
 */
function useUnit(state, live, chunk) {
  const unit = state.units.get(chunk);
  const [failed, setFailed] = useState(
    /** @type {{chunk: string, notFound: boolean, text: string} | null} */ (null),
  );
  const absent = state.synced && !unit;
  useEffect(() => {
    if (!absent) return;
    let current = true;
    const epoch = state.epoch;
    api.unit(chunk).then(
      (u) => current && live.addUnits([u], { epoch }),
      (e) =>
        current &&
        setFailed({ chunk, notFound: e instanceof ApiError && e.status === 404, text: errorText(e) }),
    );
    return () => {
      current = false;
    };
  }, [chunk, absent, state.epoch]);
  return { unit, failed: absent && failed?.chunk === chunk ? failed : null };
}

/** @param {{state: LiveState, live: Live, chunk: string, tab: string}} p */
export function UnitPage({ state, live, chunk, tab }) {
  const { unit, failed } = useUnit(state, live, chunk);
  const item = state.attention.find((a) => a.chunk === chunk);
  const active = TABS.some((t) => t.id === tab) ? tab : 'log';
  return html`<main id="main" class="unit-page" data-chunk=${chunk}>
    <p class="crumbs"><${Link} href="/">← All units<//></p>
    <div class="unit-head">
      <h1>${chunk}</h1>
      ${unit && html`<${StatusBadge} status=${unit.status} />`}
    </div>
    ${!unit && !failed && html`<p class="hint">Loading…</p>`}
    ${failed?.notFound && html`<p class="empty">There is no work unit named <strong>${chunk}</strong> (it may have been deleted). Its history, if any, is below.</p>`}
    ${failed && !failed.notFound && html`<p class="form-error" role="alert">${failed.text}</p>`}
    ${unit && html`<${UnitFacts} unit=${unit} config=${state.config} since=${state.since.get(chunk) ?? Date.parse(unit.updated_at)} host=${hostLabel(unit, state.hosts)} />`}
    ${item && html`<section class="unit-attention" aria-label="Needs you"><${AttentionCard} item=${item} standalone=${true} conflictsRevision=${state.conflictsRevision} /></section>`}
    <${Tabs} chunk=${chunk} active=${active} />
    <div class="tab-panel" role="tabpanel" id=${`panel-${active}`} aria-labelledby=${`tab-${active}`} tabindex="0">
      ${active === 'log' && html`<${LogView} chunk=${chunk} />`}
      ${active === 'timeline' && html`<${Timeline} chunk=${chunk} version=${unit?.version ?? -1} />`}
      ${active === 'goal' && html`<${GoalView} chunk=${chunk} />`}
      ${active === 'diff' && html`<${DiffPanel} chunk=${chunk} unit=${unit} />`}
    </div>
  </main>`;
}

/** @param {{unit: Unit, config: import('../api/dto.js').ConfigDto | null, since: number, host: string}} p */
function UnitFacts({ unit: u, config, since, host }) {
  return html`<div class="facts">
    <dl>
      <div><dt>Phase</dt><dd><${PhaseTrack} phase=${u.phase} status=${u.status} /></dd></div>
      <div><dt>In this state</dt><dd><${Ago} since=${since} /></dd></div>
      <div><dt>Cost</dt><dd><${Spend} unit=${u} config=${config} /></dd></div>
      <div><dt>Priority</dt><dd><${PriorityField} unit=${u} /></dd></div>
      ${
        u.blocked_by.length > 0 &&
        html`<div><dt>Waits for</dt><dd>${u.blocked_by.map((b, i) => html`${i ? ', ' : ''}<${Link} href=${unitHref(b)}>${b}<//>`)}</dd></div>`
      }
      <div data-testid="unit-host"><dt>Host</dt><dd>${host || (u.host === null ? 'not placed yet' : 'this machine')}${u.fetch_pending ? html` <span class="hint">(newer work on the host)</span>` : ''}</dd></div>
      ${u.worktree && html`<div class="wide"><dt>${host ? 'Worktree (this side’s copy)' : 'Worktree'}</dt><dd><code>${u.worktree}</code></dd></div>`}
      ${u.review_iterations > 0 && html`<div><dt>Review rounds</dt><dd>${u.review_iterations}</dd></div>`}
    </dl>
    <div class="actions">
      ${
        u.status === 'RUNNING' &&
        html`<${ActionButton} className="btn danger" confirm="Really stop the agent?" run=${() => api.kill(u.chunk)} done=${`Stopped ${u.chunk}`}
        title="Interrupt the running phase; the unit returns to Ready with its session kept">Stop agent<//>`
      }
      ${
        u.status === 'NEEDS_ATTENTION' &&
        html`<${ActionButton} className="btn" run=${() => api.retry(u.chunk)} done=${`Retrying ${u.chunk}`}>Retry ${phaseLabel(u.phase)}<//>`
      }
    </div>
    ${u.status === 'RUNNING' && html`<${GuidanceForm} chunk=${u.chunk} />`}
  </div>`;
}

/** Guidance goes into the running session at once (POST /interrupt); the log shows it. */
/** @param {{chunk: string}} p */
function GuidanceForm({ chunk }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    try {
      await api.interrupt(chunk, text.trim());
      notify('ok', `Guidance sent to ${chunk}`);
      setText('');
    } catch (err) {
      notify('error', errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<details class="free-wrap">
    <summary>Send guidance to the running agent</summary>
    <form class="free" onSubmit=${submit}>
      <label for="guidance">The agent reads this at its next step, without stopping.</label>
      <textarea id="guidance" rows="2" value=${text} onInput=${(/** @type {any} */ e) => setText(e.currentTarget.value)}
        placeholder="e.g. Use the existing logger instead of console.log"></textarea>
      <button type="submit" class="btn" disabled=${busy || !text.trim()}>Send guidance</button>
    </form>
  </details>`;
}

/** @param {{unit: Unit}} p */
function PriorityField({ unit }) {
  const [value, setValue] = useState(String(unit.priority));
  const [error, setError] = useState('');
  const last = useRef(unit.priority);
  if (last.current !== unit.priority) {
    last.current = unit.priority;
    if (value !== String(unit.priority)) setValue(String(unit.priority));
  }
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    const n = Number(value);
    if (!Number.isInteger(n)) return setError('a whole number');
    try {
      setError('');
      await api.setPriority(unit.chunk, n);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return html`<form class="inline" onSubmit=${submit}>
    <label class="sr-only" for="prio">Priority (higher runs first)</label>
    <input id="prio" type="number" step="1" value=${value} onInput=${(/** @type {any} */ e) => setValue(e.currentTarget.value)} />
    <button type="submit" class="btn small" disabled=${value === String(unit.priority)}>Set</button>
    ${error && html`<span class="form-error" role="alert">${error}</span>`}
  </form>`;
}

/** Tabs as links (#log, #diff …) so each view has an address; arrow keys move between them. */
/** @param {{chunk: string, active: string}} p */
function Tabs({ chunk, active }) {
  /** @param {KeyboardEvent} e */
  const keys = (e) => {
    const i = TABS.findIndex((t) => t.id === active);
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    e.preventDefault();
    const next = TABS[(i + step + TABS.length) % TABS.length];
    if (!next) return;
    history.replaceState(null, '', unitHref(chunk, next.id));
    dispatchEvent(new Event('ve:navigate'));
    document.getElementById(`tab-${next.id}`)?.focus();
  };
  return html`<div class="tabs" role="tablist" aria-label="Unit details" onKeyDown=${keys}>
    ${TABS.map(
      (t) => html`<a
        key=${t.id}
        id=${`tab-${t.id}`}
        role="tab"
        href=${unitHref(chunk, t.id)}
        aria-selected=${t.id === active ? 'true' : 'false'}
        aria-controls=${`panel-${t.id}`}
        tabindex=${t.id === active ? 0 : -1}
        onClick=${(/** @type {MouseEvent} */ e) => {
          e.preventDefault();
          history.replaceState(null, '', unitHref(chunk, t.id));
          dispatchEvent(new Event('ve:navigate'));
        }}
      >${t.label}</a>`,
    )}
  </div>`;
}

/** @param {{chunk: string}} p */
function GoalView({ chunk }) {
  const [doc, setDoc] = useState(/** @type {{goal: string, plan: string | null} | null} */ (null));
  const [error, setError] = useState('');
  useEffect(() => {
    api.chunk(chunk).then(setDoc, (e) => setError(errorText(e)));
  }, [chunk]);
  if (error) return html`<p class="form-error" role="alert">${error}</p>`;
  if (!doc) return html`<p class="hint">Reading GOAL.md…</p>`;
  return html`<article class="doc">
    <${Markdown} text=${doc.goal} />
    ${doc.plan && html`<hr /><${Markdown} text=${doc.plan} />`}
    <p class="hint">From <code>docs/chunks/${chunk}/</code> on the base branch; the agent's edits appear here once merged.</p>
  </article>`;
}

/** @param {{chunk: string, unit: Unit | undefined}} p */
function DiffPanel({ chunk, unit }) {
  const [diff, setDiff] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState('');
  const [loadedAt, setLoadedAt] = useState(0);
  const load = () =>
    api.diff(chunk).then(
      (r) => {
        setDiff(r.diff);
        setError('');
        setLoadedAt(Date.now());
      },
      (e) => setError(errorText(e)),
    );
  // a phase end or status change is when the branch moves; refresh then
  const key = unit ? `${unit.phase}:${unit.status}` : '';
  useEffect(() => {
    load();
  }, [chunk, key]);
  return html`<div class="diff-panel">
    <div class="panel-bar">
      <span class="hint">Branch <code>orch/${chunk}</code> against ${unit?.base_branch ?? 'base'}${loadedAt ? ` · as of ${clockTime(new Date(loadedAt).toISOString())}` : ''}</span>
      <${ActionButton} className="btn small" run=${load}>Refresh<//>
    </div>
    ${error && html`<p class="form-error" role="alert">${error}</p>`}
    ${diff !== null && html`<${DiffView} diff=${diff} />`}
  </div>`;
}
