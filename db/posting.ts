/**
 * Posting an 835 to the billing record: one transaction per file, idempotent per claim
 * (the posting key), using the pure rules in domain/billing/posting.ts. A claim that
 * matches no attempt, or does not balance, goes to the posting queue: nothing is lost.
 * A claim whose visit is already closed is posted to its record all the same (late).
 */
import {
  answersAsPrimary, claimBalanceProblem, matchAttempt, matchLines, postingKey, underpaidCents, type ClaimAttempt,
} from '../domain/billing/posting';
import { feeFor } from '../domain/billing/pricing';
import { remittanceStatus } from '../domain/claim';
import { parse835, type Remittance, type RemittanceClaim } from '../domain/x12/remittance';
import { feesFor } from './codesets';
import type { Db } from './knex';

/** The contracted (expected) amount of one line; undefined when no fee schedule says. */
export type ContractLookup = (q: { payerId: string; providerNpi: string; code: string; modifiers: string[]; serviceDate: string; units: number }) => Promise<number | undefined>;

/**
 * The one place the contracted amount comes from: the fee schedule's expected amount for the
 * line (the fee pricing picks, domain/billing/pricing.ts `feeFor`, in effect on the date of
 * service), times the units the payer answered for. No fee: no contract, never underpaid.
 */
export const feeScheduleContracts = (db: Db): ContractLookup => async (q) => {
  const fee = feeFor({ code: q.code, modifiers: q.modifiers }, await feesFor(db, q.payerId, [q.code]), q);
  return fee ? fee.expectedCents * q.units : undefined;
};

export interface UnderpaidLine {
  lineNumber: number;
  code: string;
  contractedCents: number;
  underpaidCents: number;
}

export interface PostedClaim {
  postingKey: string;
  /** CLP01: our visit id. */
  visitId: string;
  outcome: 'posted' | 'duplicate' | 'queued';
  claimId?: number;
  attempt?: number;
  late?: boolean;
  queueReason?: 'unmatched' | 'unbalanced';
  underpaid: UnderpaidLine[];
}

/** Posts every claim of a stored 835 (inbound_messages, by its file key). */
export async function postRemittanceFile(db: Db, documentKey: string, contracted?: ContractLookup): Promise<PostedClaim[]> {
  const row = await db('inbound_messages').where({ channel: 'clearinghouse', message_key: documentKey }).first('body');
  if (!row) throw new Error(`no stored 835 with key ${documentKey}`);
  const { remittances } = parse835(row.body);
  return db.transaction(async (trx) => {
    const posted: PostedClaim[] = [];
    for (const r of remittances) {
      const payerId = r.payer.id ?? r.trace.originatorId;
      if (r.providerAdjustments.length) {
        await trx('provider_adjustments')
          .insert(r.providerAdjustments.map((p, position) => ({
            document_key: documentKey, trace_number: r.trace.number, position, provider_id: p.providerId, reason_code: p.reasonCode,
            reference: p.reference ?? null, amount_cents: p.amountCents,
          })))
          .onConflict(['document_key', 'trace_number', 'position'])
          .ignore();
      }
      for (const clp of r.claims) posted.push(await postClaim(trx, documentKey, r, payerId, clp, contracted ?? feeScheduleContracts(trx)));
    }
    return posted;
  });
}

