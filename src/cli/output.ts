/**
 * The CLI's one funnel to the terminal: the Io it writes through, JSON and table printing, colour
 * (only on a TTY without NO_COLOR), and the single place that turns an error into a one-line
 * message on stderr and an exit code.
 */
import { CommanderError } from 'commander';
import { isOrchError } from '../domain/errors.js';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** colour escapes are allowed on stdout */
  color: boolean;
}

export function processIo(): CliIo {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

/** Writes lines (each terminated by a newline) to stdout. */
export function printLines(io: CliIo, lines: readonly string[]): void {
  if (lines.length > 0) io.out(`${lines.join('\n')}\n`);
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function printWarning(io: CliIo, message: string): void {
  io.err(`warning: ${message}\n`);
}

/**
 * Maps any error to its exit code, printing `ve: <message>` on stderr. Commander's own usage errors
 * were already printed by commander; help and version output exit 0.
 */
export function reportError(io: CliIo, error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode;
  }
  if (isOrchError(error)) {
    io.err(`ve: ${oneLine(error.message)}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`ve: unexpected error: ${oneLine(message)}\n`);
  return 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

const COLOURS = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  dim: 2,
  bold: 1,
  italic: 3,
} as const;
export type Colour = keyof typeof COLOURS;

export function paint(io: Pick<CliIo, 'color'>, colour: Colour, text: string): string {
  return io.color ? `\u001b[${COLOURS[colour]}m${text}\u001b[0m` : text;
}

export interface Column<R> {
  header: string;
  value: (row: R) => string;
  /** text longer than this is cut with an ellipsis */
  max?: number;
  colour?: (row: R) => Colour | null;
}

/**
 * Renders rows as left-aligned columns two spaces apart, widths fitted to the content. The last
 * column is not padded. Colour is applied after padding so escapes never disturb alignment.
 */
export function renderTable<R>(
  io: Pick<CliIo, 'color'>,
  columns: readonly Column<R>[],
  rows: readonly R[],
): string[] {
  const cells = rows.map((r) => columns.map((c) => truncate(c.value(r), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => width(row[i] ?? ''))));
  const pad = (text: string, i: number) =>
    i === columns.length - 1 ? text : text + ' '.repeat(Math.max(0, (widths[i] ?? 0) - width(text)));
  const header = columns.map((c, i) => pad(c.header, i)).join('  ');
  const lines = [paint(io, 'bold', header.trimEnd())];
  rows.forEach((row, r) => {
    const line = columns.map((c, i) => {
      const text = pad(cells[r]?.[i] ?? '', i);
      const colour = c.colour?.(row) ?? null;
      return colour ? paint(io, colour, text) : text;
    });
    lines.push(line.join('  ').trimEnd());
  });
  return lines;
}

export function truncate(text: string, max: number | undefined): string {
  const flat = text.replace(/\s+/g, ' ');
  if (max === undefined || [...flat].length <= max) return flat;
  return `${[...flat].slice(0, Math.max(0, max - 3)).join('')}...`;
}

/** Display width in code points (good enough for the names and statuses we show). */
function width(text: string): number {
  return [...text].length;
}
