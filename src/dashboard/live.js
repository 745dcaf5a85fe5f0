// @ts-check
/**
 * The dashboard's live state: one `/ws` connection that applies the snapshot and every change after
 * it, reconnects with backoff, and resyncs from a fresh snapshot (after a daemon restart too).
 * Components read it through `subscribe`; nothing here polls the server. The map holds every
 * unfinished unit but only the newest DONE ones (older pages are merged in on request), so counts
 * and cost come from `totals`, not from the map.
 */

/** @typedef {import('../api/dto.js').WorkUnitDto} WorkUnitDto */
/** @typedef {import('../api/dto.js').AttentionItemDto} AttentionItemDto */
/** @typedef {import('../api/dto.js').ConfigDto} ConfigDto */
/** @typedef {import('../api/dto.js').StatusDto} StatusDto */
/** @typedef {import('../api/dto.js').ConflictDto} ConflictDto */
/** @typedef {import('../api/dto.js').WsMessage} WsMessage */
/** @typedef {import('../api/dto.js').TrainSnapshot} TrainSnapshot */
/** @typedef {import('../api/dto.js').HostDto} HostDto */
/** @typedef {import('../domain/work-unit.js').Status} Status */

/**
 * @typedef {'connecting' | 'live' | 'reconnecting' | 'unauthorized'} Connection
 *
 * @typedef {object} LiveState
 * @property {Connection} connection
 * @property {boolean} synced at least one snapshot arrived
 * @property {Map<string, WorkUnitDto>} units every unit not DONE, and the DONE units loaded so far
 * @property {Map<string, number>} since server time (ms) at which each unit entered its status and phase
 * @property {AttentionItemDto[]} attention ranked by the server
 * @property {ConfigDto | null} config
 * @property {StatusDto | null} status as of the last snapshot
 * @property {Map<string, ConflictDto>} conflicts by sorted pair `a|b`
 * @property {number} conflictsRevision +1 on every conflict change: open conflict details read again
 * @property {number} clockOffset server clock minus browser clock, ms
 * @property {number} doneTotal DONE units in the store (the server's count, kept up live)
 * @property {number} doneCost the cost of every DONE unit in the store, USD
 * @property {string | null} doneNextAfter `after` for the next older DONE page; null when all are loaded
 * @property {number} epoch snapshots applied: a page read before a resync is dropped
 * @property {TrainSnapshot | null} train the landing train, as the daemon last sent it
 * @property {HostDto[]} hosts the host pool, `local` first
 */

const MIN_DELAY = 500;
const MAX_DELAY = 8000;

/** @returns {LiveState} */
export function emptyState() {
  return {
    connection: 'connecting',
    synced: false,
    units: new Map(),
    since: new Map(),
    attention: [],
    config: null,
    status: null,
    conflicts: new Map(),
    conflictsRevision: 0,
    clockOffset: 0,
    doneTotal: 0,
    doneCost: 0,
    doneNextAfter: null,
    epoch: 0,
    train: null,
    hosts: [],
  };
}

/**
 * The DONE count and cost from a status: the server's totals less the unfinished units held here.
 * @param {Map<string, WorkUnitDto>} units
 * @param {StatusDto} st
 */
function doneFromStatus(units, st) {
  let cost = st.total_cost_usd;
  for (const u of units.values()) if (u.status !== 'DONE') cost -= u.cost_usd;
  return { doneTotal: st.counts.DONE ?? 0, doneCost: Math.max(0, cost) };
}

/**
 * Pure: units per status and in all, and the total cost, over the whole store.
 * @param {LiveState} s
 */
export function totals(s) {
  /** @type {Partial<Record<Status, number>>} */
  const counts = {};
  let total = s.doneTotal;
  let cost = s.doneCost;
  for (const u of s.units.values()) {
    if (u.status === 'DONE') continue;
    counts[u.status] = (counts[u.status] ?? 0) + 1;
    total += 1;
    cost += u.cost_usd;
  }
  counts.DONE = s.doneTotal;
  return { counts, total, cost };
}

/**
 * Pure: units read over REST (a page of older DONE units, a unit opened by its address) added to the
 * state. Units already held are kept: the live stream has the newer copy.
 * @param {LiveState} s
 * @param {WorkUnitDto[]} list
 * @param {{epoch: number, doneNextAfter?: string | null}} read the epoch it was read in; the DONE cursor it leaves
 */
export function mergeUnits(s, list, read) {
  if (read.epoch !== s.epoch) return s;
  const units = new Map(s.units);
  const since = new Map(s.since);
  for (const u of list) {
    if (units.has(u.chunk)) continue;
    units.set(u.chunk, u);
    since.set(u.chunk, Date.parse(u.updated_at));
  }
  const doneNextAfter = read.doneNextAfter === undefined ? s.doneNextAfter : read.doneNextAfter;
  return { ...s, units, since, doneNextAfter };
}

/**
 * Pure: the state after one message. Maps are copied, so identity tells what changed.
 * @param {LiveState} s
 * @param {WsMessage} m
 * @param {number} browserNow
 * @returns {LiveState}
 */
