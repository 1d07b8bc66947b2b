/**
 * The insurance an encounter is billed to, when it must come from the EHR: an encounter
 * found by the sweep that revcycle did not book (no visit, so no coverage from the PMS).
 * Like the encounter mapper, it reads and never guesses; gaps are EncounterNotBillableError.
 */
import type { Coverage, Patient } from '@medplum/fhirtypes';
import { EncounterNotBillableError, type BillingProblem } from './encounter';
import { referenceTo, refersTo } from './references';
import { IDENTIFIER } from './systems';

export interface BilledCoverage {
  payerId: string;
  memberId: string;
  groupNumber?: string;
}

const MEMBER_TYPE = 'MB'; // v2-0203 "Member Number"

/** The patient's one active Coverage (or the one ordered first) with its payer and member id. */
export function billedCoverage(encounterId: string, patient: Patient, coverages: Coverage[]): BilledCoverage {
  const active = coverages.filter((c) => c.status === 'active' && refersTo(c.beneficiary, patient));
  const primary = active.length === 1 ? active[0] : active.find((c) => c.order === 1);
  if (!primary) {
    const reason = active.length === 0 ? 'no active Coverage for the patient: nothing to bill a payer with' : `${active.length} active Coverages and none has order 1: which is primary is not stated`;
    throw new EncounterNotBillableError(encounterId, [{ path: 'Coverage', reason }]);
  }
  const problems: BillingProblem[] = [];
  const path = referenceTo(primary);
  const payors = (primary.payor ?? []).map((p) => p.identifier).filter((i) => i?.value);
  const payerId = (payors.find((i) => i?.system === IDENTIFIER.payer) ?? payors[0])?.value;
  const memberId = primary.subscriberId ?? primary.identifier?.find((i) => i.type?.coding?.some((c) => c.code === MEMBER_TYPE))?.value;
  if (!payerId) problems.push({ path: `${path}.payor`, reason: 'no payer identifier' });
  if (!memberId) problems.push({ path: `${path}.subscriberId`, reason: 'no member id' });
  if (!payerId || !memberId) throw new EncounterNotBillableError(encounterId, problems);
  const groupNumber = primary.class?.find((c) => c.type.coding?.some((t) => t.code === 'group'))?.value;
  return { payerId, memberId, ...(groupNumber && { groupNumber }) };
}
