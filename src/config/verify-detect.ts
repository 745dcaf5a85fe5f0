/**
 * A verify command suggested from what a project already has (`ve init`): its test script, test
 * target or test runner. PURE: the caller reads the files. A suggestion only; nothing is set.
 */

export interface VerifySuggestion {
  command: string;
  /** what it was found from, for the operator */
  because: string;
}

/** npm's placeholder for a package without tests */
const NPM_PLACEHOLDER = /no test specified/;

/** `files`: the contents of the project's top-level files by name (those that exist). */
export function suggestVerifyCommand(files: ReadonlyMap<string, string>): VerifySuggestion | null {
  const pkg = files.get('package.json');
  if (pkg !== undefined) {
    const test = testScript(pkg);
    if (test !== null && !NPM_PLACEHOLDER.test(test)) {
      const runner = files.has('pnpm-lock.yaml') ? 'pnpm' : files.has('yarn.lock') ? 'yarn' : 'npm';
      return { command: `${runner} test`, because: `package.json has a test script (${test})` };
    }
  }
  const makefile = files.get('Makefile') ?? files.get('makefile') ?? files.get('GNUmakefile');
  if (makefile !== undefined && /^test\s*:/m.test(makefile)) {
    return { command: 'make test', because: 'the Makefile has a test target' };
  }
  if (files.has('Cargo.toml')) return { command: 'cargo test', because: 'Cargo.toml' };
  if (files.has('go.mod')) return { command: 'go test ./...', because: 'go.mod' };
  const pyproject = files.get('pyproject.toml') ?? '';
  const pytest =
    /\[tool\.pytest/.test(pyproject) ||
    files.has('pytest.ini') ||
    files.has('conftest.py') ||
    /\[tool:pytest\]/.test(files.get('setup.cfg') ?? '') ||
    /\[pytest\]/.test(files.get('tox.ini') ?? '');
  if (pytest) {
    const prefix = files.has('uv.lock') ? 'uv run ' : files.has('poetry.lock') ? 'poetry run ' : '';
    return { command: `${prefix}pytest`, because: 'pytest is configured' };
  }
  return null;
}

/** the files `suggestVerifyCommand` looks at */
export const VERIFY_HINT_FILES = [
  'package.json',
  'pnpm-lock.yaml',
  'yarn.lock',
  'Makefile',
  'makefile',
  'GNUmakefile',
  'Cargo.toml',
  'go.mod',
  'pyproject.toml',
  'pytest.ini',
  'conftest.py',
  'setup.cfg',
  'tox.ini',
  'uv.lock',
  'poetry.lock',
] as const;

function testScript(packageJson: string): string | null {
  try {
    const parsed = JSON.parse(packageJson) as { scripts?: Record<string, unknown> };
    const test = parsed.scripts?.test;
    return typeof test === 'string' && test.trim() !== '' ? test : null;
  } catch {
    // an unreadable package.json suggests nothing; ve init does not judge the project's files
    return null;
  }
}
