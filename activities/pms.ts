/** Activities that post to the practice management system. */
import * as billing from '../db/billing';
import type { Db } from '../db/knex';
import { diagnosesInClaimOrder } from '../domain/coding';
import { priceLines } from '../domain/pricing';
import type { ChargeLine, CodedEncounter } from '../domain/visit';
import type { PmsClient } from '../integrations/pms/types';

/** One charge batch per visit: the key is stable across retries and worker crashes. */
export const chargeKey = (visitId: string) => `visit-${visitId}-charges`;

export function pmsActivities(db: Db, pms: PmsClient) {
  return {
    /** Prices the coded procedures and posts them once; the PMS refuses a second effect for the same key. */
    async postCharges(input: { visitId: string; patientId: string; encounter: CodedEncounter }): Promise<ChargeLine[]> {
      const { encounter } = input;
      const lines = priceLines(encounter.procedures);
      const key = chargeKey(input.visitId);
      const result = await pms.postCharges({
        visitId: input.visitId, idempotencyKey: key, patientId: input.patientId, serviceDate: encounter.serviceDate,
        renderingNpi: encounter.renderingNpi, diagnoses: diagnosesInClaimOrder(encounter), lines,
      });
      await billing.saveCharges(db, input.visitId, key, lines, result.pmsChargeIds);
      return lines;
    },
  };
}
