/**
 * Issue 3 and 4 end to end: the real daemon and CLI, the real Claude Code binary, and only the model
 * scripted (src/demo/scripted-brain.ts behind a Messages API server on 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AttentionListDto, HistoryDto, UnitListDto } from '../../src/api/dto.js';
import { createDemoRepo, DEMO_CHUNKS } from '../../src/demo/demo-repo.js';
import { ScriptedBrain } from '../../src/demo/scripted-brain.js';
import {
  envForScriptedModel,
  type ScriptedModelServer,
  startScriptedModelServer,
  toolResults,
  userText,
} from '../../src/demo/scripted-model-server.js';
import { runVe } from '../support/cli.js';
import { socketApi } from '../support/socket-api.js';

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });
const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(brainOpts: ConstructorParameters<typeof ScriptedBrain>[0]) {
  const root = await createDemoRepo();
  const brain = new ScriptedBrain(brainOpts);
  const server: ScriptedModelServer = await startScriptedModelServer((req) => brain.reply(req));
  const env = {
    ...envForScriptedModel(server.url, mkdtempSync(join(tmpdir(), 've-home-'))),
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
  const ve = async (...args: string[]) => {
    const res = await runVe([...args, '--project-dir', root], { cwd: root, env, timeoutMs: 60_000 });
    assert.equal(res.code, 0, `ve ${args.join(' ')} failed: ${res.stderr}`);
    return res.stdout;
  };
  cleanups.push(async () => {
    await runVe(['orch', 'stop', '--project-dir', root], { cwd: root, env });
    await server.close();
  });
  return { root, server, ve, api: socketApi(root) };
}

/** [start, end) intervals during which each unit was RUNNING, from its audit log */
function runningIntervals(history: HistoryDto): [number, number][] {
  const out: [number, number][] = [];
  let since: number | null = null;
  for (const h of history.history) {
    const at = Date.parse(h.at);
    if (h.new_status === 'RUNNING' && since === null) since = at;
    else if (h.new_status !== 'RUNNING' && since !== null) {
      out.push([since, at]);
      since = null;
    }
  }
  return out;
}

