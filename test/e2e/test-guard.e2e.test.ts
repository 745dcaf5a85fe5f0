/**
 * The test guard through the real CLI, daemon, git and SDK (agents: fake-claude.mjs scripted by
 * pipeline-agent.mjs), with agents that make the tests pass the wrong way: one deletes the failing
 * test, one skips a test. Each becomes a TESTS item instead of landing; the skip is approved and
 * lands, audited; the deletion is sent back with guidance and its agent brings the test back; with
 * the guard off, a deletion lands as it is.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AttentionItemDto, HistoryDto, WorkUnitDto } from '../../src/api/dto.js';
import { startedPrompts } from '../support/fake-claude-record.js';
import { attentionFor, checkEnd, pipelineProjects, planned } from '../support/pipeline-checks.js';

const project = pipelineProjects('ve-test-guard-');

const bash = (command: string) => ({ tool: 'Bash', input: { command } });

describe('test guard end to end', { timeout: 300_000 }, () => {
  it('stops units that delete or skip tests; approve lands one, guidance sends the other back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 've-guard-record-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const record = join(dir, 'sessions.jsonl');
    const p = project(planned('cheat', 'skipper', 'unguarded'), { FAKE_CLAUDE_RECORD: record });
    p.repo.writeFile(
      'test/answer.test.js',
      "const { test } = require('node:test');\ntest('answers', () => {});\n",
    );
    p.repo.writeFile(
      'test/parse.test.js',
      "const { test } = require('node:test');\ntest('parses', () => {});\n",
    );
    p.repo.writeFile(
      'test/other.test.js',
      "const { test } = require('node:test');\ntest('other', () => {});\n",
    );
    p.repo.commitAll('tests');
    p.setControl({
      'cheat:IMPLEMENT': {
        runs: [
          [bash("git rm -q test/answer.test.js && git commit -qm 'drop the failing test'"), { normal: true }],
          // sent back: the agent does as it is told
          [
            bash("git checkout main -- test/answer.test.js && git commit -qm 'bring the test back'"),
            { normal: true },
          ],
        ],
      },
      'skipper:IMPLEMENT': [
        bash(
          "sed -i \"s/^test('parses'/test.skip('parses'/\" test/parse.test.js && git commit -qam 'skip parse'",
        ),
        { normal: true },
      ],
      'unguarded:IMPLEMENT': [
        bash("git rm -q test/other.test.js && git commit -qm 'drop other'"),
        { normal: true },
      ],
    });
    await p.start();
    await p.mustVe('orch', 'inject', 'cheat', 'skipper');

    const cheat = await attentionFor(p, 'cheat');
    const skipper = await attentionFor(p, 'skipper');
    assert.deepEqual([cheat.kind, skipper.kind], ['TESTS', 'TESTS']);
    assert.match(
      cheat.reason,
      /^orch\/cheat weakens the tests .+ on main:\n- deletes test\/answer\.test\.js\n/,
    );
    assert.match(
      skipper.reason,
      /- skips or focuses tests in test\/parse\.test\.js: test\.skip\('parses', \(\) => \{\}\);/,
    );
    assert.match(skipper.reason, /ve orch approve skipper/);
    assert.equal(
      p.repo.git('show', 'main:test/answer.test.js').includes("test('answers'"),
      true,
      'nothing landed',
    );

    // retry looks again: the skip is still there, so it stops again instead of landing
    await p.mustVe('orch', 'retry', 'skipper');
    await p.api.waitFor<{ items: AttentionItemDto[] }>('/api/attention', (a) =>
      a.items.some((i) => i.chunk === 'skipper' && i.kind === 'TESTS' && i.version > skipper.version),
    );
    assert.doesNotMatch(p.repo.git('show', 'main:test/parse.test.js'), /test\.skip/);

    // approved: it lands with the skip, and the audit names who accepted it
    const approved = await p.mustVe('orch', 'approve', 'skipper');
    assert.match(approved, /^Accepted the test changes of skipper; it goes on to land/m);
    await p.api.waitFor<WorkUnitDto>('/api/work-units/skipper', (u) => u.status === 'DONE', 60_000);
    assert.match(p.repo.git('show', 'main:test/parse.test.js'), /test\.skip\('parses'/);
    const history = await p.api.get<HistoryDto>('/api/work-units/skipper/history');
    assert.ok(
      history.history.some((h) => /^test changes accepted by .+ \(cli\)$/.test(h.reason ?? '')),
      JSON.stringify(history.history.map((h) => h.reason)),
    );

    // sent back with guidance: a fresh IMPLEMENT restores the test, and the unit lands with it
    await p.mustVe('orch', 'answer', 'cheat', 'Keep the test; fix the code instead.');
    await p.api.waitFor<WorkUnitDto>('/api/work-units/cheat', (u) => u.status === 'DONE', 60_000);
    assert.match(p.repo.git('show', 'main:test/answer.test.js'), /test\('answers'/);
    const implement = startedPrompts(record).filter((t) => t.includes('# IMPLEMENT phase — chunk `cheat`'));
    assert.equal(implement.length, 2);
    assert.match(implement[1] ?? '', /- deletes test\/answer\.test\.js/, 'the agent is told what it did');
    assert.match(implement[1] ?? '', /Operator guidance: Keep the test; fix the code instead\./);
    assert.match(implement[1] ?? '', /bring back every test you deleted/);

    // off: the same kind of change lands without an item
    await p.mustVe('orch', 'config', '--test-guard', 'false');
    await p.mustVe('orch', 'inject', 'unguarded');
    await checkEnd(p, ['cheat', 'skipper', 'unguarded']);
    assert.equal(
      p.repo.git('ls-tree', '--name-only', 'main', 'test/').split('\n').includes('test/other.test.js'),
      false,
    );
    const items = await p.api.get<{ items: AttentionItemDto[] }>('/api/attention');
    assert.deepEqual(items.items, []);
  });
});
