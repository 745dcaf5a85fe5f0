import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { goalMarkdown, TEMPLATE_PLAN } from '../../test/support/chunk-docs.js';
import { splitFrontmatter } from '../chunks/frontmatter.js';
import { FsChunkRepo } from '../chunks/fs-chunk-repo.js';
import { createChunk } from '../chunks/templates.js';
import { extractEvidence, pairStage } from './evidence.js';
import { documentLocations, listLocations, locationKey, normalizePath, symbolsRelated } from './locations.js';
import { BOILERPLATE, contentTerms, TERM_WEIGHT, termOverlap } from './terms.js';

const keys = (text: string) => documentLocations(text).map(locationKey).sort();

describe('oracle locations', () => {
  const cases: { name: string; text: string; want: string[] }[] = [
    {
      name: 'Location lines: plain, backticked, bold, numbered, with symbols',
      text: [
        'Location: src/scheduler/pass.ts#runPass',
        '- Location: `src/store/sqlite-store.ts#SqliteStore::transition`',
        '2. **Location:** ./src/api/routes.ts (new file)',
        '   location: src/oracle/',
      ].join('\n'),
      want: [
        'src/api/routes.ts',
        'src/oracle',
        'src/scheduler/pass.ts#runPass',
        'src/store/sqlite-store.ts#SqliteStore::transition',
      ],
    },
    {
      name: 'backticked paths and path#Symbol tokens in prose',
      text: 'Extend `package.json` scripts and `src/cli/` commands; call src/runner/run-phase.ts#runPhase() here.',
      want: ['package.json', 'src/cli', 'src/runner/run-phase.ts#runPhase'],
    },
    {
      name: 'renames count both paths, with any arrow',
      text: [
        'Location: src/runner/prompt.ts -> src/runner/prompt-builder.ts',
        'Move `src/a/old.ts` → `src/b/new.ts`, and src/x/one.ts => src/x/two.ts.',
      ].join('\n'),
      want: [
        'src/a/old.ts',
        'src/b/new.ts',
        'src/runner/prompt-builder.ts',
        'src/runner/prompt.ts',
        'src/x/one.ts',
        'src/x/two.ts',
      ],
    },
    {
      name: 'template hints, code fences, URLs and prose slashes are not locations',
      text: [
        '<!-- Location: src/path/file.ts#SymbolName -->',
        'See https://git-scm.com/docs/git-merge-tree.html and read/write and/or Node.js behaviour.',
        '```ts',
        "import { x } from './lib/x.js';",
        'Location: src/in/fence.ts',
        '```',
        'Keep `npm test` and `config.max_agents` as they are.',
      ].join('\n'),
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(keys(c.text), [...c.want].sort()));
  }

  it('normalizes ./, duplicate and trailing slashes and globs; refuses paths leaving the repo', () => {
    assert.deepEqual(normalizePath('./src//oracle/'), { path: 'src/oracle', dir: true });
    assert.deepEqual(normalizePath('src/api/**/*.ts'), { path: 'src/api', dir: true });
    assert.deepEqual(normalizePath('src\\win\\file.ts'), { path: 'src/win/file.ts', dir: false });
    assert.equal(normalizePath('../outside.ts'), null);
    assert.equal(normalizePath('http://example.com/a.ts'), null);
  });

  it('reads code_paths and qualified code_references', () => {
    const got = listLocations(['./src/store/', 'myproj::src/a.ts#Foo::bar', 'src/b.ts#Baz.qux']).map(
      locationKey,
    );
    assert.deepEqual(got, ['src/store', 'src/a.ts#Foo::bar', 'src/b.ts#Baz.qux']);
  });

  it('relates a symbol to its members but not to its siblings', () => {
    assert.equal(symbolsRelated('SqliteStore', 'SqliteStore::transition'), true);
    assert.equal(symbolsRelated('SqliteStore.transition', 'SqliteStore::transition'), true);
    assert.equal(symbolsRelated('SqliteStore::get', 'SqliteStore::getConfig'), false);
  });
});

