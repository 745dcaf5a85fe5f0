import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeOrchestrator } from '../../test/support/orchestrator-harness.js';

describe('retry and retry-all', () => {
  it('continue a phase that used up its turns in the same session, one unit or all of them', async () => {
    const o = await makeOrchestrator({ chunks: { one: {}, two: {} } });
    await o.parts.store.patchConfig({ max_turn_extensions: 0 });
    for (const c of ['one', 'two']) o.backend.script(c, 'IMPLEMENT', [{ fail: { code: 'max_turns' } }]);
    await o.start();
    await o.services.inject({ chunks: ['one', 'two'] });
    for (const c of ['one', 'two']) {
      const stuck = await o.waitForUnit(c, (u) => u.status === 'NEEDS_ATTENTION', 'TURNS');
      assert.equal(stuck.attention_kind, 'TURNS');
    }
    await o.services.retry('one');
    assert.deepEqual(await o.services.retryAll(), ['two']);
    for (const c of ['one', 'two']) {
      await o.waitForUnit(c, (u) => u.phase !== 'IMPLEMENT', 'past IMPLEMENT');
      const [first, second] = o.backend.runsOf(c, 'IMPLEMENT');
      assert.equal(second?.request.resumeSessionId, first?.session_id, `${c}: the same session goes on`);
      assert.match(second?.request.systemNote ?? '', /another turn budget/);
    }
    await o.stop();
  });
});
