/** One JSON object per line, for programs. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A plain aligned table for people; long cells are cut with an ellipsis. */
export function formatTable(header: string[], rows: string[][], maxWidths: number[] = []): string {
  const cut = (text: string, i: number) => {
    const max = maxWidths[i];
    const flat = text.replace(/\s+/g, ' ');
    return max && flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  };
  const cells = [header, ...rows].map((row) => row.map(cut));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}
