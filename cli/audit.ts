/**
 * `revcycle audit verify`: walks the audit trail's hash chain (db/audit-chain.ts) in the
 * database the configuration names, and names the first row that does not fit. Exit 0 when
 * the chain is whole, 1 at a break.
 */
import { loadConfig } from '../config';
import { verifyAuditChain } from '../db/audit-chain';
import type { Db } from '../db/knex';
import { openCliDatabase } from './database';
import { UsageError } from './errors';

export const AUDIT_USAGE = `usage: revcycle audit verify
  verify                            check the audit trail's hash chain; names the first altered, removed or foreign row`;

export async function runAudit(
  args: string[],
  out: (s: string) => void,
  connect: () => Promise<Db> = () => openCliDatabase(loadConfig(), (l) => process.stderr.write(l)),
): Promise<number> {
  if (args.length !== 1 || args[0] !== 'verify') throw new UsageError(AUDIT_USAGE);
  const db = await connect();
  try {
    const verdict = await verifyAuditChain(db);
    if (verdict.ok) {
      out(`audit chain OK: ${verdict.rows} rows\n`);
      return 0;
    }
    const { id, seq, reason } = verdict.broken;
    const where = id !== undefined ? `row ${id}${seq !== undefined ? ` (chain_seq ${seq})` : ''}` : 'its end';
    out(`audit chain BROKEN at ${where}: ${reason}; ${verdict.rows} rows before it are intact\n`);
    return 1;
  } finally {
    await db.destroy();
  }
}
