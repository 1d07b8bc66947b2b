/**
 * The simulated payer's rules, deterministic by the subscriber's member id, the claim's
 * frequency and its procedure codes (docs/x12.md lists them). Pure: the server feeds in
 * parsed X12 and a payer claim number, and builds X12 from what comes out.
 *
 *   member id   eligibility (271)        front end (277CA)      adjudication (835)
 *   INACT…      inactive (EB*6)          accepted               denied CO-27
 *   UNKNOWN…    AAA 75 not found         accepted               denied CO-31
 *   REJ…        active                   rejected A7:164:IL     none
 *   REJDX…      active                   rejected A7:255 while a diagnosis is E11.9 (corrected in place: accepted)
 *   REJNPI…     active                   rejected A7:562:82 the first time; the same claim again: accepted
 *   R999…       active                   999 rejected (IK3 NM1 in 2010, IK4 NM109 code 6); no 277CA, no 835
 *   PEND…       active                   accepted               held: a 276 hears P1:20; the second 276 releases it (F0:3), then paid
 *   LOST…       active                   accepted               never: a 276 hears A4:35 (not found); the claim sent again is paid
 *   LATE…       active                   accepted               paid after the late delay (past the visit's adjudication timeout)
 *   REVERSE…    active                   accepted               paid; one adjudication delay later an 835 takes it back (CLP02 22)
 *                                                               and pays it again corrected (75% allowed, a new payer claim number)
 *   ACK2…       active                   two stages: the clearinghouse's 277CA (NM1*AY, A1:19), then the
 *                                        payer's: A2:20 accepted; ACK2P… P1:20 pended (then paid);
 *                                        ACK2REJ… A7:164:IL rejected by the payer
 *   DENY…       active                   accepted               frequency 1: denied CO-16 + M51/N290;
 *                                                               replacement (7 + REF*F8): paid
 *   DENY-<group>-<carc>…  active         accepted               frequency 1 denied with that CAS (e.g. DENY-CO-50-1);
 *                                                               a corrected claim (7), an appeal (POST /appeals: the
 *                                                               claim reprocessed and paid, same payer claim number)
 *                                                               or, after CO-22, the other payer's claim: paid
 *   NOAUTH…     active                   accepted               denied CO-197 + N54 unless REF*G1
 *   NMN…        active                   accepted               denied CO-50 + N115
 *   SHORT…      active                   accepted               paid, but allowed 65% of charge: below the contracted amount
 *   anything    active                   accepted               paid: allowed 80% of charge, CO-45 for the
 *                                                               rest, then PR-3 copay, PR-1 deductible, PR-2 coinsurance
 * A secondary claim (SBR01 S, the primary's answer in 2320/2430) is paid as secondary
 * (CLP02 2): per line the patient's share the primary left (its PR adjustments), the rest
 * OA-23 (prior payer's adjudication); without the primary's answer it is denied CO-16 + MA04.
 * Every SVC line echoes the claim line's REF*6R.
 * Lines with CPT 36415 (venipuncture) are bundled: CO-97 + M15. An exact duplicate
 * (same CLM01 and frequency as an earlier interchange) is denied CO-18. A void
 * (frequency 8) reverses the claim it names (CLP02 22, amounts negated).
 */
import type { SegmentError } from '../../domain/x12/acknowledgment';
import type { Benefit, EligibilityRequest, EligibilityResponse } from '../../domain/x12/eligibility';
import type { ProfessionalClaim } from '../../domain/x12/professional-claim';
import type { Adjustment, RemittanceClaim, RemittanceLine } from '../../domain/x12/remittance';
import { claimChargeCents } from '../../domain/x12/professional-claim';

