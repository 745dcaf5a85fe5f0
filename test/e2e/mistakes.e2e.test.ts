/**
 * Issue 11 §8 end to end: a model that makes the mistakes real models make (test/support/
 * misbehaving-brain.ts), one chunk per mistake in one npm project, run by the real daemon through the
 * real CLI with the real Claude Code binary, real git, the OS sandbox under shell commands, a dependency
 * installed offline, and a real verify command (`npm test`). Each unit ends recovered and landed, or in
 * a clear attention item that loses nothing; the checks read the unit's audit history, its attention
 * log, its phase runs, `ve orch tail` and the base branch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttentionListDto, HistoryDto, UnitListDto, WorkUnitDto } from '../../src/api/dto.js';
import { requestIdentity } from '../../src/demo/scripted-brain.js';
import type { VerifyRun } from '../../src/ports/train.js';
import { collectEvidence, INVARIANTS, type RunEvidence } from '../support/invariants.js';
import { DEPENDENCY, PROSE_OPTIONS } from '../support/misbehaving-brain.js';
import { type MistakesProject, makeMistakesProject } from '../support/mistakes-project.js';
import { readSession, section } from '../support/model-session.js';

const CHUNK = {
  prose: 'asks_in_prose',
  turns: 'runs_out_of_turns',
  yaml: 'breaks_goal_yaml',
  empty: 'ends_empty',
  uncommitted: 'forgets_to_commit',
  failing: 'fails_the_tests',
  dependency: 'needs_a_dependency',
} as const;
const CHUNKS = Object.values(CHUNK);
const MAX_TURNS = 5;

let p: MistakesProject;

before(async () => {
  p = await makeMistakesProject(CHUNKS, {
    mistakes: {
      ask_in_prose: [CHUNK.prose],
      run_out_of_turns: [CHUNK.turns],
      break_goal_yaml: [CHUNK.yaml],
      end_empty: [CHUNK.empty],
      forget_commit: [CHUNK.uncommitted],
      fail_tests: [CHUNK.failing],
      need_dependency: [CHUNK.dependency],
    },
    // 12 tool calls: more than two budgets of 5 turns, so the operator's retry gives the third
    steps: { [CHUNK.turns]: 12 },
  });
  await p.ve('orch', 'start');
  await p.ve(
    'orch',
    'config',
    '--verify-command',
    'npm test',
    '--agent-sandbox',
    'on',
    '--max-agents',
    '4',
    '--max-turns',
    String(MAX_TURNS),
    '--max-turn-extensions',
    '1',
  );
  await p.ve('orch', 'inject', ...CHUNKS);
});
after(() => p?.cleanup());

const history = (chunk: string) => p.api.get<HistoryDto>(`/api/work-units/${chunk}/history`);

/** Waits until the unit is DONE, or fails with where it stopped instead. */
async function landed(chunk: string): Promise<WorkUnitDto> {
  const list = await p.api.waitFor<UnitListDto>(
    '/api/work-units',
    (u) => u.work_units.some((w) => w.chunk === chunk && ['DONE', 'NEEDS_ATTENTION'].includes(w.status)),
    300_000,
  );
  const unit = list.work_units.find((w) => w.chunk === chunk) as WorkUnitDto;
  assert.equal(
    unit.status,
    'DONE',
    `${chunk} stopped in ${unit.phase}: ${unit.attention_kind} ${unit.attention_reason}`,
  );
  return unit;
}

/** The prompts ve sent this chunk's sessions in `phase`, each once, in order. */
function promptsTo(chunk: string, phase?: string): string[] {
  const seen = new Set<string>();
  for (const req of p.server.messageRequests()) {
    const id = requestIdentity(req);
    if (id?.chunk !== chunk || (phase && id.phase !== phase)) continue;
    for (const prompt of readSession(req).prompts) seen.add(prompt);
  }
  return [...seen];
}

/**
 * Waits until the unit landed after exactly one reminder in `phase` about `condition`, which resumed
 * the same session; returns the note the model was shown.
 */
async function landedAfterOneReminder(chunk: string, phase: string, condition: string): Promise<string> {
  await landed(chunk);
  const h = await history(chunk);
  assert.ok(reasons(h).includes(`exit conditions not met (${condition}): reminded`), reasons(h).join('\n'));
  const sessions = runs(h, phase).map((r) => r.session_id);
  assert.equal(sessions.length, 2);
  assert.equal(sessions[1], sessions[0], 'the reminder resumed the same session');
  const notes = promptsTo(chunk, phase)
    .map((t) => section(t, '## Note from the orchestrator'))
    .filter((n) => n !== null);
  assert.equal(notes.length, 1);
  return notes[0] as string;
}

/** The result of the model's tool call `key` in this chunk's sessions, once it ran. */
function outcomeOf(chunk: string, key: string) {
  for (const req of p.server.messageRequests()) {
    const found = requestIdentity(req)?.chunk === chunk ? readSession(req).outcome(key) : null;
    if (found) return found;
  }
  return null;
}

