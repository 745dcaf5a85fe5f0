/**
 * What the common file-writing commands write (PURE): for each, the words naming a file or directory
 * it creates, changes, moves to or removes. Reading needs no entry here. Programs that compute their
 * own paths (interpreters, build tools, scripts) cannot be listed; docs/security.md names that residue.
 */
import type { Word } from './ast.js';
import {
  derived,
  hasOption,
  literalWord,
  type OptionSpec,
  optionValues,
  type ParsedArgs,
  parseOptions,
} from './options.js';

interface WriterSpec extends OptionSpec {
  /** the operands it writes */
  writes: 'all' | 'last' | 'allButFirst' | 'first' | 'second' | 'none' | ((p: ParsedArgs) => Word[]);
  /** options whose values it writes (target directories, output files) */
  targetOptions?: readonly string[];
  /** the operands name files to hard-link (`ln` without `-s`, `cp -l`): they must not lie outside */
  links?: (p: ParsedArgs) => Word[];
  /** what new symlinks point to (`ln -s`, `cp -s`) */
  symlinks?: (p: ParsedArgs) => Word[];
}

export interface WriteTargets {
  /** the words naming what the command writes */
  targets: Word[];
  /** files it hard-links into place: a later write through the link would change the original */
  hardLinked: Word[];
  /** where the symlinks it makes point: unknown ones are denied, the rest are followed on disk later */
  symlinked: Word[];
  /** the targets depend on operands, so arguments appended by `xargs` would be targets too */
  takesOperands: boolean;
  /** arguments known only at run time that may be options or several words: targets unknown */
  unknownArgs: Word[];
}

const last = (p: ParsedArgs): Word[] => (p.operands.length >= 2 ? p.operands.slice(-1) : []);
const COPY_TARGET = ['t', 'target-directory'];
/** `cp`, `mv`, `ln`, `install`: the last operand, unless `-t dir` names the destination */
const intoLast = (p: ParsedArgs): Word[] => (hasOption(p, COPY_TARGET) ? [] : last(p));
const COPY: WriterSpec = {
  short: 'St',
  long: ['suffix', 'target-directory'],
  writes: intoLast,
  targetOptions: COPY_TARGET,
  links: (p) => (hasOption(p, ['l', 'link']) ? sources(p) : []),
  symlinks: (p) => (hasOption(p, ['s', 'symbolic-link']) ? sources(p) : []),
};
const sources = (p: ParsedArgs): Word[] =>
  hasOption(p, COPY_TARGET) ? p.operands : p.operands.slice(0, Math.max(0, p.operands.length - 1));
const lnSources = (p: ParsedArgs): Word[] => (p.operands.length === 1 ? p.operands : sources(p));
const CHMOD_MODE = /^-[rwxXstugoa=+,0-7-]+$/;

