// @ts-check
/**
 * The dashboard's REST calls (docs/api.md). Same-origin only: the token travels in the HttpOnly
 * cookie, so no request here ever names it. Failures become ApiError with the server's code and text.
 */

/** @typedef {import('../api/dto.js').WorkUnitDto} WorkUnitDto */
/** @typedef {import('../api/dto.js').ConfigDto} ConfigDto */
/** @typedef {import('../api/dto.js').ConflictDto} ConflictDto */
/** @typedef {import('../api/dto.js').HistoryDto} HistoryDto */
/** @typedef {import('../api/dto.js').AnswerRequest} AnswerRequest */
/** @typedef {import('../api/dto.js').InjectResponse} InjectResponse */
/** @typedef {import('../api/dto.js').ChunkSummaryDto} ChunkSummaryDto */
/** @typedef {import('../api/dto.js').StatusDto} StatusDto */
/** @typedef {import('../api/dto.js').UnitPageDto} UnitPageDto */
/** @typedef {{status?: import('../domain/work-unit.js').Status, order?: 'created' | 'recent', limit?: number, after?: string}} UnitQuery */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * @template T
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<T>}
 */
async function call(method, path, body) {
  /** @type {RequestInit} */
  const init = { method, credentials: 'same-origin', headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'offline', 'The daemon is not reachable. Is it running?');
  }
  const text = await res.text();
  /** @type {any} */
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad_response', `Unexpected answer from the daemon (HTTP ${res.status})`);
  }
  if (!res.ok) {
    const err = data?.error;
    throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
  }
  return data;
}

const unit = (/** @type {string} */ chunk) => `/api/work-units/${encodeURIComponent(chunk)}`;

export const api = {
  /** @returns {Promise<StatusDto>} */
  status: () => call('GET', '/api/status'),
  /** @param {UnitQuery} q @returns {Promise<UnitPageDto>} */
  units: (q) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
    return call('GET', `/api/work-units?${params}`);
  },
  /** @param {string} chunk @returns {Promise<WorkUnitDto>} */
  unit: (chunk) => call('GET', unit(chunk)),
  /** @param {string} chunk @param {AnswerRequest} body @returns {Promise<WorkUnitDto>} */
  answer: (chunk, body) => call('POST', `${unit(chunk)}/answer`, body),
  /** @param {string} chunk @returns {Promise<import('../api/dto.js').PlanDto>} */
  plan: (chunk) => call('GET', `${unit(chunk)}/plan`),
  /** @param {string} chunk approves the plan a unit waits with; it moves on to IMPLEMENT */
  approve: (chunk) => call('POST', `${unit(chunk)}/approve`, { approved_by: 'dashboard' }),
  /** @param {string} chunk @returns {Promise<WorkUnitDto>} */
  retry: (chunk) => call('POST', `${unit(chunk)}/retry`, {}),
  /** @param {string} chunk lands a failed verification without verifying it (the operator's override) */
  landUnverified: (chunk) => call('POST', `${unit(chunk)}/land`, { unverified: true, by: 'dashboard' }),
  /** @param {string} chunk deletes the unit; its branch stays for whoever wants the work */
  killUnit: (chunk) => call('DELETE', `${unit(chunk)}?force=true&keep_branch=true`),
  /** @param {string} chunk @returns {Promise<WorkUnitDto>} */
  kill: (chunk) => call('POST', `${unit(chunk)}/kill`, { to: 'ready' }),
  /** @param {string} chunk @param {string} guidance @returns {Promise<{delivered: boolean}>} */
  interrupt: (chunk, guidance) => call('POST', `${unit(chunk)}/interrupt`, { guidance }),
  /** @param {string} chunk @param {number} priority @returns {Promise<WorkUnitDto>} */
  setPriority: (chunk, priority) => call('PATCH', `${unit(chunk)}/priority`, { priority }),
  /** @param {string} chunk @param {string} other @param {'parallelize' | 'serialize'} verdict */
  resolve: (chunk, other, verdict) => call('POST', `${unit(chunk)}/resolve`, { other, verdict }),
  /** @param {string[]} chunks @returns {Promise<InjectResponse>} */
  inject: (chunks) => call('POST', '/api/work-units/inject', { chunks }),
  /** @param {Partial<ConfigDto>} patch @returns {Promise<ConfigDto>} */
  patchConfig: (patch) => call('PATCH', '/api/config', patch),
  /** @param {string} chunk @returns {Promise<HistoryDto>} */
  history: (chunk) => call('GET', `${unit(chunk)}/history`),
  /** @param {string} chunk @returns {Promise<{chunk: string, diff: string}>} */
  diff: (chunk) => call('GET', `${unit(chunk)}/diff`),
  /** @returns {Promise<{chunks: ChunkSummaryDto[]}>} */
  chunks: () => call('GET', '/api/chunks'),
  /** @param {string} name @returns {Promise<{name: string, goal: string, plan: string | null, frontmatter: Record<string, unknown>}>} */
  chunk: (name) => call('GET', `/api/chunks/${encodeURIComponent(name)}`),
  /** @param {string} chunk @returns {Promise<{conflicts: ConflictDto[], count: number}>} */
  conflicts: (chunk) => call('GET', `/api/conflicts?chunk=${encodeURIComponent(chunk)}`),
  /** @param {string} name takes no new unit on the host; its units finish there */
  drainHost: (name) => call('POST', `/api/hosts/${encodeURIComponent(name)}/drain`, {}),
  /** @param {string} name lets a drained host take new units again */
  activateHost: (name) => call('POST', `/api/hosts/${encodeURIComponent(name)}/activate`, {}),
  /** @param {string} name @param {number} slots how many agents it may run at once */
  setHostSlots: (name, slots) => call('PATCH', `/api/hosts/${encodeURIComponent(name)}`, { slots }),
};
