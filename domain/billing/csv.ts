/**
 * The rule tables in domain/billing/data/ are plain CSV a biller can edit: a header row,
 * then one rule per line; the last column may contain commas (a note). A table whose header
 * is not the expected one, or a row with an empty required cell, is refused by name and line.
 */
export function readRuleTable<K extends string>(csv: string, table: string, columns: readonly K[], optional: readonly K[] = []): Record<K, string>[] {
  const [header, ...rows] = csv.split(/\r?\n/).filter((l) => l.trim() && !l.startsWith('#'));
  if (header?.trim() !== columns.join(',')) throw new Error(`${table}: header must be ${columns.join(',')}`);
  return rows.map((line, i) => {
    const cells = line.split(',');
    const row = Object.fromEntries(columns.map((c, k) => [c, (k === columns.length - 1 ? cells.slice(k).join(',') : (cells[k] ?? '')).trim()])) as Record<
      K,
      string
    >;
    const missing = columns.filter((c) => !optional.includes(c) && !row[c]);
    if (missing.length) throw new Error(`${table} line ${i + 2}: ${missing.join(', ')} must not be empty`);
    return row;
  });
}