const WRITERS: Record<string, WriterSpec> = {
  cp: COPY,
  mv: { ...COPY, links: undefined, symlinks: undefined },
  // `ln -s target` with one operand makes the link in the current directory, named like the target
  ln: {
    ...COPY,
    writes: (p) =>
      p.operands.length === 1 && !hasOption(p, COPY_TARGET) ? [basename(p.operands[0]!)] : intoLast(p),
    links: (p) => (hasOption(p, ['s', 'symbolic']) ? [] : lnSources(p)),
    symlinks: (p) => (hasOption(p, ['s', 'symbolic']) ? lnSources(p) : []),
  },
  install: {
    short: 'gmoSt',
    long: ['group', 'mode', 'owner', 'suffix', 'target-directory', 'strip-program'],
    writes: (p) => (hasOption(p, ['d', 'directory']) ? p.operands : intoLast(p)),
    targetOptions: COPY_TARGET,
  },
  rsync: {
    short: 'efTBM',
    long: [
      'rsh',
      'filter',
      'exclude',
      'include',
      'exclude-from',
      'include-from',
      'files-from',
      'temp-dir',
      'log-file',
      'backup-dir',
      'suffix',
      'chmod',
      'chown',
      'timeout',
      'bwlimit',
      'rsync-path',
      'compare-dest',
      'copy-dest',
      'link-dest',
      'password-file',
      'out-format',
      'max-size',
      'min-size',
      'partial-dir',
    ],
    writes: last,
    targetOptions: ['T', 'temp-dir', 'log-file', 'backup-dir'],
  },
  touch: { short: 'drt', long: ['date', 'reference', 'time'], writes: 'all' },
  rm: { writes: 'all' },
  rmdir: { writes: 'all' },
  unlink: { writes: 'all' },
  mkdir: { short: 'm', long: ['mode', 'context'], writes: 'all' },
  mkfifo: { short: 'm', long: ['mode', 'context'], writes: 'all' },
  mknod: { short: 'm', long: ['mode', 'context'], writes: 'first' },
  truncate: { short: 'rs', long: ['reference', 'size'], writes: 'all' },
  shred: { short: 'ns', long: ['iterations', 'size', 'random-source'], writes: 'all' },
  tee: { writes: 'all' },
  chmod: {
    writes: (p) => (p.values.has('reference') ? p.operands : p.operands.slice(1)),
    operandLike: (t) => CHMOD_MODE.test(t) && !/^-[cfvR]+$/.test(t),
  },
  chown: { writes: (p) => (p.values.has('reference') ? p.operands : p.operands.slice(1)) },
  chgrp: { writes: (p) => (p.values.has('reference') ? p.operands : p.operands.slice(1)) },
  sed: {
    short: 'efl',
    attached: 'i',
    long: ['expression', 'file', 'line-length'],
    writes: (p) =>
      !hasOption(p, ['i', 'in-place'])
        ? []
        : hasOption(p, ['e', 'f', 'expression', 'file'])
          ? p.operands
          : p.operands.slice(1),
  },
  sort: {
    short: 'kotST',
    long: [
      'key',
      'output',
      'field-separator',
      'temporary-directory',
      'buffer-size',
      'files0-from',
      'parallel',
      'batch-size',
      'random-source',
      'compress-program',
    ],
    writes: 'none',
    targetOptions: ['o', 'output', 'T', 'temporary-directory'],
  },
  split: {
    short: 'abClnt',
    long: [
      'suffix-length',
      'bytes',
      'line-bytes',
      'lines',
      'number',
      'separator',
      'additional-suffix',
      'filter',
    ],
    writes: 'second',
  },
  patch: {
    short: 'BDdFiopruVYzg',
    long: [
      'prefix',
      'ifdef',
      'directory',
      'fuzz',
      'input',
      'output',
      'strip',
      'reject-file',
      'version-control',
      'basename-prefix',
      'suffix',
      'get',
    ],
    writes: 'first',
    targetOptions: ['o', 'output', 'r', 'reject-file', 'd', 'directory', 'B', 'prefix'],
  },
  curl: {
    short: 'AbcCdDeEFHKmoPQrtTuUwxXyYz',
    long: [
      'output',
      'output-dir',
      'dump-header',
      'cookie-jar',
      'trace',
      'trace-ascii',
      'stderr',
      'data',
      'data-raw',
      'data-binary',
      'header',
      'request',
      'user',
      'user-agent',
      'referer',
      'form',
      'proxy',
      'cookie',
      'write-out',
      'max-time',
      'connect-timeout',
      'retry',
      'config',
      'cert',
      'key',
      'cacert',
      'url',
      'upload-file',
    ],
    writes: 'none',
    targetOptions: [
      'o',
      'output',
      'output-dir',
      'D',
      'dump-header',
      'c',
      'cookie-jar',
      'trace',
      'trace-ascii',
      'stderr',
    ],
  },
  wget: {
    short: 'oaeiBtOTwQPUlARDXI',
    long: [
      'output-document',
      'directory-prefix',
      'output-file',
      'append-output',
      'execute',
      'input-file',
      'tries',
      'timeout',
      'wait',
      'user-agent',
      'level',
      'accept',
      'reject',
      'domains',
    ],
    writes: 'none',
    targetOptions: [
      'O',
      'output-document',
      'P',
      'directory-prefix',
      'o',
      'output-file',
      'a',
      'append-output',
    ],
  },
  unzip: { short: 'dP', writes: 'none', targetOptions: ['d'] },
  mktemp: {
    short: 'p',
    long: ['tmpdir', 'suffix'],
    writes: (p) => p.operands.filter((w) => w.value?.includes('/') ?? true),
    targetOptions: ['p', 'tmpdir'],
  },
};

