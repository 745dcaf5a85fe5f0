/** Where the dashboard's files and its Preact/htm modules live inside the installed package. */
import { join } from 'node:path';
import type { StaticOptions } from '../api/static.js';

export function dashboardAssets(packageRoot: string): StaticOptions {
  const nm = join(packageRoot, 'node_modules');
  return {
    dashboardDir: join(packageRoot, 'src', 'dashboard'),
    vendor: {
      'preact.mjs': join(nm, 'preact', 'dist', 'preact.mjs'),
      'hooks.mjs': join(nm, 'preact', 'hooks', 'dist', 'hooks.mjs'),
      'htm.mjs': join(nm, 'htm', 'dist', 'htm.mjs'),
    },
  };
}
