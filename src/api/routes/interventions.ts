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
  /** POST /api/work-units/:chunk/<action> with a validated JSON body; answers what `act` returns */
  const unitAction = <S extends z.ZodType>(
    action: string,
    schema: S,
    act: (chunk: string, body: z.infer<S>) => Promise<unknown>,
  ) =>
    app.post(`/api/work-units/:chunk/${action}`, async (c) =>
      c.json(await act(chunkOf(c.req.param('chunk')), await readJson(c, schema))),
    );
  app.get('/api/attention', async (c) => {
    const items = await s.attention();
    return c.json({ items, count: items.length });
  });
  unitAction('answer', AnswerBody, (chunk, body) => s.answer(chunk, body));
  app.get('/api/work-units/:chunk/plan', async (c) => c.json(await s.plan(chunkOf(c.req.param('chunk')))));
  unitAction('approve', ApproveBody, (chunk, body) => s.approve(chunk, body.approved_by ?? 'operator'));
  app.post('/api/work-units/:chunk/retry', async (c) => c.json(await s.retry(chunkOf(c.req.param('chunk')))));
  unitAction('kill', KillBody, (chunk, body) => s.kill(chunk, body.to ?? 'ready'));
  unitAction('interrupt', InterruptBody, async (chunk, body) => {
    await s.interrupt(chunk, body.guidance);
    return { delivered: true };
  });
  unitAction('block', BlockBody, (chunk, body) => s.block(chunk, body.blocked_by ?? [], body.reason));
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
  unitAction('land', LandBody, (chunk, body) => s.landUnverified(chunk, body.by ?? 'operator'));
  unitAction('resolve', ResolveBody, async (chunk, body) => {
    const other = chunkOf(body.other);
    const unit = await s.resolve(chunk, other, body.verdict);
    return {
      chunk,
      other,
      verdict: body.verdict === 'parallelize' ? 'INDEPENDENT' : 'SERIALIZE',
      blocked_by: unit.blocked_by,
      unit,
    };
  });
}