/** The plan every active member has; the 271 reports it and the 835 applies it. */
export const PLAN = {
  name: 'SIM GOLD PPO',
  copayCents: 2500,
  deductibleCents: 50000,
  deductibleRemainingCents: 20000,
  coinsurancePercent: 20,
  outOfPocketRemainingCents: 250000,
  /** Share of the billed charge the contract allows; the rest is CO-45. */
  allowedPercent: 80,
  /** What a SHORT… member's payer allows: below every contracted amount in data/fee-schedule.csv (70–75% of the charge). */
  shortAllowedPercent: 65,
  /** What a REVERSE… member's corrected answer allows: the contracted rate (data/fee-schedule.csv tops out at 75%). */
  correctedAllowedPercent: 75,
};

const has = (memberId: string, prefix: string) => memberId.toUpperCase().startsWith(prefix);

export function eligibilityAnswer(req: EligibilityRequest): EligibilityResponse {
  const level: Benefit['level'] = req.dependent ? 'dependent' : 'subscriber';
  const response: EligibilityResponse = {
    payer: req.payer,
    provider: { name: req.provider.name, id: req.provider.npi },
    subscriber: { memberId: req.subscriber.memberId, firstName: req.subscriber.firstName, lastName: req.subscriber.lastName },
    ...(req.dependent ? { dependent: { firstName: req.dependent.firstName, lastName: req.dependent.lastName } } : {}),
    traceNumber: req.traceNumber,
    traceOriginatorId: req.originatorId,
    benefits: [],
    errors: [],
    messages: [],
  };
  const memberId = req.subscriber.memberId;
  if (has(memberId, 'UNKNOWN')) {
    response.errors.push({ level: 'subscriber', reasonCode: '75', reason: 'Subscriber/insured not found', followUp: 'C' });
  } else if (has(memberId, 'INACT')) {
    response.benefits.push({ code: '6', coverageLevel: 'IND', serviceTypes: ['30'], level });
  } else {
    response.benefits.push(...planBenefits(level));
  }
  return response;
}

function planBenefits(level: Benefit['level']): Benefit[] {
  const ind = { coverageLevel: 'IND', serviceTypes: ['30'], inNetwork: true, level };
  return [
    { code: '1', coverageLevel: 'IND', serviceTypes: ['30'], insuranceType: 'PR', planName: PLAN.name, level },
    { code: 'B', serviceTypes: ['98'], timePeriod: '27', amountCents: PLAN.copayCents, inNetwork: true, level },
    { ...ind, code: 'C', timePeriod: '23', amountCents: PLAN.deductibleCents },
    { ...ind, code: 'C', timePeriod: '29', amountCents: PLAN.deductibleRemainingCents },
    { ...ind, code: 'A', percent: PLAN.coinsurancePercent },
    { ...ind, code: 'G', timePeriod: '29', amountCents: PLAN.outOfPocketRemainingCents },
  ];
}

export interface FrontEndStatus {
  category: string;
  code: string;
  entity?: string;
}

/** STC categories a front end rejects with (code list 507). */
export const REJECTING = /^(A3|A4|A6|A7|A8)$/;

/**
 * The payer's 277CA status for one claim: rejected at its front end, pended, or accepted into
 * adjudication. `resubmitted`: the payer has seen this CLM01 before.
 */
export function frontEndStatus(claim: ProfessionalClaim, resubmitted = false): FrontEndStatus {
  const memberId = claim.subscriber.memberId;
  const accepted = { category: 'A2', code: '20' };
  if (has(memberId, 'REJDX')) return claim.diagnoses.includes('E119') ? { category: 'A7', code: '255' } : accepted;
  // The rendering provider is not yet enrolled with the payer; it is by the time the claim comes back.
  if (has(memberId, 'REJNPI')) return resubmitted ? accepted : { category: 'A7', code: '562', entity: '82' };
  if (has(memberId, 'REJ') || has(memberId, 'ACK2REJ')) return { category: 'A7', code: '164', entity: 'IL' };
  if (has(memberId, 'ACK2P')) return { category: 'P1', code: '20' };
  return accepted;
}

