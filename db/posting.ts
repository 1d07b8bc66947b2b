/**
 * Posting an 835 to the billing record: one transaction per file, idempotent per claim
 * (the posting key), using the pure rules in domain/billing/posting.ts. A claim posts only
 * to the attempt `decidePosting` matches on every key; anything else (no such claim, another
 * payer, another charge, a reversal of nothing, out of balance) is kept in the posting queue
 * with its reason and an audit entry, and writes no payment. The file itself stays stored.
 * A claim whose visit is already closed is posted to its record all the same (late).
 */
import {
  answersAsPrimary,
  claimBalanceProblem,
  decidePosting,
  matchLines,
  postingKey,
  underpaidCents,
  type ClaimAttempt,
  type ClaimKeys,
  type PostingDecision,
  type RefusalReason,
} from '../domain/billing/posting';
import { audit } from './audit';
import { feeFor } from '../domain/billing/pricing';
import { remittanceStatus, type ClaimRemittance } from '../domain/claim';
import { parse835, type Remittance, type RemittanceClaim } from '../domain/x12/remittance';
import { feesFor } from './codesets';
import type { Db } from './knex';
import { addClaimEvent } from './claims';
import { insertPayment } from './payments';

/** The contracted (expected) amount of one line; undefined when no fee schedule says. */
export type ContractLookup = (q: {
  payerId: string;
  providerNpi: string;
  code: string;
  modifiers: string[];
  serviceDate: string;
  units: number;
}) => Promise<number | undefined>;

/**
 * The one place the contracted amount comes from: the fee schedule's expected amount for the
 * line (the fee pricing picks, domain/billing/pricing.ts `feeFor`, in effect on the date of
 * service), times the units the payer answered for. No fee: no contract, never underpaid.
 */
export const feeScheduleContracts =
  (db: Db): ContractLookup =>
  async (q) => {
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
  /** The claim it posted to, now or before; absent when it was queued (now or before). */
  claimId?: number;
  attempt?: number;
  late?: boolean;
  /** Why it was queued (unmatched or unbalanced): the reason word of decidePosting. */
  queueReason?: RefusalReason;
  underpaid: UnderpaidLine[];
}

/** Each claim (CLP) of an 835 file, in file order, numbered from 1, with the remittance it is in. */
function claimsOf(body: string): { position: number; r: Remittance; payerId: string; clp: RemittanceClaim }[] {
  let position = 0;
  return parse835(body).remittances.flatMap((r) => r.claims.map((clp) => ({ position: ++position, r, payerId: r.payer.id ?? r.trace.originatorId, clp })));
}

export interface ClaimDecision {
  position: number;
  postingKey: string;
  /** The visit whose attempt it matched; absent when it matched none. */
  visitId?: string;
  decision: PostingDecision;
}

/**
 * What each claim of an 835 file answers, decided now by the one rule (decidePosting): the
 * webhook hands a visit only the claims matched to it, and posts or queues the rest.
 */
export async function decideRemittanceFile(db: Db, body: string): Promise<ClaimDecision[]> {
  const out: ClaimDecision[] = [];
  for (const { position, r, payerId, clp } of claimsOf(body)) {
    const decision = decidePosting(clp, payerId, await attemptsOf(db, clp.patientControlNumber), claimBalanceProblem(clp));
    out.push({ position, postingKey: postingKey(r.trace.number, clp), visitId: decision.matched ? decision.attempt.visitId : undefined, decision });
  }
  return out;
}

/**
 * Posts every claim of a stored 835 (inbound_messages, by its file key), but those whose
 * posting key is in `skip` (handed to a running visit, which posts them itself).
 */
export async function postRemittanceFile(
  db: Db,
  documentKey: string,
  contracted?: ContractLookup,
  skip: ReadonlySet<string> = new Set(),
): Promise<PostedClaim[]> {
  const row = await db('inbound_messages').where({ channel: 'clearinghouse', message_key: documentKey }).first('body');
  if (!row) throw new Error(`no stored 835 with key ${documentKey}`);
  const claims = claimsOf(row.body);
  return db.transaction(async (trx) => {
    const posted: PostedClaim[] = [];
    for (const r of [...new Set(claims.map((c) => c.r))]) {
      const payerId = r.payer.id ?? r.trace.originatorId;
      if (r.providerAdjustments.length) {
        await trx('provider_adjustments')
          .insert(
            r.providerAdjustments.map((p, position) => ({
              document_key: documentKey,
              trace_number: r.trace.number,
              position,
              provider_id: p.providerId,
              reason_code: p.reasonCode,
              reference: p.reference ?? null,
              amount_cents: p.amountCents,
            })),
          )
          .onConflict(['document_key', 'trace_number', 'position'])
          .ignore();
      }
      for (const c of claims.filter((x) => x.r === r)) {
        if (skip.has(postingKey(r.trace.number, c.clp))) continue;
        posted.push(await postClaim(trx, documentKey, c.position, r, payerId, c.clp, contracted ?? feeScheduleContracts(trx)));
      }
    }
    return posted;
  });
}

