/**
 * Appeals: the packet sent for a denied claim and its payer deadline.
 */
import type { Db } from './knex';

export interface AppealRow {
  packetId: string;
  visitId: string;
  claimAttempt: number;
  denialCode: string;
  category: string;
  payerId: string;
  payerClaimNumber: string;
  documents: { documentRef: string; type?: string }[];
  deadline: string;
  status: 'submitted' | 'needs_documents';
  appealId?: string;
}

/** One appeal per denied claim attempt; a later attempt (documents added) updates it. */
export async function saveAppeal(db: Db, a: AppealRow): Promise<void> {
  await db('appeals')
    .insert({
      packet_id: a.packetId,
      visit_id: a.visitId,
      claim_attempt: a.claimAttempt,
      denial_code: a.denialCode,
      category: a.category,
      payer_id: a.payerId,
      payer_claim_number: a.payerClaimNumber,
      documents: JSON.stringify(a.documents),
      deadline: a.deadline,
      status: a.status,
      appeal_id: a.appealId ?? null,
    })
    .onConflict(['visit_id', 'claim_attempt'])
    .merge(['documents', 'status', 'appeal_id', 'updated_at']);
}
