/** `ve orch tail` through the real CLI: phase logs read from disk in phase order, and `-f` following. */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVe, startVe, waitForOutput } from '../support/cli.js';
import { makeTempRepo, type TempRepo } from '../support/temp-repo.js';

const ev = (e: Record<string, unknown>) => `${JSON.stringify({ at: '2026-01-01T12:00:00.000Z', ...e })}\n`;

describe('ve orch tail (real CLI)', () => {
  let repo: TempRepo;
  let logDir: string;
  before(() => {
    repo = makeTempRepo();
    repo.writeChunk('auth');
    logDir = join(repo.root, '.ve', 'chunks', 'auth', 'log');
    mkdirSync(logDir, { recursive: true });
  });
  after(() => repo.cleanup());

  it('says there are no logs yet, with exit code 1', async () => {
    const res = await runVe(['orch', 'tail', 'auth'], { cwd: repo.root });
    assert.equal(res.code, 1);
    assert.equal(res.stderr, "ve: No logs yet for chunk 'auth'. The work unit may not have started.\n");
    const unknown = await runVe(['orch', 'tail', 'ghost', '-f'], { cwd: repo.root });
    assert.equal(unknown.code, 1, 'following an unknown chunk does not wait forever');
  });

  it('prints every phase log in pipeline order with a header each', async () => {
    writeFileSync(join(logDir, 'review.jsonl'), ev({ type: 'text', text: 'Looks good' }));
    writeFileSync(
      join(logDir, 'plan.jsonl'),
      ev({ type: 'session', session_id: 's1' }) +
        ev({ type: 'tool_call', tool_id: 't', name: 'Read', input: { file_path: 'src/a.ts' } }) +
        'torn line\n',
    );
    const res = await runVe(['orch', 'tail', 'docs/chunks/auth'], { cwd: repo.root });
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^=== PLAN === \(started \d\d:\d\d:\d\d\)$/);
    assert.match(lines[1] ?? '', /session s1/);
    assert.match(lines[2] ?? '', /→ Read src\/a\.ts$/);
    assert.match(lines[3] ?? '', /torn line/);
    assert.equal(lines[4], '');
    assert.match(lines[5] ?? '', /^=== REVIEW ===/);
    assert.match(lines[6] ?? '', /Looks good$/);
    const json = await runVe(['orch', 'tail', 'auth', '--json'], { cwd: repo.root });
    const events = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      events.map((e) => `${e.phase}:${e.type}`),
      ['PLAN:session', 'PLAN:tool_call', 'PLAN:unparsed', 'REVIEW:text'],
    );
  });

  it('follows appended events and new phases until interrupted', async () => {
    const child = startVe(['orch', 'tail', 'auth', '-f'], { cwd: repo.root });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await waitForOutput(child, (s) => s.includes('Looks good'));
      const more = waitForOutput(child, (s) => s.includes('=== COMPLETE ===') && s.includes('done it'));
      appendFileSync(join(logDir, 'review.jsonl'), ev({ type: 'denied', tool: 'Write', reason: 'outside' }));
      writeFileSync(join(logDir, 'complete.jsonl'), ev({ type: 'text', text: 'done it' }));
      const seen = await more;
      assert.match(seen, /✗ denied Write: outside[\s\S]*=== COMPLETE ===/);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
  });
});
