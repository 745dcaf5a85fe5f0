/** Where the dashboard's files live inside the installed package, and the npm modules they load. */
import { join } from 'node:path';
import { collectBrowserModules } from '../api/browser-modules.js';
import type { StaticOptions } from '../api/static.js';

/** @throws when a module the dashboard needs is missing or cannot run in a browser */
export async function dashboardAssets(packageRoot: string): Promise<StaticOptions> {
  const dashboardDir = join(packageRoot, 'src', 'dashboard');
  return { dashboardDir, modules: await collectBrowserModules(dashboardDir) };
}
