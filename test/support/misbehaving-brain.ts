/**
 * A scripted model that makes, on purpose and per chunk, the mistakes real models make (issue 11 §8),
 * and then recovers the way a real model would: by reading what the orchestrator sent back (the
 * operator's answer, the orchestrator's note, the context from the orchestrator) and the results of its own tool
 * calls, never by counting turns. An IMPLEMENT without a mistake writes the module the project expects;
 * REVIEW and COMPLETE without one are played by the well-behaved ScriptedBrain. Only the test suite
 * uses it, so the demo does not carry it.
 *
 * The chunks implement `src/<chunk>.js` exporting `chunkName()`, which returns the chunk's name: the
 * project of test/support/mistakes-project.ts checks exactly that with `node test.js`.
 */
import { requestIdentity, ScriptedBrain } from '../../src/demo/scripted-brain.js';
import { isMainLoop, type MessagesRequest, type ModelReply } from '../../src/demo/scripted-model-server.js';
import { type Action, bash, type ModelSession, proceed, readSession } from './model-session.js';

export const MISTAKES = [
  /** IMPLEMENT ends by asking the operator in its final message, not with the question tool */
  'ask_in_prose',
  /** IMPLEMENT works in many small steps and reaches max_turns before it is done */
  'run_out_of_turns',
  /** COMPLETE leaves GOAL.md with frontmatter that does not parse (an unquoted colon) */
  'break_goal_yaml',
  /** IMPLEMENT reads the documents and ends without changing anything */
  'end_empty',
  /** IMPLEMENT writes the change and never commits it */
  'forget_commit',
  /** IMPLEMENT commits code that fails the project's tests, without running them */
  'fail_tests',
  /**
   * IMPLEMENT writes code that needs the project's dependency and runs `npm test` before committing:
   * where the dependency is missing it tries `npm install`, and when that fails too it ends by asking
   * the operator in prose (what a real model does in a worktree without dependencies)
   */
  'need_dependency',
] as const;
export type Mistake = (typeof MISTAKES)[number];

const IMPLEMENT_MISTAKES = MISTAKES.filter((m) => m !== 'break_goal_yaml') as Exclude<
  Mistake,
  'break_goal_yaml'
>[];

export interface MisbehavingOptions {
  /** the chunks that make each mistake */
  mistakes: Partial<Record<Mistake, readonly string[]>>;
  /** tool calls a run_out_of_turns IMPLEMENT needs, by chunk (default 8) */
  steps?: Record<string, number>;
}

/** What ask_in_prose asks, and the options the operator picks from by name. */
export const PROSE_OPTIONS = { throw: 'Throw an Error', null: 'Return null' } as const;

interface Ctx {
  chunk: string;
  worktree: string;
  session: ModelSession;
}

export class MisbehavingBrain {
  private readonly wellBehaved = new ScriptedBrain();

  constructor(private readonly opts: MisbehavingOptions) {}

  private makes(mistake: Mistake, chunk: string): boolean {
    return this.opts.mistakes[mistake]?.includes(chunk) ?? false;
  }

  reply(req: MessagesRequest): ModelReply {
    if (!isMainLoop(req)) return { text: 'ok' };
    const id = requestIdentity(req);
    if (!id) return this.wellBehaved.reply(req);
    const ctx: Ctx = { chunk: id.chunk, worktree: id.worktree, session: readSession(req) };
    if (id.phase === 'IMPLEMENT') {
      const mistake = IMPLEMENT_MISTAKES.find((m) => this.makes(m, id.chunk));
      return mistake ? this.implement(mistake, ctx) : implementWell(ctx);
    }
    if (id.phase === 'COMPLETE' && this.makes('break_goal_yaml', id.chunk)) return completeBreakingYaml(ctx);
    return this.wellBehaved.reply(req);
  }

  private implement(mistake: (typeof IMPLEMENT_MISTAKES)[number], ctx: Ctx): ModelReply {
    switch (mistake) {
      case 'ask_in_prose':
        return askInProse(ctx);
      case 'run_out_of_turns':
        return longTask(ctx, this.opts.steps?.[ctx.chunk] ?? 8);
      case 'end_empty':
        return endEmpty(ctx);
      case 'forget_commit':
        return proceed(
          ctx.session,
          [writeModule(ctx, moduleText(ctx.chunk)), bash('check_module', checkCommand(ctx.chunk), 'Try it')],
          `Implemented src/${ctx.chunk}.js; chunkName() returns '${ctx.chunk}'.`,
        );
      case 'fail_tests':
        return failTests(ctx);
      case 'need_dependency':
        return needDependency(ctx);
    }
  }
}

