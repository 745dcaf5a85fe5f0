// @ts-check
/**
 * The landing train on the main page: what waits to land, in order, the tree each entry is verified
 * on (base + the entries ahead of it), and how its verification went. Hidden while the train is empty.
 */
import { Link, unitHref } from './router.js';
import { html } from './ui.js';

/** @typedef {import('../api/dto.js').TrainSnapshot} TrainSnapshot */
/** @typedef {TrainSnapshot['entries'][number]} Entry */

/** @type {Record<Entry['state'], {label: string, icon: string}>} */
const STATE = {
  waiting: { label: 'waiting', icon: '○' },
  verifying: { label: 'verifying', icon: '◎' },
  rerunning: { label: 're-running (flaky check)', icon: '↻' },
  passed: { label: 'passed', icon: '✓' },
  failed: { label: 'failed', icon: '✗' },
  conflict: { label: 'conflicts with the train ahead', icon: '⇄' },
  landing: { label: 'landing', icon: '⎇' },
};

/** @param {string | null} sha */
const short = (sha) => (sha ? sha.slice(0, 8) : '–');

/** @param {{train: TrainSnapshot | null}} p */
export function TrainPanel({ train }) {
  if (!train || train.entries.length === 0) return null;
  return html`<section class="train" aria-labelledby="train-title" data-testid="train">
    <h2 id="train-title">Landing train <span class="count">${train.entries.length}</span></h2>
    <p class="hint">
      ${
        train.verify.command
          ? html`Each entry is tested with <code>${train.verify.command}</code> on the exact tree that would land,
      ${train.verify.parallelism} at a time; ${train.running} running.`
          : 'Landings are not verified: entries land in order as they come.'
      }
      Base <code>${train.base}</code> at <code>${short(train.base_tip)}</code>.
    </p>
    <ol class="train-entries">
      ${train.entries.map(
        (
          e,
        ) => html`<li key=${e.chunk} class=${`train-entry state-${e.state}`} data-chunk=${e.chunk} data-state=${e.state}>
          <span class="pos" title="position in the train">#${e.position}</span>
          <${Link} href=${unitHref(e.chunk)} class="chunk">${e.chunk}<//>
          <span class="state"><span aria-hidden="true">${STATE[e.state].icon}</span> ${STATE[e.state].label}</span>
          <span class="on" title="the tree this entry is verified on">on <code>${short(e.base_tip)}</code>${e.ahead.length > 0 && html` + ${e.ahead.join(' + ')}`}</span>
          ${e.land_unverified && html`<span class="override">lands unverified (override)</span>`}
          ${e.conflict_files && html`<span class="why">${e.conflict_files.join(', ')}</span>`}
        </li>`,
      )}
    </ol>
  </section>`;
}

/**
 * Whether landings are verified, for the header: null when they are (nothing to warn about).
 * @param {TrainSnapshot | null} train
 * @returns {{text: string, title: string, level: 'warn' | 'error'} | null}
 */
export function verificationWarning(train) {
  if (!train) return null;
  const v = train.verify;
  if (v.source === 'invalid') {
    return {
      text: '⚠ landings held',
      title: `ve.yaml on ${train.base} cannot be read, so nothing lands: ${v.error ?? ''}`,
      level: 'error',
    };
  }
  if (v.command !== null) return null;
  return {
    text: '⚠ landings not verified',
    title:
      v.source === 'off'
        ? 'Verification is turned off: finished units land without running any tests.'
        : "No verify command: finished units land without running the project's tests. Set one with ve orch config --verify-command '…' or in ve.yaml.",
    level: 'warn',
  };
}
