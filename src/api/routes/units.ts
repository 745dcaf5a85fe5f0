/** Work-unit routes: list, queue, inject, show, delete, history, priority, forced status, log, diff. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { toChunkName } from '../../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { PHASES, STATUSES } from '../../domain/work-unit.js';
import { readJson } from '../body.js';
import type { UnitPageDto } from '../dto.js';
import type { ApiServices, UnitListQuery } from '../services.js';

const ChunkList = z.array(z.string().max(100)).min(1).max(500);
const InjectBody = z
  .object({
    chunks: ChunkList,
    phase: z.enum(PHASES).optional(),
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
    retain: z.boolean().optional(),
  })
  .strict();
const PriorityBody = z
  .object({
    priority: z.number().int().min(-1_000_000).max(1_000_000),
    expected_version: z.number().int().optional(),
  })
  .strict();
const StatusBody = z
  .object({
    status: z.enum(STATUSES),
    phase: z.enum(PHASES).optional(),
    expected_version: z.number().int().optional(),
    reason: z.string().max(2000).optional(),
  })
  .strict();

export function statusQuery(value: string | undefined) {
  if (value === undefined) return undefined;
  const parsed = z.enum(STATUSES).safeParse(value);
  if (!parsed.success)
    throw new OrchError(
      ErrorCode.invalid_input,
      `invalid status '${value}'; use one of ${STATUSES.join(', ')}`,
    );
  return parsed.data;
}

export function phaseQuery(value: string | undefined) {
  if (value === undefined) return undefined;
  const parsed = z.enum(PHASES).safeParse(value);
  if (!parsed.success)
    throw new OrchError(ErrorCode.invalid_input, `invalid phase '${value}'; use one of ${PHASES.join(', ')}`);
  return parsed.data;
}

/** the most units one page may ask for: a whole 10k-unit project, not more */
export const MAX_PAGE_LIMIT = 10_000;

function limitQuery(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,6}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= MAX_PAGE_LIMIT))
    throw new OrchError(
      ErrorCode.invalid_input,
      `invalid limit '${value.slice(0, 40)}'; use an integer from 1 to ${MAX_PAGE_LIMIT}`,
    );
  return n;
}

function activeQuery(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false')
    throw new OrchError(ErrorCode.invalid_input, `invalid active '${value.slice(0, 40)}'; use true or false`);
  return value === 'true';
}

const ORDERS = ['created', 'recent'] as const;

function orderQuery(value: string | undefined): (typeof ORDERS)[number] | undefined {
  if (value === undefined) return undefined;
  const order = ORDERS.find((o) => o === value);
  if (!order)
    throw new OrchError(
      ErrorCode.invalid_input,
      `invalid order '${value.slice(0, 40)}'; use ${ORDERS.join(' or ')}`,
    );
  return order;
}

/** GET /api/work-units' query: a status or active filter, an order, and keyset paging with limit and after. */
function unitListQuery(q: (name: string) => string | undefined): UnitListQuery {
  const status = statusQuery(q('status'));
  const active = activeQuery(q('active'));
  if (status !== undefined && active)
    throw new OrchError(ErrorCode.invalid_input, 'use either status or active=true, not both');
  const after = q('after');
  return {
    status,
    active,
    limit: limitQuery(q('limit')),
    after: after === undefined ? undefined : toChunkName(after),
    order: orderQuery(q('order')),
  };
}

export function registerUnitRoutes(app: Hono, s: ApiServices): void {
  app.get('/api/work-units', async (c) => {
    const page = await s.listUnits(unitListQuery((name) => c.req.query(name)));
    const body: UnitPageDto = {
      work_units: page.work_units,
      count: page.work_units.length,
      total: page.total,
      next_after: page.next_after,
    };
    return c.json(body);
  });
  app.get('/api/work-units/queue', async (c) => {
    const units = await s.queue();
    return c.json({ work_units: units, count: units.length });
  });
  app.post('/api/work-units/inject', async (c) => c.json(await s.inject(await readJson(c, InjectBody)), 201));
  app.post('/api/work-units/retry-all', async (c) => {
    const chunks = await s.retryAll(phaseQuery(c.req.query('phase')));
    return c.json({ count: chunks.length, chunks });
  });
  app.get('/api/work-units/:chunk', async (c) => c.json(await s.getUnit(toChunkName(c.req.param('chunk')))));
  app.delete('/api/work-units/:chunk', async (c) => {
    const chunk = toChunkName(c.req.param('chunk'));
    await s.deleteUnit(chunk, c.req.query('force') === 'true', c.req.query('keep_branch') === 'true');
    return c.json({ deleted: true, chunk });
  });
  app.get('/api/work-units/:chunk/history', async (c) =>
    c.json(await s.history(toChunkName(c.req.param('chunk')))),
  );
  app.patch('/api/work-units/:chunk/priority', async (c) => {
    const body = await readJson(c, PriorityBody);
    return c.json(
      await s.setPriority(toChunkName(c.req.param('chunk')), body.priority, body.expected_version),
    );
  });
  app.patch('/api/work-units/:chunk/status', async (c) => {
    const body = await readJson(c, StatusBody);
    return c.json(
      await s.forceStatus(toChunkName(c.req.param('chunk')), {
        status: body.status,
        ...(body.phase ? { phase: body.phase } : {}),
        ...(body.expected_version !== undefined ? { expectedVersion: body.expected_version } : {}),
        ...(body.reason ? { reason: body.reason } : {}),
      }),
    );
  });
  app.get('/api/work-units/:chunk/log', async (c) => {
    const chunk = toChunkName(c.req.param('chunk'));
    const phase = phaseQuery(c.req.query('phase'));
    const events = (await s.phaseLog(chunk)).filter((e) => !phase || e.phase === phase);
    return c.json({ chunk, events });
  });
  app.get('/api/work-units/:chunk/diff', async (c) => {
    const chunk = toChunkName(c.req.param('chunk'));
    return c.json({ chunk, diff: await s.diff(chunk) });
  });
}
