/** Logger writing one JSON object per line (see docs/logging.md for the required keys). */
import type { LogFields, Logger } from '../ports/logger.js';

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createJsonLogger(
  write: (line: string) => void,
  opts: { level?: Level; now?: () => number; base?: LogFields } = {},
): Logger {
  const min = RANK[opts.level ?? 'info'];
  const now = opts.now ?? Date.now;
  const make = (base: LogFields): Logger => {
    const emit = (level: Level, msg: string, fields?: LogFields) => {
      if (RANK[level] < min) return;
      const record = { time: new Date(now()).toISOString(), level, msg, ...base, ...fields };
      write(`${JSON.stringify(record, errorReplacer)}\n`);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(opts.base ?? {});
}

export const silentLogger: Logger = createJsonLogger(() => {}, { level: 'error' });

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
