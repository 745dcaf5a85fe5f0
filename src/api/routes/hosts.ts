/** The host pool (docs/hosts.md, docs/api.md): list, add, check, drain, activate, remove. */
import type { Hono } from 'hono';
import { z } from 'zod';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { assertHostName } from '../../domain/host.js';
import { readJson } from '../body.js';
import type { AddHostDto, HostChecksDto, HostListDto, RemoveHostDto } from '../dto.js';
import type { ApiServices } from '../services.js';

const AddBody = z
  .object({
    name: z.string().max(64),
    ssh: z.string().max(300),
    slots: z.number().int().min(0).max(256).optional(),
    workdir: z.string().max(512).optional(),
    claude: z.string().max(512).optional(),
  })
  .strict();

const ChangeBody = z.object({ slots: z.number().int().min(0).max(256) }).strict();

function hostParam(name: string): string {
  assertHostName(name);
  return name;
}

function flag(value: string | undefined, what: string): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new OrchError(ErrorCode.invalid_input, `invalid ${what} '${value.slice(0, 40)}'; use true or false`);
}

export function registerHostRoutes(app: Hono, s: ApiServices): void {
  app.get('/api/hosts', async (c) => {
    const hosts = await s.hosts();
    return c.json<HostListDto>({ hosts, count: hosts.length });
  });
  app.post('/api/hosts', async (c) => c.json<AddHostDto>(await s.addHost(await readJson(c, AddBody)), 201));
  app.post('/api/hosts/check', async (c) => c.json<HostChecksDto>({ checks: await s.checkHosts() }));
  app.post('/api/hosts/:name/check', async (c) =>
    c.json<HostChecksDto>({ checks: await s.checkHosts(hostParam(c.req.param('name'))) }),
  );
  app.post('/api/hosts/:name/drain', async (c) => c.json(await s.drainHost(hostParam(c.req.param('name')))));
  app.post('/api/hosts/:name/activate', async (c) =>
    c.json(await s.activateHost(hostParam(c.req.param('name')))),
  );
  app.patch('/api/hosts/:name', async (c) => {
    const name = hostParam(c.req.param('name'));
    const { slots } = await readJson(c, ChangeBody);
    return c.json(await s.setHostSlots(name, slots));
  });
  app.delete('/api/hosts/:name', async (c) =>
    c.json<RemoveHostDto>(
      await s.removeHost(hostParam(c.req.param('name')), {
        reassign: flag(c.req.query('reassign'), 'reassign'),
        forget: flag(c.req.query('forget'), 'forget'),
      }),
    ),
  );
}