/**
 * When the payer sends an accepted claim's 835: at once (after the adjudication delay), held
 * until claim status inquiries ask for it (PEND…: pended, released at the second 276), lost
 * (LOST…: never adjudicated, a 276 hears "not found"; the claim sent again is paid), or late
 * (LATE…: after the late delay, past the visit's adjudication timeout). `resubmitted`: the
 * payer has seen this CLM01 before.
 */
export type AdjudicationTiming = 'now' | 'pend' | 'lost' | 'late';
export function adjudicationTiming(claim: ProfessionalClaim, resubmitted: boolean): AdjudicationTiming {
  const memberId = claim.subscriber.memberId;
  if (has(memberId, 'PEND')) return 'pend';
  if (has(memberId, 'LOST')) return resubmitted ? 'now' : 'lost';
  if (has(memberId, 'LATE')) return 'late';
  return 'now';
}

/** Inquiries (276) after which a pended claim is released: its 835 goes out and the 277 says so. */
export const PEND_INQUIRIES = 2;

/** Two-stage acknowledgment (ACK2… members): the clearinghouse's own 277CA, before the payer's. */
export function clearinghouseStatus(claim: ProfessionalClaim): FrontEndStatus | undefined {
  return has(claim.subscriber.memberId, 'ACK2') ? { category: 'A1', code: '19' } : undefined;
}

/**
 * The 999's errors for a file: a member id starting R999 is refused by the clearinghouse's
 * implementation-guide check (IK3 NM1 in loop 2010, IK4 NM109 invalid character), and nothing in
 * the file reaches a payer.
 */
export function syntaxErrors(claims: ProfessionalClaim[], positionOf: (segmentStart: string) => number): SegmentError[] {
  return claims.some((c) => has(c.subscriber.memberId, 'R999'))
    ? [{ segment: 'NM1', position: positionOf('NM1*IL'), loop: '2010', code: '8', element: { position: 9, code: '6' } }]
    : [];
}

/** What the payer remembers about claims it has adjudicated. */
export interface PayerHistory {
  /** Did an earlier interchange carry this claim's CLM01 with the same frequency? */
  isDuplicate(claim: ProfessionalClaim): boolean;
  /** The remittance of a claim by the payer's claim number, for voids. */
  remitted(payerClaimNumber: string): RemittanceClaim | undefined;
}

/** RARCs a payer sends with a CARC, so the denial reads as a real one. */
const REMARKS: Record<string, string[]> = {
  '16': ['M51', 'N290'],
  '4': ['N519'],
  '11': ['M76'],
  '146': ['M76'],
  '50': ['N115'],
  '197': ['N54'],
  '22': ['MA04'],
  '29': ['N211'],
  '18': ['N111'],
};

/**
 * `DENY-<group>-<carc>…` (e.g. DENY-CO-50-1) denies the original claim with that CAS; a bare
 * `DENY…` is CO-16. The follow-up is answered as a payer would: a corrected claim (frequency 7)
 * is not the original, an appeal is decided for the provider, a secondary claim goes to another payer.
 */
function deniedAs(memberId: string): { group: Adjustment['group']; carc: string; remarks: string[] } | undefined {
  const m = /^DENY-(CO|OA|PI|PR|CR)-(\d{1,4})(?:-|$)/i.exec(memberId);
  if (m) return { group: m[1].toUpperCase() as Adjustment['group'], carc: m[2], remarks: REMARKS[m[2]] ?? [] };
  return has(memberId, 'DENY') ? { group: 'CO', carc: '16', remarks: REMARKS['16'] } : undefined;
}

/** A whole-claim denial, if a rule denies the claim as such, with the CARC and RARCs for each line. */
function claimDenial(
  claim: ProfessionalClaim,
  history: PayerHistory,
  appealed = false,
): { group?: Adjustment['group']; carc: string; remarks: string[] } | undefined {
  const memberId = claim.subscriber.memberId;
  if (history.isDuplicate(claim)) return { carc: '18', remarks: [] };
  if (has(memberId, 'INACT')) return { carc: '27', remarks: [] };
  if (has(memberId, 'UNKNOWN')) return { carc: '31', remarks: [] };
  const denied = deniedAs(memberId);
  if (denied && claim.frequency === '1' && !appealed) return denied;
  if (has(memberId, 'NOAUTH') && !claim.priorAuthorization && !appealed) return { carc: '197', remarks: ['N54'] };
  if (has(memberId, 'NMN') && !appealed) return { carc: '50', remarks: ['N115'] };
  if ((claim.payerResponsibility ?? 'P') !== 'P' && !claim.otherPayers?.length) return { carc: '16', remarks: ['MA04'] };
  return undefined;
}

