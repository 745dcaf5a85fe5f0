// @ts-check
/**
 * Budgets on the page (docs/agents.md "Budgets"): the BUDGET card, whose raise lifts every unit that
 * limit holds; one banner while the project's window is spent (not an item per unit) and one while
 * units wait for a usage limit to reset; and a unit's spend against its limits.
 */
import { useState } from 'preact/hooks';
import { api } from './api.js';
import { money, plural, tokens } from './format.js';
import { ActionButton, errorText, html, notify } from './ui.js';

/** @typedef {import('../api/dto.js').AttentionItemDto} Item */
/** @typedef {NonNullable<Item['budget']>} Hold */
/** @typedef {import('../api/dto.js').StatusDto} StatusDto */
/** @typedef {import('../api/dto.js').ConfigDto} ConfigDto */
/** @typedef {import('../api/dto.js').WorkUnitDto} Unit */

/** @param {Hold} hold */
const isTokens = (hold) => hold.limit === 'unit_tokens';

/** @param {Hold} hold @param {number} n */
const amount = (hold, n) => (isTokens(hold) ? `${tokens(n)} tokens` : money(n));

/**
 * A raise that gives room again, as the CLI suggests: twice the limit, or twice the spend when that is
 * more, in cents.
 * @param {number} of @param {number | null} spent
 */
const room = (of, spent) => Math.round(Math.max(of, spent ?? 0) * 200) / 100;

/** @param {Hold} hold */
function suggestedRaise(hold) {
  const to = room(hold.of, hold.spent);
  return isTokens(hold) ? String(Math.ceil(to)) : to.toFixed(2);
}

/** @param {{item: Item}} p */
export function BudgetForm({ item }) {
  const hold = item.budget;
  const [value, setValue] = useState(hold ? suggestedRaise(hold) : '');
  const [busy, setBusy] = useState(false);
  const id = `raise-${item.chunk}`;
  /** @param {Event} e */
  const raise = async (e) => {
    e.preventDefault();
    if (!hold || busy) return;
    const next = Number(value);
    const floor = hold.spent ?? hold.of;
    if (!Number.isFinite(next) || next <= floor) {
      notify('error', `Raise ${hold.key} above ${amount(hold, floor)}, or the unit stays where it is`);
      return;
    }
    setBusy(true);
    try {
      await api.patchConfig({ [hold.key]: isTokens(hold) ? Math.ceil(next) : next });
      notify('ok', `${hold.key} is now ${amount(hold, next)}: the units it held go on`);
    } catch (err) {
      notify('error', errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="budget-form">
    <pre class="reason">${item.reason}</pre>
    ${
      hold &&
      html`<form class="raise" onSubmit=${raise} data-testid="raise-budget">
        <label for=${id}>Raise <code>${hold.key}</code> from ${amount(hold, hold.of)} to</label>
        <input id=${id} class="raise-amount" type="number" inputmode="decimal" min="0" step=${isTokens(hold) ? '1' : '0.01'} value=${value}
          onInput=${(/** @type {any} */ e) => setValue(e.currentTarget.value)} />
        <button type="submit" class="btn primary" disabled=${busy}>Raise limit</button>
      </form>
      <p class="hint">Every unit this limit holds resumes on its session; this changes the setting for the whole project.</p>`
    }
    ${
      hold?.limit === 'phase_usd' &&
      html`<div class="actions">
        <${ActionButton} className="btn" run=${() => api.retry(item.chunk)} done=${`${item.chunk} goes on`}
          title="The same session continues with a fresh per-phase budget">Continue with another ${money(hold.of)}<//>
      </div>`
    }
  </div>`;
}

/**
 * `15:00` today, else `Mar 2 15:00`, in the browser's time zone.
 * @param {string} iso
 */
export function resetTime(iso) {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  if (d.toDateString() === new Date().toDateString()) return time;
  return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

/** @param {number} h */
const hours = (h) => `${Number.isInteger(h) ? h : h.toFixed(1)} h`;

/** @param {NonNullable<NonNullable<StatusDto['budget']>['project']>} p */
function projectLine(p) {
  const until = p.frees_at ? ` until ${resetTime(p.frees_at)}` : '';
  return `${money(p.spent_usd)} of ${money(p.limit_usd)} in the last ${hours(p.window_hours)}. No phase starts${until} (${plural(p.waiting, 'unit')} waiting).`;
}

/** @param {{status: StatusDto | null}} p */
export function BudgetBanners({ status }) {
  const project = status?.budget?.project;
  const usage = status?.usage_limit;
  const raised = project ? room(project.limit_usd, project.spent_usd) : 0;
  return html`${
    project?.reached &&
    html`<div class="banner banner-budget" role="status" data-testid="project-budget">
      <strong>Project budget reached:</strong> ${projectLine(project)}
      <${ActionButton} className="btn tiny" run=${() => api.patchConfig({ project_budget_usd: raised })}
        done="Project budget raised: units start again" title="Set project_budget_usd to twice what it allows (or spent)"
        >Raise to ${money(raised)}<//>
    </div>`
  }${
    usage &&
    html`<div class="banner" role="status" data-testid="usage-limit">
      <strong>Usage limit:</strong> resumes at ${resetTime(usage.resumes_at)}, ${plural(usage.units, 'unit')} waiting.
    </div>`
  }`;
}

/**
 * A unit's cost and tokens, each against its limit when one is set.
 * @param {{unit: Unit, config: ConfigDto | null}} p
 */
export function Spend({ unit: u, config }) {
  const usd = config?.unit_budget_usd ?? null;
  const tok = config?.unit_budget_tokens ?? null;
  const used = u.tokens_in + u.tokens_out;
  return html`<span data-testid="unit-spend">${money(u.cost_usd)}${usd !== null && ` of ${money(usd)}`}</span>
    <span class="hint">${tokens(u.tokens_in)} in · ${tokens(u.tokens_out)} out${tok !== null && ` · ${tokens(used)} of ${tokens(tok)}`}</span>`;
}
