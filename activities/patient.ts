/**
 * Activities of the patient balance (workflows/patient-balance.ts): they only write the
 * billing record. Each is idempotent on its natural key, and each records a visit event or an
 * audit entry (ids, amounts and references only: no PHI).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { audit } from '../db/audit';
import type { Db } from '../db/knex';
import * as record from '../db/patient-balances';
import { recordVisitEvent } from '../db/visit-events';
import { decidePayment, type BalanceResolution, type PatientLedger, type PatientStatement, type PostedPatientPayment } from '../domain/billing/patient-balance';
import { FailureType } from '../domain/failures';

export function patientActivities(db: Db) {
  return {
    /** Opens the visit's patient balance (once); answers the ledger as recorded, so a restarted cycle keeps its payments and statements. */
    async openPatientBalance(input: { visitId: string; openingCents: number; openedAt: string }): Promise<PatientLedger> {
      const ledger = await record.openPatientBalance(db, input.visitId, input.openingCents, input.openedAt);
      await audit(db, 'workflow', 'patient_balance.opened', input.visitId, { openingCents: ledger.openingCents }, { source: 'workflow' });
      return ledger;
    },

    /** A statement of the cycle went out: one row per sequence number. */
    async recordPatientStatement(input: { visitId: string } & PatientStatement): Promise<void> {
      const { visitId, ...statement } = input;
      await record.savePatientStatement(db, visitId, statement);
      await audit(
        db,
        'workflow',
        'patient_balance.statement',
        visitId,
        { sequence: statement.sequence, amountDueCents: statement.amountDueCents },
        { source: 'workflow' },
      );
    },

    /**
     * Records a patient payment the workflow took: once per reference. The same reference with
     * another amount or method is refused (the record wins over the workflow's memory).
     */
    async recordPatientPayment(input: { visitId: string; payment: PostedPatientPayment }): Promise<PostedPatientPayment> {
      const { visitId, payment } = input;
      const saved = await record.savePatientPayment(db, visitId, payment);
      if (!saved.inserted) {
        const again = decidePayment({ openingCents: 0, openedAt: '', payments: [saved.payment], statements: [], writtenOffCents: 0 }, payment);
        if (again.kind === 'refused')
          throw ApplicationFailure.create({
            type: FailureType.PatientPaymentRefused,
            nonRetryable: true,
            message: again.message,
            details: [{ path: again.path }],
          });
      }
      await recordVisitEvent(db, {
        type: 'patient_payment_posted',
        visitId,
        key: `${visitId}:patient-payment:${payment.reference}`,
        at: saved.payment.receivedAt,
        amountCents: saved.payment.amountCents,
      });
      await audit(
        db,
        'workflow',
        'patient_balance.payment',
        visitId,
        { amountCents: saved.payment.amountCents, method: saved.payment.method, reference: saved.payment.reference },
        { source: 'workflow' },
      );
      return saved.payment;
    },

    /** How the balance ended: paid, written off (an adjustment event), or sent to collections (recorded on the balance). */
    async closePatientBalance(input: {
      visitId: string;
      resolution: BalanceResolution;
      writtenOffCents: number;
      collectionsCents?: number;
      reason?: string;
      closedAt: string;
    }): Promise<void> {
      const { visitId, resolution, writtenOffCents, collectionsCents, reason } = input;
      await record.closePatientBalance(db, visitId, input);
      if (resolution === 'written_off' && writtenOffCents > 0) {
        await recordVisitEvent(db, {
          type: 'adjustment_posted',
          visitId,
          key: `${visitId}:patient-write-off`,
          at: input.closedAt,
          amountCents: writtenOffCents,
          reason: reason ?? 'written off',
          group: 'patient_write_off',
        });
      }
      await audit(
        db,
        'workflow',
        `patient_balance.${resolution}`,
        visitId,
        { writtenOffCents, ...(collectionsCents ? { collectionsCents } : {}) },
        { source: 'workflow' },
      );
    },
  };
}
