/** Activities that post to the practice management system. */
import { createHash } from 'node:crypto';
import { recordEffect, recordedEffect } from '../db/inbound';
import { saveCharges } from '../db/visits';
import type { Db } from '../db/knex';
import { recordVisitEvent } from '../db/visit-events';
import { diagnosesInClaimOrder } from '../domain/coding';
import { feesFor } from '../db/codesets';
import { priceLines } from '../domain/billing/pricing';
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

export function pmsActivities(db: Db, pms: PmsClient) {
  return {
    /**
     * Prices the coded procedures from the fee schedule in Postgres (the one place a visit
     * is priced: the claim bills these same lines) and posts them once; the PMS refuses a
     * second effect for the same key.
     */
    async postCharges(input: { visitId: string; patientId: string; payerId: string; encounter: CodedEncounter }): Promise<ChargeLine[]> {
      const { encounter } = input;
      const fees = await feesFor(
        db,
        input.payerId,
        encounter.procedures.map((p) => p.code),
      );
      const lines = priceLines(encounter.procedures, fees, { payerId: input.payerId, providerNpi: encounter.renderingNpi, serviceDate: encounter.serviceDate });
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
