/**
 * The one results table `npm run bench` prints: rows of (issue, measure, value, unit, note), rendered
 * as a markdown table so docs/performance.md can take it as is.
 */

export interface Row {
  /** which issue / bench the row belongs to, e.g. "#2" */
  group: string;
  measure: string;
  value: number | string;
  unit: string;
  note?: string;
}

function fmt(v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return 'n/a';
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.group, r.measure, fmt(r.value), r.unit, r.note ?? '']);
  const head = ['bench', 'measure', 'value', 'unit', 'note'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    `| ${c.map((x, i) => (i === 2 ? x.padStart(widths[i] as number) : x.padEnd(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(head), rule, ...cells.map(line)].join('\n');
}
