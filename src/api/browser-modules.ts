/**
 * The npm modules the dashboard loads in the browser, found by walking its import graph: the bare
 * specifiers in the dashboard's own files, resolved like Node does (node_modules up the tree, the
 * package's `exports` under the "browser"/"import"/"default" conditions), then every import of every
 * file reached. The result is the page's import map and the exact set of files `/vendor/*` may serve,
 * so a request can only ever name a file of that graph. A file the browser could not run (a Node
 * built-in import, CommonJS, an import that cannot be followed) stops the walk with an error.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { init, parse } from 'es-module-lexer';
import { legacy, exports as resolveExports } from 'resolve.exports';

export interface BrowserModules {
  /** bare specifier → URL under /vendor/: the page's import map */
  imports: Record<string, string>;
  /**
   * URL under /vendor/ → the file: everything the page may load from node_modules. The URL names the
   * package's version (`/vendor/preact@11.2.0/dist/preact.mjs`), and a published version never
   * changes, so browsers may cache these files for good and the daemon keeps the text it read.
   */
  files: Map<string, VendorFile>;
}

export interface VendorFile {
  /** absolute path */
  path: string;
  /** the text as read during the walk, served from memory (no disk read per request) */
  source: string;
}

/** URL prefix of the files of npm packages */
export const VENDOR_PREFIX = '/vendor/';

interface PackageJson {
  name?: string;
  version?: string;
  exports?: unknown;
  [field: string]: unknown;
}

interface Package {
  name: string;
  dir: string;
  json: PackageJson;
  /** URL of the package directory: `/vendor/<name>@<version>/` */
  url: string;
}

const BUILTINS = new Set(builtinModules);

/** `@scope/name/sub/path` → name `@scope/name`, subpath `./sub/path` */
export function splitSpecifier(spec: string): { name: string; subpath: string } {
  const parts = spec.split('/');
  const n = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, n).join('/');
  const rest = parts.slice(n).join('/');
  return { name, subpath: rest ? `./${rest}` : '.' };
}

/**
 * The file a package's `exports` names for `subpath` when a browser loads it as an ES module (the
 * "browser", "import" and "default" conditions, in the package's own order). Without `exports`: the
 * `module` field (ES modules by convention), else `browser`, else `main`. Relative to the package.
 */
export function entryOf(pkg: PackageJson & { name: string }, subpath: string): string {
  if (pkg.exports !== undefined) {
    const found = resolveExports(pkg, subpath, { browser: true });
    if (!found?.[0]) throw new Error(`${pkg.name} exports nothing for ${subpath} in a browser`);
    return found[0];
  }
  if (subpath !== '.') return subpath;
  const main = legacy(pkg, { browser: true, fields: ['module', 'browser', 'main'] });
  if (typeof main !== 'string') throw new Error(`${pkg.name} has no browser entry point a URL can name`);
  return main;
}

function isInside(dir: string, file: string): boolean {
  return file.startsWith(dir + sep);
}

/** The specifiers `source` imports (statically or by a literal `import()`), and whether it is ESM. */
function lex(file: string, source: string): { specifiers: string[]; isModule: boolean } {
  const [imports, , , isModule] = parse(source, file);
  const specifiers: string[] = [];
  for (const i of imports) {
    if (i.type === 'import-meta') continue;
    if (i.specifier === undefined || (i.type === 'dynamic' && i.glob)) {
      throw new Error(`${file} imports a computed specifier the import map cannot cover`);
    }
    specifiers.push(i.specifier);
  }
  return { specifiers, isModule };
}

class Walk {
  readonly imports: Record<string, string> = {};
  readonly files = new Map<string, VendorFile>();
  /** package name → its one directory (an import map holds one copy of each name) */
  private readonly packages = new Map<string, Package>();
  private readonly queue: { entry: VendorFile; pkg: Package }[] = [];

  async fromApp(appFile: string, source: string): Promise<void> {
    for (const spec of lex(appFile, source).specifiers) {
      if (!spec.startsWith('.')) await this.bare(spec, dirname(appFile), appFile);
    }
  }

