/**
 * What the clearinghouse keeps across a restart: every interchange it accepted (so a
 * resent one is still a duplicate), each claim's payer claim number and adjudication
 * (so a replacement or void finds the claim it names, and a 276 is answered), the
 * remittances by payer claim number, and its own counters. Answers still in flight
 * (999, 277CA, 835 not yet delivered) are not kept.
 */
import { z } from 'zod';
import type { ProfessionalClaim } from '../../domain/x12/professional-claim';
import type { RemittanceClaim } from '../../domain/x12/remittance';
import { storedObject } from '../persist';

export const SubmissionRecord = z.object({
  submissionId: z.string(),
  senderId: z.string(),
  controlNumber: z.string(),
  claims: z.array(z.object({ claimId: z.string(), frequency: z.string(), payerClaimNumber: z.string().optional(), status: z.enum(['accepted', 'rejected']) })),
});
export type SubmissionRecord = z.infer<typeof SubmissionRecord>;

const remittanceClaim = storedObject<RemittanceClaim>('patientControlNumber');

export const KnownClaim = z.object({
  claim: storedObject<ProfessionalClaim>('claimId', 'frequency'),
  payerClaimNumber: z.string().optional(),
  /** The payer front end's 277CA status for its latest submission. */
  frontEnd: z.object({ category: z.string(), code: z.string(), entity: z.string().optional() }).optional(),
  status: remittanceClaim.optional(),
});
export type KnownClaim = z.infer<typeof KnownClaim>;

export const ClearinghouseSnapshot = z.object({
  submissions: z.array(SubmissionRecord),
  /** payer|CLM01|frequency of every claim accepted into adjudication. */
  received: z.array(z.string()),
  remittances: z.record(z.string(), remittanceClaim),
  byClaimId: z.record(z.string(), KnownClaim),
  controlNumber: z.number().int().nonnegative(),
  claimCounter: z.number().int().nonnegative(),
});
export type ClearinghouseSnapshot = z.infer<typeof ClearinghouseSnapshot>;