describe('pipeline end to end (real Claude Code, scripted model)', { timeout: 600_000 }, () => {
  it('runs four chunks in parallel through every phase and merges them, keeping the operator’s edits', async () => {
    const t = await setup({
      feedbackOnce: ['greeting'],
      escapeInImplement: ['clock'],
      askInImplement: ['farewell'],
    });
    // the operator works on the base branch meanwhile, with uncommitted edits
    writeFileSync(
      join(t.root, 'README.md'),
      `${readFileSync(join(t.root, 'README.md'), 'utf8')}\nOperator's note, not committed.\n`,
    );
    writeFileSync(join(t.root, 'NOTES.txt'), 'untracked operator file\n');
    await t.ve('orch', 'start');
    await t.ve('orch', 'inject', ...DEMO_CHUNKS.map((c) => c.name));

    const asked = await t.api.waitFor<AttentionListDto>('/api/attention', (a) =>
      a.items.some((i) => i.kind === 'QUESTION'),
    );
    assert.equal(asked.items[0]?.chunk, 'farewell');
    const before = t.server.messageRequests().length;
    const attention = await t.ve('orch', 'attention');
    assert.match(attention, /How should farewell report failures\?/);
    await t.ve('orch', 'answer', 'farewell', '--option', '2');

    const done = await t.api.waitFor<UnitListDto>(
      '/api/work-units',
      (u) => u.count === 4 && u.work_units.every((w) => w.status === 'DONE'),
      200_000,
    );
    assert.ok(
      done.work_units.every((u) => u.cost_usd > 0),
      'cost recorded per unit',
    );

    // greeting's second review saw round 1's feedback and the implementer's answer to it (issue 11 §5)
    const secondReview = t.server
      .messageRequests()
      .map(userText)
      .find((text) => text.includes('## The previous review round (round 1)'));
    assert.match(secondReview ?? '', /# REVIEW phase — chunk `greeting`/);
    assert.match(
      secondReview ?? '',
      /> 1\. \*\*src\/greeting\.js\*\*: No doc comment on the exported function/,
    );
    assert.match(secondReview ?? '', /> IMPLEMENT for greeting is done\./);

    // the answer reached the same session as the AskUserQuestion tool result
    const answeredIn = t.server
      .messageRequests()
      .slice(before)
      .find((r) => toolResults(r).some((x) => x.text.includes('Return null')));
    assert.ok(answeredIn, 'the model saw the operator’s answer');

    // every chunk's code is on main, merged exactly once
    const tree = git(t.root, 'ls-tree', '-r', '--name-only', 'main');
    for (const c of DEMO_CHUNKS) assert.ok(tree.includes(`src/${c.name}.js`), `main has src/${c.name}.js`);
    const subjects = git(t.root, 'log', '--format=%s', 'main').trim().split('\n');
    for (const c of DEMO_CHUNKS)
      assert.equal(subjects.filter((m) => m === `complete: ${c.name}`).length, 1, `${c.name} landed once`);
    assert.match(
      git(t.root, 'show', 'main:src/greeting.js'),
      /\/\*\* Returns/,
      'the FEEDBACK round was addressed',
    );
    assert.ok(!tree.includes('REVIEW_FEEDBACK.md'));
    assert.match(git(t.root, 'show', 'main:docs/chunks/summary/GOAL.md'), /status: ACTIVE/);

    // the escape attempt was denied and nothing outside the worktree changed
    assert.ok(!existsSync(join(t.root, 'ESCAPED-clock.txt')));
    const denied = t.server
      .messageRequests()
      .some((r) => toolResults(r).some((x) => x.is_error && /outside|worktree/i.test(x.text)));
    assert.ok(denied, 'the denial reached the model');

    // the operator's uncommitted edits survived four merges into the checked-out base
    assert.match(readFileSync(join(t.root, 'README.md'), 'utf8'), /Operator's note, not committed\./);
    assert.equal(readFileSync(join(t.root, 'NOTES.txt'), 'utf8'), 'untracked operator file\n');
    assert.match(git(t.root, 'status', '--porcelain'), /M README.md/);

    // two agents really ran side by side, and no worktree or branch is left behind
    const intervals = await Promise.all(
      DEMO_CHUNKS.map(async (c) =>
        runningIntervals(await t.api.get<HistoryDto>(`/api/work-units/${c.name}/history`)),
      ),
    );
    const all = intervals.flat();
    assert.ok(
      all.some(([s1, e1], i) => all.some(([s2, e2], j) => i !== j && s1 < e2 && s2 < e1)),
      'phases overlapped',
    );
    assert.equal(git(t.root, 'branch', '--list', 'orch/*').trim(), '');
    assert.equal(git(t.root, 'worktree', 'list').trim().split('\n').length, 1);
  });

  it('answers a question across a daemon restart, and merges while the operator is on another branch', async () => {
    const t = await setup({ askInImplement: ['farewell'] });
    await t.ve('orch', 'start'); // on main: main is the base branch
    git(t.root, 'checkout', '-q', '-b', 'operator-work');
    writeFileSync(join(t.root, 'src', 'index.js'), "export const name = 'operator edit';\n");
    await t.ve('orch', 'inject', 'farewell', 'greeting');
    await t.api.waitFor<AttentionListDto>('/api/attention', (a) =>
      a.items.some((i) => i.kind === 'QUESTION'),
    );
    await t.ve('orch', 'stop');
    await t.ve('orch', 'start');
    const still = await t.api.get<AttentionListDto>('/api/attention');
    assert.equal(still.items[0]?.kind, 'QUESTION', 'the question survived the restart');
    const before = t.server.messageRequests().length;
    await t.ve('orch', 'answer', 'farewell', '--option', '2');
    await t.api.waitFor<UnitListDto>(
      '/api/work-units',
      (u) => u.work_units.every((w) => w.status === 'DONE'),
      200_000,
    );
    const resumed = t.server
      .messageRequests()
      .slice(before)
      .find((r) => userText(r).includes('Return null'));
    assert.ok(resumed, 'the resumed session carried the answer');
    const history = await t.api.get<HistoryDto>('/api/work-units/farewell/history');
    assert.match(history.attention.find((a) => a.kind === 'QUESTION')?.answered_by ?? '', /\(cli\)$/);
    // main got both chunks without the operator's checkout being touched
    const tree = git(t.root, 'ls-tree', '-r', '--name-only', 'main');
    assert.ok(
      tree.includes('src/farewell.js') && tree.includes('src/greeting.js'),
      `main has both chunks:\n${tree}\n${git(t.root, 'log', '--oneline', '--all', '--graph')}`,
    );
    assert.equal(git(t.root, 'rev-parse', '--abbrev-ref', 'HEAD').trim(), 'operator-work');
    assert.equal(
      readFileSync(join(t.root, 'src', 'index.js'), 'utf8'),
      "export const name = 'operator edit';\n",
    );
    assert.ok(!existsSync(join(t.root, 'src', 'farewell.js')), 'the operator’s checkout is untouched');
  });
});
