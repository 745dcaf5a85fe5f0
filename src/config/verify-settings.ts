/** Which verify command applies, from the daemon's config and the repository's `ve.yaml`. PURE. */
import type { OrchestratorConfig } from './schema.js';

/** Where verification stands for the project: what runs, and from where it was configured. */
export interface VerifySettings {
  /** null: landings are not verified */
  command: string | null;
  /**
   * 'config' (ve orch config), 'repository' (ve.yaml on base), 'off' (turned off), 'none', or
   * 'invalid': ve.yaml on base cannot be read, so nothing lands until it is fixed (`error` says why)
   */
  source: 'config' | 'repository' | 'off' | 'none' | 'invalid';
  error?: string;
  timeout_seconds: number;
  parallelism: number;
}

export type RepositoryVerify =
  | { verify_command?: string; verify_timeout_seconds?: number }
  /** ve.yaml exists on base but cannot be read */
  | { error: string };

/**
 * `ve orch config --verify-command` wins (`off` turns verification off even when the repository names
 * a command); otherwise the repository's `ve.yaml`, whose timeout comes with its command.
 */
export function resolveVerifySettings(
  config: Pick<OrchestratorConfig, 'verify_command' | 'verify_timeout_seconds' | 'verify_parallelism'>,
  repo: RepositoryVerify | null,
): VerifySettings {
  const common = { parallelism: config.verify_parallelism };
  if (config.verify_command === false) {
    return { command: null, source: 'off', timeout_seconds: config.verify_timeout_seconds, ...common };
  }
  if (typeof config.verify_command === 'string') {
    return {
      command: config.verify_command,
      source: 'config',
      timeout_seconds: config.verify_timeout_seconds,
      ...common,
    };
  }
  if (repo && 'error' in repo) {
    return {
      command: null,
      source: 'invalid',
      error: repo.error,
      timeout_seconds: config.verify_timeout_seconds,
      ...common,
    };
  }
  if (repo?.verify_command) {
    return {
      command: repo.verify_command,
      source: 'repository',
      timeout_seconds: repo.verify_timeout_seconds ?? config.verify_timeout_seconds,
      ...common,
    };
  }
  return { command: null, source: 'none', timeout_seconds: config.verify_timeout_seconds, ...common };
}
