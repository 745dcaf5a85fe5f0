import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { FakeAgentBackend } from '../../test/fakes/fake-agent-backend.js';
import { FakeLanding } from '../../test/fakes/fake-landing.js';
import { FakeVerifier } from '../../test/fakes/fake-verifier.js';
import { FakeWorktrees } from '../../test/fakes/fake-worktrees.js';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';
import { runCli } from '../cli/program.js';
import { silentLogger } from '../infra/json-logger.js';
import { createApiServices } from './api-services.js';
import { compose } from './compose.js';

async function servicesOnFile() {
  const root = mkdtempSync(join(tmpdir(), 've-status-'));
  const dbPath = join(root, 'o.db');
  const landing = new FakeLanding();
  const parts = await compose({
    root,
    log: silentLogger,
    backend: new FakeAgentBackend(),
    worktrees: new FakeWorktrees(root),
    landing,
    verifier: new FakeVerifier(landing),
    baseBranch: 'main',
    dbPath,
  });
  return { parts, services: createApiServices(parts), raw: new Database(dbPath) };
}

describe('daemon status', () => {
  it('reports the version in package.json, the same one `ve --version` prints', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    const { parts, services } = await servicesOnFile();
    assert.equal((await services.status()).version, pkg.version);
    let printed = '';
    const io = {
      out: (t: string) => (printed += t),
      err: () => {},
      cwd: parts.paths.root,
      env: {},
      color: false,
    };
    assert.equal(await runCli(['--version'], io), 0);
    assert.equal(printed.trim(), pkg.version);
    parts.store.close();
  });

  it('shows a stored config value it cannot read as a config warning, and the default in effect', async () => {
    const { parts, services, raw } = await servicesOnFile();
    assert.deepEqual((await services.status()).config_warnings, []);
    raw.prepare(`INSERT INTO config (key, value) VALUES ('max_agents', '"lots"')`).run();
    const status = await services.status();
    assert.equal(status.agents.max, 2, 'the default');
    assert.equal(status.config_warnings.length, 1);
    assert.match(status.config_warnings[0] ?? '', /^max_agents: stored value "lots" is invalid/);
    parts.store.close();
  });

  it('shows the setup a new worktree gets and where it comes from, following config changes', async () => {
    const o = await makeOrchestrator();
    assert.deepEqual((await o.services.status()).setup, {
      command: null,
      source: 'none',
      why: 'no lockfile at the top of the checkout',
    });
    writeFileSync(join(o.root, 'go.mod'), 'module example.com/x\n');
    writeFileSync(join(o.root, 'go.sum'), '');
    await o.parts.store.patchConfig({ setup_command: 'make deps' });
    assert.deepEqual((await o.services.status()).setup, {
      command: 'make deps',
      source: 'configured',
      why: 'setup_command',
    });
    await o.parts.store.patchConfig({ setup_command: null });
    assert.deepEqual((await o.services.status()).setup, {
      command: 'go mod download',
      source: 'detected',
      why: 'detected from go.sum',
    });
    await o.parts.store.patchConfig({ setup_command: false });
    assert.equal((await o.services.status()).setup?.source, 'off');
  });
});