async function postClaim(
  db: Db,
  documentKey: string,
  position: number,
  r: Remittance,
  payerId: string,
  clp: RemittanceClaim,
  contracted: ContractLookup,
): Promise<PostedClaim> {
  const key = postingKey(r.trace.number, clp);
  const base = { postingKey: key, visitId: clp.patientControlNumber, underpaid: [] as UnderpaidLine[] };
  const seen = await db('payments').where({ posting_key: key }).first('claim_id');
  if (seen) return { ...base, outcome: 'duplicate', claimId: seen.claim_id };
  if (await db('posting_queue').where({ posting_key: key }).first('id')) return { ...base, outcome: 'duplicate' };

  const attempts = await attemptsOf(db, clp.patientControlNumber);
  const decision = decidePosting(clp, payerId, attempts, claimBalanceProblem(clp));
  if (!decision.matched) {
    await queueRefused(db, decision, attempts, {
      postingKey: key,
      documentKey,
      position,
      traceNumber: r.trace.number,
      payerId,
      claim: clp,
      patientResponsibilityCents: clp.patientResponsibilityCents,
    });
    return { ...base, outcome: 'queued', queueReason: decision.reason };
  }
  const { attempt } = decision;

  const appointment = await db('appointments').where({ visit_id: attempt.visitId }).first('status', 'provider_npi');
  const late = !!appointment && appointment.status !== 'booked';
  const matched = matchLines(clp.lines, attempt.lines, attempt.serviceDate);
  const paymentId = await insertPayment(
    db,
    {
      claim_id: attempt.claimId,
      visit_id: attempt.visitId,
      payer_id: payerId,
      trace_number: r.trace.number,
      claim_status: clp.statusCode,
      charge_cents: clp.chargeCents,
      paid_cents: clp.paidCents,
      patient_responsibility_cents: clp.patientResponsibilityCents,
      paid_on: r.payment.date ?? null,
      posting_key: key,
      document_key: documentKey,
      late,
      payer_claim_number: clp.payerClaimNumber ?? null,
    },
    [
      ...clp.adjustments.map((a) => ({ line_number: null as number | null, a, rarcs: clp.remarks })),
      ...matched.flatMap((m) => m.svc.adjustments.map((a) => ({ line_number: m.line?.lineNumber ?? null, a, rarcs: m.svc.remarks }))),
    ].map(({ line_number, a, rarcs }) => ({ line_number, group_code: a.group, carc: a.carc, amount_cents: a.amountCents, rarcs })),
  );
  if (paymentId === undefined) return { ...base, outcome: 'duplicate', claimId: attempt.claimId };

  const underpaid: UnderpaidLine[] = [];
  for (const m of matched) {
    const contract =
      m.line && answersAsPrimary(clp)
        ? await contracted({
            payerId,
            providerNpi: appointment?.provider_npi ?? '',
            code: m.line.code,
            modifiers: m.line.modifiers,
            serviceDate: attempt.serviceDate,
            units: m.svc.units ?? 1,
          })
        : undefined;
    const short = underpaidCents(m.svc, contract);
    if (short && m.line && contract !== undefined)
      underpaid.push({ lineNumber: m.line.lineNumber, code: m.line.code, contractedCents: contract, underpaidCents: short });
    await db('payment_lines').insert({
      payment_id: paymentId,
      line_number: m.line?.lineNumber ?? null,
      match: m.match,
      code: m.svc.code,
      modifiers: m.svc.modifiers,
      charge_cents: m.svc.chargeCents,
      paid_cents: m.svc.paidCents,
      contracted_cents: contract ?? null,
      underpaid_cents: short,
    });
    if (m.line) {
      await db('claim_lines')
        .where({ claim_id: attempt.claimId, line_number: m.line.lineNumber })
        .update({ paid_cents: db.raw('coalesce(paid_cents, 0) + ?', [m.svc.paidCents]) });
    }
  }
  // Amounts accumulate, so a reversal (negative) and its correction net out on the claim.
  await db('claims')
    .where({ id: attempt.claimId })
    .update({
      status: remittanceStatus(clp),
      paid_cents: db.raw('paid_cents + ?', [clp.paidCents]),
      patient_responsibility_cents: db.raw('patient_responsibility_cents + ?', [clp.patientResponsibilityCents]),
      payer_claim_number: clp.payerClaimNumber ?? db.raw('payer_claim_number'),
      updated_at: db.fn.now(),
    });
  await db('claim_events')
    .insert({
      claim_id: attempt.claimId,
      kind: '835',
      status: remittanceStatus(clp),
      source_key: key,
      detail: JSON.stringify({ traceNumber: r.trace.number, claimStatusCode: clp.statusCode, late, lines: matched.map((m) => m.match), underpaid }),
    })
    .onConflict(['claim_id', 'kind', 'source_key'])
    .ignore();
  if (late) await audit(db, 'posting', 'remittance.posted_late', attempt.visitId, { postingKey: key });
  return { ...base, outcome: 'posted', claimId: attempt.claimId, attempt: attempt.attempt, late, underpaid };
}

