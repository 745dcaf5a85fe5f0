// @ts-check
/**
 * The live agent log of one unit over `/ws/log/<chunk>`: the backlog of every phase, then events as
 * they happen (text, tool calls and results, questions, guidance, results). Reconnects on its own;
 * the backlog that is re-sent on reconnect is de-duplicated by (phase, seq).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { duration, money, phaseLabel } from './format.js';
import { Markdown } from './markdown.js';
import { html, memo } from './ui.js';

/** @typedef {import('../api/dto.js').LogWsMessage} LogWsMessage */
/** @typedef {Extract<LogWsMessage, {type: 'log'}>} LogLine */

const KEEP = 3000;

/** @param {{chunk: string}} p */
export function LogView({ chunk }) {
  const [lines, setLines] = useState(/** @type {LogLine[]} */ ([]));
  const [dropped, setDropped] = useState(0);
  const [info, setInfo] = useState('');
  const [conn, setConn] = useState('connecting');
  const [follow, setFollow] = useState(true);
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));

  useEffect(() => {
    /** @type {LogLine[]} */
    let all = [];
    let lost = 0;
    const seen = new Set();
    /** @type {LogLine[]} */
    let pending = [];
    /** @type {ReturnType<typeof setTimeout> | null} */
    let flushTimer = null;
    let closed = false;
    let delay = 500;
    let lastQuestion = '';
    /** @type {WebSocket | null} */
    let ws = null;
    const flush = () => {
      flushTimer = null;
      all = all.concat(pending);
      pending = [];
      if (all.length > KEEP) {
        lost += all.length - KEEP;
        all = all.slice(-KEEP);
      }
      setLines(all);
      setDropped(lost);
    };
    const open = () => {
      if (closed) return;
      ws = new WebSocket(
        `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/log/${encodeURIComponent(chunk)}`,
      );
      ws.onopen = () => {
        delay = 500;
        setConn('live');
      };
      ws.onmessage = (ev) => {
        /** @type {LogWsMessage} */
        const m = JSON.parse(String(ev.data));
        if (m.type !== 'log') return setInfo(m.message);
        const key = `${m.phase}:${m.seq}`;
        if (seen.has(key)) return;
        seen.add(key);
        // the backend and the runner may both log one question: show it once
        if (m.event.type === 'question') {
          const asked = `${m.phase}:${JSON.stringify(m.event.questions)}`;
          if (asked === lastQuestion) return;
          lastQuestion = asked;
        } else if (m.event.type !== 'tool_call') lastQuestion = '';
        setInfo('');
        pending.push(m);
        flushTimer ??= setTimeout(flush, 16);
      };
      ws.onclose = () => {
        if (closed) return;
        setConn('reconnecting');
        setTimeout(open, delay);
        delay = Math.min(8000, delay * 2);
      };
    };
    open();
    return () => {
      closed = true;
      if (flushTimer) clearTimeout(flushTimer);
      ws?.close();
    };
  }, [chunk]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines, follow]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return html`<div class="log-view">
    <div class="panel-bar">
      <span class=${`conn conn-${conn}`} data-log-connection=${conn}><span class="dot" aria-hidden="true"></span>${conn === 'live' ? 'Streaming' : 'Reconnecting…'}</span>
      <span class="hint">${lines.length} events${dropped ? ` (${dropped} earlier hidden)` : ''}</span>
      <button type="button" class="btn small" aria-pressed=${follow ? 'true' : 'false'} onClick=${() => setFollow(!follow)}>
        ${follow ? 'Following' : 'Follow'}
      </button>
    </div>
    <div class="log" ref=${box} onScroll=${onScroll} role="log" aria-live="off" aria-label=${`Agent log of ${chunk}`} tabindex="0">
      ${lines.length === 0 && html`<p class="hint">${info || 'Waiting for log output…'}</p>`}
      ${lines.map((l, i) => {
        const head = i === 0 || lines[i - 1]?.phase !== l.phase;
        return html`${head && html`<h3 class="log-phase" key=${`h-${l.phase}-${l.seq}`}>${phaseLabel(l.phase)}</h3>`}<${Event} key=${`${l.phase}:${l.seq}`} line=${l} />`;
      })}
    </div>
  </div>`;
}

/** How the runner's end-of-phase decisions read in the log. */
const CHECK_LABELS = {
  nudge: 'The orchestrator reminded the agent:',
  extend: 'More turns:',
  ask: 'Asked you in prose:',
};