export function applyMessage(s, m, browserNow) {
  switch (m.type) {
    case 'snapshot': {
      const units = new Map(m.data.work_units.map((u) => [u.chunk, u]));
      const since = new Map();
      for (const u of m.data.work_units) {
        const old = s.units.get(u.chunk);
        const kept =
          old && old.status === u.status && old.phase === u.phase ? s.since.get(u.chunk) : undefined;
        since.set(u.chunk, kept ?? Date.parse(u.updated_at));
      }
      const st = m.data.status;
      const serverNow = st.started_at
        ? Date.parse(st.started_at) + (st.uptime_seconds ?? 0) * 1000
        : browserNow;
      return {
        ...s,
        synced: true,
        units,
        since,
        attention: m.data.attention,
        config: m.data.config,
        status: st,
        clockOffset: serverNow - browserNow,
        ...doneFromStatus(units, st),
        doneNextAfter: m.data.done_next_after,
        epoch: s.epoch + 1,
        train: m.data.train,
        hosts: m.data.hosts,
      };
    }
    case 'unit': {
      const u = m.data;
      const old = s.units.get(u.chunk);
      const units = new Map(s.units).set(u.chunk, u);
      let since = s.since;
      if (!old || old.status !== u.status || old.phase !== u.phase)
        since = new Map(s.since).set(u.chunk, Date.parse(u.updated_at));
      // a unit held here moves the DONE figures at once; for one not held (a DONE unit not loaded,
      // now changed or reopened) the status message the server sends next has the truth
      if (!old) return { ...s, units, since };
      const wasDone = old.status === 'DONE' ? 1 : 0;
      const isDone = u.status === 'DONE' ? 1 : 0;
      return {
        ...s,
        units,
        since,
        doneTotal: s.doneTotal + isDone - wasDone,
        doneCost: s.doneCost + isDone * u.cost_usd - wasDone * old.cost_usd,
      };
    }
    case 'unit_deleted': {
      const old = s.units.get(m.data.chunk);
      const units = new Map(s.units);
      units.delete(m.data.chunk);
      if (old?.status !== 'DONE') return { ...s, units };
      return { ...s, units, doneTotal: s.doneTotal - 1, doneCost: s.doneCost - old.cost_usd };
    }
    case 'attention':
      return { ...s, attention: m.data.items };
    case 'config':
      return { ...s, config: m.data };
    case 'status':
      return { ...s, status: m.data, ...doneFromStatus(s.units, m.data) };
    case 'train':
      return { ...s, train: m.data };
    case 'hosts':
      return { ...s, hosts: m.data.hosts };
    case 'conflict': {
      const c = m.data;
      return {
        ...s,
        conflicts: new Map(s.conflicts).set(`${c.chunk_a}|${c.chunk_b}`, c),
        conflictsRevision: s.conflictsRevision + 1,
      };
    }
    case 'conflicts_invalidated': {
      const conflicts = new Map(s.conflicts);
      for (const [a, b] of m.data.pairs) conflicts.delete(`${a}|${b}`);
      return { ...s, conflicts, conflictsRevision: s.conflictsRevision + 1 };
    }
    default:
      return s;
  }
}

/**
 * @param {{ url?: string, checkAuth?: () => Promise<boolean> }} [opts]
 */
export function createLive(opts = {}) {
  let state = emptyState();
  /** @type {Set<(s: LiveState) => void>} */
  const listeners = new Set();
  /** @type {WebSocket | null} */
  let socket = null;
  let delay = MIN_DELAY;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let stopped = false;
  const url = opts.url ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const checkAuth = opts.checkAuth ?? defaultCheckAuth;

  /** @param {LiveState} next */
  const set = (next) => {
    if (next === state) return;
    state = next;
    for (const l of listeners) l(state);
  };

  const open = () => {
    timer = null;
    if (stopped) return;
    let opened = false;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (ev) => {
      /** @type {WsMessage} */
      const m = JSON.parse(String(ev.data));
      if (m.type === 'snapshot') delay = MIN_DELAY;
      const next = applyMessage(state, m, Date.now());
      set(m.type === 'snapshot' ? { ...next, connection: 'live' } : next);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      set({ ...state, connection: state.synced ? 'reconnecting' : 'connecting' });
      // an upgrade refused before opening may mean the token changed: ask plain HTTP why
      const verdict = opened ? Promise.resolve(true) : checkAuth();
      verdict.then((ok) => {
        if (!ok) return set({ ...state, connection: 'unauthorized' });
        schedule();
      });
    };
  };

  const schedule = () => {
    if (timer || stopped) return;
    const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
    delay = Math.min(MAX_DELAY, delay * 2);
    timer = setTimeout(open, wait);
  };

  /** skip the remaining backoff (tab shown again, network back) */
  const nudge = () => {
    if (socket || stopped || state.connection === 'unauthorized') return;
    if (timer) clearTimeout(timer);
    delay = MIN_DELAY;
    open();
  };

  return {
    get: () => state,
    /** @param {(s: LiveState) => void} fn */
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    start() {
      open();
      addEventListener('online', nudge);
      document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && nudge());
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
    /**
     * Merge units read over REST; see `mergeUnits`.
     * @param {WorkUnitDto[]} list
     * @param {{epoch: number, doneNextAfter?: string | null}} read
     */
    addUnits(list, read) {
      set(mergeUnits(state, list, read));
    },
    /**
     * Merge conflict analyses fetched over REST (the snapshot does not carry them).
     * @param {ConflictDto[]} list
     */
    addConflicts(list) {
      if (list.length === 0) return;
      const conflicts = new Map(state.conflicts);
      for (const c of list) conflicts.set(`${c.chunk_a}|${c.chunk_b}`, c);
      set({ ...state, conflicts });
    },
  };
}

/** @returns {Promise<boolean>} false only when the daemon answers that the token is wrong */
async function defaultCheckAuth() {
  try {
    const res = await fetch('/api/status', { credentials: 'same-origin' });
    return res.status !== 401;
  } catch {
    return true;
  }
}

/** @typedef {ReturnType<typeof createLive>} Live */
