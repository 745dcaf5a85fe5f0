/** The orchestrator's settings, validated by the config schema; a change is published to everyone. */
import { type ConfigPatch, ConfigPatchSchema, type OrchestratorConfig } from '../config/schema.js';
import { configFromStored, type StoredConfig } from '../config/stored.js';
import type { ConfigStore } from '../ports/store.js';
import type { ReadProblems } from './read-problems.js';
import type { SqliteDb } from './sqlite-db.js';

export class SqliteConfig implements ConfigStore {
  constructor(
    private readonly s: SqliteDb,
    private readonly problems: ReadProblems,
  ) {}

  /** an unreadable stored value keeps its default (the daemon still starts) and is reported once */
  private readStored(): StoredConfig {
    const rows = this.s.stmt('SELECT key, value FROM config').all() as { key: string; value: string }[];
    const stored = configFromStored(rows);
    this.problems.config(stored);
    return stored;
  }

  /** the stored config values that cannot be read, each keeping its default (shown by `ve orch status`) */
  configWarnings(): string[] {
    return this.readStored().warnings;
  }

  async getConfig(): Promise<OrchestratorConfig> {
    return this.readStored().config;
  }

  async patchConfig(patch: ConfigPatch): Promise<OrchestratorConfig> {
    const parsed = ConfigPatchSchema.parse(patch);
    return this.s.commit(() => {
      const previous = this.readStored().config;
      const upsert = this.s.stmt(
        'INSERT INTO config (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      );
      for (const [k, v] of Object.entries(parsed)) if (v !== undefined) upsert.run(k, JSON.stringify(v));
      const config = this.readStored().config;
      return { value: config, events: [{ type: 'config_changed', config, previous }] };
    });
  }
}
