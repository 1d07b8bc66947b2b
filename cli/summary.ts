/** Human summaries for `revcycle x12 summary`: what a biller wants to see at a glance. */
import { parse999 } from '../domain/x12/acknowledgment';
import { parse277 } from '../domain/x12/claim-status';
import type { TransactionKind } from '../domain/x12/detect';
import { eligibilityResultFrom271, parse271 } from '../domain/x12/eligibility';
import type { ReadOptions } from '../domain/x12/envelope';
import { parse837P } from '../domain/x12/parse-837p';
import { claimChargeCents } from '../domain/x12/professional-claim';
import { Adjustment, parse835, Remittance, remittanceBalance } from '../domain/x12/remittance';

const money = (cents: number) => (cents / 100).toFixed(2);
const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const CLAIM_STATUS: Record<string, string> = {
  '1': 'paid (primary)',
  '2': 'paid (secondary)',
  '3': 'paid (tertiary)',
  '4': 'denied',
  '19': 'primary, forwarded',
  '22': 'reversal',
};

/** Lays rows out in columns; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^-?\d+\.\d+$/.test(r[i])));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

function allAdjustments(r: Remittance): Adjustment[] {
  return r.claims.flatMap((c) => [...c.adjustments, ...c.lines.flatMap((l) => l.adjustments)]);
}

function summarize835(r: Remittance): string {
  const balance = remittanceBalance(r);
  const rows = r.claims.map((c) => {
    const adj = [...c.adjustments, ...c.lines.flatMap((l) => l.adjustments)];
    return [
      c.patientControlNumber,
      CLAIM_STATUS[c.statusCode] ?? c.statusCode,
      money(c.chargeCents),
      money(c.paidCents),
      money(c.patientResponsibilityCents),
      c.payerClaimNumber ?? '',
      [...new Set(adj.map((a) => `${a.group}-${a.carc}`))].join(' '),
    ];
  });
  const byCarc = new Map<string, number>();
  for (const a of allAdjustments(r)) byCarc.set(`${a.group}-${a.carc}`, (byCarc.get(`${a.group}-${a.carc}`) ?? 0) + a.amountCents);
  const sum = (f: (c: Remittance['claims'][number]) => number) => r.claims.reduce((s, c) => s + f(c), 0);
  const out = [
    `Remittance ${r.trace.number} from ${r.payer.name} to ${r.payee.name}${r.payment.date ? `, ${r.payment.date}` : ''} by ${r.payment.method}: ${money(r.payment.amountCents)}`,
    balance.balanced ? 'Balanced: payment = claims paid − provider adjustments.' : `NOT BALANCED: ${balance.message}`,
    '',
    table(['Claim', 'Status', 'Charged', 'Paid', 'Patient', 'Payer claim #', 'CARCs'], rows),
    '',
    `Claims: ${r.claims.length}   Charged: ${money(sum((c) => c.chargeCents))}   Paid: ${money(sum((c) => c.paidCents))}   ` +
      `Patient responsibility: ${money(sum((c) => c.patientResponsibilityCents))}   Denied: ${r.claims.filter((c) => c.statusCode === '4').length}`,
    '',
    'Adjusted by CARC:',
    table(
      ['Group-CARC', 'Amount'],
      [...byCarc].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, money(v)]),
    ),
  ];
  if (r.providerAdjustments.length) {
    out.push(
      '',
      'Provider adjustments (PLB):',
      table(
        ['Reason', 'Reference', 'Amount'],
        r.providerAdjustments.map((p) => [p.reasonCode, p.reference ?? '', money(p.amountCents)]),
      ),
    );
  }
  return out.join('\n');
}

export function summarize(kind: TransactionKind, text: string, options: ReadOptions): string {
  switch (kind) {
    case '835':
      return parse835(text, options).remittances.map(summarize835).join('\n\n');
    case '277CA':
    case '277': {
      const { report } = parse277(text, options);
      const rows = report.claims.map((c) => [
        c.patientControlNumber,
        c.rejected ? 'REJECTED' : 'ok',
        c.payerClaimNumber ?? '',
        c.statuses.map((s) => s.text).join('; '),
      ]);
      return `${report.kind} from ${report.payer.name}: ${count(report.claims.length, 'claim')}, ${report.claims.filter((c) => c.rejected).length} rejected\n\n${table(['Claim', 'Result', 'Payer claim #', 'Status'], rows)}`;
    }
    case '999':
      return parse999(text, options)
        .acks.map((a) => {
          const errors = a.transactions.flatMap((t) =>
            t.errors.map(
              (e) => `  ST ${t.controlNumber}: ${e.segment} at segment ${e.position}${e.element ? `, element ${e.element.position}` : ''} (code ${e.code})`,
            ),
          );
          return [
            `999 for group ${a.groupControlNumber}: ${a.status.replace(/_/g, ' ')} (${a.counts.accepted} of ${a.counts.included} transaction sets accepted)`,
            ...errors,
          ].join('\n');
        })
        .join('\n');
    case '837P': {
      const { batch } = parse837P(text, options);
      const rows = batch.claims.map((c) => [c.claimId, c.frequency, c.payer.id, String(c.lines.length), money(claimChargeCents(c))]);
      return `837P from ${batch.billingProvider.name} (NPI ${batch.billingProvider.npi}): ${count(batch.claims.length, 'claim')}\n\n${table(['Claim', 'Freq', 'Payer', 'Lines', 'Charged'], rows)}`;
    }
    case '271': {
      const r = eligibilityResultFrom271(parse271(text, options).response);
      const amount = (c?: number) => (c === undefined ? '-' : money(c));
      return [
        `Coverage: ${r.active ? 'ACTIVE' : 'NOT ACTIVE'}${r.planName ? ` (${r.planName})` : ''}`,
        `Copay: ${amount(r.copayCents)}   Deductible: ${amount(r.deductibleCents)} (remaining ${amount(r.deductibleRemainingCents)})   ` +
          `Coinsurance: ${r.coinsurancePercent === undefined ? '-' : `${r.coinsurancePercent}%`}   Out-of-pocket remaining: ${amount(r.outOfPocketRemainingCents)}`,
        ...r.messages,
      ].join('\n');
    }
    default:
      return `no summary for a ${kind} file; try \`revcycle x12 parse\``;
  }
}