  async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const { entry, pkg } = next;
      const file = entry.path;
      entry.source = await readFile(file, 'utf8');
      const { specifiers, isModule } = lex(file, entry.source);
      if (!isModule) throw new Error(`${file} is not an ES module: the browser cannot load it`);
      for (const spec of specifiers) {
        if (spec.startsWith('./') || spec.startsWith('../')) await this.relativeTo(pkg, file, spec);
        else await this.bare(spec, dirname(file), file);
      }
    }
  }

  private async relativeTo(pkg: Package, from: string, spec: string): Promise<void> {
    const file = await realpath(resolve(dirname(from), spec)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new Error(`${from} imports ${spec}, which does not exist`);
      throw e;
    });
    if (!isInside(pkg.dir, file)) throw new Error(`${from} imports ${spec}, outside package ${pkg.name}`);
    this.add(pkg, file);
  }

  private async bare(spec: string, fromDir: string, from: string): Promise<void> {
    if (spec.startsWith('node:') || BUILTINS.has(splitSpecifier(spec).name)) {
      throw new Error(`${from} imports ${spec}, a Node built-in the browser does not have`);
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(spec) || spec.startsWith('/')) {
      throw new Error(`${from} imports ${spec}: only npm packages and relative files are served`);
    }
    const { name, subpath } = splitSpecifier(spec);
    const pkg = await this.packageOf(name, fromDir, from);
    const entry = entryOf({ ...pkg.json, name }, subpath);
    const file = await realpath(join(pkg.dir, entry)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new Error(`${name} names ${entry} for ${subpath}, which does not exist`);
      throw e;
    });
    if (!isInside(pkg.dir, file)) throw new Error(`${name}'s entry ${entry} lies outside the package`);
    const url = this.add(pkg, file);
    const known = this.imports[spec];
    if (known && known !== url) throw new Error(`${spec} resolves to both ${known} and ${url}`);
    this.imports[spec] = url;
  }

  /** Node's lookup: `node_modules/<name>` in `fromDir` and each directory above it. */
  private async packageOf(name: string, fromDir: string, from: string): Promise<Package> {
    for (let dir = fromDir; ; dir = dirname(dir)) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        const real = await realpath(candidate);
        const known = this.packages.get(name);
        if (known) {
          if (known.dir !== real) {
            throw new Error(`two copies of ${name} (${known.dir}, ${real}): the import map can hold one`);
          }
          return known;
        }
        const json = JSON.parse(await readFile(join(real, 'package.json'), 'utf8')) as PackageJson;
        if (!json.version || !/^[\w.+-]+$/.test(json.version)) {
          throw new Error(`${name} (${real}) has no version to name its files by`);
        }
        const pkg = { name, dir: real, json, url: `${VENDOR_PREFIX}${name}@${json.version}/` };
        this.packages.set(name, pkg);
        return pkg;
      }
      if (dirname(dir) === dir) throw new Error(`${from} imports ${name}, which is not installed`);
    }
  }

  /** Queues `file` once and returns its URL. */
  private add(pkg: Package, file: string): string {
    const url = `${pkg.url}${relative(pkg.dir, file).split(sep).join('/')}`;
    if (!this.files.has(url)) {
      const entry = { path: file, source: '' };
      this.files.set(url, entry);
      this.queue.push({ entry, pkg });
    }
    return url;
  }
}

/** Walks the import graph from every `.js` module directly in `appDir` (the dashboard's own files). */
export async function collectBrowserModules(appDir: string): Promise<BrowserModules> {
  await init();
  const walk = new Walk();
  const own = (await readdir(appDir)).filter((f) => f.endsWith('.js')).sort();
  for (const f of own) {
    const file = join(appDir, f);
    await walk.fromApp(file, await readFile(file, 'utf8'));
  }
  await walk.drain();
  return { imports: sortedKeys(walk.imports), files: walk.files };
}

function sortedKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