const onBase = (path: string) => p.repo.git('show', `main:${path}`);
const runs = (h: HistoryDto, phase: string) => h.phase_runs.filter((r) => r.phase === phase);
const reasons = (h: HistoryDto) => h.history.map((r) => r.reason ?? '');

describe('a model that makes real models’ mistakes (real Claude Code)', { timeout: 600_000 }, () => {
  it('asks in prose: the question reaches the operator, and the answer resumes the same session', async () => {
    const asked = await p.api.waitFor<AttentionListDto>('/api/attention', (a) =>
      a.items.some((i) => i.chunk === CHUNK.prose),
    );
    const item = asked.items.find((i) => i.chunk === CHUNK.prose);
    assert.equal(item?.kind, 'QUESTION', `a question, not ${item?.kind}: ${item?.reason}`);
    // the operator sees the options the question refers to, not only its last line
    assert.match(
      await p.ve('orch', 'attention'),
      /Throw an Error[\s\S]*Return null[\s\S]*Which one should I use\?/,
    );
    assert.match(await p.ve('orch', 'tail', CHUNK.prose), /\? asked in prose: .*Which one should I use\?/);
    await p.ve('orch', 'answer', CHUNK.prose, PROSE_OPTIONS.throw);
    await landed(CHUNK.prose);

    assert.match(onBase(`src/${CHUNK.prose}.js`), /throw new Error/, 'the model carried on with the answer');
    const h = await history(CHUNK.prose);
    const question = h.attention.find((a) => a.kind === 'QUESTION');
    assert.match(question?.raised?.reason ?? '', /asked in the agent's final message/);
    assert.equal(question?.answer?.endsWith(`→ ${PROSE_OPTIONS.throw}`), true, question?.answer ?? '');
    const implement = runs(h, 'IMPLEMENT');
    assert.deepEqual(
      implement.map((r) => r.outcome),
      ['completed', 'completed'],
    );
    assert.equal(implement[1]?.session_id, implement[0]?.session_id, 'the answer resumed the same session');
    assert.ok(
      promptsTo(CHUNK.prose, 'IMPLEMENT').some(
        (t) => t.startsWith('Operator answer:') && t.includes(PROSE_OPTIONS.throw),
      ),
    );
  });

  it('runs out of turns: the session goes on with more turns, then a TURNS item whose retry continues it', async () => {
    const asked = await p.api.waitFor<AttentionListDto>('/api/attention', (a) =>
      a.items.some((i) => i.chunk === CHUNK.turns),
    );
    const item = asked.items.find((i) => i.chunk === CHUNK.turns);
    assert.equal(item?.kind, 'TURNS', `${item?.kind}: ${item?.reason}`);
    assert.match(item?.reason ?? '', /IMPLEMENT used 2 turn budgets of 5 turns/);
    let h = await history(CHUNK.turns);
    assert.ok(reasons(h).includes(`turn limit reached: ${MAX_TURNS} more turns`), 'one extension first');
    // nothing lost: what the two budgets committed is on the unit's branch
    assert.match(p.repo.git('log', '--format=%s', `orch/${CHUNK.turns}`), /runs_out_of_turns: step 7/);
    assert.match(
      await p.ve('orch', 'tail', CHUNK.turns),
      /↻ more turns: You reached this session's turn limit/,
    );
    assert.match(await p.ve('orch', 'retry', CHUNK.turns), /IMPLEMENT continues its session/);
    await landed(CHUNK.turns);

    h = await history(CHUNK.turns);
    const implement = runs(h, 'IMPLEMENT');
    assert.deepEqual(
      implement.map((r) => r.outcome),
      ['failed:max_turns', 'failed:max_turns', 'completed'],
    );
    assert.equal(new Set(implement.map((r) => r.session_id)).size, 1, 'one session throughout');
    assert.match(
      promptsTo(CHUNK.turns, 'IMPLEMENT').at(-1) ?? '',
      /## Note from the orchestrator\n\nThe operator gave you another turn budget/,
    );
    // the work of all three budgets landed
    assert.match(onBase(`docs/${CHUNK.turns}-notes.md`), /step 1 done[\s\S]*step 9 done/);
  });

  it('breaks the YAML of GOAL.md: the nudge shows the YAML error, the model fixes it', async () => {
    const note = await landedAfterOneReminder(CHUNK.yaml, 'COMPLETE', 'goal');
    // the error names the file's own line and quotes it
    assert.match(
      note,
      /GOAL\.md: could not parse frontmatter: Nested mappings .* at line 3, column 10: `summary: Adds/,
    );
    assert.match(await p.ve('orch', 'tail', CHUNK.yaml), /↻ reminded: .*could not parse frontmatter/);
    const goal = onBase(`docs/chunks/${CHUNK.yaml}/GOAL.md`);
    assert.match(goal, /^status: ACTIVE$/m);
    assert.match(
      goal,
      /^summary: "Adds src\/breaks_goal_yaml\.js: chunkName\(\) returns its name"$/m,
      'the field was kept',
    );
  });

  it('ends a phase empty: reminded that nothing changed, it does the work', async () => {
    const note = await landedAfterOneReminder(CHUNK.empty, 'IMPLEMENT', 'change');
    assert.match(note, /this IMPLEMENT round changed no file outside the chunk documents/);
    assert.match(onBase(`src/${CHUNK.empty}.js`), /return 'ends_empty'/);
  });

  it('forgets to commit: ve commits for it, and the log says so', async () => {
    await landed(CHUNK.uncommitted);
    assert.match(
      await p.ve('orch', 'tail', CHUNK.uncommitted),
      /✎ ve committed what the session left: .*src\/forgets_to_commit\.js/,
    );
    const subjects = p.repo.git('log', '--format=%s', 'main');
    assert.match(subjects, /ve: commit what the IMPLEMENT session left uncommitted/);
    const h = await history(CHUNK.uncommitted);
    assert.ok(!reasons(h).some((r) => r.includes('reminded')), 'no reminder was needed');
    assert.match(onBase(`src/${CHUNK.uncommitted}.js`), /return 'forgets_to_commit'/);
  });

  it('fails the tests: the train sends it back with the output, and the fix lands', async () => {
    await landed(CHUNK.failing);
    const h = await history(CHUNK.failing);
    assert.ok(reasons(h).includes('verification failed: back to IMPLEMENT'));
    const sentBack = promptsTo(CHUNK.failing, 'IMPLEMENT').find((t) =>
      t.includes('## Context from the orchestrator'),
    );
    assert.match(sentBack ?? '', /chunkName\(\) should return 'fails_the_tests', got "fails-the-tests"/);
    assert.match(onBase(`src/${CHUNK.failing}.js`), /return 'fails_the_tests'/);
  });

  it('needs a dependency: the detected setup installed it, so the sandboxed `npm test` passes', async () => {
    assert.match(await p.ve('orch', 'status'), /Setup: npm ci \(detected from package-lock\.json\)/);
    await landed(CHUNK.dependency);
    const tests = outcomeOf(CHUNK.dependency, 'run_tests');
    assert.equal(tests?.is_error, false, tests?.text);
    assert.match(tests?.text ?? '', /all modules pass/);
    assert.equal(outcomeOf(CHUNK.dependency, 'install_dependencies'), null, 'nothing to install by hand');
    assert.equal((await history(CHUNK.dependency)).attention.length, 0, 'nobody was asked');
    const verified = (await p.api.get<{ runs: VerifyRun[] }>(`/api/verify-runs?chunk=${CHUNK.dependency}`))
      .runs;
    assert.ok(
      verified.some((r) => r.outcome === 'passed' && r.sandboxed),
      'npm test passed in the sandboxed verify checkout',
    );
    assert.match(onBase(`src/${CHUNK.dependency}.js`), new RegExp(`from '${DEPENDENCY}'`));
  });

  it('never labels a note from the orchestrator as the operator’s answer; nothing is lost anywhere', async () => {
    for (const c of CHUNKS) await landed(c);
    const answers = CHUNKS.flatMap((c) => promptsTo(c).filter((t) => t.startsWith('Operator answer:')));
    assert.equal(answers.length, 1, 'only the operator’s one answer');
    assert.match(
      answers[0] ?? '',
      new RegExp(`^Operator answer: [\\s\\S]*→ ${PROSE_OPTIONS.throw}\\n\\n## `),
    );
    // the reminders, the extra turns and the retry all came as notes from the orchestrator
    const notes = CHUNKS.flatMap((c) => promptsTo(c))
      .map((t) => section(t, '## Note from the orchestrator'))
      .filter((n) => n !== null);
    for (const [what, pattern, times] of [
      ['reminders', /the orchestrator's checks are not met yet/, 2],
      ['more turns', /You reached this session's turn limit/, 1],
      ['the retry', /The operator gave you another turn budget/, 1],
    ] as const) {
      assert.equal(
        notes.filter((n) => pattern.test(n)).length,
        times,
        `${what} as notes:\n${notes.join('\n---\n')}`,
      );
    }

    const ev: RunEvidence = await collectEvidence({ root: p.root, base: 'main', chunks: CHUNKS, api: p.api });
    for (const name of [
      'every unit DONE',
      'no orphan worktree or branch',
      'the audit log is a valid path through the transition table',
      'no attention item lost',
      'every phase run closed',
      'every commit ve put on base passed verify',
    ] as const) {
      const problems = INVARIANTS[name](ev);
      assert.deepEqual(problems, [], `${name}:\n  ${problems.join('\n  ')}`);
    }
  });
});
