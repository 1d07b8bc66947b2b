/**
 * The claim scrubber's activity: loads the ruleset in force, the code-set rows, edits,
 * payer rules and fees for this one claim, runs the pure scrubber, and records which
 * ruleset judged the visit. Lookups happen here, never in workflow code, so a data
 * change never changes how a running visit replays.
 */
import { audit } from '../db/audit';
import { feesFor, ruleset, scrubDataFor, type Ruleset } from '../db/codesets';
import type { Db } from '../db/knex';
import { icdBilled } from '../domain/billing/codes';
import type { ScrubClaim, ScrubResult } from '../domain/billing/findings';
import { unpricedLines } from '../domain/billing/pricing';
import { scrubClaim } from '../domain/billing/scrub';
import type { CodedEncounter, StartVisit } from '../domain/visit';

export function scrubActivities(db: Db, now: () => Date = () => new Date()) {
  return {
    async scrubClaim(input: { visit: StartVisit; encounter: CodedEncounter }): Promise<ScrubResult> {
      const { visit, encounter } = input;
      const claim = {
        payerId: visit.coverage.payerId,
        serviceDate: encounter.serviceDate,
        priorAuthorization: visit.appointment.priorAuthorization,
        patient: { sex: visit.patient.sex, birthDate: visit.patient.birthDate },
        diagnoses: encounter.diagnoses.map((d) => ({ ...d, code: icdBilled(d.code) })),
        procedures: encounter.procedures,
      };
      const result = await scrubWith(db, await ruleset(db), claim, encounter.renderingNpi, now().toISOString().slice(0, 10));
      // Codes and rule ids only: no patient identifiers in the audit trail's detail.
      await audit(db, 'scrubber', result.blocked ? 'claim.scrub_failed' : 'claim.scrubbed', visit.visitId, {
        rulesetVersion: result.rulesetVersion,
        encounterId: encounter.encounterId,
        findings: result.findings.map((f) => `${f.severity}:${f.ruleId}`),
      });
      return result;
    },
  };
}

/** Loads the data for one claim from a ruleset and runs the pure scrubber: the scrubClaim activity and `revcycle scrub` share it. */
export async function scrubWith(db: Db, rs: Ruleset, claim: ScrubClaim, renderingNpi: string, asOf: string): Promise<ScrubResult> {
  const ctx = { payerId: claim.payerId, providerNpi: renderingNpi, serviceDate: claim.serviceDate };
  const [data, fees] = await Promise.all([
    scrubDataFor(db, rs, { ...ctx, diagnosisCodes: claim.diagnoses.map((d) => d.code), procedureCodes: claim.procedures.map((p) => p.code) }, asOf),
    feesFor(
      db,
      claim.payerId,
      claim.procedures.map((p) => p.code),
    ),
  ]);
  return scrubClaim(claim, { ...data, unpricedLines: unpricedLines(claim.procedures, fees, ctx) });
}
