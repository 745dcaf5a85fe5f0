/**
 * The ve version, read from package.json at run time (the package ships it), so the CLI's
 * `--version` and the daemon's status cannot disagree with the release.
 */
import { readFileSync } from 'node:fs';

// compiled to dist/src/config/version.js: package.json is three levels up
const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { name?: unknown; version?: unknown };
  if (pkg.name !== 've-orchestrator' || typeof pkg.version !== 'string') {
    throw new Error(`${PACKAGE_JSON.pathname} is not ve's package.json (name ${String(pkg.name)})`);
  }
  cached = pkg.version;
  return cached;
}
