/**
 * fast-check arbitraries for hostile input, shared by the API and CLI fuzz tests: chunk names that try
 * to escape (`../x`, `/abs`, `%2e%2e`, NUL, unicode lookalikes, 10 KB), junk JSON values and raw bodies.
 */
import fc from 'fast-check';

/** Hand-picked names, each aimed at one way a name could escape `docs/chunks/<name>` or confuse a parser. */
export const HOSTILE_NAMES: readonly string[] = [
  '',
  ' ',
  '.',
  '..',
  '../x',
  '../../etc/passwd',
  '..\\..\\x',
  '/abs',
  '/etc/passwd',
  '//x',
  'a/b',
  'a/../b',
  '%2e%2e',
  '%2e%2e%2fx',
  '..%2f..%2fetc',
  '%2F',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  'al\u0000pha',
  'alpha\u0000',
  'alpha\n',
  'alpha\r\nX-Evil: 1',
  'alpha ',
  ' alpha',
  'Alpha',
  'ALPHA',
  '-alpha',
  '_alpha',
  '1alpha',
  'аlpha', // Cyrillic а
  'alpha\u200b', // zero-width space
  'ａｌｐｈａ', // fullwidth
  'alpha\u0301', // combining accent
  'alıas', // dotless ı
  '\u212Aelvin', // Kelvin sign, lower-cases to k
  'alpha\u202e', // right-to-left override
  '\ud800', // lone surrogate
  '😀',
  'a'.repeat(32),
  'a'.repeat(10_000),
  'alpha;rm -rf /',
  '$(id)',
  '`id`',
  "al'pha",
  'al"pha',
  'alpha*',
  '~',
  '~root',
  'CON',
  '.git',
  'orch/alpha',
  '-C',
  '--force',
  'alpha?x=1',
  'alpha#frag',
  '__proto__',
  'constructor',
];

/** Any string: printable, control characters, full unicode, long. */
export const junkString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ minLength: 200, maxLength: 2_000 }),
);

export const hostileName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
  { weight: 1, arbitrary: junkString },
);

/** Numbers at and past every edge a JSON body can carry. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    1e308,
    -1e308,
    5e-324,
    1_000_001,
    -1_000_001,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Arbitrary JSON, deep-ish, with prototype-pollution keys mixed in. */
export const junkJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    null,
    [],
    {},
    '',
    true,
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    { constructor: { prototype: { polluted: true } } },
  ),
  edgeNumber,
);

/** Raw body text that is not what any route expects: invalid JSON, deep nesting, odd encodings. */
export const junkBodyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '{',
    '{"a":',
    "{'a': 1}",
    'undefined',
    'NaN',
    '{"priority": 1e999}',
    '{"priority": -1e999}',
    '{"priority": 1e-999}',
    '\uFEFF{}',
    '{}garbage',
    '{"a":1,"a":2}',
    '[1,2,',
    '\u0000',
    '"\\ud800"',
    '{"__proto__": {"polluted": true}}',
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
  ),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

/** A JSON object mutated away from a valid shape: a field of the wrong type, an extra key, or a junk root. */
export function mutated(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc
      .tuple(valid, fc.string({ maxLength: 20 }), junkJson)
      .map(([v, key, junk]) => (Object.keys(v).length ? { ...v, [pickKey(v, key)]: junk } : { [key]: junk })),
    fc
      .tuple(valid, fc.string({ minLength: 1, maxLength: 20 }), junkJson)
      .map(([v, k, j]) => ({ ...v, [k]: j })),
    junkJson,
  );
}

function pickKey(v: Record<string, unknown>, seed: string): string {
  const keys = Object.keys(v);
  return keys[seed.length % keys.length] as string;
}
