import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigSchema } from '../config/schema.js';
import { isOrchError } from '../domain/errors.js';
import { chunkArg, chunkArgs, chunkList, intArg, phaseArg, statusArg } from './args.js';
import { parseForAnswers } from './commands/attention.js';
import { camel, configOptionSpecs, configPatchFromOptions, parseConfigValue } from './config-options.js';

const invalid = (e: unknown) => isOrchError(e, 'invalid_name') || isOrchError(e, 'invalid_input');

describe('args', () => {
  it('accepts chunk names and their path spellings, rejects hostile ones', () => {
    assert.equal(chunkArg('docs/chunks/auth/'), 'auth');
    assert.equal(chunkArg('chunks/auth'), 'auth');
    for (const bad of ['../x', '/abs', 'A', 'ünï', '', 'a/b', 'x'.repeat(40)]) {
      assert.throws(() => chunkArg(bad), invalid, bad);
    }
  });

  it('rejects duplicate chunks and parses comma lists', () => {
    assert.throws(() => chunkArgs(['a', 'docs/chunks/a']), /more than once/);
    assert.deepEqual(chunkList('a, b,c'), ['a', 'b', 'c']);
    assert.deepEqual(chunkList(''), []);
  });

  it('parses integers strictly', () => {
    assert.equal(intArg('-3', 'p'), -3);
    for (const bad of ['1.5', 'abc', '', '1e3', '99999999999999999999'])
      assert.throws(() => intArg(bad, 'p'), invalid);
    assert.throws(() => intArg('0', 'n', { min: 1 }), /at least 1/);
  });

  it('matches phases and statuses case-insensitively and lists the choices otherwise', () => {
    assert.equal(phaseArg('implement'), 'IMPLEMENT');
    assert.equal(statusArg('needs_attention'), 'NEEDS_ATTENTION');
    assert.throws(() => phaseArg('DEPLOY'), /expected one of GOAL, PLAN/);
  });
});

describe('config options', () => {
  it('derives one flag per ConfigSchema key with its type', () => {
    const specs = configOptionSpecs();
    assert.deepEqual(
      specs.map((s) => s.key),
      Object.keys(ConfigSchema.shape),
    );
    const byKey = Object.fromEntries(specs.map((s) => [s.key, s]));
    assert.equal(byKey.max_agents?.flag, '--max-agents <value>');
    assert.deepEqual(byKey.max_agents?.kind, { type: 'int' });
    assert.deepEqual(byKey.oracle_decide_threshold?.kind, { type: 'number' });
    assert.deepEqual(byKey.live_conflict_action?.kind, { type: 'enum', values: ['attention', 'serialize'] });
    assert.equal(byKey.model?.nullable, true);
    assert.equal(byKey.max_agents?.nullable, false);
  });

  it('parses values by type and clears nullable keys with none', () => {
    const byKey = Object.fromEntries(configOptionSpecs().map((s) => [s.key, s]));
    assert.equal(parseConfigValue(byKey.max_agents!, '4'), 4);
    assert.throws(() => parseConfigValue(byKey.max_agents!, '4.5'), /expects an integer/);
    assert.equal(parseConfigValue(byKey.model!, 'none'), null);
    assert.equal(parseConfigValue(byKey.model!, 'NULL'), null);
    assert.throws(() => parseConfigValue(byKey.max_agents!, 'none'), /expects an integer/);
    assert.throws(() => parseConfigValue(byKey.live_conflict_action!, 'x'), /one of attention, serialize/);
    assert.equal(parseConfigValue(byKey.max_budget_usd!, '2.5'), 2.5);
  });

  it('builds a validated patch from commander option names', () => {
    const specs = configOptionSpecs();
    assert.equal(camel('max_budget_usd'), 'maxBudgetUsd');
    assert.deepEqual(configPatchFromOptions(specs, { maxAgents: '3', model: 'none', json: true }), {
      max_agents: 3,
      model: null,
    });
    assert.deepEqual(configPatchFromOptions(specs, {}), {});
    assert.throws(() => configPatchFromOptions(specs, { maxAgents: '0' }), /--max-agents: /);
    assert.throws(() => configPatchFromOptions(specs, { notifyWebhook: 'http://example.com/' }), /loopback/);
  });

  it('turns the dependency setup off, back to detection, or to a command of its own', () => {
    const specs = configOptionSpecs();
    assert.deepEqual(configPatchFromOptions(specs, { setupCommand: 'off', nodeModulesSharing: 'copy' }), {
      setup_command: false,
      node_modules_sharing: 'copy',
    });
    // none clears the override: the detected command applies again
    assert.deepEqual(configPatchFromOptions(specs, { setupCommand: 'none' }), { setup_command: null });
    assert.deepEqual(configPatchFromOptions(specs, { setupCommand: 'make deps' }), {
      setup_command: 'make deps',
    });
    assert.throws(
      () => configPatchFromOptions(specs, { nodeModulesSharing: 'never' }),
      /--node-modules-sharing expects one of auto, copy, off/,
    );
  });
});

describe('answer --for', () => {
  it('splits on the pending question text even when it contains =', () => {
    const pending = {
      id: 'q',
      phase: 'PLAN' as const,
      asked_at: 'x',
      questions: [
        { question: 'Set a=b?', options: [] },
        { question: 'TTL?', options: [] },
      ],
    };
    assert.deepEqual(parseForAnswers(['Set a=b?=yes', 'TTL?=15m=ok'], pending), {
      'Set a=b?': 'yes',
      'TTL?': '15m=ok',
    });
    assert.deepEqual(parseForAnswers(['Other=x'], null), { Other: 'x' });
    assert.throws(() => parseForAnswers(['no separator'], null), /question=answer/);
    assert.throws(() => parseForAnswers(['Q='], null), /empty answer/);
  });
});
