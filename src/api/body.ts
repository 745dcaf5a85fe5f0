/** Request-body parsing: JSON only, size-limited upstream, validated by a zod schema. */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ErrorCode, OrchError } from '../domain/errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() === '') return schema.parse({});
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OrchError(ErrorCode.invalid_input, 'request body is not valid JSON');
  }
  return schema.parse(value);
}
