/** Work-unit routes: list, queue, inject, show, delete, history, priority, forced status, log, diff. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { toChunkName } from '../../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { PHASES, STATUSES } from '../../domain/work-unit.js';
import { readJson } from '../body.js';
import type { ApiServices } from '../services.js';

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

export function registerUnitRoutes(app: Hono, s: ApiServices): void {
  app.get('/api/work-units', async (c) => {
    const units = await s.listUnits(statusQuery(c.req.query('status')));
    return c.json({ work_units: units, count: units.length });
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
    await s.deleteUnit(chunk, c.req.query('force') === 'true');
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
