/** `ve init`: scaffolds docs/chunks/ and git-ignores .ve/ in the project (no daemon needed). */
import type { Command } from 'commander';
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
    ctx.emit(
      { root: ctx.root, created_chunks_dir: res.createdChunksDir, added_ignore: res.addedIgnore },
      () => {
        const lines = [`Initialized ve in ${ctx.root}`];
        lines.push(res.createdChunksDir ? '  created docs/chunks/' : '  docs/chunks/ already exists');
        lines.push(res.addedIgnore ? '  added .ve/ to .gitignore' : '  .gitignore already ignores .ve/');
        lines.push('Next: ve chunk create <name>');
        return lines;
      },
    );
  });
}