/** As secondary: pay what the primary left to the patient on the line; the rest is the prior payer's (OA-23). */
function payAsSecondary(line: RemittanceLine, claim: ProfessionalClaim, lineNumber: number, share: { copay: number; deductible: number }): RemittanceLine {
  const primary = claim.otherPayers![0];
  const answered = primary.lines.find((l) => l.lineNumber === lineNumber);
  // The first payer said it is not primary (CO-22): this payer is, and pays the line as such.
  if ([...primary.adjustments, ...(answered?.adjustments ?? [])].some((a) => a.carc === '22')) return payLine(line, share, PLAN.allowedPercent);
  const left = answered ? answered.adjustments.filter((a) => a.group === 'PR').reduce((t, a) => t + a.amountCents, 0) : 0;
  const paid = Math.min(left, line.chargeCents);
  const adjustments: Adjustment[] = line.chargeCents - paid > 0 ? [{ group: 'OA', carc: '23', amountCents: line.chargeCents - paid }] : [];
  return { ...line, paidCents: paid, allowedCents: paid, adjustments };
}

/**
 * REVERSE… members: the payer pays the original, then takes the payment back and pays it again
 * corrected (a repricing at the contracted rate), both on one later 835: the original CLP negated
 * (CLP02 22, same payer claim number) and the corrected CLP (CLP02 1, a new payer claim number).
 */
export const reversesLater = (claim: ProfessionalClaim): boolean =>
  has(claim.subscriber.memberId, 'REVERSE') && claim.frequency === '1' && (claim.payerResponsibility ?? 'P') === 'P';

/** The reversal of `original` and the corrected answer that replaces it, for one 835. */
export function correction(claim: ProfessionalClaim, original: RemittanceClaim, payerClaimNumber: string, history: PayerHistory): RemittanceClaim[] {
  return [negated(original), adjudicate(claim, payerClaimNumber, history, false, PLAN.correctedAllowedPercent)];
}

/** Adjudicates one accepted claim into its 835 CLP loop; `appealed`: reprocessed after an appeal, the medical-necessity, authorization and member-id denials no longer apply. */
export function adjudicate(
  claim: ProfessionalClaim,
  payerClaimNumber: string,
  history: PayerHistory,
  appealed = false,
  allowedPercent?: number,
): RemittanceClaim {
  if (claim.frequency === '8') return reversal(claim, history);
  const denial = claimDenial(claim, history, appealed);
  const secondary = (claim.payerResponsibility ?? 'P') !== 'P';
  const patientShare = { copay: PLAN.copayCents, deductible: PLAN.deductibleRemainingCents };
  const lines = claim.lines.map((line, i) => {
    const base: RemittanceLine = {
      qualifier: 'HC',
      code: line.code,
      modifiers: line.modifiers,
      chargeCents: line.chargeCents,
      paidCents: 0,
      units: line.units,
      serviceDate: line.serviceDate,
      adjustments: [],
      remarks: [],
      ...(line.lineItemControlNumber ? { lineControlNumber: line.lineItemControlNumber } : {}),
    };
    if (denial) return denyLine(base, denial.carc, denial.remarks, denial.group);
    if (secondary) return payAsSecondary(base, claim, i + 1, patientShare);
    if (line.code === '36415') return denyLine(base, '97', ['M15']);
    return payLine(base, patientShare, allowedPercent ?? (has(claim.subscriber.memberId, 'SHORT') ? PLAN.shortAllowedPercent : PLAN.allowedPercent));
  });
  const paidCents = sum(lines.map((l) => l.paidCents));
  const patientResponsibilityCents = sum(lines.flatMap((l) => l.adjustments.filter((a) => a.group === 'PR').map((a) => a.amountCents)));
  return {
    patientControlNumber: claim.claimId,
    statusCode: paidCents === 0 && patientResponsibilityCents === 0 ? '4' : secondary ? '2' : '1',
    chargeCents: claimChargeCents(claim),
    paidCents,
    patientResponsibilityCents,
    filingIndicator: '12',
    payerClaimNumber,
    facilityCode: claim.placeOfService,
    frequency: claim.frequency,
    patient: {
      lastName: (claim.patient ?? claim.subscriber).lastName,
      firstName: (claim.patient ?? claim.subscriber).firstName,
      memberId: claim.subscriber.memberId,
    },
    adjustments: [],
    remarks: [],
    lines,
  };
}