/**
 * A refused claim, kept once (by its posting key) in the posting queue with its reason, and
 * in the audit trail: what was refused, why, and which visit its control number named.
 * Nothing is posted for it.
 */
export async function queueRefused(
  db: Db,
  decision: Extract<PostingDecision, { matched: false }>,
  attempts: ClaimAttempt[],
  c: {
    postingKey: string;
    documentKey?: string;
    position?: number;
    traceNumber: string;
    payerId: string;
    claim: ClaimKeys;
    patientResponsibilityCents: number;
  },
): Promise<boolean> {
  const { claim } = c;
  const [queued] = await db('posting_queue')
    .insert({
      posting_key: c.postingKey,
      document_key: c.documentKey ?? null,
      position: c.position ?? null,
      trace_number: c.traceNumber,
      patient_control_number: claim.patientControlNumber,
      payer_id: c.payerId,
      reason: decision.reason,
      detail: decision.detail,
      claim_status: claim.statusCode,
      frequency: claim.frequency ?? null,
      payer_claim_number: claim.payerClaimNumber ?? null,
      charge_cents: claim.chargeCents,
      paid_cents: claim.paidCents,
      patient_responsibility_cents: c.patientResponsibilityCents,
      claim_id: decision.attempt?.claimId ?? null,
    })
    .onConflict('posting_key')
    .ignore()
    .returning('id');
  if (!queued) return false;
  // The visit the control number names, when it names one of ours: its trail shows the refusal.
  const visitId = decision.attempt?.visitId ?? attempts.find((a) => a.patientControlNumber === claim.patientControlNumber)?.visitId ?? null;
  await audit(
    db,
    'posting',
    'remittance.refused',
    visitId,
    {
      queueId: queued.id,
      reason: decision.reason,
      postingKey: c.postingKey,
      documentKey: c.documentKey ?? null,
      position: c.position ?? null,
      patientControlNumber: claim.patientControlNumber,
      payerId: c.payerId,
      payerClaimNumber: claim.payerClaimNumber ?? null,
      claimStatus: claim.statusCode,
      chargeCents: claim.chargeCents,
      paidCents: claim.paidCents,
      claimId: decision.attempt?.claimId ?? null,
    },
    { source: 'posting' },
  );
  return true;
}

/** The claim attempts sent with this patient control number (CLM01), with the 835 answers already posted to each. */
export async function attemptsOf(db: Db, patientControlNumber: string): Promise<ClaimAttempt[]> {
  const claims = await db('claims as c')
    .join('appointments as a', 'a.visit_id', 'c.visit_id')
    .where('c.patient_control_number', patientControlNumber)
    .select(
      'c.id',
      'c.visit_id',
      'c.patient_control_number',
      'c.attempt',
      'c.frequency',
      'c.payer_id',
      'c.payer_claim_number',
      'c.billed_cents',
      'c.status',
      'a.service_date',
    );
  if (!claims.length) return [];
  const ids = claims.map((c) => c.id as number);
  const [lines, answers] = await Promise.all([
    db('claim_lines').whereIn('claim_id', ids).orderBy(['claim_id', 'line_number']),
    db('payments').whereIn('claim_id', ids).orderBy('id').select('claim_id', 'claim_status', 'paid_cents', 'payer_claim_number'),
  ]);
  return claims.map((c) => ({
    claimId: c.id,
    visitId: c.visit_id,
    patientControlNumber: c.patient_control_number,
    attempt: c.attempt,
    frequency: c.frequency,
    payerId: c.payer_id,
    payerClaimNumber: c.payer_claim_number ?? undefined,
    billedCents: Number(c.billed_cents),
    status: c.status,
    serviceDate: toDate(c.service_date),
    lines: lines
      .filter((l) => l.claim_id === c.id)
      .map((l) => ({
        lineNumber: l.line_number,
        controlNumber: l.line_control_number ?? String(l.line_number),
        code: l.code,
        modifiers: l.modifiers,
        chargeCents: Number(l.charge_cents),
      })),
    answers: answers
      .filter((p) => p.claim_id === c.id)
      .map((p) => ({
        statusCode: p.claim_status,
        paidCents: Number(p.paid_cents),
        ...(p.payer_claim_number ? { payerClaimNumber: p.payer_claim_number } : {}),
      })),
  }));
}

