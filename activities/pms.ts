/** Activities that post to the practice management system. */
import { createHash } from 'node:crypto';
import { recordEffect, recordedEffect } from '../db/inbound';
import { saveCharges } from '../db/visits';
import type { Db } from '../db/knex';
import { recordVisitEvent } from '../db/visit-events';
import { diagnosesInClaimOrder } from '../domain/coding';
import { feesFor, filingIndicatorOf } from '../db/codesets';
import { medicarePfsFor } from '../db/medicare-pfs';
import { priceLines, priceMedicare } from '../domain/billing/pricing';
import type { ChargeLine, CodedEncounter } from '../domain/visit';
import type { ChargePostResult, PmsClient } from '../integrations/pms/types';

/**
 * The visit id plus a fingerprint of the priced lines: stable across retries and worker
 * crashes, and different after a coder corrects charges the PMS refused.
 */
export function chargeKey(visitId: string, lines: ChargeLine[]): string {
  const fingerprint = createHash('sha256').update(JSON.stringify(lines)).digest('hex').slice(0, 12);
  return `visit-${visitId}-charges-${fingerprint}`;
}

/** `billingZip`: the billing provider's ZIP, whose Medicare locality prices a Medicare payer's lines. */
export function pmsActivities(db: Db, pms: PmsClient, billingZip?: string) {
  return {
    /**
     * Prices the coded procedures from the fee schedule in Postgres (the one place a visit
     * is priced: the claim bills these same lines) and posts them once; the PMS refuses a
     * second effect for the same key.
     */
    async postCharges(input: { visitId: string; patientId: string; payerId: string; encounter: CodedEncounter }): Promise<ChargeLine[]> {
      const { encounter } = input;
      const codes = encounter.procedures.map((p) => p.code);
      const fees = await feesFor(db, input.payerId, codes);
      let lines = priceLines(encounter.procedures, fees, { payerId: input.payerId, providerNpi: encounter.renderingNpi, serviceDate: encounter.serviceDate });
      // Medicare Part B (filing indicator MB) allows what its fee schedule says at the practice's locality.
      if (billingZip && (await filingIndicatorOf(db, input.payerId)) === 'MB') {
        const pfs = await medicarePfsFor(db, codes, billingZip);
        // The appointment's place of service (as the claim bills it) decides facility or non-facility PE.
        const appointment = await db('appointments').where({ visit_id: input.visitId }).first('place_of_service');
        if (pfs) lines = priceMedicare(lines, pfs, { placeOfService: appointment?.place_of_service ?? '11', zip: billingZip });
      }
      const key = chargeKey(input.visitId, lines);
      // Our own record first: a retry after a recorded post skips the PMS. A crash between
      // the post and this record is covered by the PMS refusing the key a second time.
      let result = await recordedEffect<ChargePostResult>(db, key);
      if (!result) {
        result = await pms.postCharges({
          visitId: input.visitId,
          idempotencyKey: key,
          patientId: input.patientId,
          serviceDate: encounter.serviceDate,
          renderingNpi: encounter.renderingNpi,
          diagnoses: diagnosesInClaimOrder(encounter),
          lines,
        });
        await recordEffect(db, key, result);
      }
      await saveCharges(db, input.visitId, key, lines, result.pmsChargeIds);
      await recordVisitEvent(db, { type: 'charges_posted', visitId: input.visitId, key, lines });
      return lines;
    },
  };
}