describe('oracle content terms', () => {
  it('keeps content words and weights identifiers higher', () => {
    const bag = contentTerms(
      'Throttle `WorkUnitStore.transition` retries using max_backoff_ms and exponentialDelay.',
    );
    assert.equal(bag.get('throttle'), TERM_WEIGHT.word);
    assert.equal(bag.get('retry'), TERM_WEIGHT.word, 'plural folded');
    assert.equal(bag.get('workunitstore.transition'), TERM_WEIGHT.identifier);
    assert.equal(bag.get('max_backoff_ms'), TERM_WEIGHT.identifier);
    assert.equal(bag.get('exponentialdelay'), TERM_WEIGHT.identifier);
    assert.equal(bag.has('using'), false, 'stop-word');
  });

  it('ignores frontmatter-looking lines, HTML comments and template headings; keeps code fences', () => {
    const body = [
      '---',
      'status: FUTURE',
      '---',
      'code_paths:',
      '  - src/somewhere',
      'created_after: [other]',
      '## Minor Goal',
      '<!-- Observable results a reviewer can check -->',
      '## Webhook retries',
      '```ts',
      'notifyWebhook(payload)',
      '```',
    ].join('\n');
    assert.deepEqual([...contentTerms(body).entries()].sort(), [
      ['notifywebhook', TERM_WEIGHT.identifier],
      ['payload', TERM_WEIGHT.identifier],
      ['retry', TERM_WEIGHT.word],
      ['webhook', TERM_WEIGHT.word],
    ]);
  });

  it('finds nothing in a GOAL that is still the template, while the raw text would share many words', () => {
    const goal = goalMarkdown({ goal: '', code_paths: [] });
    assert.equal(contentTerms(splitFrontmatter(goal).body).size, 0);
    const raw = (s: string) => new Set(s.toLowerCase().match(/[a-z_][a-z0-9_]{3,}/g));
    assert.ok(
      raw(goal).has('code_paths') && raw(goal).has('criteria'),
      'the reference bug would match these',
    );
  });

  it('the boilerplate copy covers every word of the real chunk templates (guard against drift)', async () => {
    const root = mkdtempSync(join(tmpdir(), 've-oracle-tpl-'));
    try {
      const dir = await createChunk(root, 'tpl', { future: true, dependsOn: null });
      const texts = ['GOAL.md', 'PLAN.md'].map((f) => readFileSync(join(dir, f), 'utf8'));
      for (const text of texts) {
        const words = [...contentTerms(text.replace(/<!--|-->/g, ' '), new Set()).keys()];
        assert.ok(words.length > 5, 'the template has words to check');
        assert.deepEqual(
          words.filter((w) => !BOILERPLATE.has(w)),
          [],
        );
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('overlap is shared weight over the smaller bag', () => {
    const a = contentTerms('Rate limiter for the webhook sender: token_bucket per client.');
    const b = contentTerms('Webhook sender gains a token_bucket.');
    // b weighs 6 (gain, sender, webhook, token_bucket×3); 5 of it is shared
    const t = termOverlap(a, b);
    assert.deepEqual(t.shared, ['token_bucket', 'sender', 'webhook']);
    assert.equal(t.overlap, 5 / 6);
  });
});

describe('oracle evidence', () => {
  it('detects the best stage each chunk supports and pairs at the weaker one', async () => {
    const root = mkdtempSync(join(tmpdir(), 've-oracle-ev-'));
    try {
      const repo = new FsChunkRepo(root);
      const { writeChunk } = await import('../../test/support/chunk-docs.js');
      writeChunk(root, 'empty', { goal: '' }, null);
      writeChunk(root, 'goalonly', { goal: 'Retry webhook notifications with backoff.' }, null);
      writeChunk(
        root,
        'planned',
        { goal: 'Retry webhook notifications.' },
        { approach: 'Wrap the sender.', steps: ['Location: src/infra/notify.ts#sendWebhook'] },
      );
      writeChunk(root, 'done', { goal: 'Done.', code_references: ['src/infra/notify.ts#sendWebhook'] }, null);
      const ev = async (n: string) => extractEvidence(await repo.read(n));
      const [empty, goal, plan, done] = await Promise.all(['empty', 'goalonly', 'planned', 'done'].map(ev));
      assert.deepEqual(
        [empty, goal, plan, done].map((e) => e?.stage),
        ['PROPOSED', 'GOAL', 'PLAN', 'COMPLETED'],
      );
      assert.equal(pairStage(plan!, done!), 'PLAN');
      assert.equal(pairStage(goal!, done!), 'GOAL');
      assert.equal(extractEvidence({ ...(await repo.read('goalonly')), plan: TEMPLATE_PLAN }).stage, 'GOAL');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
