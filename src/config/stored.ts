/**
 * The config as stored (one JSON text per key) → the config in effect. A value that does not parse
 * or no longer validates keeps its key's default, alone, and is named in a warning; the others stand.
 */
import { excerpt } from '../shared/text.js';
import { ConfigSchema, DEFAULT_CONFIG, type OrchestratorConfig } from './schema.js';

export interface StoredConfig {
  config: OrchestratorConfig;
  /** one line per unreadable value: the key, the stored text, why, the default in effect, the fix */
  warnings: string[];
  /** stored keys this version has no setting for (ignored) */
  unknown: string[];
}

const SHAPE = ConfigSchema.shape as Record<string, (typeof ConfigSchema.shape)[keyof OrchestratorConfig]>;

export function configFromStored(rows: readonly { key: string; value: string }[]): StoredConfig {
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const warnings: string[] = [];
  const unknown: string[] = [];
  for (const { key, value } of rows) {
    const schema = SHAPE[key];
    if (!schema) {
      unknown.push(key);
      continue;
    }
    const problem = (why: string) =>
      `${key}: stored value ${excerpt(value)} ${why}; using the default ${JSON.stringify(config[key])}. ` +
      `Set it again with: ve orch config --${key.replace(/_/g, '-')} <value>`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      // JSON.parse of a string throws only SyntaxError: the text is not JSON
      warnings.push(problem('is not JSON'));
      continue;
    }
    const checked = schema.safeParse(parsed);
    if (checked.success) config[key] = checked.data;
    else warnings.push(problem(`is invalid (${checked.error.issues.map((i) => i.message).join('; ')})`));
  }
  return { config: config as OrchestratorConfig, warnings, unknown };
}