const read = (key: string, path: string): Action => ({ key, name: 'Read', input: { file_path: path } });
const doc = (ctx: Ctx, file: string) => `${ctx.worktree}/docs/chunks/${ctx.chunk}/${file}`;
const writeModule = (ctx: Ctx, content: string, key = 'write_module'): Action => ({
  key,
  name: 'Write',
  input: { file_path: `${ctx.worktree}/src/${ctx.chunk}.js`, content },
});
const commit = (key: string, message: string) =>
  bash(key, `git add -A && git commit -qm ${JSON.stringify(message)}`, 'Commit');
const checkCommand = (chunk: string) =>
  `node -e "import('./src/${chunk}.js').then((m) => console.log(m.chunkName()))"`;

export function moduleText(chunk: string, returns = chunk, extra = ''): string {
  return `/** The name of the chunk that made this module. */\nexport function chunkName() {\n  return '${returns}';\n}\n${extra}`;
}

/** IMPLEMENT without a mistake: the module this project's `node test.js` expects, committed. */
function implementWell(ctx: Ctx): ModelReply {
  return proceed(
    ctx.session,
    [writeModule(ctx, moduleText(ctx.chunk)), commit('commit_module', `${ctx.chunk}: the module`)],
    `Implemented src/${ctx.chunk}.js.`,
  );
}

/** Asks in prose which way to go; once the answer is in the prompt, implements that way. */
function askInProse(ctx: Ctx): ModelReply {
  const { session, chunk } = ctx;
  if (session.answer === null) {
    return proceed(
      session,
      [read('read_goal', doc(ctx, 'GOAL.md'))],
      [
        `I read the goal for ${chunk}. Before I write src/${chunk}.js I need one decision: what should \`parse()\` do with input it cannot read?`,
        '',
        `1. ${PROSE_OPTIONS.throw} that names the input`,
        `2. ${PROSE_OPTIONS.null} and let the caller decide`,
        '',
        'Which one should I use?',
      ].join('\n'),
    );
  }
  // the answer reads "<question> → <choice>": the choice is what follows the arrow
  const returnsNull = /null/i.test(session.answer.split('→').at(-1) ?? '');
  const parse = returnsNull
    ? 'export function parse(text) {\n  return /^\\d+$/.test(text) ? Number(text) : null;\n}\n'
    : "export function parse(text) {\n  if (!/^\\d+$/.test(text)) throw new Error('not a number: ' + text);\n  return Number(text);\n}\n";
  return proceed(
    session,
    [writeModule(ctx, moduleText(chunk, chunk, parse)), commit('commit_module', `${chunk}: parse numbers`)],
    `Implemented src/${chunk}.js: parse() ${returnsNull ? 'returns null' : 'throws'} on bad input, as the operator chose.`,
  );
}

/**
 * Many small steps, each committed; it does not stop at the turn budget. Resumed with more turns, it
 * carries on from the first step that has not run, whatever the session's turn count.
 */
function longTask(ctx: Ctx, steps: number): ModelReply {
  const { session, chunk } = ctx;
  const notes = `docs/${chunk}-notes.md`;
  const plan: Action[] = [
    read('read_plan', doc(ctx, 'PLAN.md')),
    writeModule(ctx, moduleText(chunk)),
    commit('commit_module', `${chunk}: the module`),
  ];
  for (let i = 1; plan.length < steps; i++) {
    plan.push(
      bash(
        `note_${i}`,
        `echo "- step ${i} done" >> ${notes} && git add ${notes} && git commit -qm "${chunk}: step ${i}"`,
        `Record step ${i}`,
      ),
    );
  }
  const resumed = session.note !== null && /turn limit|turn budget/.test(session.note);
  const next = plan.findIndex((a) => session.outcome(a.key) === null);
  const say =
    resumed && next >= 0 ? `Continuing where I left off: step ${next + 1} of ${plan.length}.` : undefined;
  return proceed(session, plan, `Finished ${chunk} in ${plan.length} small steps.`, say);
}

/** Ends the first round having only read; does the work when reminded that nothing changed. */
function endEmpty(ctx: Ctx): ModelReply {
  const { session, chunk } = ctx;
  if (session.note !== null && /changed no file/.test(session.note)) {
    return proceed(
      session,
      [writeModule(ctx, moduleText(chunk)), commit('commit_module', `${chunk}: the module`)],
      `Implemented src/${chunk}.js after the reminder.`,
      'Right, nothing was written yet. Implementing it now.',
    );
  }
  return proceed(
    session,
    [read('read_goal', doc(ctx, 'GOAL.md')), read('read_plan', doc(ctx, 'PLAN.md'))],
    `I read the goal and the plan for ${chunk}. The change is small and clear.`,
  );
}

/**
 * Commits a module that fails `node test.js` without running it. Sent back with the failing
 * verification, it takes the expected value from the output it was shown, and tests before committing.
 */
