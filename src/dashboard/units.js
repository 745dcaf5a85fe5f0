// @ts-check
/**
 * The unit grid: every work unit grouped by status, with phase, time in phase, cost and blockers,
 * filters kept in the address bar, and the per-unit actions (run next, retry, kill). Rows are
 * memoized so one change re-renders one row, even with hundreds on the page. Finished units come
 * newest first, a page at a time ("Show older"); counts are the store's, not the rows'.
 */
import { useMemo, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { money, PHASE_ORDER, phaseLabel, STATUS, STATUS_ORDER } from './format.js';
import { hostLabel } from './hosts.js';
import { InjectButton } from './inject.js';
import { totals } from './live.js';
import { Link, unitHref } from './router.js';
import { ActionButton, Ago, html, memo, StatusBadge } from './ui.js';

/** @typedef {import('../api/dto.js').WorkUnitDto} Unit */
/** @typedef {import('../domain/work-unit.js').Status} Status */
/** @typedef {import('./live.js').LiveState} LiveState */
/** @typedef {import('./live.js').Live} Live */
/** @typedef {{prioritize: (chunk: string) => Promise<unknown>}} RowActions */
/** @typedef {{status: Status | '', q: string, phase: string}} Filter */

/** @returns {Filter} */
function filterFromUrl() {
  const p = new URLSearchParams(location.search);
  const status = /** @type {Status | ''} */ (p.get('status') ?? '');
  return { status: status in STATUS ? status : '', q: p.get('q') ?? '', phase: p.get('phase') ?? '' };
}

/** @param {Filter} f */
function filterToUrl(f) {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.q) p.set('q', f.q);
  if (f.phase) p.set('phase', f.phase);
  const qs = p.toString();
  history.replaceState(null, '', `${location.pathname}${qs ? `?${qs}` : ''}${location.hash}`);
}

/** Order inside one status group. @type {Record<Status, (a: Unit, b: Unit) => number>} */
const ORDER = {
  RUNNING: (a, b) => a.updated_at.localeCompare(b.updated_at),
  NEEDS_ATTENTION: (a, b) => (a.attention_at ?? a.updated_at).localeCompare(b.attention_at ?? b.updated_at),
  READY: (a, b) => b.priority - a.priority || a.created_at.localeCompare(b.created_at),
  BLOCKED: (a, b) => b.priority - a.priority || a.chunk.localeCompare(b.chunk),
  VERIFYING: (a, b) => (a.train_seq ?? 0) - (b.train_seq ?? 0) || a.chunk.localeCompare(b.chunk),
  DONE: (a, b) => b.updated_at.localeCompare(a.updated_at) || b.chunk.localeCompare(a.chunk),
};

/** how many older DONE units one "Show older" click loads */
const DONE_PAGE = 100;

