/** The operator's interventions: answer, retry, kill, interrupt, block/unblock, resolve, attention list. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { toChunkName } from '../../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { readJson } from '../body.js';
import type { ApiServices } from '../services.js';

const AnswerBody = z
  .object({
    answer: z.string().max(20_000).optional(),
    option: z.number().int().min(1).max(10).optional(),
    answers: z.record(z.string().max(2000), z.string().max(20_000)).optional(),
    question_id: z.string().max(200).optional(),
    answered_by: z.string().max(200).optional(),
  })
  .strict();
const ApproveBody = z.object({ approved_by: z.string().min(1).max(200).optional() }).strict();
const KillBody = z.object({ to: z.enum(['ready', 'attention']).optional() }).strict();
const InterruptBody = z.object({ guidance: z.string().min(1).max(20_000) }).strict();
const BlockBody = z
  .object({
    blocked_by: z.array(z.string().max(100)).max(100).optional(),
    reason: z.string().max(2000).optional(),
  })
  .strict();
const LandBody = z
  .object({ unverified: z.literal(true), by: z.string().min(1).max(200).optional() })
  .strict();
const VerifyRunsQuery = z.object({
  chunk: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
const ResolveBody = z
  .object({ other: z.string().max(100), verdict: z.enum(['parallelize', 'serialize']) })
  .strict();

export function registerInterventionRoutes(app: Hono, s: ApiServices): void {
  const chunkOf = (raw: string) => toChunkName(raw);
  app.get('/api/attention', async (c) => {
    const items = await s.attention();
    return c.json({ items, count: items.length });
  });
  app.post('/api/work-units/:chunk/answer', async (c) => {
    const chunk = chunkOf(c.req.param('chunk'));
    return c.json(await s.answer(chunk, await readJson(c, AnswerBody)));
  });
  app.get('/api/work-units/:chunk/plan', async (c) => c.json(await s.plan(chunkOf(c.req.param('chunk')))));
  app.post('/api/work-units/:chunk/approve', async (c) => {
    const chunk = chunkOf(c.req.param('chunk'));
    const body = await readJson(c, ApproveBody);
    return c.json(await s.approve(chunk, body.approved_by ?? 'operator'));
  });
  app.post('/api/work-units/:chunk/retry', async (c) => c.json(await s.retry(chunkOf(c.req.param('chunk')))));
  app.post('/api/work-units/:chunk/kill', async (c) => {
    const chunk = chunkOf(c.req.param('chunk'));
    const body = await readJson(c, KillBody);
    return c.json(await s.kill(chunk, body.to ?? 'ready'));
  });
  app.post('/api/work-units/:chunk/interrupt', async (c) => {
    const chunk = chunkOf(c.req.param('chunk'));
    await s.interrupt(chunk, (await readJson(c, InterruptBody)).guidance);
    return c.json({ delivered: true });
  });
  app.post('/api/work-units/:chunk/block', async (c) => {
    const chunk = chunkOf(c.req.param('chunk'));
    const body = await readJson(c, BlockBody);
    return c.json(await s.block(chunk, body.blocked_by ?? [], body.reason));
  });
  app.post('/api/work-units/:chunk/unblock', async (c) =>
    c.json(await s.unblock(chunkOf(c.req.param('chunk')))),
  );
  app.get('/api/train', async (c) => c.json(await s.train()));
  app.get('/api/verify-runs', async (c) => {
    const q = VerifyRunsQuery.safeParse({ chunk: c.req.query('chunk'), limit: c.req.query('limit') });
    if (!q.success)
      throw new OrchError(ErrorCode.invalid_input, `invalid query: ${q.error.issues[0]?.message}`);
    const chunk = q.data.chunk === undefined ? undefined : chunkOf(q.data.chunk);
    const runs = await s.verifyRuns({ ...(chunk ? { chunk } : {}), limit: q.data.limit ?? 100 });
    return c.json({ runs, count: runs.length });
  });
  app.post('/api/work-units/:chunk/land', async (c) => {
    const chunk = chunkOf(c.req.param('chunk'));
    const body = await readJson(c, LandBody);
    return c.json(await s.landUnverified(chunk, body.by ?? 'operator'));
  });
  app.post('/api/work-units/:chunk/resolve', async (c) => {
    const chunk = chunkOf(c.req.param('chunk'));
    const body = await readJson(c, ResolveBody);
    const other = chunkOf(body.other);
    const unit = await s.resolve(chunk, other, body.verdict);
    return c.json({
      chunk,
      other,
      verdict: body.verdict === 'parallelize' ? 'INDEPENDENT' : 'SERIALIZE',
      blocked_by: unit.blocked_by,
      unit,
    });
  });
}
