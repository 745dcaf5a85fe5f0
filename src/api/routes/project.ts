/** Project-wide routes: status, config, conflicts, worktrees, chunk documents. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ConfigPatchSchema } from '../../config/schema.js';
import { toChunkName } from '../../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { readJson } from '../body.js';
import type { ApiServices } from '../services.js';

const AnalyzeBody = z.object({ a: z.string().max(100), b: z.string().max(100) }).strict();
const PruneBody = z.object({ force: z.boolean().optional() }).strict();

export function registerProjectRoutes(app: Hono, s: ApiServices): void {
  app.get('/api/status', async (c) => c.json(await s.status()));
  app.get('/api/config', async (c) => c.json(await s.getConfig()));
  app.patch('/api/config', async (c) => c.json(await s.patchConfig(await readJson(c, ConfigPatchSchema))));

  app.get('/api/conflicts', async (c) => {
    const chunk = c.req.query('chunk');
    const conflicts = await s.conflicts({
      ...(chunk ? { chunk: toChunkName(chunk) } : {}),
      ...(c.req.query('unresolved') === 'true' ? { verdict: 'ASK_OPERATOR' as const } : {}),
    });
    return c.json({ conflicts, count: conflicts.length });
  });
  app.post('/api/conflicts/analyze', async (c) => {
    const body = await readJson(c, AnalyzeBody);
    const [a, b] = [toChunkName(body.a), toChunkName(body.b)];
    if (a === b) throw new OrchError(ErrorCode.invalid_input, 'analyze needs two different chunks');
    return c.json(await s.analyze(a, b));
  });

  app.get('/api/worktrees', async (c) => {
    const worktrees = await s.worktrees();
    return c.json({ worktrees, count: worktrees.length });
  });
  app.delete('/api/worktrees/:chunk', async (c) => {
    const chunk = toChunkName(c.req.param('chunk'));
    await s.removeWorktree(chunk, {
      force: c.req.query('force') === 'true',
      keepBranch: c.req.query('keep_branch') === 'true',
    });
    return c.json({ chunk, removed: true });
  });
  app.post('/api/worktrees/prune', async (c) =>
    c.json(await s.pruneWorktrees((await readJson(c, PruneBody)).force ?? false)),
  );

  app.get('/api/chunks', async (c) => c.json({ chunks: await s.chunks() }));
  app.get('/api/chunks/:name', async (c) => c.json(await s.chunk(toChunkName(c.req.param('name')))));
}
