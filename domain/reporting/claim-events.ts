/** Visit events built from the claim messages, so every activity records them the same way. */
import { denialCodes, isDenied, type ClaimAcknowledgment, type ClaimRemittance } from '../claim';
import type { VisitEvent } from './visit-events';

/** CARC 45: the charge exceeds the contracted fee schedule; not a denial, not owed by anyone. */
const CONTRACTUAL_CARCS = new Set(['45']);

export function acknowledgmentEvent(visitId: string, claimAttempt: number, ack: ClaimAcknowledgment): VisitEvent {
  const key = `${visitId}:ack:${ack.sourceKey}`;
  return ack.accepted
    ? { type: 'claim_accepted', visitId, key, claimAttempt, source: ack.kind }
    : { type: 'claim_rejected', visitId, key, claimAttempt, source: ack.kind, codes: ack.codes };
}

export function remittanceEvent(visitId: string, claimAttempt: number, r: ClaimRemittance): VisitEvent {
  const denialOnLine = (n: number) =>
    r.adjustments.filter((a) => a.lineNumber === n && a.group !== 'PR' && !CONTRACTUAL_CARCS.has(a.carc)).reduce((s, a) => s + a.amountCents, 0);
  return {
    type: 'remittance_posted',
    visitId,
    key: `${visitId}:835:${r.sourceKey}`,
    claimAttempt,
    denied: isDenied(r),
    reversal: r.claimStatusCode === '22',
    paidCents: r.paidCents,
    patientResponsibilityCents: r.patientResponsibilityCents,
    contractualCents: r.adjustments.filter((a) => a.group === 'CO' && CONTRACTUAL_CARCS.has(a.carc)).reduce((s, a) => s + a.amountCents, 0),
    carcCodes: denialCodes(r),
    lines: r.lines.map((l) => ({
      lineNumber: l.lineNumber,
      code: l.code,
      chargeCents: l.chargeCents,
      paidCents: l.paidCents,
      deniedCents: denialOnLine(l.lineNumber),
    })),
  };
}
