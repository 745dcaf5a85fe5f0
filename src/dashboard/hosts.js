// @ts-check
/**
 * The host pool on the main page (docs/hosts.md): each host's state, health and agent slots in use,
 * with drain, activate and a slots stepper; and the host label a unit row or page shows (which host, and whether the
 * unit waits for it). Hidden while `local` is the only host.
 */
import { api } from './api.js';
import { ActionButton, html } from './ui.js';

/** @typedef {import('../api/dto.js').HostDto} HostDto */
/** @typedef {import('../api/dto.js').WorkUnitDto} Unit */

/**
 * Pure: the host a unit shows, or '' when it runs here or is not placed yet; a READY unit whose host
 * is not healthy says it waits for it.
 * @param {Pick<Unit, 'host' | 'status'>} u
 * @param {readonly HostDto[]} hosts
 */
export function hostLabel(u, hosts) {
  if (u.host === null || u.host === 'local') return '';
  const h = hosts.find((x) => x.name === u.host);
  if (!h) return `${u.host} (removed)`;
  if (u.status === 'READY' && h.health !== 'ok') return `waiting for ${u.host} (${h.health})`;
  return u.host;
}

/** @param {{hosts: readonly HostDto[]}} p */
export function HostsPanel({ hosts }) {
  if (hosts.length <= 1) return null;
  return html`<section class="hosts" aria-labelledby="hosts-title" data-testid="hosts">
    <h2 id="hosts-title">Hosts <span class="count">${hosts.length}</span></h2>
    <ul class="host-list">
      ${hosts.map((h) => html`<${HostRow} key=${h.name} host=${h} />`)}
    </ul>
  </section>`;
}

/**
 * − and + for a host's slots (`local`'s are max_agents, in the header).
 * @param {{host: HostDto}} p
 */
function SlotsStepper({ host: h }) {
  const slots = h.slots_total;
  return html`<span class="stepper">
    <${ActionButton} className="btn tiny" label=${`Fewer slots on ${h.name}`} title="One agent fewer there; running ones finish"
      disabled=${slots <= 0} run=${() => api.setHostSlots(h.name, slots - 1)}>−<//>
    <${ActionButton} className="btn tiny" label=${`More slots on ${h.name}`} title="One agent more there"
      disabled=${slots >= 256} run=${() => api.setHostSlots(h.name, slots + 1)}>+<//>
  </span>`;
}

/** @param {{host: HostDto}} p */
function HostRow({ host: h }) {
  const share = h.slots_total > 0 ? Math.min(100, Math.round((100 * h.slots_used) / h.slots_total)) : 100;
  return html`<li class=${`host health-${h.health} state-${h.state}`} data-host=${h.name}>
    <span class="host-name">${h.name}</span>
    <span class="host-health" title=${h.health_detail ?? h.health}>${h.health}${h.health_detail ? html` · <span class="why">${h.health_detail}</span>` : ''}</span>
    <span class="host-slots" title="agents running there / its slots" data-testid="host-slots">
      <span class="meter" aria-hidden="true"><span style=${`width:${share}%`}></span></span>
      ${h.slots_used}/${h.slots_total} slots
    </span>
    ${h.name !== 'local' && h.state !== 'removed' && html`<${SlotsStepper} host=${h} />`}
    <span class="host-units">${h.units.length} unit${h.units.length === 1 ? '' : 's'}</span>
    ${h.state !== 'active' && html`<span class="host-state">${h.state}</span>`}
    <span class="host-actions">
      ${
        h.state === 'active'
          ? html`<${ActionButton} className="btn small" label=${`Drain ${h.name}`} run=${() => api.drainHost(h.name)}
              done=${`${h.name} takes no new unit`} title="Take no new unit there; the units already there finish">Drain<//>`
          : h.state === 'draining'
            ? html`<${ActionButton} className="btn small" label=${`Activate ${h.name}`} run=${() => api.activateHost(h.name)}
              done=${`${h.name} takes new units again`} title="Let it take new units again">Activate<//>`
            : null
      }
    </span>
  </li>`;
}