/** @param {{state: LiveState, live: Live}} p */
export function UnitGrid({ state, live }) {
  const [filter, setFilterState] = useState(filterFromUrl);
  /** @param {Partial<Filter>} patch */
  const setFilter = (patch) => {
    const next = { ...filter, ...patch };
    setFilterState(next);
    filterToUrl(next);
  };
  const stateRef = useRef(state);
  stateRef.current = state;
  /** @type {RowActions} */
  const actions = useMemo(
    () => ({
      prioritize: (chunk) => {
        let top = 0;
        for (const u of stateRef.current.units.values())
          if (u.status !== 'DONE') top = Math.max(top, u.priority);
        return api.setPriority(chunk, top + 1);
      },
    }),
    [],
  );
  const loadOlder = async () => {
    const { doneNextAfter: after, epoch } = live.get();
    if (!after) return;
    const page = await api.units({ status: 'DONE', order: 'recent', limit: DONE_PAGE, after });
    live.addUnits(page.work_units, { epoch, doneNextAfter: page.next_after });
  };

  const { counts, total } = totals(state);
  /** @type {Record<string, Unit[]>} */
  const groups = {};
  const q = filter.q.trim().toLowerCase();
  let doneLoaded = 0;
  for (const u of state.units.values()) {
    if (u.status === 'DONE') doneLoaded++;
    if (q && !u.chunk.includes(q)) continue;
    if (filter.phase && u.phase !== filter.phase) continue;
    const group = groups[u.status] ?? [];
    group.push(u);
    groups[u.status] = group;
  }
  const shown = STATUS_ORDER.filter((s) => (!filter.status || filter.status === s) && groups[s]?.length);
  // unfiltered, a group counts the store's units; filtered, the matching rows loaded here
  const countOf = (/** @type {Status} */ s) =>
    q || filter.phase ? (groups[s]?.length ?? 0) : (counts[s] ?? 0);
  const older = state.doneNextAfter
    ? { load: loadOlder, note: `${doneLoaded} of ${counts.DONE} loaded` }
    : null;

  return html`<section class="units" aria-labelledby="units-title">
    <div class="section-head">
      <h2 id="units-title">Work units <span class="count">${total}</span></h2>
      <${InjectButton} units=${state.units} />
    </div>
    <div class="filters" role="search">
      <div class="chips" role="group" aria-label="Show status">
        <button type="button" class="chip" aria-pressed=${filter.status === '' ? 'true' : 'false'} onClick=${() => setFilter({ status: '' })}>
          All <span class="n">${total}</span>
        </button>
        ${STATUS_ORDER.map(
          (s) => html`<button type="button" key=${s} class=${`chip chip-${s}`} data-status=${s}
            aria-pressed=${filter.status === s ? 'true' : 'false'} onClick=${() => setFilter({ status: filter.status === s ? '' : s })}>
            <span aria-hidden="true">${STATUS[s].icon}</span> ${STATUS[s].label} <span class="n">${counts[s] ?? 0}</span>
          </button>`,
        )}
      </div>
      <div class="filter-fields">
        <label class="field"><span class="sr-only">Find a chunk</span>
          <input type="search" placeholder="Find a chunk…" value=${filter.q} onInput=${(/** @type {any} */ e) => setFilter({ q: e.currentTarget.value })} />
        </label>
        <label class="field"><span class="sr-only">Phase</span>
          <select value=${filter.phase} onChange=${(/** @type {any} */ e) => setFilter({ phase: e.currentTarget.value })}>
            <option value="">All phases</option>
            ${PHASE_ORDER.map((p) => html`<option key=${p} value=${p}>${phaseLabel(p)}</option>`)}
          </select>
        </label>
      </div>
    </div>
    ${total === 0 && html`<p class="empty">No work units yet. Use <strong>Add work</strong> to inject chunks from <code>docs/chunks/</code>, or run <code>${'ve orch inject <chunk>'}</code>.</p>`}
    ${total > 0 && shown.length === 0 && html`<p class="empty">No unit matches these filters.</p>`}
    ${shown.map(
      (s) =>
        html`<${Group} key=${s} status=${s} units=${groups[s] ?? []} count=${countOf(s)} since=${state.since} actions=${actions}
          older=${s === 'DONE' ? older : null} hosts=${state.hosts} />`,
    )}
  </section>`;
}

/** @typedef {{load: () => Promise<void>, note: string}} Older the next page of older units, when there is one */

/** @param {{status: Status, units: Unit[], count: number, since: Map<string, number>, actions: RowActions, older: Older | null, hosts: import('../api/dto.js').HostDto[]}} p */
function Group({ status, units, count, since, actions, older, hosts }) {
  const [open, setOpen] = useState(status !== 'DONE' || units.length <= 8);
  const sorted = units.slice().sort(ORDER[status]);
  const id = `group-${status}`;
  return html`<section class=${`group group-${status}`} data-group=${status} aria-labelledby=${id}>
    <h3 id=${id}>
      <button type="button" class="group-toggle" aria-expanded=${open ? 'true' : 'false'} onClick=${() => setOpen(!open)}>
        <span class="caret" aria-hidden="true">${open ? '▾' : '▸'}</span>
        <${StatusBadge} status=${status} />
        <span class="group-n">${count}</span>
      </button>
    </h3>
    ${
      open &&
      html`<ul class="rows">
      ${sorted.map((u) => html`<${UnitRow} key=${u.chunk} unit=${u} since=${since.get(u.chunk) ?? Date.parse(u.updated_at)} actions=${actions} host=${hostLabel(u, hosts)} />`)}
    </ul>`
    }
    ${
      open &&
      older &&
      html`<p class="more">
      <${ActionButton} className="btn small" run=${older.load} title="Load the next finished units, newest first">Show older<//>
      <span class="hint">${older.note}</span>
    </p>`
    }
  </section>`;
}

