/** Setup detection from lockfiles and the effective setup (configured / detected / off / none). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideSetup, detectSetupSteps, type ProjectFiles } from './setup-detection.js';

const project = (names: string[], more: Partial<ProjectFiles> = {}): ProjectFiles => ({
  names,
  packageManager: null,
  yarnClassicLock: false,
  ...more,
});
const commands = (p: ProjectFiles) => detectSetupSteps(p).map((s) => s.command);

describe('detectSetupSteps', () => {
  const cases: [string, ProjectFiles, string[]][] = [
    ['npm', project(['package.json', 'package-lock.json']), ['npm ci']],
    ['npm shrinkwrap', project(['package.json', 'npm-shrinkwrap.json']), ['npm ci']],
    ['pnpm', project(['package.json', 'pnpm-lock.yaml']), ['pnpm install --frozen-lockfile']],
    [
      'Yarn classic by its lockfile header',
      project(['package.json', 'yarn.lock'], { yarnClassicLock: true }),
      ['yarn install --frozen-lockfile'],
    ],
    ['Yarn Berry', project(['package.json', 'yarn.lock', '.yarnrc.yml']), ['yarn install --immutable']],
    [
      'Yarn classic declared in packageManager wins over the header',
      project(['package.json', 'yarn.lock'], { packageManager: 'yarn@1.22.19+sha512.abc' }),
      ['yarn install --frozen-lockfile'],
    ],
    [
      'Yarn 4 declared in packageManager',
      project(['package.json', 'yarn.lock'], { packageManager: 'yarn@4.1.0', yarnClassicLock: true }),
      ['yarn install --immutable'],
    ],
    ['bun', project(['package.json', 'bun.lock']), ['bun install --frozen-lockfile']],
    [
      'the declared manager wins over a leftover lockfile of another',
      project(['package.json', 'package-lock.json', 'pnpm-lock.yaml'], { packageManager: 'npm@10.2.0' }),
      ['npm ci'],
    ],
    [
      'pnpm before npm when nothing is declared',
      project(['package.json', 'package-lock.json', 'pnpm-lock.yaml']),
      ['pnpm install --frozen-lockfile'],
    ],
    ['a lockfile without package.json is not a node project', project(['package-lock.json']), []],
    ['package.json alone has nothing to install from', project(['package.json']), []],
    ['uv', project(['pyproject.toml', 'uv.lock']), ['uv sync --locked']],
    ['poetry', project(['pyproject.toml', 'poetry.lock']), ['poetry install']],
    [
      'requirements.txt into a virtualenv of the worktree',
      project(['requirements.txt']),
      ['python3 -m venv .venv && .venv/bin/pip install -r requirements.txt'],
    ],
    ['uv before requirements.txt', project(['uv.lock', 'requirements.txt']), ['uv sync --locked']],
    ['go', project(['go.mod', 'go.sum']), ['go mod download']],
    ['go.mod without go.sum has no dependencies', project(['go.mod']), []],
    ['cargo', project(['Cargo.toml', 'Cargo.lock']), ['cargo fetch --locked']],
    [
      'one step per ecosystem, node first',
      project(['Cargo.lock', 'go.mod', 'go.sum', 'uv.lock', 'package.json', 'package-lock.json']),
      ['npm ci', 'uv sync --locked', 'go mod download', 'cargo fetch --locked'],
    ],
    ['nothing', project(['README.md', 'src']), []],
  ];
  for (const [name, files, expected] of cases) {
    it(name, () => assert.deepEqual(commands(files), expected));
  }

  it('names the folder each command fills, or none when it installs elsewhere', () => {
    const steps = detectSetupSteps(
      project(['package.json', 'package-lock.json', 'uv.lock', 'go.mod', 'go.sum']),
    );
    assert.deepEqual(
      steps.map((s) => [s.tool, s.lockfile, s.installs]),
      [
        ['npm', 'package-lock.json', 'node_modules'],
        ['uv', 'uv.lock', '.venv'],
        ['go', 'go.sum', null],
      ],
    );
  });
});

describe('decideSetup', () => {
  const npm = detectSetupSteps(project(['package.json', 'package-lock.json']));
  const npmAndGo = detectSetupSteps(project(['package.json', 'package-lock.json', 'go.mod', 'go.sum']));

  it('detects when no command is configured', () => {
    assert.deepEqual(decideSetup({ setup_command: null }, npmAndGo), {
      source: 'detected',
      command: 'npm ci && go mod download',
      why: 'detected from package-lock.json and go.sum',
      steps: npmAndGo,
    });
  });

  it('runs the configured command instead of the detected one', () => {
    const s = decideSetup({ setup_command: 'make deps' }, npm);
    assert.deepEqual(s, { source: 'configured', command: 'make deps', why: 'setup_command', steps: [] });
  });

  it('runs nothing when setup_command is off, whatever the lockfiles say', () => {
    const s = decideSetup({ setup_command: false }, npm);
    assert.deepEqual(s, { source: 'off', command: null, why: 'setup_command is off', steps: [] });
  });

  it('says so when nothing was detected', () => {
    const s = decideSetup({ setup_command: null }, []);
    assert.equal(s.source, 'none');
    assert.equal(s.command, null);
    assert.match(s.why, /no lockfile/);
  });

  it('skips a step whose install folder git would not ignore, and says why', () => {
    const only = decideSetup({ setup_command: null }, npm, new Set(['node_modules']));
    assert.equal(only.source, 'none');
    assert.equal(only.why, 'npm ci skipped: node_modules is not ignored by git, and ve would commit it');
    const rest = decideSetup({ setup_command: null }, npmAndGo, new Set(['node_modules']));
    assert.equal(rest.command, 'go mod download');
    assert.match(rest.why, /^detected from go\.sum; npm ci skipped: node_modules is not ignored/);
  });
});
