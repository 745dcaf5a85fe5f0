/**
 * What an npm script adds to the environment of the process it starts. A daemon started from
 * `npm run …` or `npm test` inherits npm's view of *that* package: its local prefix, its manifest
 * (`npm_package_*`), the lifecycle event, and every non-default setting of the launcher's npm config
 * exported as lowercase `npm_config_*`. Passed on, they would configure the npm that setup commands,
 * verify commands and agents run in another project: the launcher's `omit-lockfile-registry-resolved`
 * made an agent's `npm install` rewrite the project's lockfile without `resolved` URLs, and the next
 * offline `npm ci` failed. npm reads the user's and global npmrc files again by itself, so dropping
 * the exported copies loses nothing from those files. PURE.
 */

/** Variables npm sets for every script it runs, besides the `npm_config_*` / `npm_package_*` families. */
const NPM_SCRIPT_VARIABLES = new Set([
  'npm_command',
  'npm_execpath',
  'npm_node_execpath',
  'npm_lifecycle_event',
  'npm_lifecycle_script',
  'INIT_CWD',
  'NODE',
]);

const NPM_SCRIPT_FAMILIES = /^npm_(config|package)_/;

/** Whether `env` is the environment of a process npm started to run a script (`npm run`, `npm exec`, …). */
export function startedByNpmScript(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.npm_lifecycle_event !== undefined && env.npm_execpath !== undefined;
}

/**
 * The names in `env` that an npm script launcher put there; none when npm did not start the
 * process that has `env`. Only the lowercase spellings npm exports: an operator's own
 * `NPM_CONFIG_REGISTRY` stays.
 */
export function npmScriptVariables(env: Readonly<Record<string, string | undefined>>): string[] {
  if (!startedByNpmScript(env)) return [];
  return Object.keys(env).filter((k) => NPM_SCRIPT_VARIABLES.has(k) || NPM_SCRIPT_FAMILIES.test(k));
}