/** @param {{line: LogLine}} p */
function EventRow({ line }) {
  const e = line.event;
  const time = new Date(e.at).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const stamp = html`<time class="ev-time" datetime=${e.at}>${time}</time>`;
  switch (e.type) {
    case 'session':
      return html`<div class="ev ev-session" data-ev="session">${stamp}<span>Session started${e.model ? ` · ${e.model}` : ''}</span></div>`;
    case 'text':
      return html`<div class="ev ev-text" data-ev="text">${stamp}<div class="ev-body"><${Markdown} text=${e.text} compact=${true} /></div></div>`;
    case 'tool_call':
      return html`<details class="ev ev-tool" data-ev="tool_call">
        <summary>${stamp}<span class="tool-name">${e.name}</span> <span class="tool-arg">${toolSummary(e.name, e.input, e.description)}</span></summary>
        <pre class="ev-pre">${JSON.stringify(e.input, null, 2)}</pre>
      </details>`;
    case 'tool_result': {
      const lines = e.content.split('\n');
      return html`<details class=${`ev ev-result${e.is_error ? ' is-error' : ''}`} data-ev="tool_result">
        <summary>${stamp}<span>${e.is_error ? '✕ error' : '↳ result'}</span> <span class="tool-arg">${firstLine(e.content)}${lines.length > 1 ? ` (+${lines.length - 1} lines)` : ''}</span></summary>
        <pre class="ev-pre">${e.content.length > 20000 ? `${e.content.slice(0, 20000)}\n… (${e.content.length - 20000} more characters)` : e.content}</pre>
      </details>`;
    }
    case 'denied':
      return html`<div class="ev ev-denied" data-ev="denied">${stamp}<span>⊘ Denied <strong>${e.tool}</strong>: ${e.reason}</span></div>`;
    case 'question':
      return html`<div class="ev ev-question" data-ev="question">${stamp}<div class="ev-body">
        <strong>Asked you:</strong>
        ${e.questions.map((q) => html`<p>${q.question} <span class="hint">(${q.options.map((o) => o.label).join(' / ')})</span></p>`)}
      </div></div>`;
    case 'guidance':
      return html`<div class="ev ev-guidance" data-ev="guidance">${stamp}<div class="ev-body"><strong>You:</strong> ${e.text}</div></div>`;
    case 'result':
      return html`<div class=${`ev ev-final${e.is_error ? ' is-error' : ''}`} data-ev="result">${stamp}<span>
        ${e.is_error ? '✕ Phase ended with an error' : '✓ Phase finished'} · ${e.num_turns} turns · ${money(e.total_cost_usd)} · ${duration(e.duration_ms)}
        ${e.result_text && html`<span class="hint"> — ${firstLine(e.result_text)}</span>`}
      </span></div>`;
    case 'verify_started':
      return html`<div class="ev ev-verify" data-ev="verify_started">${stamp}<span>▶ Verifying with <code>${e.command}</code> on
        <code>${e.commit.slice(0, 10)}</code>${e.ahead.length > 0 ? ` (with ${e.ahead.join(', ')} ahead)` : ''}</span></div>`;
    case 'verify_output':
      return html`<pre class="ev ev-pre ev-verify-output" data-ev="verify_output">${e.text}</pre>`;
    case 'verify_finished':
      return html`<div class=${`ev ev-final${e.outcome === 'passed' ? '' : ' is-error'}`} data-ev="verify_finished">${stamp}<span>
        ${e.outcome === 'passed' ? '✓ Verification passed' : `✕ Verification ${e.outcome}`}${e.exit_code !== null ? ` · exit ${e.exit_code}` : ''} · ${duration(e.duration_ms)}
        ${e.message && html`<span class="hint"> — ${e.message}</span>`}
      </span></div>`;
    case 'train':
      return html`<div class="ev ev-train" data-ev="train">${stamp}<span>⎇ ${e.text}</span></div>`;
    case 've_commit':
      return html`<div class="ev ev-train" data-ev="ve_commit">${stamp}<span>✎ ve committed what the session left uncommitted: <code>${e.files.join(', ')}</code></span></div>`;
    case 'check':
      return html`<div class="ev ev-guidance" data-ev="check">${stamp}<div class="ev-body">
        <strong>${CHECK_LABELS[e.decision]}</strong><${Markdown} text=${e.text} compact=${true} />
      </div></div>`;
    default:
      return html`<div class="ev">${stamp}<code>${JSON.stringify(e)}</code></div>`;
  }
}
const Event = memo(EventRow);

/** @param {string} s */
function firstLine(s) {
  const line = s.trim().split('\n')[0] ?? '';
  return line.length > 140 ? `${line.slice(0, 140)}…` : line;
}

/**
 * One line that says what a tool call does: the file, command or pattern it names.
 * @param {string} name @param {unknown} input @param {string} [description]
 */
export function toolSummary(name, input, description) {
  const i = /** @type {Record<string, unknown>} */ (input && typeof input === 'object' ? input : {});
  const pick = ['file_path', 'command', 'pattern', 'path', 'url', 'query', 'description'].find(
    (k) => typeof i[k] === 'string',
  );
  const text = pick
    ? String(i[pick])
    : (description ?? (name === 'AskUserQuestion' ? 'asks you a question' : ''));
  return firstLine(text);
}
