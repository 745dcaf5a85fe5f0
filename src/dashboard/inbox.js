// @ts-check
/**
 * The attention inbox, first on the page: every item the operator must act on, ranked by the server
 * (blocks_count, depth, age), each with the action its kind needs. Acting sends one API call; the
 * item leaves every open dashboard when the daemon broadcasts the change.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { BudgetForm } from './budget.js';
import { phaseLabel, plural } from './format.js';
import { inline, Markdown } from './markdown.js';
import { Link, unitHref } from './router.js';
import { ActionButton, Ago, errorText, html, KindBadge, notify } from './ui.js';

/** @typedef {import('../api/dto.js').AttentionItemDto} Item */
/** @typedef {import('../domain/work-unit.js').QuestionItem} QuestionItem */
/** @typedef {import('./live.js').LiveState} LiveState */

/** @param {{state: LiveState}} p */
export function Inbox({ state }) {
  const items = state.attention;
  let running = 0;
  for (const u of state.units.values()) if (u.status === 'RUNNING') running++;
  return html`<section id="inbox" class="inbox" aria-labelledby="inbox-title">
    <h2 id="inbox-title">Needs you <span class="count">${items.length}</span></h2>
    ${
      items.length === 0
        ? html`<p class="empty" data-testid="inbox-empty">
          Nothing needs you right now.${running > 0 ? ` ${plural(running, 'agent')} at work.` : ''}
        </p>`
        : html`<ol class="cards">
          ${items.map((it) => html`<li key=${it.chunk}><${AttentionCard} item=${it} conflictsRevision=${state.conflictsRevision} /></li>`)}
        </ol>`
    }
  </section>`;
}

