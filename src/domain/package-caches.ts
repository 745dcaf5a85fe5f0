/**
 * The package managers' caches of a project (issue 11 §4): one folder, `.ve/cache/`, that sandboxed
 * shell commands may write, and the variables that point each tool at a subfolder of it. Setup
 * commands and agent sessions get the same variables, so what one downloads the other reuses (and
 * pnpm, which records its store in node_modules, sees the same store from both). PURE.
 */

/**
 * Variable → subfolder. Only variables no other tool misreads: npm warns about every unknown
 * `npm_config_*` (so pnpm's store is set through `pnpm_config_*`, which pnpm 11 reads), and
 * YARN_CACHE_FOLDER would move a Berry project's committed cache (zero-installs) out of the repository
 * (Yarn classic finds its cache through XDG_CACHE_HOME instead).
 */
const CACHE_VARIABLES: readonly (readonly [string, string])[] = [
  // the XDG cache: Yarn classic, pip, pnpm's metadata, node-gyp headers, corepack, Playwright
  // browsers and every other tool that follows the XDG base directories
  ['XDG_CACHE_HOME', 'xdg'],
  ['npm_config_cache', 'npm'],
  ['pnpm_config_store_dir', 'pnpm-store'],
  // Yarn Berry's global cache (its default since Yarn 4) and metadata
  ['YARN_GLOBAL_FOLDER', 'yarn-berry'],
  ['BUN_INSTALL_CACHE_DIR', 'bun'],
  ['PIP_CACHE_DIR', 'pip'],
  ['UV_CACHE_DIR', 'uv'],
  ['POETRY_CACHE_DIR', 'poetry'],
  ['GOMODCACHE', 'go/mod'],
  ['GOCACHE', 'go/build'],
  // cargo takes a lock under CARGO_HOME even for an offline build, and no variable moves only its
  // registry cache: the whole home moves (a ~/.cargo/config.toml is not read then; see docs)
  ['CARGO_HOME', 'cargo'],
  ['DENO_DIR', 'deno'],
];

/** The environment that points package managers at `cacheDir` (an absolute path). */
export function packageCacheEnv(cacheDir: string): Record<string, string> {
  const base = cacheDir.replace(/\/+$/, '');
  return Object.fromEntries(CACHE_VARIABLES.map(([name, sub]) => [name, `${base}/${sub}`]));
}

/**
 * `env` with `added` on top. An added name also replaces inherited spellings of it in another case:
 * npm reads `NPM_CONFIG_CACHE` and `npm_config_cache` alike, and which one won would be an accident.
 */
export function withVariables(
  env: Readonly<Record<string, string | undefined>>,
  added: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  const replaced = new Set(Object.keys(added).map((k) => k.toLowerCase()));
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (!replaced.has(k.toLowerCase())) out[k] = v;
  return { ...out, ...added };
}
