/** The benchmark's result table: one row per figure, printed aligned or as Markdown for the README. */

/** Whether a figure meets its goal; `n/a` when it has no goal or could not be measured. */
export type Met = 'yes' | 'no' | 'n/a';

/** One measured figure. */
export interface Row {
  readonly figure: string;
  readonly canary: string;
  readonly reference: string;
  readonly ratio: string;
  readonly goal: string;
  readonly met: Met;
}

/** A figure's extra lines (breakdowns, what was measured) printed under the table. */
export interface FigureOutput {
  readonly rows: readonly Row[];
  readonly notes: readonly string[];
}

const HEADER: Row = { figure: 'figure', canary: 'canary', reference: 'floor or peer', ratio: 'ratio', goal: 'goal', met: 'n/a' };
const COLUMNS = ['figure', 'canary', 'reference', 'ratio', 'goal', 'met'] as const;

function cells(row: Row, header: boolean): string[] {
  return COLUMNS.map((column) => (header && column === 'met' ? 'met' : row[column]));
}

/** `rows` as a Markdown table (pipes in cells escaped). */
export function markdownTable(rows: readonly Row[]): string {
  const line = (values: readonly string[]): string => `| ${values.map((v) => v.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(cells(HEADER, true)), line(COLUMNS.map(() => '---')), ...rows.map((row) => line(cells(row, false)))].join('\n');
}

/** `rows` as a plain table, columns padded to their widest cell. */
export function plainTable(rows: readonly Row[]): string {
  const all = [cells(HEADER, true), ...rows.map((row) => cells(row, false))];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => (r[i] as string).length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd()).join('\n');
}

/** "yes" when `ok`, else "no"; "n/a" when the value could not be measured. */
export function met(ok: boolean, measured = true): Met {
  if (!measured) return 'n/a';
  return ok ? 'yes' : 'no';
}
