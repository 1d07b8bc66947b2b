/**
 * Writes rollup deltas (domain/reporting/kpi-rollup.ts): one INSERT … ON CONFLICT per
 * table that adds each row's amounts to what is there. Called inside the transaction
 * that changes the facts, so the rollups and `visit_facts` never disagree.
 */
import { ROLLUP_TABLES, type RollupRow, type RollupTable } from '../domain/reporting/kpi-rollup';
import type { Db } from './knex';

export async function applyRollupRows(db: Db, rows: readonly RollupRow[]): Promise<void> {
  const byTable = new Map<RollupTable, RollupRow[]>();
  for (const r of rows) {
    const mine = byTable.get(r.table);
    if (mine) mine.push(r);
    else byTable.set(r.table, [r]);
  }
  for (const [table, mine] of byTable) {
    const { key, measures } = ROLLUP_TABLES[table];
    const types: Record<string, string> = Object.fromEntries([
      ...key.map((k) => [k, k === 'service_date' ? 'date' : k === 'value' ? 'numeric' : 'text']),
      ...measures.map((m) => [m, 'bigint']),
    ]);
    const merge = measures.map((m) => `${m} = ${table}.${m} + excluded.${m}`).join(', ');
    await bulkInsert(
      db,
      table,
      mine.map((r) => ({ ...r.key, ...r.add })),
      types,
      `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${merge}`,
    );
  }
}

type Row = Record<string, unknown>;

/**
 * Many rows in one statement per chunk: one text-array parameter per column, cast back
 * to the column's type (faster than a VALUES list with a parameter per cell).
 */
export async function bulkInsert(db: Db, table: string, rows: readonly Row[], types: Record<string, string>, onConflict = ''): Promise<void> {
  const columns = Object.keys(types);
  const quote = (x: string) => `"${x.replace(/["\\]/g, '\\$&')}"`;
  const literal = (values: readonly (string | null)[]) => `{${values.map((x) => (x === null ? 'NULL' : quote(x))).join(',')}}`;
  const text = (v: unknown): string | null => {
    if (v == null) return null;
    if (Array.isArray(v)) return literal(v.map(String));
    return v instanceof Date ? v.toISOString() : String(v);
  };
  for (let i = 0; i < rows.length; i += 10_000) {
    const chunk = rows.slice(i, i + 10_000);
    await db.raw(
      `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${columns.map((c) => `${c}::${types[c]}`).join(', ')}
       FROM unnest(${columns.map(() => '?::text[]').join(', ')}) AS u(${columns.join(', ')}) ${onConflict}`,
      columns.map((c) => literal(chunk.map((r) => text(r[c])))),
    );
  }
}