function denyLine(line: RemittanceLine, carc: string, remarks: string[], group: Adjustment['group'] = 'CO'): RemittanceLine {
  return { ...line, allowedCents: 0, adjustments: [{ group, carc, amountCents: line.chargeCents }], remarks };
}

/** Allowed = the contract share of the charge; the patient's share comes out of it in the order a payer applies it. */
function payLine(line: RemittanceLine, left: { copay: number; deductible: number }, allowedPercent: number): RemittanceLine {
  const allowed = Math.round((line.chargeCents * allowedPercent) / 100);
  let rest = allowed;
  const copay = Math.min(left.copay, rest);
  left.copay -= copay;
  rest -= copay;
  const deductible = Math.min(left.deductible, rest);
  left.deductible -= deductible;
  rest -= deductible;
  const coinsurance = Math.round((rest * PLAN.coinsurancePercent) / 100);
  rest -= coinsurance;
  const adjustments: Adjustment[] = [
    { group: 'CO', carc: '45', amountCents: line.chargeCents - allowed },
    { group: 'PR', carc: '3', amountCents: copay },
    { group: 'PR', carc: '1', amountCents: deductible },
    { group: 'PR', carc: '2', amountCents: coinsurance },
  ].filter((a) => a.amountCents > 0) as Adjustment[];
  return { ...line, paidCents: rest, allowedCents: allowed, adjustments };
}

/** A void takes back the claim it names: the original CLP negated, status 22 (X221A1 1.10.2.8). */
function reversal(claim: ProfessionalClaim, history: PayerHistory): RemittanceClaim {
  const original = claim.payerClaimNumber ? history.remitted(claim.payerClaimNumber) : undefined;
  if (!original) {
    const base = adjudicate({ ...claim, frequency: '1' }, claim.payerClaimNumber ?? '', { isDuplicate: () => false, remitted: () => undefined });
    const denied = base.lines.map((l) => denyLine({ ...l, paidCents: 0 }, '16', ['N227']));
    return { ...base, frequency: '8', statusCode: '4', paidCents: 0, patientResponsibilityCents: 0, lines: denied };
  }
  return { ...negated(original), frequency: '8' };
}

/** An earlier answer taken back: every amount negated, CLP02 22 (X221A1 1.10.2.8), the same payer claim number. */
function negated(original: RemittanceClaim): RemittanceClaim {
  const negate = (a: Adjustment): Adjustment => ({ ...a, amountCents: -a.amountCents });
  return {
    ...original,
    statusCode: '22',
    chargeCents: -original.chargeCents,
    paidCents: -original.paidCents,
    patientResponsibilityCents: -original.patientResponsibilityCents,
    adjustments: original.adjustments.map(negate),
    lines: original.lines.map((l) => ({ ...l, chargeCents: -l.chargeCents, paidCents: -l.paidCents, adjustments: l.adjustments.map(negate) })),
  };
}

function sum(values: number[]): number {
  return values.reduce((s, v) => s + v, 0);
}