const toDate = (d: Date | string) =>
  typeof d === 'string' ? d.slice(0, 10) : `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/**
 * An 835 file whose payment does not equal its claims less PLB (BPR02 ≠ Σ CLP04 − Σ PLB) posts
 * nothing, but is kept: each of its claims waits in the posting queue, as unbalanced (or with the
 * reason it matches nothing), keyed by the file and the claim's place in it, so a corrected file
 * with the same trace number still posts. Returns how many entries were queued now.
 */
export async function queueUnbalancedFile(db: Db, documentKey: string, detail: string): Promise<number> {
  const row = await db('inbound_messages').where({ channel: 'clearinghouse', message_key: documentKey }).first('body');
  if (!row) throw new Error(`no stored 835 with key ${documentKey}`);
  const claims = claimsOf(row.body);
  return db.transaction(async (trx) => {
    let queued = 0;
    for (const { position, r, payerId, clp } of claims) {
      const attempts = await attemptsOf(trx, clp.patientControlNumber);
      const d = decidePosting(clp, payerId, attempts, claimBalanceProblem(clp));
      const refusal: Extract<PostingDecision, { matched: false }> = d.matched
        ? { matched: false, reason: 'unbalanced', detail, attempt: d.attempt }
        : d.reason === 'unbalanced'
          ? { ...d, detail: `${detail}; ${d.detail}` }
          : d;
      const c = {
        postingKey: `file:${documentKey}#${position}`,
        documentKey,
        position,
        traceNumber: r.trace.number,
        payerId,
        claim: clp,
        patientResponsibilityCents: clp.patientResponsibilityCents,
      };
      if (await queueRefused(trx, refusal, attempts, c)) queued++;
    }
    return queued;
  });
}

/**
 * Records an 835 answer that came without its stored file (a signal only), once per source key,
 * to the attempt it answers by the one rule (domain/billing/posting.ts `decidePosting`): an
 * answer that matches no attempt of the visit on every key is queued with its reason and
 * audited, and writes no payment. 835 files received by the webhook are posted line by line by
 * db/posting.ts instead.
 */
export async function saveRemittance(db: Db, visitId: string, r: ClaimRemittance): Promise<'posted' | 'duplicate' | 'queued'> {
  const postingKey = `signal:${r.sourceKey}`;
  return db.transaction(async (trx) => {
    if (await trx('payments').where({ posting_key: postingKey }).first('id')) return 'duplicate';
    if (await trx('posting_queue').where({ posting_key: postingKey }).first('id')) return 'duplicate';
    const claim = {
      patientControlNumber: visitId,
      statusCode: r.claimStatusCode,
      chargeCents: r.chargeCents,
      paidCents: r.paidCents,
      payerClaimNumber: r.payerClaimNumber,
      frequency: r.frequency,
    };
    const attempts = await attemptsOf(trx, visitId);
    const decision = decidePosting(claim, r.payerId, attempts);
    if (!decision.matched) {
      await queueRefused(trx, decision, attempts, {
        postingKey,
        traceNumber: r.traceNumber,
        payerId: r.payerId,
        claim,
        patientResponsibilityCents: r.patientResponsibilityCents,
      });
      return 'queued';
    }
    const claimId = decision.attempt.claimId;
    const status = remittanceStatus({ ...r, statusCode: r.claimStatusCode });
    const paymentId = await insertPayment(
      trx,
      {
        claim_id: claimId,
        visit_id: decision.attempt.visitId,
        payer_id: r.payerId,
        trace_number: r.traceNumber,
        claim_status: r.claimStatusCode,
        charge_cents: r.chargeCents,
        paid_cents: r.paidCents,
        patient_responsibility_cents: r.patientResponsibilityCents,
        paid_on: r.paidOn ?? null,
        posting_key: postingKey,
        payer_claim_number: r.payerClaimNumber ?? null,
      },
      r.adjustments.map((a) => ({ line_number: a.lineNumber, group_code: a.group, carc: a.carc, amount_cents: a.amountCents, rarcs: a.rarcs })),
    );
    if (paymentId === undefined) return 'duplicate';
    for (const line of r.lines) {
      await trx('claim_lines').where({ claim_id: claimId, line_number: line.lineNumber }).update({ paid_cents: line.paidCents });
    }
    await trx('claims')
      .where({ id: claimId })
      .update({
        status,
        paid_cents: r.paidCents,
        patient_responsibility_cents: r.patientResponsibilityCents,
        payer_claim_number: r.payerClaimNumber ?? trx.raw('payer_claim_number'),
        updated_at: trx.fn.now(),
      });
    await addClaimEvent(trx, claimId, '835', status, { traceNumber: r.traceNumber, claimStatusCode: r.claimStatusCode }, r.sourceKey);
    return 'posted';
  });
}