function failTests(ctx: Ctx): ModelReply {
  const { session, chunk } = ctx;
  const failure = session.reentry?.match(/chunkName\(\) should return '([^']+)'/);
  if (!failure) {
    return proceed(
      session,
      [
        writeModule(ctx, moduleText(chunk, chunk.replace(/_/g, '-'))),
        commit('commit_module', `${chunk}: the module`),
      ],
      `Implemented src/${chunk}.js.`,
    );
  }
  return proceed(
    session,
    [
      bash('see_failure', 'node test.js', 'Run the tests that failed'),
      read('read_module', `${ctx.worktree}/src/${chunk}.js`),
      writeModule(ctx, moduleText(chunk, failure[1]), 'write_fix'),
      bash(
        'test_and_commit',
        `node test.js && git add -A && git commit -qm "${chunk}: return the chunk's own name"`,
        'Test, then commit',
      ),
    ],
    `Fixed src/${chunk}.js: chunkName() returns '${failure[1]}', and node test.js passes.`,
  );
}

/** The dependency of the project the model works on (test/support/mistakes-project.ts). */
export const DEPENDENCY = 've-dep-a';

/**
 * Code that uses the project's dependency, tested with `npm test` before it is committed. Without the
 * dependency installed it tries `npm install`; if that fails as well, it stops and asks.
 */
function needDependency(ctx: Ctx): ModelReply {
  const { session, chunk } = ctx;
  if (session.reentry !== null) return recheckFailedVerification(ctx);
  const uses = `import dependency from '${DEPENDENCY}';\n\nexport const answer = () => dependency.answer();\n`;
  const plan = [
    writeModule(ctx, `${uses}\n${moduleText(chunk)}`),
    bash('run_tests', 'npm test', 'Run the tests'),
  ];
  const tests = session.outcome('run_tests');
  if (tests?.is_error && /Cannot find (module|package)/.test(tests.text)) {
    plan.push(bash('install_dependencies', 'npm install', 'Install the dependencies'));
    const install = session.outcome('install_dependencies');
    if (install?.is_error) {
      return {
        text: [
          `The tests cannot run in this worktree: ${DEPENDENCY} is not installed, and \`npm install\` fails:`,
          '',
          install.text.split('\n').slice(0, 3).join('\n'),
          '',
          'Should I commit src/' +
            chunk +
            '.js without running the tests, or can you install the dependencies?',
        ].join('\n'),
      };
    }
    plan.push(bash('run_tests_again', 'npm test', 'Run the tests again'));
  }
  plan.push(commit('commit_module', `${chunk}: use ${DEPENDENCY}`));
  return proceed(session, plan, `Implemented src/${chunk}.js with ${DEPENDENCY}; npm test passes.`);
}

/**
 * Sent back by a verification that failed: runs the tests here first. When they pass here, the
 * failure is not this chunk's to fix, so it asks the operator instead of changing something at random.
 */
function recheckFailedVerification(ctx: Ctx): ModelReply {
  const { session, chunk } = ctx;
  const tests = session.outcome('recheck_tests');
  if (tests === null)
    return proceed(session, [bash('recheck_tests', 'npm test', 'Reproduce the failure')], '');
  if (tests.is_error) return needDependency({ ...ctx, session: { ...session, reentry: null } });
  const failure = /```\n([^\n]*)/.exec(session.reentry ?? '')?.[1] ?? 'the verify command failed';
  return {
    text: [
      `\`npm test\` passes in this worktree, but the verification of ${chunk} failed with: ${failure}`,
      '',
      `Nothing in src/${chunk}.js explains that; the checkout the verification ran in may lack the project's dependencies. Should I change something in this chunk, or will you fix the verification's environment?`,
    ].join('\n'),
  };
}

/**
 * COMPLETE that marks GOAL.md ACTIVE but adds a summary with an unquoted colon, so the frontmatter no
 * longer parses; when the note shows the YAML error, it quotes the value.
 */
function completeBreakingYaml(ctx: Ctx): ModelReply {
  const { session, chunk } = ctx;
  const goal = doc(ctx, 'GOAL.md');
  const summary = `summary: Adds src/${chunk}.js: chunkName() returns its name`;
  if (session.note !== null && /could not parse frontmatter/.test(session.note)) {
    return proceed(
      session,
      [
        read('reread_goal', goal),
        {
          key: 'quote_summary',
          name: 'Edit',
          input: {
            file_path: goal,
            old_string: summary,
            new_string: summary.replace(/^summary: (.*)$/, 'summary: "$1"'),
          },
        },
        commit('commit_fix', `${chunk}: quote the summary so GOAL.md parses`),
      ],
      'Quoted the summary: GOAL.md parses again.',
      'The YAML error points at my summary line: the second colon starts a nested mapping. Quoting it.',
    );
  }
  return proceed(
    session,
    [
      read('read_goal', goal),
      {
        key: 'mark_active',
        name: 'Edit',
        input: {
          file_path: goal,
          old_string: 'status: IMPLEMENTING',
          new_string: `status: ACTIVE\n${summary}`,
        },
      },
      commit('commit_goal', `complete: ${chunk}`),
    ],
    `${chunk} is complete: GOAL.md says ACTIVE.`,
  );
}
