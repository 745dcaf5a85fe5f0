// @ts-check
/**
 * The page header: project, connection state, agents running / max (with the max_agents stepper),
 * total cost (and the project's budget window), how many items wait for the operator, and warnings:
 * agents without the OS sandbox (or held because it cannot run), landings not verified, a prompt
 * override of the project that is refused.
 */
import { api } from './api.js';
import { money } from './format.js';
import { totals } from './live.js';
import { Link } from './router.js';
import { verificationWarning } from './train.js';
import { ActionButton, html } from './ui.js';

/** @typedef {import('./live.js').LiveState} LiveState */

/** @type {Record<import('./live.js').Connection, {text: string, hint: string}>} */
const CONNECTION = {
  connecting: { text: 'Connecting…', hint: 'opening the live connection to the daemon' },
  live: { text: 'Live', hint: 'changes appear as they happen' },
  reconnecting: { text: 'Reconnecting…', hint: 'the daemon is not reachable; showing the last known state' },
  unauthorized: {
    text: 'Token needed',
    hint: 'the daemon refused the token; open the link from `ve orch url`',
  },
};

/** @param {{state: LiveState}} p */
export function Header({ state }) {
  // every running unit is in the map; the cost of DONE units not loaded comes from the server
  const { counts, cost } = totals(state);
  const running = counts.RUNNING ?? 0;
  const max = state.config?.max_agents ?? 0;
  const project = state.status?.project_root.split('/').filter(Boolean).pop() ?? '';
  const conn = CONNECTION[state.connection];
  const waiting = state.attention.length;
  const sandbox = state.status?.agent_sandbox;
  const unverified = verificationWarning(state.train);
  const refused = state.status?.prompts?.problems ?? [];
  const window = state.status?.budget?.project;
  return html`<header class="top">
    <div class="top-row">
      <${Link} href="/" class="brand" title="All work units">
        <span class="logo" aria-hidden="true">ve</span>
        <span class="project">${project || 'orchestrator'}</span>
      <//>
      ${state.status?.base_branch && html`<span class="base" title="base branch">⎇ ${state.status.base_branch}</span>`}
      ${
        sandbox &&
        !sandbox.active &&
        html`<span
          class="unconfined"
          data-testid="sandbox-warning"
          title=${
            sandbox.held
              ? `No agent starts: ${sandbox.held}`
              : `Agents' shell commands run without the OS sandbox (${sandbox.reason ?? 'off'}); only the tool-level policy confines them, and it cannot see what inline code (node -e, python -c, perl -e, …) or scripts the agents write do. See docs/security.md.`
          }
          >${sandbox.held ? '⏸ agents held: no OS sandbox' : '⚠ no OS sandbox'}</span
        >`
      }
      ${
        unverified &&
        html`<span class=${`unverified ${unverified.level}`} data-testid="verify-warning" title=${unverified.title}
          >${unverified.text}</span
        >`
      }
      ${
        refused.length > 0 &&
        html`<span class="unverified error" data-testid="prompt-warning"
          title=${`${refused.map((p) => `${p.message}; ${p.phase} does not run until it is fixed on base`).join('\n')}`}
          >⚠ ${refused.length === 1 ? `${refused[0]?.file} refused` : `${refused.length} prompt overrides refused`}</span
        >`
      }
      <span class=${`conn conn-${state.connection}`} title=${conn.hint} data-connection=${state.connection}>
        <span class="dot" aria-hidden="true"></span>${conn.text}
      </span>
    </div>
    <div class="stats" aria-label="Summary">
      <${Link} href="/#inbox" class=${`stat stat-attention${waiting ? ' has' : ''}`} title="Items waiting for you">
        <strong data-testid="attention-count">${waiting}</strong> need you
      <//>
      <span class="stat" data-testid="agents">
        <strong>${running}</strong> / <strong>${max}</strong> agents
        <span class="stepper">
          <${ActionButton}
            className="btn tiny"
            label="Fewer agents (max_agents − 1)"
            title="Lower max_agents"
            disabled=${max <= 1}
            run=${() => api.patchConfig({ max_agents: max - 1 })}
          >−<//>
          <${ActionButton}
            className="btn tiny"
            label="More agents (max_agents + 1)"
            title="Raise max_agents"
            disabled=${!max || max >= 64}
            run=${() => api.patchConfig({ max_agents: max + 1 })}
          >+<//>
        </span>
      </span>
      <span class="stat" title="Total agent cost of all units" data-testid="total-cost"><strong>${money(cost)}</strong> spent</span>
      ${
        window &&
        html`<span class=${`stat${window.reached ? ' over' : ''}`} data-testid="project-spend"
          title="The project's spend in its rolling window, against project_budget_usd"
          ><strong>${money(window.spent_usd)}</strong> of ${money(window.limit_usd)} in ${window.window_hours} h</span>`
      }
    </div>
  </header>`;
}
