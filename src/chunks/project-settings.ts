/**
 * `ve.yaml`: the settings a team commits in its repository so that everyone's daemon shares them.
 * Only keys that are safe to take from committed history are read: the verify command runs in the OS
 * sandbox (where it can run), while commands ve would run unsandboxed (setup, notify) stay local config.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ErrorCode, OrchError } from '../domain/errors.js';

export const PROJECT_SETTINGS_FILE = 've.yaml';

const ProjectSettingsSchema = z
  .object({
    verify_command: z.string().min(1).max(4096).optional(),
    verify_timeout_seconds: z.number().int().min(1).max(86_400).optional(),
  })
  .passthrough();

export interface ProjectSettings {
  verify_command?: string;
  verify_timeout_seconds?: number;
}

/** Parses `ve.yaml`; malformed YAML or a wrong type is an error naming the file and the key. */
export function parseProjectSettings(text: string): ProjectSettings {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new OrchError(
      ErrorCode.invalid_input,
      `${PROJECT_SETTINGS_FILE}: could not parse: ${doc.errors[0]?.message.split('\n')[0]}`,
    );
  }
  const value: unknown = doc.toJS() ?? {};
  const parsed = ProjectSettingsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OrchError(
      ErrorCode.invalid_input,
      `${PROJECT_SETTINGS_FILE}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const { verify_command, verify_timeout_seconds } = parsed.data;
  return {
    ...(verify_command !== undefined ? { verify_command } : {}),
    ...(verify_timeout_seconds !== undefined ? { verify_timeout_seconds } : {}),
  };
}
