/** The status the API and `ve orch status` show: here, the effective dependency setup. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';

describe('status', () => {
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
    await o.parts.store.patchConfig({ setup: 'off' });
    assert.equal((await o.services.status()).setup?.source, 'off');
  });
});
