// @ts-check
/**
 * Small shared pieces: the htm binding, status and kind badges, self-updating elapsed times, buttons
 * that run an API call (busy state, errors as toasts, two-step confirm), and the toast region.
 */

import htm from 'htm';
import { Component, h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { duration, KIND, STATUS } from './format.js';

export const html = htm.bind(h);

/** @typedef {import('preact').ComponentChildren} Children */

/* ---------- server clock ---------- */

let clockOffset = 0;
/** @param {number} ms server clock minus browser clock */
export function setClockOffset(ms) {
  clockOffset = ms;
}
export const serverNow = () => Date.now() + clockOffset;

/* ---------- badges ---------- */

/**
 * The label always travels with the colour and a symbol; `compact` keeps the symbol and hides the
 * label visually (rows sit under a group heading that says it), not from screen readers.
 * @param {{status: import('../domain/work-unit.js').Status, compact?: boolean}} p
 */
export function StatusBadge({ status, compact }) {
  const s = STATUS[status];
  return compact
    ? html`<span class=${`badge compact status-${status}`} title=${`${s.label}: ${s.hint}`}>
        <span aria-hidden="true">${s.icon}</span><span class="sr-only">${s.label}</span>
      </span>`
    : html`<span class=${`badge status-${status}`} title=${s.hint}><span aria-hidden="true">${s.icon}</span> ${s.label}</span>`;
}

/** @param {{kind: import('../domain/work-unit.js').AttentionKind}} p */
export function KindBadge({ kind }) {
  const k = KIND[kind] ?? { label: kind, icon: '!' };
  return html`<span class=${`badge kind-${kind}`}><span aria-hidden="true">${k.icon}</span> ${k.label}</span>`;
}

/* ---------- elapsed times: one shared 1 s ticker, a re-render only when the text changes ---------- */

/** @type {Set<() => void>} */
const tickers = new Set();
/** @type {ReturnType<typeof setInterval> | null} */
let tickTimer = null;

/** @param {() => void} fn */
function onTick(fn) {
  tickers.add(fn);
  tickTimer ??= setInterval(() => {
    for (const f of tickers) f();
  }, 1000);
  return () => {
    tickers.delete(fn);
    if (tickers.size === 0 && tickTimer) {
      clearInterval(tickTimer);
      tickTimer = null;
    }
  };
}

/**
 * @param {number} ms
 * @param {boolean} coarse under a minute, say so instead of counting seconds
 */
function elapsedText(ms, coarse) {
  return coarse && ms < 60_000 ? '<1m' : duration(ms);
}

/**
 * Time since `since` (server clock). `coarse` rows change once a minute, so hundreds of them stay cheap.
 * @param {{since: number, prefix?: string, suffix?: string, coarse?: boolean}} p
 */
export function Ago({ since, prefix = '', suffix = '', coarse = false }) {
  const text = elapsedText(Math.max(0, serverNow() - since), coarse);
  const [, setShown] = useState(text);
  useEffect(
    () => onTick(() => setShown(elapsedText(Math.max(0, serverNow() - since), coarse))),
    [since, coarse],
  );
  return html`<time datetime=${new Date(since).toISOString()}>${prefix}${text}${suffix}</time>`;
}

/* ---------- memo (Preact core has none) ---------- */

/**
 * Re-renders only when a prop changed identity: unit rows stay untouched when another unit changes.
 * @template {Record<string, any>} P
 * @param {(props: P) => any} render
 */
export function memo(render) {
  class Memo extends Component {
    /** @param {Record<string, unknown>} next */
    shouldComponentUpdate(next) {
      const prev = /** @type {Record<string, unknown>} */ (this.props);
      for (const k in next) if (next[k] !== prev[k]) return true;
      for (const k in prev) if (!(k in next)) return true;
      return false;
    }
    /** @param {P} props */
    render(props) {
      return h(/** @type {any} */ (render), props);
    }
  }
  return Memo;
}

/* ---------- toasts ---------- */

/** @typedef {{id: number, tone: 'ok' | 'error', text: string}} Toast */
/** @type {Toast[]} */
let toasts = [];
/** @type {Set<(t: Toast[]) => void>} */
const toastListeners = new Set();
let toastId = 0;

/** @param {'ok' | 'error'} tone @param {string} text */
export function notify(tone, text) {
  const t = { id: ++toastId, tone, text };
  toasts = [...toasts.slice(-3), t];
  for (const l of toastListeners) l(toasts);
  setTimeout(() => dismiss(t.id), tone === 'error' ? 9000 : 3500);
}

/** @param {number} id */
function dismiss(id) {
  toasts = toasts.filter((t) => t.id !== id);
  for (const l of toastListeners) l(toasts);
}

export function Toasts() {
  const [list, setList] = useState(toasts);
  useEffect(() => {
    toastListeners.add(setList);
    return () => void toastListeners.delete(setList);
  }, []);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${list.map(
      (t) => html`<div key=${t.id} class=${`toast toast-${t.tone}`}>
        <span>${t.tone === 'error' ? '✕ ' : '✓ '}${t.text}</span>
        <button type="button" class="link" aria-label="Dismiss" onClick=${() => dismiss(t.id)}>×</button>
      </div>`,
    )}
  </div>`;
}

/** @param {unknown} e */
export function errorText(e) {
  return e instanceof Error ? e.message : String(e);
}

/* ---------- buttons that act ---------- */

/**
 * @typedef {object} ActionProps
 * @property {() => Promise<unknown>} run
 * @property {Children} children
 * @property {string} [done] toast text on success
 * @property {string} [className]
 * @property {string} [title]
 * @property {string} [label] accessible name when the visible text is terse
 * @property {boolean} [disabled]
 * @property {string} [confirm] ask once more with this text before acting
 * @property {Record<string, string>} [data]
 */

/** @param {ActionProps} p */
export function ActionButton({
  run,
  children,
  done,
  className = 'btn',
  title,
  label,
  disabled,
  confirm,
  data,
}) {
  const [busy, setBusy] = useState(false);
  const [arming, setArming] = useState(false);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  useEffect(() => {
    if (!arming) return;
    const t = setTimeout(() => setArming(false), 5000);
    return () => clearTimeout(t);
  }, [arming]);
  const click = async () => {
    if (confirm && !arming) return setArming(true);
    setArming(false);
    setBusy(true);
    try {
      await run();
      if (done) notify('ok', done);
    } catch (e) {
      notify('error', errorText(e));
    } finally {
      if (live.current) setBusy(false);
    }
  };
  const dataAttrs = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [`data-${k}`, v]));
  return html`<button
    type="button"
    class=${`${className}${arming ? ' arming' : ''}`}
    title=${title}
    aria-label=${arming ? confirm : label}
    aria-busy=${busy ? 'true' : undefined}
    disabled=${disabled || busy}
    onClick=${click}
    ...${dataAttrs}
  >${arming ? confirm : children}</button>`;
}
