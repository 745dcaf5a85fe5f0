// @ts-check
/**
 * "Add work": a picker over the chunk documents in docs/chunks/ that are not work units yet. The
 * daemon injects the picked ones as one batch in dependency order (or refuses the whole batch).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { plural } from './format.js';
import { errorText, html, notify } from './ui.js';

/** @typedef {import('../api/dto.js').ChunkSummaryDto} Chunk */

/** @param {{units: Map<string, unknown>}} p */
export function InjectButton({ units }) {
  const [open, setOpen] = useState(false);
  return html`<button type="button" class="btn primary" onClick=${() => setOpen(true)} aria-haspopup="dialog">+ Add work</button>
    ${open && html`<${InjectDialog} units=${units} close=${() => setOpen(false)} />`}`;
}

/** @param {{units: Map<string, unknown>, close: () => void}} p */
function InjectDialog({ units, close }) {
  const ref = useRef(/** @type {HTMLDialogElement | null} */ (null));
  const [chunks, setChunks] = useState(/** @type {Chunk[] | null} */ (null));
  const [error, setError] = useState('');
  const [picked, setPicked] = useState(/** @type {Set<string>} */ (new Set()));
  const [q, setQ] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    ref.current?.showModal();
    api
      .chunks()
      .then((r) => setChunks(r.chunks))
      .catch((e) => setError(errorText(e)));
  }, []);

  // `injected` is the daemon's answer over every unit (the page holds only the newest DONE ones);
  // the live map adds units injected since the list was read
  const candidates = (chunks ?? []).filter((c) => !c.injected && !units.has(c.name));
  const shown = candidates.filter(
    (c) => !q || c.name.includes(q.toLowerCase()) || c.summary.toLowerCase().includes(q.toLowerCase()),
  );
  /** @param {string} name */
  const toggle = (name) => {
    const next = new Set(picked);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setPicked(next);
  };
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      const res = await api.inject([...picked]);
      notify(
        'ok',
        `Injected ${plural(res.results.length, 'chunk')}${res.warnings.length ? ` (${res.warnings.join('; ')})` : ''}`,
      );
      close();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return html`<dialog ref=${ref} class="dialog" aria-labelledby="inject-title" onClose=${close}>
    <form method="dialog" onSubmit=${submit}>
      <h2 id="inject-title">Add work</h2>
      <p class="hint">Pick chunks from <code>docs/chunks/</code>. Dependencies (<code>depends_on</code>) are ordered for you; the batch is all or nothing.</p>
      <input type="search" class="wide" placeholder="Filter chunks…" aria-label="Filter chunks" value=${q} onInput=${(/** @type {any} */ e) => setQ(e.currentTarget.value)} />
      <div class="picker" role="group" aria-label="Chunks not yet injected">
        ${chunks === null && !error && html`<p class="hint">Reading docs/chunks/…</p>`}
        ${chunks !== null && candidates.length === 0 && html`<p class="hint">Every chunk is already a work unit. Create more with <code>ve chunk create</code>.</p>`}
        ${shown.map(
          (c) => html`<label key=${c.name} class=${`pick${c.error ? ' broken' : ''}`}>
            <input type="checkbox" class="pick-box" name="chunk" value=${c.name} checked=${picked.has(c.name)} disabled=${Boolean(c.error)} onChange=${() => toggle(c.name)} />
            <span class="pick-body">
              <span class="pick-name">${c.name} ${c.status && html`<span class="tag">${c.status}</span>`}
                ${c.depends_on && c.depends_on.length > 0 && html`<span class="tag">after ${c.depends_on.join(', ')}</span>`}</span>
              <span class="pick-summary">${c.error ? `Cannot be injected: ${c.error}` : c.summary || 'No summary in GOAL.md'}</span>
            </span>
          </label>`,
        )}
      </div>
      ${error && html`<p class="form-error" role="alert">${error}</p>`}
      <div class="dialog-actions">
        <button type="button" class="btn" onClick=${() => ref.current?.close()}>Cancel</button>
        <button type="submit" class="btn primary" disabled=${busy || picked.size === 0}>Inject ${picked.size || ''}</button>
      </div>
    </form>
  </dialog>`;
}
