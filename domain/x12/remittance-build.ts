/**
 * Writing an 835 (005010X221A1) from remittances: the simulated payer's answers and test files.
 * Reading is domain/x12/remittance.ts.
 */
import { EnvelopeOptions } from './envelope';
import { buildInterchange, ElementValue } from './writer';
import { GUIDE_835, type Adjustment, type AdjustmentGroup, type Remittance, type RemittanceClaim } from './remittance';
import { centsToAmount, toX12Date } from './values';

/** Builds one 835 transaction per remittance in one interchange (GS01 HP). */
export function build835(remittances: Remittance[], envelope: EnvelopeOptions, lineBreaks = true): string {
  return buildInterchange(
    envelope,
    'HP',
    GUIDE_835,
    remittances.map((r) => ({ type: '835', body: remittanceBody(r) })),
    lineBreaks,
  );
}

function remittanceBody(r: Remittance): ElementValue[][] {
  const p = r.payment;
  const body: ElementValue[][] = [
    ['BPR', p.handling, centsToAmount(p.amountCents), p.creditDebit, p.method, '', '', '', '', '', '', '', '', '', '', '', p.date ? toX12Date(p.date) : ''],
    ['TRN', '1', r.trace.number, r.trace.originatorId],
  ];
  if (r.productionDate) body.push(['DTM', '405', toX12Date(r.productionDate)]);
  body.push(['N1', 'PR', r.payer.name]);
  if (r.payer.address) body.push(['N3', r.payer.address.line1], ['N4', r.payer.address.city, r.payer.address.state, r.payer.address.postalCode]);
  if (r.payer.id) body.push(['REF', '2U', r.payer.id]);
  if (r.payer.contactPhone) body.push(['PER', 'BL', '', 'TE', r.payer.contactPhone]);
  body.push(['N1', 'PE', r.payee.name, r.payee.idQualifier, r.payee.id]);
  if (r.payee.taxId) body.push(['REF', 'TJ', r.payee.taxId]);
  if (r.claims.length) body.push(['LX', '1']);
  for (const c of r.claims) body.push(...claimSegments(c));
  for (const a of r.providerAdjustments) {
    body.push(['PLB', a.providerId, toX12Date(a.fiscalPeriodDate), a.reference ? [a.reasonCode, a.reference] : a.reasonCode, centsToAmount(a.amountCents)]);
  }
  return body;
}

function claimSegments(c: RemittanceClaim): ElementValue[][] {
  const out: ElementValue[][] = [
    [
      'CLP',
      c.patientControlNumber,
      c.statusCode,
      centsToAmount(c.chargeCents),
      centsToAmount(c.paidCents),
      c.patientResponsibilityCents ? centsToAmount(c.patientResponsibilityCents) : '',
      c.filingIndicator,
      c.payerClaimNumber ?? '',
      c.facilityCode ?? '',
      c.frequency ?? '',
    ],
  ];
  out.push(...casSegments(c.adjustments));
  if (c.patient) out.push(['NM1', 'QC', '1', c.patient.lastName, c.patient.firstName, '', '', '', ...(c.patient.memberId ? ['MI', c.patient.memberId] : [])]);
  if (c.remarks.length) out.push(['MOA', '', '', ...c.remarks.slice(0, 5)]);
  for (const l of c.lines) {
    out.push([
      'SVC',
      [l.qualifier, l.code, ...l.modifiers],
      centsToAmount(l.chargeCents),
      centsToAmount(l.paidCents),
      '',
      l.units !== undefined ? String(l.units) : '',
    ]);
    if (l.serviceDate) out.push(['DTM', '472', toX12Date(l.serviceDate)]);
    out.push(...casSegments(l.adjustments));
    if (l.lineControlNumber) out.push(['REF', '6R', l.lineControlNumber]);
    if (l.allowedCents !== undefined) out.push(['AMT', 'B6', centsToAmount(l.allowedCents)]);
    for (const rarc of l.remarks) out.push(['LQ', 'HE', rarc]);
  }
  return out;
}

/** One CAS per group, up to six triplets each, in the order the groups first appear. */
function casSegments(adjustments: Adjustment[]): string[][] {
  const groups = new Map<AdjustmentGroup, Adjustment[]>();
  for (const a of adjustments) groups.set(a.group, [...(groups.get(a.group) ?? []), a]);
  const out: string[][] = [];
  for (const [group, list] of groups) {
    for (let i = 0; i < list.length; i += 6) {
      const triplets = list.slice(i, i + 6).flatMap((a) => [a.carc, centsToAmount(a.amountCents), a.quantity !== undefined ? String(a.quantity) : '']);
      out.push(['CAS', group, ...triplets]);
    }
  }
  return out;
}