/** What `name args…` writes, or null when it is not a command this table knows to write. */
export function writeTargetsOf(name: string, args: readonly Word[]): WriteTargets | null {
  if (name === 'dd') {
    const out = args.filter((a) => a.value === null || a.value.startsWith('of='));
    return {
      targets: out.map((a) => (a.value === null ? a : derived(a, a.value.slice(3)))),
      hardLinked: [],
      symlinked: [],
      takesOperands: false,
      unknownArgs: args.filter((a) => a.value === null && a.splits),
    };
  }
  if (name === 'tar') return tarTargets(args);
  const spec = WRITERS[name];
  if (!spec) return null;
  const p = parseOptions(args, spec);
  const operands = operandTargets(spec.writes, p);
  return {
    targets: [...operands, ...optionValues(p, spec.targetOptions ?? [])],
    hardLinked: spec.links?.(p) ?? [],
    symlinked: spec.symlinks?.(p) ?? [],
    takesOperands: spec.writes !== 'none',
    unknownArgs: p.unknown,
  };
}

function operandTargets(writes: WriterSpec['writes'], p: ParsedArgs): Word[] {
  switch (writes) {
    case 'all':
      return p.operands;
    case 'last':
      return last(p);
    case 'allButFirst':
      return p.operands.slice(1);
    case 'first':
      return p.operands.slice(0, 1);
    case 'second':
      return p.operands.slice(1, 2);
    case 'none':
      return [];
    default:
      return writes(p);
  }
}

function basename(w: Word): Word {
  return w.value === null ? w : derived(w, w.value.replace(/\/+$/, '').split('/').pop() ?? '');
}

const TAR_SPEC: OptionSpec = {
  short: 'fCTXbgHIKLNV',
  long: [
    'file',
    'directory',
    'files-from',
    'exclude-from',
    'blocking-factor',
    'listed-incremental',
    'format',
    'use-compress-program',
    'starting-file',
    'newer',
    'label',
    'exclude',
    'transform',
    'owner',
    'group',
    'mode',
    'to-command',
  ],
};
const TAR_VALUE_LETTERS = TAR_SPEC.short as string;

/**
 * `tar`: the archive (`-f`) when it creates or appends one, and `-C`'s directory when it extracts
 * (or when the mode cannot be read). Old-style `tar czf out.tgz dir` is read as `-c -z -f out.tgz dir`.
 */
function tarTargets(args: readonly Word[]): WriteTargets {
  const first = args[0]?.value;
  let words = [...args];
  if (first && /^[A-Za-z]+$/.test(first)) {
    // each value letter of the bundle takes the next word, in order
    let next = 1;
    const expanded: Word[] = [];
    for (const letter of first) {
      expanded.push(derived(args[0]!, `-${letter}`));
      if (TAR_VALUE_LETTERS.includes(letter) && args[next]) expanded.push(args[next++]!);
    }
    words = [...expanded, ...args.slice(next)];
  }
  const p = parseOptions(words, TAR_SPEC);
  const creates = hasOption(p, ['c', 'r', 'u', 'A', 'create', 'append', 'update', 'catenate', 'concatenate']);
  const lists = hasOption(p, ['t', 'list', 'd', 'diff', 'compare']);
  const extracts = !creates && !lists;
  const targets = [
    ...(creates ? optionValues(p, ['f', 'file']) : []),
    ...(extracts ? optionValues(p, ['C', 'directory']) : []),
    // -P keeps the archive's absolute and `..` member names: where they land is in the archive
    ...(extracts && hasOption(p, ['P', 'absolute-names']) ? [literalWord('tar -P', null)] : []),
  ];
  return { targets, hardLinked: [], symlinked: [], takesOperands: false, unknownArgs: p.unknown };
}
