/**
 * A `git` to put first on the daemon's PATH for reliability tests: it holds or fails chosen git
 * commands and passes everything else to the real git. (The daemon's own git runs no hooks, so
 * hooks cannot hold a merge.) Markers `<tag>.entered` / `<tag>.left` in `dir` tell the test where a
 * hold is; writing `<tag>.go` releases it early, and `<tag>.on` switches a `fail` rule on.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface GitRule {
  tag: string;
  /** a shell `case` pattern matched against ` <all arguments> ` */
  match: string;
  /**
   * `hold-before`: the first matching command waits before it runs; `hold-after`: it runs, then
   * waits before exiting; `fail`: while `<tag>.on` exists, matching commands fail with `message`
   */
  action: 'hold-before' | 'hold-after' | 'fail';
  /** longest hold (default 30 s) */
  seconds?: number;
  message?: string;
}

export interface GitWrapper {
  /** PATH with the wrapper first */
  path: string;
  marker(tag: string, what: 'entered' | 'left' | 'go' | 'on'): string;
}

export function writeGitWrapper(dir: string, rules: readonly GitRule[]): GitWrapper {
  const real = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const bin = join(dir, 'bin');
  if (!existsSync(bin)) mkdirSync(bin, { recursive: true });
  const m = (tag: string, what: string) => join(dir, `${tag}.${what}`);
  const wait = (r: GitRule) =>
    `i=0; while [ ! -e '${m(r.tag, 'go')}' ] && [ $i -lt ${(r.seconds ?? 30) * 10} ]; do sleep 0.1; i=$((i+1)); done`;
  const body = rules.map((r) => {
    const once = `[ ! -e '${m(r.tag, 'entered')}' ]`;
    const enter = `touch '${m(r.tag, 'entered')}'`;
    const leave = `touch '${m(r.tag, 'left')}'`;
    switch (r.action) {
      case 'fail':
        return `case " $* " in ${r.match}) if [ -e '${m(r.tag, 'on')}' ]; then echo '${r.message ?? 'fatal: scripted failure'}' >&2; exit 128; fi;; esac`;
      case 'hold-before':
        return `case " $* " in ${r.match}) if ${once}; then ${enter}; ${wait(r)}; ${leave}; fi;; esac`;
      case 'hold-after':
        return `case " $* " in ${r.match}) if ${once}; then '${real}' "$@"; rc=$?; ${enter}; ${wait(r)}; ${leave}; exit $rc; fi;; esac`;
      default:
        throw new Error(`unknown git wrapper action ${JSON.stringify(r)}`);
    }
  });
  writeFileSync(join(bin, 'git'), `#!/bin/sh\n${body.join('\n')}\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, 'git'), 0o755);
  return { path: `${bin}:${process.env.PATH ?? ''}`, marker: m };
}
