/**
 * `ve orch config` flags derived from the keys of ConfigSchema, so a new config key gets its
 * `--kebab-case` option without touching the CLI. Values are parsed by the key's zod type.
 */
import { type ConfigPatch, ConfigPatchSchema, ConfigSchema } from '../config/schema.js';
import { ErrorCode, OrchError } from '../domain/errors.js';

export type ConfigValueKind =
  | { type: 'int' }
  | { type: 'number' }
  | { type: 'string' }
  /** a command, or `off` (false) to turn it off where null means "the default" */
  | { type: 'command' }
  | { type: 'boolean' }
  | { type: 'enum'; values: string[] };

export interface ConfigOptionSpec {
  key: string;
  flag: string;
  kind: ConfigValueKind;
  nullable: boolean;
  description: string;
}

interface ZodDefLike {
  type: string;
  innerType?: { def: ZodDefLike };
  entries?: Record<string, string>;
}
interface ZodLike {
  def: ZodDefLike;
  isInt?: boolean;
  description?: string;
}

export function kebab(key: string): string {
  return key.replace(/_/g, '-');
}

/** Walks default/nullable wrappers down to the value type. */
function describeKey(key: string, schema: ZodLike): ConfigOptionSpec {
  let node: ZodLike = schema;
  let nullable = false;
  while (node.def.innerType) {
    if (node.def.type === 'nullable') nullable = true;
    node = node.def.innerType as ZodLike;
  }
  let kind: ConfigValueKind;
  switch (node.def.type) {
    case 'number':
      kind = node.isInt ? { type: 'int' } : { type: 'number' };
      break;
    case 'boolean':
      kind = { type: 'boolean' };
      break;
    case 'enum':
      kind = { type: 'enum', values: Object.values(node.def.entries ?? {}) };
      break;
    case 'union':
      kind = { type: 'command' };
      break;
    default:
      kind = { type: 'string' };
  }
  const what =
    kind.type === 'enum' ? kind.values.join('|') : kind.type === 'command' ? 'a command, or off' : kind.type;
  return {
    key,
    flag: `--${kebab(key)} <value>`,
    kind,
    nullable,
    description: `set ${key} (${what}${nullable ? ', or none to clear' : ''})`,
  };
}

export function configOptionSpecs(): ConfigOptionSpec[] {
  return Object.entries(ConfigSchema.shape).map(([key, schema]) =>
    describeKey(key, schema as unknown as ZodLike),
  );
}

/** Parses one flag value by its key's type; `null` / `none` clear a nullable key. */
export function parseConfigValue(spec: ConfigOptionSpec, raw: string): unknown {
  const text = raw.trim();
  if (spec.nullable && /^(null|none)$/i.test(text)) return null;
  const bad = (expected: string) =>
    new OrchError(ErrorCode.invalid_input, `--${kebab(spec.key)} expects ${expected}, got '${raw}'`);
  switch (spec.kind.type) {
    case 'int':
      if (!/^[-+]?\d+$/.test(text)) throw bad('an integer');
      return Number(text);
    case 'number': {
      const n = Number(text);
      if (text === '' || !Number.isFinite(n)) throw bad('a number');
      return n;
    }
    case 'boolean':
      if (/^(true|yes|on|1)$/i.test(text)) return true;
      if (/^(false|no|off|0)$/i.test(text)) return false;
      throw bad('true or false');
    case 'enum':
      if (!spec.kind.values.includes(text)) throw bad(`one of ${spec.kind.values.join(', ')}`);
      return text;
    case 'string':
      return raw;
    case 'command':
      return /^off$/i.test(text) ? false : raw;
  }
}

/** Builds and validates the PATCH body from commander's option values (camelCase keys). */
export function configPatchFromOptions(
  specs: readonly ConfigOptionSpec[],
  opts: Record<string, unknown>,
): ConfigPatch {
  const patch: Record<string, unknown> = {};
  for (const spec of specs) {
    const raw = opts[camel(spec.key)];
    if (typeof raw === 'string') patch[spec.key] = parseConfigValue(spec, raw);
  }
  const parsed = ConfigPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    throw new OrchError(ErrorCode.invalid_input, `--${kebab(key)}: ${issue?.message ?? 'invalid value'}`);
  }
  // send exactly the keys the operator named, whatever the schema would fill in
  const given = parsed.data as Record<string, unknown>;
  return Object.fromEntries(Object.keys(patch).map((k) => [k, given[k]])) as ConfigPatch;
}

/** commander's attribute name for `--max-agents`: `maxAgents`. */
export function camel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
