/**
 * Does a unit's diff weaken the tests that verify it? An agent told to make the tests pass can do it
 * by deleting a test, skipping one, focusing a file on one test (`.only`) or changing the test script,
 * and the landing train would then verify, and land, exactly that. This reads the unified diff of the
 * unit's branch against base and names each such change, so the unit goes to the operator instead of
 * to base (docs/verification.md, "Test guard"). A heuristic over common test conventions (JS/TS,
 * Python, Go, Rust, Java/Kotlin, C#, Ruby): it can miss a change, and a legitimate one (a feature and
 * its tests removed together) is what the operator's approval is for. PURE.
 */

export type WeakeningKind = 'deleted_test_file' | 'removed_tests' | 'skipped_tests' | 'changed_test_script';

export interface Weakening {
  kind: WeakeningKind;
  file: string;
  /** how many tests, skips or lines it concerns */
  count: number;
  /** the first line that shows it, as the diff has it (trimmed, bounded) */
  example: string | null;
}

/** File names of tests by the usual conventions (wherever they are). */
const TEST_FILE_NAME = [
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /(^|\/)test_[^/]+\.py$/,
  /_test\.(py|go|rb|exs?)$/,
  /_spec\.rb$/,
  /(Tests?|Spec|IT)\.(java|kt|scala|cs|swift)$/,
];
/** Paths that hold tests: such a name, or any file in a test folder (helpers and fixtures too). */
const TEST_PATH = [/(^|\/)(tests?|__tests__|specs?|testing)\//, ...TEST_FILE_NAME];

/** A line that declares one test (not a suite: removing a describe around kept tests is not removal). */
const TEST_DECLARATION = [
  /^\s*(it|test)(\.each\b.*?\))?\s*\(/,
  // a test turned into a skipped or focused one is still declared (the skip is its own finding)
  /^\s*(it|test)\.(skip|only|todo)\s*\(/,
  /^\s*(xit|xtest|fit)\s*\(/,
  /^\s*(async\s+)?def\s+test_?\w*\s*\(/,
  /^\s*func\s+Test\w*\s*\(/,
  /^\s*#\[(tokio::)?test\]/,
  /^\s*@(Test|ParameterizedTest|Fact|Theory|TestMethod)\b/,
  /^\s*\[(Test|Fact|Theory|TestMethod)\]/,
];

/** A line that turns a test off or focuses a run on some tests only. */
const SKIP = [
  /\b(it|test|describe|suite|context)\.(skip|todo|only)\s*\(/,
  /\b(xit|xtest|xdescribe|fit|fdescribe)\s*\(/,
  /[{,]\s*(skip|todo|only)\s*:\s*(true|['"`])/,
  /@pytest\.mark\.(skip|skipif|xfail)\b/,
  /@unittest\.(skip|skipIf|skipUnless|expectedFailure)\b/,
  /\bpytest\.skip\s*\(/,
  /\bt\.Skip(Now|f)?\s*\(/,
  /#\[ignore\b/,
  /@(Ignore|Disabled)\b/,
  /\[(Ignore|Skip)\b/,
];

const PACKAGE_TEST_SCRIPT = /^\s*"(test|pretest|posttest)(:[\w:-]+)?"\s*:/;

interface FileDiff {
  path: string;
  deleted: boolean;
  added: string[];
  removed: string[];
}

/**
 * Splits a `git diff` into files: each file's path, whether it was deleted, and its +/- lines. Before
 * a file's first hunk its lines are headers; after it, `--- x` is a removed line `-- x`.
 */
export function parseDiffFiles(diff: string): FileDiff[] {
  const files: FileDiff[] = [];
  let current: FileDiff | null = null;
  let inHunk = false;
  for (const line of diff.split('\n')) {
    const header = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
    if (header) {
      current = { path: header[2] as string, deleted: false, added: [], removed: [] };
      files.push(current);
      inHunk = false;
      continue;
    }
    if (!current) continue;
    if (line.startsWith('@@')) inHunk = true;
    else if (!inHunk) {
      if (line.startsWith('deleted file mode')) current.deleted = true;
      else if (line.startsWith('rename to ')) current.path = line.slice('rename to '.length);
    } else if (line.startsWith('+')) current.added.push(line.slice(1));
    else if (line.startsWith('-')) current.removed.push(line.slice(1));
  }
  return files;
}

export function isTestPath(path: string): boolean {
  return TEST_PATH.some((p) => p.test(path));
}

const matching = (lines: readonly string[], patterns: readonly RegExp[]) =>
  lines.filter((l) => patterns.some((p) => p.test(l)));

const shown = (line: string | undefined) => (line === undefined ? null : line.trim().slice(0, 120));

/** A multiset of lines, to take lines out of one by one. */
function counted(lines: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
  return m;
}

function take(m: Map<string, number>, line: string): boolean {
  const n = m.get(line) ?? 0;
  if (n === 0) return false;
  m.set(line, n - 1);
  return true;
}

/**
 * The changes in `diff` that weaken the tests, in the diff's order. Tests are counted over the whole
 * diff: one moved to another file (its declaration removed here, added there) is not removed, and a
 * new test stands in for a removed one (a rename, a rewrite).
 */
export function findTestWeakening(diff: string): Weakening[] {
  const files = parseDiffFiles(diff);
  const declarations = (f: FileDiff, side: 'added' | 'removed') =>
    isTestPath(f.path) ? matching(f[side], TEST_DECLARATION).map((l) => l.trim()) : [];
  const added = counted(files.flatMap((f) => declarations(f, 'added')));
  const removedAll = counted(files.flatMap((f) => declarations(f, 'removed')));
  // tests the diff adds that are not moved ones: each covers one removal
  let fresh = 0;
  for (const [line, n] of added) fresh += Math.max(0, n - (removedAll.get(line) ?? 0));
  const found: Weakening[] = [];
  for (const f of files) {
    const test = isTestPath(f.path);
    const gone = declarations(f, 'removed').filter((l) => !take(added, l));
    const covered = Math.min(fresh, gone.length);
    fresh -= covered;
    const lost = gone.slice(covered);
    if (test && f.deleted) {
      // a deleted test file counts when tests went with it, or when it is named as a test file whose
      // tests this reader does not recognise; a deleted helper or fixture does not
      const named = TEST_FILE_NAME.some((p) => p.test(f.path));
      if (lost.length > 0 || (named && gone.length === 0 && declarations(f, 'removed').length === 0))
        found.push({
          kind: 'deleted_test_file',
          file: f.path,
          count: Math.max(1, lost.length),
          example: null,
        });
      continue;
    }
    if (lost.length > 0)
      found.push({ kind: 'removed_tests', file: f.path, count: lost.length, example: shown(lost[0]) });
    // a skip moved within the file is not a new one
    const skips = test ? matching(f.added, SKIP).filter((l) => !f.removed.includes(l)) : [];
    if (skips.length > 0)
      found.push({ kind: 'skipped_tests', file: f.path, count: skips.length, example: shown(skips[0]) });
    if (/(^|\/)package\.json$/.test(f.path)) {
      const changed = matching(f.removed, [PACKAGE_TEST_SCRIPT]);
      if (changed.length > 0)
        found.push({
          kind: 'changed_test_script',
          file: f.path,
          count: changed.length,
          example: shown(changed[0]),
        });
    }
  }
  return found;
}

/** One line per finding, for an attention item and the agent's re-entry context. */
export function describeWeakening(w: Weakening): string {
  const tests = (n: number) => `${n} test${n === 1 ? '' : 's'}`;
  const example = w.example ? `: ${w.example}` : '';
  switch (w.kind) {
    case 'deleted_test_file':
      return `deletes ${w.file}`;
    case 'removed_tests':
      return `removes ${tests(w.count)} from ${w.file}${example}`;
    case 'skipped_tests':
      return `skips or focuses tests in ${w.file}${example}`;
    case 'changed_test_script':
      return `changes the test script in ${w.file}${example}`;
  }
}
