import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { makeTempRepo } from '../../test/support/temp-repo.js';
import { DEFAULT_CONFIG } from '../config/schema.js';
import type { CliIo } from './output.js';
import { allCommands, createProgram, runCli } from './program.js';

function captureIo(cwd: string): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    cwd,
    env: {},
    color: false,
    stdout: () => out,
    stderr: () => err,
  };
}

const pathOf = (c: { name(): string; parent: unknown }) => {
  const names: string[] = [];
  let cur: { name(): string; parent: unknown } | null = c;
  while (cur) {
    names.unshift(cur.name());
    cur = cur.parent as typeof cur;
  }
  return names.join(' ');
};

describe('program', () => {
  const repo = makeTempRepo();
  after(() => repo.cleanup());

  it('gives every command help text with an example', () => {
    const io = captureIo(repo.root);
    const commands = allCommands(createProgram(io)).filter((c) => c.name() !== 'help');
    assert.ok(commands.length >= 35, `only ${commands.length} commands`);
    const missing: string[] = [];
    for (const cmd of commands) {
      let text = '';
      cmd.configureOutput({ writeOut: (s) => (text += s) });
      cmd.outputHelp();
      if (!text.includes('Example')) missing.push(pathOf(cmd));
    }
    assert.deepEqual(missing, []);
  });

  it('gives every leaf command --project-dir and --json', () => {
    const leaves = allCommands(createProgram(captureIo(repo.root))).filter(
      (c) => c.commands.length === 0 && c.name() !== 'help' && c.parent !== null,
    );
    const lacking = leaves
      .filter(
        (c) =>
          !c.options.some((o) => o.long === '--project-dir') || !c.options.some((o) => o.long === '--json'),
      )
      .map(pathOf);
    assert.deepEqual(lacking, []);
  });

  it('covers the whole command list of DESIGN §11', () => {
    const names = allCommands(createProgram(captureIo(repo.root))).map(pathOf);
    for (const want of [
      've init',
      've chunk create',
      've chunk list',
      've chunk show',
      ...[
        'start',
        'stop',
        'status',
        'url',
        'ps',
        'inject',
        'queue',
        'prioritize',
        'config',
        'attention',
        'answer',
        'plan',
        'approve',
        'resolve',
        'conflicts',
        'analyze',
        'retry',
        'retry-all',
        'kill',
        'interrupt',
        'block',
        'unblock',
        'tail',
        'work-unit show',
        'work-unit status',
        'work-unit delete',
        'work-unit history',
        'worktree list',
        'worktree remove',
        'worktree prune',
      ].map((n) => `ve orch ${n}`),
    ]) {
      assert.ok(names.includes(want), `missing ${want}`);
    }
  });

  it('rejects bad input locally with a clear message and exit code 1, before any request', async () => {
    const cases: [string[], RegExp][] = [
      [['orch', 'inject', '../x'], /invalid chunk name "..\/x"/],
      [['orch', 'inject', 'a', 'b', 'a'], /'a' is given more than once/],
      [['orch', 'inject', 'a', '--priority', 'high'], /--priority must be an integer/],
      [['orch', 'inject', 'a', '--phase', 'DEPLOY'], /unknown phase 'DEPLOY'/],
      [['orch', 'ps', '--status', 'WAITING'], /unknown status 'WAITING'/],
      [['orch', 'ps', '--limit', '0'], /--limit must be at least 1, got 0/],
      [['orch', 'ps', '--limit', '10001'], /--limit must be at most 10000/],
      [['orch', 'ps', '--limit', 'all'], /--limit must be an integer/],
      [['orch', 'ps', '--after', '../x'], /invalid chunk name "..\/x"/],
      [['orch', 'ps', '--status', 'READY', '--active'], /either --status or --active, not both/],
      [['orch', 'prioritize', 'a', '1.5'], /priority must be an integer/],
      [['orch', 'work-unit', 'status', 'a', 'FINISHED'], /unknown status 'FINISHED'/],
      [['orch', 'kill', 'a', '--to', 'nowhere'], /unknown --to target 'nowhere'/],
      [['orch', 'resolve', 'a', 'maybe', '--with', 'b'], /unknown verdict 'maybe'/],
      [['orch', 'resolve', 'a', 'serialize', '--with', 'a'], /cannot conflict with itself/],
      [['orch', 'answer', 'a'], /give an answer text, --option N/],
      [['orch', 'answer', 'a', '--option', '0'], /--option must be at least 1/],
      [['orch', 'config', '--max-agents', 'lots'], /--max-agents expects an integer/],
      [['orch', 'config', '--live-conflict-action', 'ignore'], /one of attention, serialize/],
      [['orch', 'start', '--port', '70000'], /--port must be at most 65535/],
      [['orch', 'tail', '/abs'], /invalid chunk name "\/abs"/],
      [['chunk', 'create', 'A'], /invalid chunk name "A"/],
      [['chunk', 'list', '--status', 'DONE'], /unknown chunk status 'DONE'/],
    ];
    for (const [args, message] of cases) {
      const io = captureIo(repo.root);
      const code = await runCli(args, io);
      assert.equal(code, 1, args.join(' '));
      assert.match(io.stderr(), message, args.join(' '));
      assert.doesNotMatch(io.stderr(), /not running/, args.join(' '));
      assert.equal(
        io.stderr().trim().split('\n').length,
        1,
        `one line for ${args.join(' ')}: ${io.stderr()}`,
      );
      assert.equal(io.stdout(), '', args.join(' '));
    }
  });

  it('reports usage errors from commander with exit code 1 and help with exit code 0', async () => {
    const unknown = captureIo(repo.root);
    assert.equal(await runCli(['orch', 'pss'], unknown), 1);
    assert.match(unknown.stderr(), /^ve: unknown command 'pss'/);
    const help = captureIo(repo.root);
    assert.equal(await runCli(['orch', 'ps', '--help'], help), 0);
    assert.match(help.stdout(), /Usage: ve orch ps/);
  });

  it('lists a flag for every config key in `ve orch config --help`', async () => {
    const io = captureIo(repo.root);
    assert.equal(await runCli(['orch', 'config', '--help'], io), 0);
    for (const key of Object.keys(DEFAULT_CONFIG)) {
      assert.ok(io.stdout().includes(`--${key.replace(/_/g, '-')} <value>`), key);
    }
  });

  it('reports a missing daemon as one clear line', async () => {
    const io = captureIo(repo.root);
    assert.equal(await runCli(['orch', 'ps'], io), 1);
    assert.equal(io.stderr(), 've: the orchestrator daemon is not running. Start it with: ve orch start\n');
  });
});
