/**
 * Inbound clearinghouse files (999, 277CA, 835) turned into what each visit's workflow
 * needs to hear, one message per claim. Pure: the webhook stores the file, then signals.
 * Every message carries a source key derived from the file and the claim, so a file
 * delivered twice produces the same keys and the workflow ignores the second copy.
 */
import { FailureType } from './failures';
import type { ClaimAcknowledgment, ClaimFrequency, ClaimRemittance, RemittanceAdjustment } from './claim';
import { parse999, type FunctionalAck } from './x12/acknowledgment';
import { X12ContentError } from './x12/errors';
import { parse277 } from './x12/claim-status';
import { parseInterchange } from './x12/envelope';
import { lineItemControlNumber } from './x12/professional-claim';
import { parse835, remittanceBalance, type Remittance, type RemittanceClaim } from './x12/remittance';

export interface ClaimMessages {
  /** ST01, with 277CA told apart from a 277 by GS08. */
  transaction: string;
  /** visitId is absent for a 999: it names our interchange control number instead. */
  acknowledgments: {
    visitId?: string;
    ack: ClaimAcknowledgment;
    /** 277CA: the claim's total charge, matched against the claim we sent. */
    chargeCents?: number;
    /** 277CA: the interchange it acknowledges (2200B TRN02 = our 837's BHT03 = ISA13), when numeric. */
    batchControlNumber?: number;
  }[];
  remittances: { visitId: string; remittance: ClaimRemittance }[];
}

/** A remittance whose payment does not equal its claims less PLB adjustments is not posted. */
export class UnbalancedRemittanceError extends Error {
  readonly code = FailureType.RemittanceUnbalanced;
}

export function claimMessagesFromX12(text: string): ClaimMessages {
  const interchange = parseInterchange(text);
  const group = interchange.groups[0];
  const type = group?.transactions[0]?.type ?? 'none';
  const fileId = `${interchange.envelope.senderId}:${interchange.controlNumber}`;
  const empty = { acknowledgments: [], remittances: [] };
  if (type === '999') return { transaction: '999', ...empty, acknowledgments: parse999(text).acks.map((a) => ({ ack: from999(a, fileId) })) };
  if (type === '835') return { transaction: '835', ...empty, remittances: parse835(text).remittances.flatMap(fromRemittance) };
  if (type === '277') {
    const { report } = parse277(text);
    if (report.kind !== '277CA') return { transaction: '277', ...empty }; // claim status answers are kept, not signalled (yet)
    return {
      transaction: '277CA',
      ...empty,
      acknowledgments: report.claims.map((c) => ({
        visitId: c.patientControlNumber,
        ack: {
          kind: '277CA',
          accepted: !c.rejected,
          codes: c.statuses.map((s) => [s.category, s.code, s.entity].filter(Boolean).join(':')),
          source: report.source,
          message: c.statuses.map((s) => s.text).join('; ') || undefined,
          ...(c.message ? { payerText: c.message } : {}),
          payerClaimNumber: c.payerClaimNumber,
          sourceKey: `${fileId}#${c.patientControlNumber}`,
        },
        chargeCents: c.chargeCents,
        ...(report.batchTrace && /^\d{1,9}$/.test(report.batchTrace) ? { batchControlNumber: Number(report.batchTrace) } : {}),
      })),
    };
  }
  return { transaction: type, ...empty };
}

function from999(a: FunctionalAck, fileId: string): ClaimAcknowledgment {
  // AK102 names our GS06: a positive number of at most 9 digits (X12 Nm 1/9), or the file is not an answer to us.
  if (!/^\d{1,9}$/.test(a.groupControlNumber) || Number(a.groupControlNumber) === 0) {
    throw new X12ContentError(`AK102 group control number "${a.groupControlNumber.slice(0, 20)}" must be 1-9 digits`, { segment: 'AK1', element: 2 });
  }
  const errors = a.transactions.flatMap((t) =>
    t.errors.map(
      (e) => `${e.segment} at position ${e.position}${e.element ? `, element ${e.element.position} (error ${e.element.code})` : ''} (error ${e.code})`,
    ),
  );
  return {
    kind: '999',
    controlNumber: Number(a.groupControlNumber),
    accepted: a.status === 'accepted' || a.status === 'accepted_with_errors',
    codes: [a.status, ...a.transactions.flatMap((t) => t.codes)],
    message: errors.length ? errors.join('; ') : undefined,
    ...(errors.length
      ? { errorSegments: a.transactions.flatMap((t) => t.errors.map((e) => ({ segment: e.segment, ...(e.loop ? { loop: e.loop } : {}) }))) }
      : {}),
    sourceKey: `${fileId}#${a.groupControlNumber}`,
  };
}

function fromRemittance(r: Remittance): { visitId: string; remittance: ClaimRemittance }[] {
  const balance = remittanceBalance(r);
  if (!balance.balanced) throw new UnbalancedRemittanceError(`835 ${r.trace.number} does not balance: ${balance.message}`);
  return r.claims.map((c) => ({ visitId: c.patientControlNumber, remittance: claimRemittance(r, c) }));
}

function claimRemittance(r: Remittance, c: RemittanceClaim): ClaimRemittance {
  const claimLevel: RemittanceAdjustment[] = c.adjustments.map((a) => ({
    lineNumber: null,
    group: a.group,
    carc: a.carc,
    amountCents: a.amountCents,
    rarcs: c.remarks,
  }));
  const lines = c.lines.map((l, i) => ({ ...l, lineNumber: claimLineNumber(c.patientControlNumber, l.lineControlNumber) ?? i + 1 }));
  const lineLevel = lines.flatMap((l) =>
    l.adjustments.map((a) => ({ lineNumber: l.lineNumber, group: a.group, carc: a.carc, amountCents: a.amountCents, rarcs: l.remarks })),
  );
  return {
    traceNumber: r.trace.number,
    payerId: r.payer.id ?? r.trace.originatorId,
    paidOn: r.payment.date,
    claimStatusCode: c.statusCode,
    frequency: (['1', '7', '8'].includes(c.frequency ?? '') ? c.frequency : undefined) as ClaimFrequency | undefined,
    chargeCents: c.chargeCents,
    paidCents: c.paidCents,
    patientResponsibilityCents: c.patientResponsibilityCents,
    payerClaimNumber: c.payerClaimNumber,
    adjustments: [...claimLevel, ...lineLevel],
    lines: lines.map((l) => ({
      lineNumber: l.lineNumber,
      ...(l.lineControlNumber ? { lineControlNumber: l.lineControlNumber } : {}),
      code: l.code,
      modifiers: l.modifiers,
      ...(l.units !== undefined ? { units: l.units } : {}),
      chargeCents: l.chargeCents,
      paidCents: l.paidCents,
    })),
    sourceKey: `${r.trace.number}#${c.patientControlNumber}#${c.frequency ?? ''}#${c.statusCode}`,
  };
}

/**
 * The claim line an 835 SVC answers, from its REF*6R: ours is `lineItemControlNumber(CLM01, n)`,
 * so the number after the last dash is n when the whole value is what we sent; a bare number
 * (older claims numbered lines 1, 2, ...) is the line itself. Anything else: not ours to read.
 */
export function claimLineNumber(patientControlNumber: string, lineControlNumber: string | undefined): number | undefined {
  if (!lineControlNumber) return undefined;
  if (/^\d+$/.test(lineControlNumber)) return Number(lineControlNumber) || undefined;
  const n = Number(/-(\d+)$/.exec(lineControlNumber)?.[1]);
  return n > 0 && lineItemControlNumber(patientControlNumber, n) === lineControlNumber ? n : undefined;
}