/** `host`: the host it runs on ('' here), as a string so the memoized row re-renders only when it changes */
/** @param {{unit: Unit, since: number, actions: RowActions, host: string}} p */
function Row({ unit: u, since, actions, host }) {
  return html`<li class=${`row status-${u.status}`} data-chunk=${u.chunk} data-status=${u.status} data-phase=${u.phase}>
    <div class="row-name">
      <${StatusBadge} status=${u.status} compact=${true} />
      <${Link} href=${unitHref(u.chunk)} class="chunk">${u.chunk}<//>
    </div>
    <div class="row-phase"><${PhaseTrack} phase=${u.phase} status=${u.status} /></div>
    <div class="row-time" title="time in this status and phase"><${Ago} since=${since} prefix="for " coarse=${true} /></div>
    <div class="row-cost" title="agent cost so far">${money(u.cost_usd)}</div>
    <div class="row-note">${host && html`<span class="on-host" title="the machine it runs on">${host}</span>`}${rowNote(u)}</div>
    <div class="row-actions">${rowActions(u, actions)}</div>
  </li>`;
}
const UnitRow = memo(Row);

/** @param {Unit} u */
function rowNote(u) {
  const parts = [];
  if (u.blocked_by.length > 0 && u.status !== 'DONE')
    parts.push(
      html`<span class="waits">waits for ${u.blocked_by.map((b, i) => html`${i ? ', ' : ''}<${Link} href=${unitHref(b)}>${b}<//>`)}</span>`,
    );
  if (u.status === 'NEEDS_ATTENTION' && u.attention_reason)
    parts.push(html`<span class="why" title=${u.attention_reason}>${u.attention_reason}</span>`);
  if (u.status === 'READY' && u.next_retry_at)
    parts.push(html`<span class="why">retry at ${new Date(u.next_retry_at).toLocaleTimeString()}</span>`);
  if (u.priority !== 0) parts.push(html`<span class="prio" title="priority">prio ${u.priority}</span>`);
  return parts;
}

/** @param {Unit} u @param {RowActions} actions */
function rowActions(u, actions) {
  switch (u.status) {
    case 'RUNNING':
      return html`<${ActionButton} className="btn small danger" confirm="Really stop?" label=${`Stop ${u.chunk}`} run=${() => api.kill(u.chunk)}
        done=${`Stopped ${u.chunk}; it is ready to run again`} title="Interrupt the agent; the unit goes back to Ready">Stop<//>`;
    case 'NEEDS_ATTENTION':
      // questions, conflicts and plans are answered, not retried: send the operator to the item
      if (u.question || u.attention_kind === 'CONFLICT' || u.attention_kind === 'PLAN') {
        const verb = u.question ? 'Answer' : u.attention_kind === 'PLAN' ? 'Review plan' : 'Decide';
        return html`<${Link} href=${unitHref(u.chunk)} class="btn small" title="Open the item">${verb}<//>`;
      }
      return html`<${ActionButton} className="btn small" label=${`Retry ${u.chunk}`} run=${() => api.retry(u.chunk)} done=${`Retrying ${u.chunk}`}
        title="Run the phase again in a fresh session">Retry<//>`;
    case 'READY':
    case 'BLOCKED':
      return html`<${ActionButton} className="btn small" label=${`Run ${u.chunk} next`} run=${() => actions.prioritize(u.chunk)}
        done=${`${u.chunk} moved to the front`} title="Raise its priority above every other unit">↑ Next<//>`;
    default:
      return null;
  }
}

/** The pipeline at a glance; the phase name is the text, the dots only decorate. */
/** @param {{phase: import('../domain/work-unit.js').Phase, status: Status}} p */
export function PhaseTrack({ phase, status }) {
  // one element drawn by CSS (five dots): hundreds of rows stay light
  const at = status === 'DONE' ? 'done' : phase === 'REBASE' ? 'rebase' : phase.toLowerCase();
  return html`<span class="track"><span class=${`dots at-${at}`} aria-hidden="true"></span><span class="phase-name">${phaseLabel(phase)}</span></span>`;
}
