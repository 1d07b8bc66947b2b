/**
 * The claim scrubber's activity: loads the ruleset in force, the code-set rows, edits,
 * payer rules and fees for this one claim, runs the pure scrubber, and records which
 * ruleset judged the visit. Lookups happen here, never in workflow code, so a data
 * change never changes how a running visit replays.
 */
import * as billing from '../db/billing';
import { ruleset, scrubWith } from '../db/codesets';
import type { Db } from '../db/knex';
import { icdBilled } from '../domain/billing/codes';
import type { ScrubResult } from '../domain/billing/findings';
import type { CodedEncounter, StartVisit } from '../domain/visit';

export function scrubActivities(db: Db, now: () => Date = () => new Date()) {
  return {
    async scrubClaim(input: { visit: StartVisit; encounter: CodedEncounter }): Promise<ScrubResult> {
      const { visit, encounter } = input;
      const claim = {
        payerId: visit.coverage.payerId, serviceDate: encounter.serviceDate, priorAuthorization: visit.appointment.priorAuthorization,
        patient: { sex: visit.patient.sex, birthDate: visit.patient.birthDate },
        diagnoses: encounter.diagnoses.map((d) => ({ ...d, code: icdBilled(d.code) })), procedures: encounter.procedures,
      };
      const result = await scrubWith(db, await ruleset(db), claim, encounter.renderingNpi, now().toISOString().slice(0, 10));
      // Codes and rule ids only: no patient identifiers in the audit trail's detail.
      await billing.audit(db, 'scrubber', result.blocked ? 'claim.scrub_failed' : 'claim.scrubbed', visit.visitId, {
        rulesetVersion: result.rulesetVersion, encounterId: encounter.encounterId, findings: result.findings.map((f) => `${f.severity}:${f.ruleId}`),
      });
      return result;
    },
  };
}
