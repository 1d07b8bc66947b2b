/**
 * The payer's rules, as data: codes that need a prior authorization (REF*G1), the timely
 * filing limit in days from the date of service, and the claim filing indicator (SBR09);
 * and the fee schedule: a line without a fee cannot be billed.
 */
import { daysBetween } from '../codes';
import { timelyFilingDeadline } from '../deadlines';
import { finding, lineOf, type Finding, type ScrubClaim, type ScrubData } from '../findings';

export function payerRules(claim: ScrubClaim, data: ScrubData): Finding[] {
  const { payer } = data;
  const out: Finding[] = [];
  if (!payer.configured) {
    out.push(
      finding({
        ruleId: 'PAYER_DEFAULTS',
        severity: 'warning',
        path: 'payerId',
        message: `payer ${claim.payerId} has no rules of its own: filing indicator ${payer.filingIndicator} and a ${payer.timelyFilingDays}-day filing limit are assumed`,
      }),
    );
  }
  if (!claim.priorAuthorization?.trim()) {
    claim.procedures.forEach((p, i) => {
      if (!payer.priorAuthCodes.includes(p.code)) return;
      out.push(
        finding({
          ruleId: 'PRIOR_AUTH_MISSING',
          severity: 'error',
          line: lineOf(i),
          path: `procedures[${i}].code`,
          message: `payer ${claim.payerId} requires a prior authorization for ${p.code} (line ${lineOf(i)}); add the authorization number to the appointment`,
        }),
      );
    });
  }
  const age = daysBetween(claim.serviceDate, data.asOf);
  if (age > payer.timelyFilingDays) {
    out.push(
      finding({
        ruleId: 'TIMELY_FILING',
        severity: 'error',
        path: 'serviceDate',
        message: `the date of service ${claim.serviceDate} is ${age} days before ${data.asOf}; payer ${claim.payerId} accepts claims for ${payer.timelyFilingDays} days (until ${timelyFilingDeadline(claim.serviceDate, payer.timelyFilingDays)})`,
      }),
    );
  }
  return out;
}

export function feeSchedule(claim: ScrubClaim, data: ScrubData): Finding[] {
  return data.unpricedLines.map((line) =>
    finding({
      ruleId: 'FEE_MISSING',
      severity: 'error',
      line,
      path: `procedures[${line - 1}].code`,
      message: `the fee schedule has no fee for ${claim.procedures[line - 1].code} for payer ${claim.payerId} on ${claim.serviceDate}; load one with \`revcycle fees load\``,
    }),
  );
}
