import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  announcingStart,
  isTransientSetupFailure,
  planSandbox,
  rebindVanished,
  reboundNames,
  referencedFds,
  sandboxArgs,
} from './bwrap-args.js';

const GIT = '/repo/.git';
// the shape Claude Code builds (shortened): options, `--`, then the command
const CLAUDE_LINE = [
  '--new-session',
  '--die-with-parent',
  '--sync-fd',
  '5',
  '--info-fd',
  '6',
  '--setenv',
  'TMPDIR',
  '/tmp/x',
  '--ro-bind',
  '/',
  '/',
  '--bind',
  GIT,
  GIT,
  '--ro-bind',
  `${GIT}/config`,
  `${GIT}/config`,
  '--ro-bind',
  `${GIT}/config.lock`,
  `${GIT}/config.lock`,
  '--ro-bind',
  '/dev/null',
  `${GIT}/hooks/x`,
  '--ro-bind',
  '/elsewhere/gone',
  '/elsewhere/gone',
  '--proc',
  '/proc',
  '--',
  '/bin/bash',
  '-c',
  'echo -- hi',
];

describe('bwrap command lines', () => {
  it("splits Claude Code's command line into options, the command and the descriptors it names", () => {
    const plan = planSandbox(CLAUDE_LINE);
    assert.ok(plan);
    assert.deepEqual(plan.command, ['/bin/bash', '-c', 'echo -- hi']);
    assert.deepEqual(plan.options[2], ['--sync-fd', '5']);
    assert.deepEqual(plan.options.at(-1), ['--proc', '/proc']);
    assert.deepEqual(plan.fds, [5, 6]);
    assert.equal(plan.repeatable, true);
    assert.deepEqual(plan.options.flat(), CLAUDE_LINE.slice(0, CLAUDE_LINE.indexOf('--')), 'nothing lost');
  });

  it('passes through what it cannot plan: probes, --args, unknown options, no command', () => {
    assert.equal(planSandbox(['--version']), null);
    assert.equal(planSandbox(['--args', '3', 'true']), null);
    assert.equal(planSandbox(['--frobnicate', 'x', '--', 'true']), null);
    assert.equal(planSandbox(['--ro-bind', '/', '/']), null);
    assert.equal(planSandbox(['--sync-fd', 'five', '--', 'true']), null);
    assert.deepEqual(planSandbox(['--ro-bind', '/', '/', 'true'])?.command, ['true'], '-- is optional');
  });

  it('will not set a sandbox up twice when an option reads its descriptor to the end', () => {
    assert.equal(planSandbox(['--seccomp', '7', '--', 'true'])?.repeatable, false);
    assert.equal(planSandbox(['--ro-bind-data', '8', '/x', '--', 'true'])?.repeatable, false);
    assert.equal(planSandbox(['--ro-bind-fd', '9', '/x', '--', 'true'])?.repeatable, true);
    assert.deepEqual(referencedFds(['--args', '4', '--info-fd', '6', '--setenv', 'A', '7']), [4, 6]);
  });

  it('rebinds only vanished read-only self-binds inside the git directory onto /dev/null', () => {
    const plan = planSandbox(CLAUDE_LINE);
    assert.ok(plan);
    const present = new Set([`${GIT}/config`]);
    const options = rebindVanished(plan.options, [GIT], (p) => present.has(p));
    assert.deepEqual(reboundNames(plan.options, options), [`${GIT}/config.lock`]);
    assert.deepEqual(
      options.filter((o, i) => o !== plan.options[i]),
      [['--ro-bind', '/dev/null', `${GIT}/config.lock`]],
    );
    // a vanished path outside the git directory, the writable bind of .git, and /dev/null binds stay
    assert.equal(options.length, plan.options.length, 'no bind is dropped');
    assert.deepEqual(
      rebindVanished(plan.options, [], () => false),
      plan.options,
    );
  });

  it('announces the start of the command on stderr, then runs it unchanged', () => {
    const cmd = announcingStart(['/bin/bash', '-c', 'echo "$0"'], 'TOKEN');
    assert.deepEqual(cmd.slice(3), ['TOKEN', '/bin/bash', '-c', 'echo "$0"']);
    const plan = planSandbox(['--die-with-parent', '--', 'true']);
    assert.ok(plan);
    assert.deepEqual(sandboxArgs(plan, plan.options, 'T'), [
      '--die-with-parent',
      '--',
      ...announcingStart(['true'], 'T'),
    ]);
  });

  it('retries only a set-up failure over a name in the git directory that vanished', () => {
    const transient = [
      `bwrap: Can't find source path ${GIT}/config.lock: No such file or directory`,
      `bwrap: Can't get type of source ${GIT}/config.lock: No such file or directory`,
      `bwrap: Can't bind mount /oldroot/dev/null on /newroot${GIT}/config.lock: Unable to find "/newroot${GIT}/config.lock" in mount table`,
      `bwrap: Can't bind mount /oldroot/dev/null on /newroot${GIT}/config.lock: Unable to remount destination "/newroot${GIT}/config.lock" with correct flags: Invalid argument`,
    ];
    for (const t of transient) assert.equal(isTransientSetupFailure(`${t}\n`, [GIT]), true, t);
    const not = [
      "bwrap: Can't find source path /tmp/claude-0/settings.json: No such file or directory",
      'bwrap: No permissions to create new namespace',
      `ls: cannot access '${GIT}/config.lock': No such file or directory`,
    ];
    for (const t of not) assert.equal(isTransientSetupFailure(`${t}\n`, [GIT]), false, t);
  });
});
