/** `ve init`: scaffolds docs/chunks/ and git-ignores .ve/ in the project (no daemon needed). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  suggestVerifyCommand,
  VERIFY_HINT_FILES,
  type VerifySuggestion,
} from '../../config/verify-detect.js';
import { type CommonOptions, commandContext, leafCommand } from '../command-kit.js';
import type { CliIo } from '../output.js';

export function registerInit(program: Command, io: CliIo): void {
  leafCommand(program, 'init', 'set up a repository for ve: docs/chunks/ and a .gitignore entry for .ve/', [
    've init',
    've init --project-dir ~/src/myrepo',
  ]).action(async (opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    // loaded on use: chunks/ pulls in the YAML parser
    const { initProject } = await import('../../chunks/templates.js');
    const res = await initProject(ctx.root);
    const verify = existsSync(join(ctx.root, 've.yaml'))
      ? null
      : suggestVerifyCommand(topLevelFiles(ctx.root));
    ctx.emit(
      {
        root: ctx.root,
        created_chunks_dir: res.createdChunksDir,
        added_ignore: res.addedIgnore,
        suggested_verify_command: verify,
      },
      () => {
        const lines = [`Initialized ve in ${ctx.root}`];
        lines.push(res.createdChunksDir ? '  created docs/chunks/' : '  docs/chunks/ already exists');
        lines.push(res.addedIgnore ? '  added .ve/ to .gitignore' : '  .gitignore already ignores .ve/');
        lines.push(...verifyHint(verify));
        lines.push('Next: ve chunk create <name>');
        return lines;
      },
    );
  });
}

/** How to make landings verified: the detected command, in the two places it can be set. */
function verifyHint(s: VerifySuggestion | null): string[] {
  if (s === null) {
    return [
      'Landings are not verified yet: no test command was found. Set one so that nothing lands red:',
      "  ve orch config --verify-command '<your test command>'   (this machine)",
      "  or commit ve.yaml with: verify_command: '<your test command>'   (the whole team)",
    ];
  }
  return [
    `Suggested verify command: ${s.command}   (${s.because})`,
    '  Every landing is tested with it before it reaches your base branch. Turn it on with',
    `  ve orch config --verify-command '${s.command}'   (this machine)`,
    `  or commit ve.yaml with: verify_command: '${s.command}'   (the whole team)`,
  ];
}

function topLevelFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of VERIFY_HINT_FILES) {
    const path = join(root, name);
    if (existsSync(path) && statSync(path).isFile()) files.set(name, readFileSync(path, 'utf8'));
  }
  return files;
}
