/**
 * Writes rollup deltas (domain/reporting/kpi-rollup.ts): one INSERT … ON CONFLICT per
 * table that adds each row's amounts to what is there. Called inside the transaction
 * that changes the facts, so the rollups and `visit_facts` never disagree.
 */
import { ROLLUP_TABLES, type RollupRow, type RollupTable } from '../domain/reporting/kpi-rollup';
import type { Db } from './knex';

export async function applyRollupRows(db: Db, rows: readonly RollupRow[]): Promise<void> {
  const byTable = new Map<RollupTable, RollupRow[]>();
  for (const r of rows) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r]);
  for (const [table, mine] of byTable) {
    const { key, measures } = ROLLUP_TABLES[table];
    for (let i = 0; i < mine.length; i += 2000) {
      const chunk = mine.slice(i, i + 2000);
      await db(table)
        .insert(chunk.map((r) => ({ ...r.key, ...Object.fromEntries(measures.map((m) => [m, r.add[m] ?? 0])) })))
        .onConflict([...key])
        .merge(Object.fromEntries(measures.map((m) => [m, db.raw(`${table}.${m} + excluded.${m}`)])));
    }
  }
}
