import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigPatchSchema, DEFAULT_CONFIG } from './schema.js';

describe('ConfigPatchSchema', () => {
  it('keeps only the keys given: no defaults are filled into a partial update', () => {
    assert.deepEqual(ConfigPatchSchema.parse({ max_agents: 3, model: null }), { max_agents: 3, model: null });
    assert.deepEqual(ConfigPatchSchema.parse({}), {});
  });

  it('validates values and rejects unknown keys like the full schema', () => {
    assert.equal(ConfigPatchSchema.safeParse({ max_agents: 0 }).success, false);
    assert.equal(ConfigPatchSchema.safeParse({ bogus: 1 }).success, false);
    assert.equal(ConfigPatchSchema.safeParse({ notify_webhook: 'http://example.com/' }).success, false);
    assert.equal(ConfigPatchSchema.safeParse({ notify_webhook: 'http://127.0.0.1:9/hook' }).success, true);
    assert.equal(ConfigPatchSchema.safeParse(DEFAULT_CONFIG).success, true);
  });
});