/** @param {{item: Item, standalone?: boolean, conflictsRevision: number}} p */
export function AttentionCard({ item, standalone, conflictsRevision }) {
  const since = Date.parse(item.raised_at);
  return html`<article class=${`card attention kind-${item.kind}`} data-chunk=${item.chunk} data-kind=${item.kind} aria-label=${`${item.kind} on ${item.chunk}`}>
    <div class="card-head">
      <${KindBadge} kind=${item.kind} />
      ${!standalone && html`<${Link} href=${unitHref(item.chunk)} class="chunk">${item.chunk}<//>`}
      <span class="meta">
        <span>${phaseLabel(item.phase)}</span>
        ${item.blocks_count > 0 && html`<span class="blocks" title="units waiting, directly or not, on this one">blocks ${item.blocks_count}</span>`}
        <span>waiting <${Ago} since=${since} /></span>
      </span>
    </div>
    ${item.goal_summary && !standalone && html`<p class="summary">${inline(item.goal_summary)}</p>`}
    ${
      item.question
        ? html`<${QuestionForm} item=${item} />`
        : item.kind === 'CONFLICT'
          ? html`<${ConflictForm} item=${item} conflictsRevision=${conflictsRevision} />`
          : item.kind === 'PLAN'
            ? html`<${PlanForm} item=${item} />`
            : item.kind === 'BUDGET'
              ? html`<${BudgetForm} item=${item} />`
              : html`<${RetryForm} item=${item} />`
    }
  </article>`;
}

/* ---------- questions ---------- */

/** @param {{item: Item}} p */
function QuestionForm({ item }) {
  const question = /** @type {NonNullable<Item['question']>} */ (item.question);
  const qs = question.questions;
  const direct = qs.length === 1 && !qs[0]?.multiSelect;
  const [picked, setPicked] = useState(/** @type {Record<string, string[]>} */ ({}));
  const [text, setText] = useState('');
  const send = (/** @type {import('../api/dto.js').AnswerRequest} */ body) =>
    api.answer(item.chunk, { ...body, question_id: question.id });

  /** @param {QuestionItem} q @param {string} label */
  const toggle = (q, label) => {
    const cur = picked[q.question] ?? [];
    const next = q.multiSelect
      ? cur.includes(label)
        ? cur.filter((l) => l !== label)
        : [...cur, label]
      : [label];
    setPicked({ ...picked, [q.question]: next });
  };
  const answers = Object.fromEntries(
    Object.entries(picked)
      .filter(([, v]) => v.length > 0)
      .map(([k, v]) => [k, v.join(', ')]),
  );
  const complete = qs.every((q) => answers[q.question]);
  return html`<div class="question">
    ${qs.map(
      (q, qi) => html`<fieldset key=${qi} class="q">
        <legend>${q.header && html`<span class="q-header">${q.header}</span>`}<span class="q-text">${q.question}</span></legend>
        <div class="options" role=${direct ? undefined : 'group'}>
          ${q.options.map((o) =>
            direct
              ? html`<${ActionButton}
                  className="btn option"
                  data=${{ option: o.label }}
                  run=${() => send({ answers: { [q.question]: o.label } })}
                  done=${`Answered ${item.chunk}: ${o.label}`}
                >
                  <span class="opt-label">${o.label}</span>
                  ${o.description && html`<span class="opt-desc">${o.description}</span>`}
                <//>`
              : html`<button
                  type="button"
                  class="btn option"
                  data-option=${o.label}
                  aria-pressed=${(picked[q.question] ?? []).includes(o.label) ? 'true' : 'false'}
                  onClick=${() => toggle(q, o.label)}
                >
                  <span class="opt-label">${o.label}</span>
                  ${o.description && html`<span class="opt-desc">${o.description}</span>`}
                </button>`,
          )}
        </div>
        ${q.multiSelect && html`<p class="hint">Pick any number.</p>`}
      </fieldset>`,
    )}
    ${
      !direct &&
      html`<${ActionButton}
      className="btn primary"
      disabled=${!complete}
      run=${() => send({ answers })}
      done=${`Answered ${item.chunk}`}
    >Send ${plural(qs.length, 'answer')}<//>`
    }
    <${FreeText}
      label=${direct ? 'Or answer in your own words' : 'Or answer the rest in your own words'}
      value=${text}
      onInput=${setText}
      send=${() => send(direct ? { answer: text } : { answers, answer: text })}
      chunk=${item.chunk}
    />
  </div>`;
}

/**
 * @param {{label: string, value: string, onInput: (v: string) => void, send: () => Promise<unknown>, chunk: string, open?: boolean, button?: string}} p
 */
function FreeText({ label, value, onInput, send, chunk, open, button = 'Send answer' }) {
  const [busy, setBusy] = useState(false);
  const id = `free-${chunk}`;
  /** @param {Event} e */
  const submit = async (e) => {
    e.preventDefault();
    if (!value.trim() || busy) return;
    setBusy(true);
    try {
      await send();
      notify('ok', `Answered ${chunk}`);
      onInput('');
    } catch (err) {
      notify('error', errorText(err));
    } finally {
      setBusy(false);
    }
  };
  /** @param {KeyboardEvent} e */
  const keys = (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
  };
  const body = html`<form class="free" onSubmit=${submit}>
    <label for=${id}>${label}</label>
    <textarea id=${id} rows="2" value=${value} onInput=${(/** @type {any} */ e) => onInput(e.currentTarget.value)} onKeyDown=${keys}
      placeholder="Type an answer; Ctrl+Enter sends"></textarea>
    <button type="submit" class="btn" disabled=${busy || !value.trim()}>${button}</button>
  </form>`;
  return open ? body : html`<details class="free-wrap"><summary>${label}</summary>${body}</details>`;
}

/* ---------- conflicts ---------- */

/**
 * The oracle's analyses are read when the item appears and again whenever one changes or is dropped,
 * so files from an analysis that is gone do not linger.
 * @param {{item: Item, conflictsRevision: number}} p
 */
function ConflictForm({ item, conflictsRevision }) {
  const [detail, setDetail] = useState(/** @type {ReturnType<typeof conflictDetail> | null} */ (null));
  useEffect(() => {
    let live = true;
    Promise.all([api.history(item.chunk), api.conflicts(item.chunk)])
      .then(([h, c]) => live && setDetail(conflictDetail(item, h, c.conflicts)))
      .catch(
        (e) =>
          live &&
          setDetail({
            others: [],
            files: [],
            symbols: [],
            notes: [`Could not load details: ${errorText(e)}`],
          }),
      );
    return () => {
      live = false;
    };
  }, [item.chunk, item.version, conflictsRevision]);
  const others = detail?.others.length ? detail.others : item.blocked_by;
  return html`<div class="conflict">
    <p class="reason">${withoutCliHint(item.reason)}</p>
    ${
      detail &&
      detail.files.length > 0 &&
      html`<div class="files"><span class="files-title">Overlapping files</span>
      <ul>${detail.files.map((f) => html`<li key=${f}><code>${f}</code></li>`)}</ul>
      ${detail.symbols.length > 0 && html`<p class="hint">Symbols: ${detail.symbols.map((s) => html`<code key=${s}>${s}</code> `)}</p>`}
    </div>`
    }
    ${detail?.notes.map((n) => html`<p class="hint">${n}</p>`)}
    ${others.length === 0 && html`<p class="hint">The other chunk is not known any more; retry the unit to re-check.</p>`}
    ${others.map(
      (other) => html`<div class="pair" key=${other}>
        <p class="pair-title"><strong>${item.chunk}</strong> ⇄ <strong>${other}</strong></p>
        <div class="actions">
          <${ActionButton} className="btn primary" data=${{ verdict: 'parallelize' }} run=${() => api.resolve(item.chunk, other, 'parallelize')}
            done=${`${item.chunk} runs alongside ${other}`} title="They do not really collide: run both now">Run in parallel<//>
          <${ActionButton} className="btn" data=${{ verdict: 'serialize' }} run=${() => api.resolve(item.chunk, other, 'serialize')}
            done=${`${item.chunk} waits for ${other}`} title=${`${item.chunk} starts when ${other} is merged`}>Wait for ${other}<//>
        </div>
      </div>`,
    )}
    ${others.length === 0 && html`<${ActionButton} className="btn" run=${() => api.retry(item.chunk)} done=${`Retrying ${item.chunk}`}>Retry<//>`}
  </div>`;
}

/**
 * What the conflict is about: the attention log's latest raise says which chunk and files; the
 * stored analyses add the oracle's reasoning.
 * @param {Item} item
 * @param {import('../api/dto.js').HistoryDto} history
 * @param {import('../api/dto.js').ConflictDto[]} analyses
 */
export function conflictDetail(item, history, analyses) {
  const raised = [...history.attention]
    .reverse()
    .find((a) => a.kind === 'CONFLICT' && a.answered_at === null);
  const q = /** @type {{other?: string, files?: string[]} | null} */ (raised?.raised?.question ?? null);
  const others = new Set(q?.other ? [q.other] : []);
  const files = new Set(q?.files ?? []);
  const symbols = new Set();
  const notes = [];
  for (const a of analyses) {
    const other = a.chunk_a === item.chunk ? a.chunk_b : a.chunk_a;
    if (a.override === null && a.verdict === 'ASK_OPERATOR' && item.blocked_by.includes(other))
      others.add(other);
    if (!others.has(other)) continue;
    for (const f of a.overlapping_files) files.add(f);
    for (const s of a.overlapping_symbols) symbols.add(s);
    if (!item.reason.includes(a.reason))
      notes.push(`Oracle, from the ${a.stage.toLowerCase()} stage: ${a.reason}`);
  }
  return { others: [...others], files: [...files], symbols: [...symbols], notes };
}

/**
 * The daemon's reasons end with the CLI command that resolves them; here the buttons do that.
 * @param {string} reason
 */
export function withoutCliHint(reason) {
  return reason.replace(/\s*Decide with: ve orch resolve .*$/s, '');
}

/* ---------- plans waiting for approval ---------- */

/**
 * A plan to approve (plan_approval on): PLAN.md as committed on the unit's branch, rendered, with
 * Approve and a box for what to change (that feedback resumes the PLAN session, and the plan comes back).
 * @param {{item: Item}} p
 */
function PlanForm({ item }) {
  const [plan, setPlan] = useState(/** @type {import('../api/dto.js').PlanDto | null} */ (null));
  const [error, setError] = useState('');
  const [text, setText] = useState('');
  useEffect(() => {
    let live = true;
    api.plan(item.chunk).then(
      (p) => live && setPlan(p),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [item.chunk, item.version]);
  return html`<div class="plan-approval">
    ${error && html`<p class="form-error" role="alert">Could not read the plan: ${error}</p>`}
    ${!plan && !error && html`<p class="hint">Reading the plan…</p>`}
    ${
      plan &&
      html`<p class="hint">docs/chunks/${item.chunk}/PLAN.md on <code>${plan.ref}</code>${plan.commit ? ` at ${plan.commit.slice(0, 7)}` : ''}</p>
      ${
        plan.plan === null
          ? html`<p class="form-error" role="alert">No PLAN.md is committed on ${plan.ref}.</p>`
          : html`<div class="plan-doc" data-testid="plan"><${Markdown} text=${plan.plan} /></div>`
      }`
    }
    <div class="actions">
      <${ActionButton} className="btn primary" data=${{ action: 'approve' }} disabled=${!plan?.plan}
        run=${() => api.approve(item.chunk)} done=${`Plan of ${item.chunk} approved: it moves on to IMPLEMENT`}
        title="The plan is good: implement it">Approve<//>
    </div>
    <${FreeText}
      label="Or say what to change (the agent revises the plan, then it comes back to you)"
      value=${text}
      onInput=${setText}
      send=${() => api.answer(item.chunk, { answer: text })}
      chunk=${item.chunk}
      open=${true}
      button="Send feedback"
    />
  </div>`;
}

/* ---------- errors, stalls, merges, escalated reviews ---------- */

/** What the retry button does for the kinds where it is not "run the phase again". */
/** @type {Partial<Record<Item['kind'], {label: string, title: string}>>} */
const RETRY_LABEL = {
  MERGE: { label: 'Retry merge', title: 'Try the merge again (after you tidied the checkout)' },
  TURNS: { label: 'Continue', title: 'The same session continues with another turn budget' },
  VERIFY: { label: 'Verify again', title: 'Run the verify command again (a flaky test, a base fixed since)' },
  TESTS: {
    label: 'Check again',
    title: 'Look at its diff again (after you restored the tests on its branch yourself)',
  },
};

/**
 * Every other item: its reason (for a failed verification, the command's last output apart), a retry
 * that means what the kind needs, a reply, and for VERIFY the override and giving up.
 * @param {{item: Item}} p
 */
function RetryForm({ item }) {
  const [text, setText] = useState('');
  const verify = item.kind === 'VERIFY';
  const tests = item.kind === 'TESTS';
  const retry = RETRY_LABEL[item.kind] ?? { label: 'Retry', title: 'Run the phase again in a fresh session' };
  const [head, ...rest] = item.reason.split('\nLast output:\n');
  const output = verify ? rest.join('\nLast output:\n') : '';
  return html`<div class=${verify ? 'verify' : 'retry'}>
    <pre class="reason">${verify ? head : item.reason}</pre>
    ${output && html`<pre class="verify-output" data-testid="verify-output">${output}</pre>`}
    ${verify && html`<p class="hint">The full output is in the unit's log (VERIFY).</p>`}
    ${
      item.kind === 'MERGE' &&
      html`<p class="hint">Look at it yourself:
      <code>${item.worktree ? `cd ${item.worktree} && git status` : '(worktree removed)'}</code></p>`
    }
    <div class="actions">
      <${ActionButton} className="btn primary" run=${() => api.retry(item.chunk)} done=${`${retry.label}: ${item.chunk}`}
        title=${retry.title}>${retry.label}<//>
      ${verify && html`<${VerifyOverrides} chunk=${item.chunk} />`}
      ${
        tests &&
        html`<${ActionButton} className="btn danger" confirm=${`Let ${item.chunk} land with these test changes?`}
          run=${() => api.approve(item.chunk)} done=${`${item.chunk} goes on to land with its test changes`}
          title="It is verified and lands as usual; the audit log says you accepted the test changes">Accept test changes<//>`
      }
    </div>
    <${FreeText}
      label=${verify || tests ? 'Send it back to the agent with guidance' : 'Reply with instructions instead'}
      value=${text}
      onInput=${setText}
      send=${() => api.answer(item.chunk, { answer: text })}
      chunk=${item.chunk}
      open=${item.kind === 'REVIEW' || verify || tests}
    />
  </div>`;
}

/** A failed verification's two ways out besides trying again: land it anyway (audited), or give up. */
/** @param {{chunk: string}} p */
function VerifyOverrides({ chunk }) {
  return html`<${ActionButton} className="btn danger" confirm=${`Land ${chunk} although its verification failed?`}
      run=${() => api.landUnverified(chunk)} done=${`${chunk} lands without verification`}
      title="An explicit override: it lands as it is, and the audit log says you decided">Land anyway<//>
    <${ActionButton} className="btn" confirm=${`Remove ${chunk} from the pipeline? Its branch orch/${chunk} is kept.`}
      run=${() => api.killUnit(chunk)} done=${`${chunk} removed; orch/${chunk} kept`}
      title="Give up on this unit: it leaves the pipeline; its branch stays">Kill<//>`;
}
