/** The daemon's side of verification: the repository's ve.yaml on base, and the verify environment. */
import { PROJECT_SETTINGS_FILE, parseProjectSettings } from '../chunks/project-settings.js';
import type { ProjectPaths } from '../config/paths.js';
import type { RepositoryVerify } from '../config/verify-settings.js';
import { packageCacheEnv, withVariables } from '../domain/package-caches.js';
import { scrubEnv } from '../git/git-cli.js';
import type { Logger } from '../ports/logger.js';
import type { Landing } from '../ports/train.js';

/** Reads ve.yaml as committed on base; parsed once per base tip. */
export function repositoryVerify(
  landing: Landing,
  base: string,
  log: Logger,
): () => Promise<RepositoryVerify | null> {
  let cached: { tip: string; value: RepositoryVerify | null } | null = null;
  return async () => {
    const tip = await landing.baseTip(base);
    if (tip === null) return null;
    if (cached?.tip === tip) return cached.value;
    const text = await landing.committedFile(tip, PROJECT_SETTINGS_FILE);
    let value: RepositoryVerify | null = null;
    if (text !== null) {
      try {
        value = parseProjectSettings(text);
      } catch (e) {
        value = { error: (e as Error).message };
        log.error('ve.yaml on base cannot be read; nothing lands until it is fixed', { base, tip, error: e });
      }
    }
    cached = { tip, value };
    return value;
  };
}

/**
 * The environment verify and setup commands get: the daemon's (nothing that redirects git), CI=true
 * so test runners do not wait for a terminal, and the package managers' caches in the project's cache
 * directory, which the sandbox lets them write.
 */
export function verifyEnv(paths: ProjectPaths): NodeJS.ProcessEnv {
  return { ...withVariables(scrubEnv(process.env), packageCacheEnv(paths.cacheDir)), CI: 'true' };
}
