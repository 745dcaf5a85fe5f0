import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { askedInProse, isOfferOfMoreWork } from './prose-question.js';

/** Final messages that ask the operator, as real models write them. */
const ASKING = [
  `I've looked at the codebase. The goal says "store sessions", but there are two stores: Redis (used by the API) and SQLite (used by the CLI).

Should I use Redis or SQLite for the session store?`,
  `I started on the migration, but the existing \`users\` table has no \`email\` column and the plan assumes one.

Before I continue: do you want me to add the column in this chunk, or is that handled by another chunk?`,
  `The success criteria conflict: one says the endpoint returns 404 for unknown ids, another says it returns an empty list.

Which behaviour would you like?
1. 404 for unknown ids
2. An empty list`,
  `There are two reasonable ways to do this:

1. Extend the existing \`Parser\` class with a streaming mode.
2. Write a separate \`StreamingParser\` and keep \`Parser\` as it is.`.replace(
    'keep `Parser` as it is.',
    'keep `Parser` as it is.\n\nWhich one should I go with?',
  ),
  `I need a decision on the retry policy. Could you confirm whether failed jobs should be retried indefinitely or at most 5 times?`,
  `The API key for the payment provider is not in the environment, and the tests need it.

How should I proceed? I can mock the provider, or you can provide a sandbox key.`.replace(
    '\n\nHow should I proceed? I can mock the provider, or you can provide a sandbox key.',
    '\n\nI can mock the provider, or you can provide a sandbox key. How should I proceed?',
  ),
  `I've written the plan, but the goal mentions "the admin dashboard" and I can find two of them (\`admin/\` and \`backoffice/\`).

Which dashboard do you mean?`,
  `Is it OK to change the public signature of \`parseConfig\`? Three other modules call it.`,
  `Summary so far: tests pass, but the benchmark regressed by 12%.

Do you prefer the faster implementation without caching, or should I keep the cache and accept the regression?

Thanks!`,
];

/** Final messages that ask nothing (or only offer more work, tested separately). */
const NOT_ASKING = [
  `I implemented \`src/auth/login.ts\` with JWT tokens, added tests in \`test/auth.test.ts\`, and committed. All 42 tests pass.`,
  `Plan written and committed. The main question was whether to reuse the existing cache; I decided to reuse it because the goal says "no new dependencies".`,
  `Why did the test fail? Because the fixture used a fixed date. I replaced it with a clock passed in, and the suite passes now.`,
  `Done. Summary:
- renamed \`hello\` to \`greet\`
- updated the two callers
- tests pass`,
  'The COMPLETE phase is done: GOAL.md now says status: ACTIVE and lists the code references.',
  `Fixed the failing verification: \`caller.js\` used the old name.

\`\`\`js
// should I keep this? (a comment in the code, not a question to you)
\`\`\`

Committed as "use greet".`,
  `What changed:
1. The parser streams.
2. The old API is kept.

All checks pass.`,
  '',
];

describe('askedInProse', () => {
  for (const [i, text] of ASKING.entries()) {
    it(`finds the question in asking message ${i + 1}`, () => {
      const q = askedInProse(text);
      assert.ok(q, `should ask:\n${text}`);
      assert.match(q, /\?/);
    });
  }
  for (const [i, text] of NOT_ASKING.entries()) {
    it(`finds no question in message ${i + 1}`, () => {
      assert.equal(askedInProse(text), null, `should not ask:\n${text}`);
    });
  }

  it('returns the paragraph that asks, options included, for the operator to read', () => {
    assert.equal(
      askedInProse('Context first.\n\nWhich behaviour would you like?\n1. 404\n2. An empty list'),
      'Which behaviour would you like?\n1. 404\n2. An empty list',
    );
  });

  it('shows options listed in a paragraph of their own before the question, with their lead-in', () => {
    assert.equal(
      askedInProse(ASKING[3] as string),
      'There are two reasonable ways to do this:\n\n1. Extend the existing `Parser` class with a streaming mode.\n2. Write a separate `StreamingParser` and keep `Parser` as it is.\n\nWhich one should I go with?',
    );
    // a choice between listed options needs no "should I" to be a question
    assert.equal(
      askedInProse('I read the goal. Two stores are possible:\n\n- Redis\n- SQLite\n\nWhich one?'),
      'I read the goal. Two stores are possible:\n\n- Redis\n- SQLite\n\nWhich one?',
    );
  });
});

describe('isOfferOfMoreWork', () => {
  it('tells an offer of more work from a question the work depends on', () => {
    const offer = askedInProse(
      'All done and committed.\n\nWould you like me to also add a CLI flag for this?',
    );
    assert.ok(offer && isOfferOfMoreWork(offer));
    const offer2 = askedInProse('Implemented and tested.\n\nShall I also update the README?');
    assert.ok(offer2 && isOfferOfMoreWork(offer2));
    assert.equal(isOfferOfMoreWork(askedInProse(ASKING[0] as string) as string), false);
    assert.equal(isOfferOfMoreWork(askedInProse(ASKING[1] as string) as string), false);
  });
});
