/**
 * Generated argument lists for every `ve` command, read from the real command tree: positional values
 * and option values by their names (hostile chunk names, junk numbers, wrong enums), missing and extra
 * arguments, and unknown flags.
 */

import type { Command } from 'commander';
import fc from 'fast-check';
import { allCommands, createProgram } from '../../src/cli/program.js';
import { PHASES, STATUSES } from '../../src/domain/work-unit.js';
import { hostileName } from './hostile-input.js';

export interface CommandSpec {
  words: string[];
  args: { name: string; required: boolean; variadic: boolean }[];
  options: { long: string; takesValue: boolean }[];
}

/** Every leaf command, except the ones that start, stop or follow forever. */
export function commandSpecs(skip: readonly string[]): CommandSpec[] {
  const io = { out: () => {}, err: () => {}, cwd: '/', env: {}, color: false };
  return allCommands(createProgram(io))
    .filter((c) => c.commands.length === 0 && c.parent)
    .map((c) => ({
      words: wordsOf(c),
      args: c.registeredArguments.map((a) => ({
        name: a.name(),
        required: a.required,
        variadic: a.variadic,
      })),
      options: c.options
        .filter((o) => o.long && o.long !== '--follow')
        .map((o) => ({ long: o.long as string, takesValue: o.required || o.optional })),
    }))
    .filter((s) => !skip.includes(s.words.join(' ')));
}

function wordsOf(c: Command): string[] {
  const words: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) words.unshift(x.name());
  return words;
}

export interface Invocation {
  argv: string[];
  /** chunk-name arguments given, to check that a hostile one is never accepted */
  chunkArgs: string[];
}

export interface ArgPools {
  /** names that exist in the test project */
  real: readonly string[];
  /** absolute and relative paths that would land outside the project if a name were used as a path */
  escapes: readonly string[];
  /** values for --project-dir (only directories the test owns) */
  projectDirs: readonly string[];
}

const CHUNK_ARGS = new Set(['chunk', 'name', 'a', 'b', 'other']);
const NUMBERISH = [
  '5',
  '-3',
  '0',
  '1.5',
  'abc',
  '1e9',
  '99999999999999999999',
  '-0',
  '0x10',
  ' 7',
  '',
  'NaN',
];

export function invocationArbitrary(specs: CommandSpec[], pools: ArgPools): fc.Arbitrary<Invocation> {
  const chunk = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...pools.real, 'nope') },
    { weight: 1, arbitrary: fc.constantFrom(...pools.escapes) },
    { weight: 2, arbitrary: hostileName.filter(argvSafe) },
  );
  const junk = fc.string({ maxLength: 30 }).filter(argvSafe);
  const text = fc.oneof(junk, fc.constantFrom('line one\nline two', 'x'.repeat(70_000), '--', '-x', '$(id)'));
  const positional = (name: string): fc.Arbitrary<string> => {
    if (CHUNK_ARGS.has(name)) return chunk;
    if (name === 'priority') return fc.constantFrom(...NUMBERISH);
    if (name === 'new_status') return fc.constantFrom(...STATUSES, 'ready', 'DELETED', 'RUNNING ', '');
    if (name === 'verdict') return fc.constantFrom('parallelize', 'serialize', 'yes', '');
    return text;
  };
  const optionValue = (long: string): fc.Arbitrary<string> => {
    switch (long) {
      case '--project-dir':
        return fc.constantFrom(...pools.projectDirs);
      case '--phase':
        return fc.constantFrom(...PHASES, 'implement', 'DONE', '');
      case '--status':
        return fc.constantFrom(...STATUSES, 'ACTIVE', 'FUTURE', 'nope', '');
      case '--priority':
      case '--option':
        return fc.constantFrom(...NUMBERISH);
      case '--limit':
        return fc.constantFrom(...NUMBERISH, '10000', '10001');
      case '--to':
        return fc.constantFrom('ready', 'attention', 'done', '');
      case '--on':
      case '--depends-on':
        return fc.array(chunk, { minLength: 1, maxLength: 3 }).map((a) => a.join(','));
      case '--with':
      case '--after':
        return chunk;
      case '--for':
        return fc.constantFrom('q=a', '=', 'noequals', 'Which?=Option A', '');
      // commands the daemon would run: only harmless ones
      case '--setup-command':
      case '--notify-command':
        return fc.constantFrom('true', '', 'null');
      case '--notify-webhook':
        return fc.constantFrom('http://127.0.0.1:9/x', 'http://evil.example/x', 'file:///etc/passwd', 'null');
      case '--live-probe-interval-seconds':
      case '--stall-timeout-seconds':
        // no value that would make the daemon act on its own during the run
        return fc.constantFrom('0', '-1', 'abc', '', '1.5', '99999999999');
      default:
        return fc.oneof(fc.constantFrom(...NUMBERISH, 'null', 'true'), junk);
    }
  };
  const extra = fc.oneof(
    fc.constantFrom('--', '-', '--nope', '-z', '--json=1', '--help', '-V', '--project-dir'),
    chunk,
  );
  return fc.constantFrom(...specs).chain((spec) =>
    fc
      .record({
        positionals: fc.tuple(
          ...spec.args.map((a) =>
            a.variadic
              ? fc.array(positional(a.name), { minLength: 1, maxLength: 3 })
              : positional(a.name).map((v) => [v]),
          ),
        ),
        drop: fc.nat({ max: 4 }),
        options: fc
          .subarray(spec.options, { maxLength: Math.min(3, spec.options.length) })
          .chain((opts) =>
            fc.tuple(
              ...opts.map((o) =>
                o.takesValue ? optionValue(o.long).map((v) => [o.long, v]) : fc.constant([o.long]),
              ),
            ),
          ),
        extras: fc.array(extra, { maxLength: 2 }),
        optionsFirst: fc.boolean(),
      })
      .map(({ positionals, drop, options, extras, optionsFirst }) => {
        // sometimes leave the last positional out (a missing argument)
        const pos = drop === 0 ? positionals.slice(0, -1) : positionals;
        const flat = pos.flat();
        const opts = options.flat();
        const argv = [...spec.words, ...(optionsFirst ? [...opts, ...flat] : [...flat, ...opts]), ...extras];
        const chunkArgs = spec.args.flatMap((a, i) => (CHUNK_ARGS.has(a.name) ? (pos[i] ?? []) : []));
        return { argv, chunkArgs };
      }),
  );
}

/** A string a process can receive as one argv entry. */
function argvSafe(s: string): boolean {
  return !s.includes('\u0000') && !/\p{Cs}/u.test(s);
}
