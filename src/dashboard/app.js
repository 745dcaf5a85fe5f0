// @ts-check
/**
 * The dashboard's entry: one live connection for the whole page, the header, and either the main
 * view (attention inbox, then the unit grid) or a unit's page. No build step: the browser loads
 * these modules and Preact/htm from the daemon through the page's import map.
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { BudgetBanners } from './budget.js';
import { Header } from './header.js';
import { HostsPanel } from './hosts.js';
import { Inbox } from './inbox.js';
import { createLive } from './live.js';
import { useRoute } from './router.js';
import { TrainPanel } from './train.js';
import { html, setClockOffset, Toasts } from './ui.js';
import { UnitPage } from './unit-page.js';
import { UnitGrid } from './units.js';

/** @typedef {import('./live.js').Live} Live */

/** @param {{live: Live}} p */
function App({ live }) {
  const [state, setState] = useState(live.get());
  const route = useRoute();
  useEffect(() => live.subscribe(setState), [live]);
  setClockOffset(state.clockOffset);
  // a background tab still tells how many items wait for the operator
  const waiting = state.attention.length;
  const project = state.status?.project_root.split('/').filter(Boolean).pop() ?? 'orchestrator';
  const title = `${waiting ? `(${waiting}) ` : ''}${route.name === 'unit' ? `${route.chunk} · ` : ''}ve · ${project}`;
  useEffect(() => {
    document.title = title;
  }, [title]);
  return html`<a class="skip" href="#main">Skip to content</a>
    <${Header} state=${state} />
    <${BudgetBanners} status=${state.status} />
    ${
      state.connection === 'reconnecting' &&
      html`<div class="banner" role="status">
      Lost the connection to the daemon. Showing the last known state; reconnecting… If it was restarted on
      another port, open the link from <code>ve orch url</code>.
    </div>`
    }
    ${
      state.connection === 'unauthorized' &&
      html`<div class="banner banner-error" role="alert">
      The daemon no longer accepts this browser's token (it may have been reset).
      Open the link printed by <code>ve orch url</code>, or <a href="/">sign in again</a>.
    </div>`
    }
    ${
      route.name === 'unit'
        ? html`<${UnitPage} state=${state} live=${live} chunk=${route.chunk} tab=${route.tab} />`
        : html`<main id="main" class=${`home${state.connection === 'live' ? '' : ' stale'}`}>
          ${!state.synced && state.connection !== 'unauthorized' && html`<p class="boot">Connecting to the daemon…</p>`}
          ${state.synced && html`<${Inbox} state=${state} /><${TrainPanel} train=${state.train} /><${HostsPanel} hosts=${state.hosts} /><${UnitGrid} state=${state} live=${live} />`}
        </main>`
    }
    <${Toasts} />`;
}

const live = createLive();
live.start();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} live=${live} />`, root);
}