async function postClaim(db: Db, documentKey: string, r: Remittance, payerId: string, clp: RemittanceClaim, contracted: ContractLookup): Promise<PostedClaim> {
  const key = postingKey(r.trace.number, clp);
  const base = { postingKey: key, visitId: clp.patientControlNumber, underpaid: [] as UnderpaidLine[] };
  const seen = await db('payments').where({ posting_key: key }).first('claim_id');
  if (seen) return { ...base, outcome: 'duplicate', claimId: seen.claim_id };
  if (await db('posting_queue').where({ posting_key: key }).first('id')) return { ...base, outcome: 'duplicate' };

  const attempt = matchAttempt(clp, payerId, await attemptsOf(db, clp.patientControlNumber));
  const problem = claimBalanceProblem(clp);
  if (!attempt || problem) {
    const reason = attempt ? 'unbalanced' : 'unmatched';
    await db('posting_queue').insert({
      posting_key: key, document_key: documentKey, trace_number: r.trace.number, patient_control_number: clp.patientControlNumber, payer_id: payerId,
      reason, detail: problem ?? `no claim attempt for CLP01 ${clp.patientControlNumber}, payer ${payerId}, CLP07 ${clp.payerClaimNumber ?? '-'}`,
      paid_cents: clp.paidCents,
    }).onConflict('posting_key').ignore();
    return { ...base, outcome: 'queued', queueReason: reason };
  }

  const appointment = await db('appointments').where({ visit_id: attempt.visitId }).first('status', 'provider_npi');
  const late = !!appointment && appointment.status !== 'booked';
  const [payment] = await db('payments')
    .insert({
      claim_id: attempt.claimId, visit_id: attempt.visitId, payer_id: payerId, trace_number: r.trace.number, claim_status: clp.statusCode,
      charge_cents: clp.chargeCents, paid_cents: clp.paidCents, patient_responsibility_cents: clp.patientResponsibilityCents,
      paid_on: r.payment.date ?? null, posting_key: key, document_key: documentKey, late, payer_claim_number: clp.payerClaimNumber ?? null,
    })
    .onConflict('posting_key')
    .ignore()
    .returning('id');
  if (!payment) return { ...base, outcome: 'duplicate', claimId: attempt.claimId };

  const matched = matchLines(clp.lines, attempt.lines, attempt.serviceDate);
  const adjustments = [
    ...clp.adjustments.map((a) => ({ line_number: null as number | null, a, rarcs: clp.remarks })),
    ...matched.flatMap((m) => m.svc.adjustments.map((a) => ({ line_number: m.line?.lineNumber ?? null, a, rarcs: m.svc.remarks }))),
  ];
  if (adjustments.length) {
    await db('payment_adjustments').insert(adjustments.map(({ line_number, a, rarcs }) => ({
      payment_id: payment.id, line_number, group_code: a.group, carc: a.carc, amount_cents: a.amountCents, rarcs,
    })));
  }
  const underpaid: UnderpaidLine[] = [];
  for (const m of matched) {
    const contract = m.line && answersAsPrimary(clp)
      ? await contracted({ payerId, providerNpi: appointment?.provider_npi ?? '', code: m.line.code, modifiers: m.line.modifiers, serviceDate: attempt.serviceDate, units: m.svc.units ?? 1 })
      : undefined;
    const short = underpaidCents(m.svc, contract);
    if (short && m.line && contract !== undefined) underpaid.push({ lineNumber: m.line.lineNumber, code: m.line.code, contractedCents: contract, underpaidCents: short });
    await db('payment_lines').insert({
      payment_id: payment.id, line_number: m.line?.lineNumber ?? null, match: m.match, code: m.svc.code, modifiers: m.svc.modifiers,
      charge_cents: m.svc.chargeCents, paid_cents: m.svc.paidCents, contracted_cents: contract ?? null, underpaid_cents: short,
    });
    if (m.line) {
      await db('claim_lines').where({ claim_id: attempt.claimId, line_number: m.line.lineNumber })
        .update({ paid_cents: db.raw('coalesce(paid_cents, 0) + ?', [m.svc.paidCents]) });
    }
  }
  // Amounts accumulate, so a reversal (negative) and its correction net out on the claim.
  await db('claims').where({ id: attempt.claimId }).update({
    status: remittanceStatus(clp),
    paid_cents: db.raw('paid_cents + ?', [clp.paidCents]),
    patient_responsibility_cents: db.raw('patient_responsibility_cents + ?', [clp.patientResponsibilityCents]),
    payer_claim_number: clp.payerClaimNumber ?? db.raw('payer_claim_number'),
    updated_at: db.fn.now(),
  });
  await db('claim_events').insert({
    claim_id: attempt.claimId, kind: '835', status: remittanceStatus(clp), source_key: key,
    detail: JSON.stringify({ traceNumber: r.trace.number, claimStatusCode: clp.statusCode, late, lines: matched.map((m) => m.match), underpaid }),
  }).onConflict(['claim_id', 'kind', 'source_key']).ignore();
  if (late) await db('audit_log').insert({ actor: 'posting', action: 'remittance.posted_late', visit_id: attempt.visitId, detail: JSON.stringify({ postingKey: key }) });
  return { ...base, outcome: 'posted', claimId: attempt.claimId, attempt: attempt.attempt, late, underpaid };
}

async function attemptsOf(db: Db, visitId: string): Promise<ClaimAttempt[]> {
  const claims = await db('claims as c').join('appointments as a', 'a.visit_id', 'c.visit_id')
    .where('c.patient_control_number', visitId)
    .select('c.id', 'c.visit_id', 'c.attempt', 'c.frequency', 'c.payer_id', 'c.payer_claim_number', 'a.service_date');
  const out: ClaimAttempt[] = [];
  for (const c of claims) {
    const lines = await db('claim_lines').where({ claim_id: c.id }).orderBy('line_number');
    out.push({
      claimId: c.id, visitId: c.visit_id, attempt: c.attempt, frequency: c.frequency, payerId: c.payer_id, payerClaimNumber: c.payer_claim_number ?? undefined,
      serviceDate: toDate(c.service_date),
      lines: lines.map((l) => ({
        lineNumber: l.line_number, controlNumber: l.line_control_number ?? String(l.line_number), code: l.code, modifiers: l.modifiers, chargeCents: Number(l.charge_cents),
      })),
    });
  }
  return out;
}

const toDate = (d: Date | string) => (typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`);
