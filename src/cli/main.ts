#!/usr/bin/env node
/** The `ve` executable: runs the command line against the real process and exits with its code. */
import { processIo } from './output.js';
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), processIo());
process.exitCode = code;
