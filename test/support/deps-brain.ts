/**
 * The scripted model of the dependency end-to-end test (issue 11 §4): PLAN, REVIEW and COMPLETE as
 * ScriptedBrain plays them; IMPLEMENT works in its sandboxed shell: it runs the project's tests (they
 * need the dependency the detected setup installed), tries npm's default cache, ~/.npm (which the
 * sandbox must refuse), installs a second package from a local tarball through the project's cache
 * (which must work), and commits the new dependency.
 */
import { requestIdentity, ScriptedBrain } from '../../src/demo/scripted-brain.js';
import {
  isMainLoop,
  type MessagesRequest,
  type ModelReply,
  toolResultFor,
} from '../../src/demo/scripted-model-server.js';

export const DEPS_STEPS = {
  test: 'toolu_npm_test',
  defaultCache: 'toolu_npm_default_cache',
  install: 'toolu_npm_install',
  commit: 'toolu_commit',
} as const;

export class DepsBrain {
  private readonly base = new ScriptedBrain();

  /** `tarball`: the package IMPLEMENT installs */
  constructor(private readonly opts: { tarball: string }) {}

  reply(req: MessagesRequest): ModelReply {
    if (!isMainLoop(req) || requestIdentity(req)?.phase !== 'IMPLEMENT') return this.base.reply(req);
    const { tarball } = this.opts;
    const steps: [string, string][] = [
      [DEPS_STEPS.test, 'npm test'],
      [DEPS_STEPS.defaultCache, `npm install --cache ~/.npm ${tarball}`],
      [DEPS_STEPS.install, `npm install ${tarball}`],
      [DEPS_STEPS.commit, 'npm test && git add -A && git commit -q -m "depend on ve-dep-b"'],
    ];
    // the next step is the first whose result the session has not seen yet
    const next = steps.find(([id]) => toolResultFor(req, id) === undefined);
    if (!next) return { text: 'The tests pass and the new dependency is committed.' };
    const [id, command] = next;
    return { toolUses: [{ id, name: 'Bash', input: { command, description: id } }] };
  }
}
