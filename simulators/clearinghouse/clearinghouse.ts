/**
 * The simulated clearinghouse's state and behaviour: what it received (by interchange and claim),
 * what each payer answered (999, 277CA, 835 from the payer rules), appeals, and the snapshot it
 * persists. The HTTP, CORE and SFTP front ends in index.ts call it.
 */
import { build999, type SegmentError } from '../../domain/x12/acknowledgment';
import { build277, build277CA, ClaimStatusEntry, parse276 } from '../../domain/x12/claim-status';
import { build271, parse270 } from '../../domain/x12/eligibility';
import type { EnvelopeOptions } from '../../domain/x12/envelope';
import { parse837P } from '../../domain/x12/parse-837p';
import { claimChargeCents, ProfessionalClaim, ProfessionalClaimBatch } from '../../domain/x12/professional-claim';
import { Remittance, RemittanceClaim } from '../../domain/x12/remittance';
import { build835 } from '../../domain/x12/remittance-build';
import { Faults } from '../faults';
import { type Persistable } from '../persist';
import { CallbackSender, RetryPolicy } from './callbacks';
import {
  adjudicate,
  adjudicationTiming,
  clearinghouseStatus,
  correction,
  eligibilityAnswer,
  frontEndStatus,
  PayerHistory,
  PEND_INQUIRIES,
  REJECTING,
  reversesLater,
  syntaxErrors,
  type FrontEndStatus,
} from './payer';
import { ClearinghouseSnapshot, KnownClaim, SubmissionRecord } from './state';

export interface ClearinghouseSimulatorOptions {
  port?: number;
  host?: string;
  /** revcycle's webhook, e.g. http://127.0.0.1:3000/webhooks/clearinghouse */
  callbackUrl: string;
  /** The secret callbacks are signed with (revcycle's WEBHOOK_CLEARINGHOUSE_SECRET). */
  callbackSecret?: string;
  faults?: Faults;
  /** Before the 999 and 277CA go out. */
  ackDelayMs?: number;
  /** Between the 277CA and the 835. */
  adjudicationDelayMs?: number;
  /** Between the 277CA and the 835 of a LATE… claim (default ten adjudication delays). */
  lateAdjudicationDelayMs?: number;
  retry?: RetryPolicy;
  /** The simulator's clock, for envelope dates. */
  now?: () => Date;
  /**
   * JSON file the clearinghouse's memory is kept in across restarts (see ./state.ts; loaded at
   * start, saved after each change); in memory only without it.
   */
  dataFile?: string;
  /**
   * Where the 999, 277CA and 835 go: POSTed to `callbackUrl` (webhook, the HTTP transport's
   * way), kept for CORE retrieval (mailbox), or written to the SFTP root's outbound/ (folder).
   */
  delivery?: 'webhook' | 'mailbox' | 'folder';
  /** The credentials the CORE endpoints accept (WS-Security UsernameToken, or MIME UserName/Password). */
  core?: CoreCredentialsAccepted;
  /** The SFTP side's root folder (inbound/, outbound/, processed/); 837 files there are swept every `sftpSweepMs`. */
  sftpRoot?: string;
  sftpSweepMs?: number;
}
import { CoreCredentialsAccepted } from './core';

const SIM_ID = 'SIMCH';

export class Clearinghouse implements PayerHistory, Persistable<ClearinghouseSnapshot> {
  private readonly byInterchange = new Map<string, SubmissionRecord>();
  private readonly list: SubmissionRecord[] = [];
  /** payer|CLM01|frequency of every claim accepted into adjudication, and the claims that repeated one. */
  private readonly received = new Set<string>();
  private readonly duplicates = new Set<ProfessionalClaim>();
  /** Claims whose CLM01 the payer had seen before (resubmissions), for the rules that answer them differently. */
  private readonly resubmitted = new Set<ProfessionalClaim>();
  /** Appeals received, by packet id; and each claim's batch and envelope, to reprocess it. In memory only. */
  private readonly appeals = new Map<string, string>();
  private readonly batches = new Map<string, { batch: ProfessionalClaimBatch; env: EnvelopeOptions }>();
  private readonly remittances = new Map<string, RemittanceClaim>();
  private readonly byClaimId = new Map<string, KnownClaim>();
  private controlNumber = 0;
  private claimCounter = 0;
  /** Accepted claims whose 835 waits for claim status inquiries (PEND…) or never comes (LOST…), by CLM01; in memory only. */
  private readonly held = new Map<
    string,
    { batch: ProfessionalClaimBatch; claim: ProfessionalClaim; env: EnvelopeOptions; timing: 'pend' | 'lost'; inquiries: number }
  >();
  readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly sender: CallbackSender,
    private readonly opts: ClearinghouseSimulatorOptions,
    /** Called after every change worth keeping, e.g. to save a snapshot. */
    private readonly changed: () => void = () => {},
  ) {}

  snapshot(): ClearinghouseSnapshot {
    return {
      submissions: this.list,
      received: [...this.received],
      remittances: Object.fromEntries(this.remittances),
      byClaimId: Object.fromEntries(this.byClaimId),
      controlNumber: this.controlNumber,
      claimCounter: this.claimCounter,
    };
  }

  /** Takes back a snapshot into a fresh clearinghouse; its counters continue from the saved ones. */
  restore(snapshot: ClearinghouseSnapshot): void {
    for (const record of snapshot.submissions) {
      this.list.push(record);
      this.byInterchange.set(interchangeKey(record.senderId, record.controlNumber), record);
    }
    for (const key of snapshot.received) this.received.add(key);
    for (const [payerClaimNumber, clp] of Object.entries(snapshot.remittances)) this.remittances.set(payerClaimNumber, clp);
    for (const [claimId, known] of Object.entries(snapshot.byClaimId)) this.byClaimId.set(claimId, known);
    this.controlNumber = snapshot.controlNumber;
    this.claimCounter = snapshot.claimCounter;
  }

  submissions(): SubmissionRecord[] {
    return this.list.map((s) => ({ ...s, claims: s.claims.map((c) => ({ ...c })) }));
  }

  isDuplicate(claim: ProfessionalClaim): boolean {
    return this.duplicates.has(claim);
  }

  remitted(payerClaimNumber: string): RemittanceClaim | undefined {
    return this.remittances.get(payerClaimNumber);
  }

  adjudicated(): RemittanceClaim[] {
    return [...this.remittances.values()];
  }

  envelope(receiverId: string): EnvelopeOptions {
    const iso = (this.opts.now ?? (() => new Date()))().toISOString();
    const controlNumber = ++this.controlNumber;
    this.changed();
    return { controlNumber, senderId: SIM_ID, receiverId, date: iso.slice(0, 10), time: iso.slice(11, 16).replace(':', ''), usage: 'T' };
  }

  eligibility(x12: string): string {
    const { envelope, request } = parse270(x12);
    return build271(eligibilityAnswer(request), this.envelope(envelope.senderId));
  }

  claimStatus(x12: string): string {
    const { envelope, request } = parse276(x12);
    const known = this.byClaimId.get(request.patientControlNumber);
    const entry: ClaimStatusEntry = {
      patientControlNumber: request.patientControlNumber,
      chargeCents: request.chargeCents,
      serviceDate: request.serviceDate,
      subscriber: request.subscriber,
      status: { category: 'A4', code: '35' },
    };
    const held = this.held.get(request.patientControlNumber);
    if (held?.timing === 'lost') {
      // The payer lost it: "not found", and the claim sent again is not a duplicate of anything.
      this.received.delete(receivedKey(held.claim));
      this.held.delete(request.patientControlNumber);
    } else if (known) {
      const paid = known.status;
      entry.payerClaimNumber = known.payerClaimNumber;
      entry.status = !known.payerClaimNumber
        ? (known.frontEnd ?? frontEndStatus(known.claim))
        : !paid
          ? { category: 'P1', code: '20' }
          : paid.statusCode === '4'
            ? { category: 'F2', code: '1' }
            : { category: 'F1', code: '65' };
      if (paid) entry.paidCents = paid.paidCents;
      if (held && ++held.inquiries >= PEND_INQUIRIES) {
        // Released: adjudicated now, awaiting the payment cycle; the 835 follows.
        this.held.delete(request.patientControlNumber);
        entry.status = { category: 'F0', code: '3' };
        this.track(this.remitNow(held.batch, [held.claim], held.env));
      }
    }
    const answer = { payer: request.payer, submitter: request.submitter, provider: request.provider, date: envelope.date, claims: [entry] };
    return build277(answer, this.envelope(envelope.senderId));
  }

  /** Records the interchange; a repeat of the same sender and ISA13 changes nothing. */
  submit(x12: string): { submissionId: string; duplicate: boolean } {
    const parsed = parse837P(x12);
    const key = interchangeKey(parsed.envelope.senderId, String(parsed.envelope.controlNumber));
    const first = this.byInterchange.get(key);
    if (first) return { submissionId: first.submissionId, duplicate: true };
    const record: SubmissionRecord = {
      submissionId: `SUB${String(this.list.length + 1).padStart(6, '0')}`,
      senderId: parsed.envelope.senderId,
      controlNumber: String(parsed.envelope.controlNumber),
      claims: [],
    };
    this.byInterchange.set(key, record);
    this.list.push(record);
    // The clearinghouse checks the file against the implementation guide first (the 999); a file it
    // rejects reaches no payer. Then the payers' front ends look at the claims on arrival, so
    // duplicates are told by arrival order.
    const errors = syntaxErrors(parsed.batch.claims, (start) => segmentPosition(x12, start));
    const accepted = errors.length ? this.refuseAll(record, parsed.batch) : this.frontEnd(record, parsed.batch);
    this.changed();
    const work = this.answer(parsed.batch, accepted, parsed.envelope, errors);
    this.track(work);
    return { submissionId: record.submissionId, duplicate: false };
  }

  /** Background work `settled()` waits for. */
  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /**
   * The 999 and 277CA after ackDelayMs, the 835 after adjudicationDelayMs more. A reordered
   * batch (seeded Faults) holds the acknowledgments back and sends them after the 835, in
   * reverse, as mailboxes that are polled out of order do.
   */
  private async answer(batch: ProfessionalClaimBatch, accepted: ProfessionalClaim[], env: EnvelopeOptions, errors: SegmentError[]): Promise<void> {
    const reorder = this.sender.faults.reorder();
    if (!(await this.sender.wait(this.opts.ackDelayMs ?? 50))) return;
    const acks: [string, string][] = [['999', this.ack999(env, errors)]];
    if (errors.length) return this.deliverAll(acks);
    for (const [payer, claims] of byPayer(batch.claims)) {
      // Two-stage: the clearinghouse acknowledges the claims it forwards before the payer does.
      const forwarded = claims.filter((c) => clearinghouseStatus(c));
      if (forwarded.length) acks.push(['277CA', this.ack277(batch, payer, forwarded, env, (c) => clearinghouseStatus(c)!, true)]);
      acks.push(['277CA', this.ack277(batch, payer, claims, env, (c) => this.byClaimId.get(c.claimId)!.frontEnd!)]);
    }
    if (!reorder) await this.deliverAll(acks);
    if (!(await this.sender.wait(this.opts.adjudicationDelayMs ?? 200))) return;
    for (const c of accepted) this.batches.set(c.claimId, { batch, env });
    const timing = new Map(accepted.map((c) => [c, adjudicationTiming(c, this.resubmitted.has(c))]));
    for (const [claim, t] of timing) if (t === 'pend' || t === 'lost') this.held.set(claim.claimId, { batch, claim, env, timing: t, inquiries: 0 });
    const remits = this.remittanceFiles(
      batch,
      accepted.filter((c) => timing.get(c) === 'now'),
      env,
    );
    await this.deliverAll(reorder ? [...remits, ...acks.reverse()] : remits);
    const reversed = accepted.filter((c) => timing.get(c) === 'now' && reversesLater(c));
    if (reversed.length && (await this.sender.wait(this.opts.adjudicationDelayMs ?? 200))) await this.deliverAll(this.correctionFiles(batch, reversed, env));
    const late = accepted.filter((c) => timing.get(c) === 'late');
    if (late.length && (await this.sender.wait(this.opts.lateAdjudicationDelayMs ?? 10 * (this.opts.adjudicationDelayMs ?? 200))))
      await this.remitNow(batch, late, env);
  }

  /** REVERSE…: one 835 per payer that takes each paid claim back and pays it again corrected, under a new payer claim number. */
  private correctionFiles(batch: ProfessionalClaimBatch, claims: ProfessionalClaim[], env: EnvelopeOptions): [string, string][] {
    return [...byPayer(claims)].map(([, list]) => {
      const envelope = this.envelope(env.senderId);
      const clps = list.flatMap((c) => {
        const known = this.byClaimId.get(c.claimId)!;
        const original = this.remittances.get(known.payerClaimNumber!)!;
        const payerClaimNumber = `SIM${String(++this.claimCounter).padStart(9, '0')}`;
        const [reversal, corrected] = correction(c, original, payerClaimNumber, this);
        this.remittances.set(known.payerClaimNumber!, reversal);
        this.remittances.set(payerClaimNumber, corrected);
        Object.assign(known, { payerClaimNumber, status: corrected });
        return [reversal, corrected];
      });
      this.changed();
      return ['835', build835([this.payment(batch, clps, env, envelope.controlNumber)], envelope)];
    });
  }

  /** The 835s (one per payer) for adjudicated claims. */
  private remittanceFiles(batch: ProfessionalClaimBatch, claims: ProfessionalClaim[], env: EnvelopeOptions, appealed = false): [string, string][] {
    return [...byPayer(claims)].map(([, list]) => {
      const envelope = this.envelope(env.senderId);
      return ['835', build835([this.remit(batch, list, env, envelope.controlNumber, appealed)], envelope)];
    });
  }

  /**
   * An appeal of a denied claim: the payer reprocesses the claim it denied (same payer claim
   * number) after the adjudication delay and sends the new 835; the same packet id again is
   * the same appeal. Refused (404) for a claim this payer never adjudicated.
   */
  appeal(packet: { packetId?: unknown; patientControlNumber?: unknown; payerClaimNumber?: unknown; documents?: unknown }): {
    appealId: string;
    duplicate: boolean;
  } {
    const packetId = typeof packet.packetId === 'string' ? packet.packetId : '';
    const first = this.appeals.get(packetId);
    if (first) return { appealId: first, duplicate: true };
    const known = typeof packet.patientControlNumber === 'string' ? this.byClaimId.get(packet.patientControlNumber) : undefined;
    if (!packetId || !known?.status || known.payerClaimNumber !== packet.payerClaimNumber)
      throw new AppealRefused('no adjudicated claim with that patient control number and payer claim number');
    if (!Array.isArray(packet.documents) || packet.documents.length === 0) throw new AppealRefused('an appeal needs the clinical documentation');
    const appealId = `APL${String(this.appeals.size + 1).padStart(6, '0')}`;
    this.appeals.set(packetId, appealId);
    const { claim } = known;
    const batch = this.batches.get(claim.claimId)!;
    this.track(
      (async () => {
        if (await this.sender.wait(this.opts.adjudicationDelayMs ?? 200)) await this.deliverAll(this.remittanceFiles(batch.batch, [claim], batch.env, true));
      })(),
    );
    return { appealId, duplicate: false };
  }

  private remitNow(batch: ProfessionalClaimBatch, claims: ProfessionalClaim[], env: EnvelopeOptions): Promise<void> {
    return this.deliverAll(this.remittanceFiles(batch, claims, env));
  }

  private async deliverAll(files: [string, string][]): Promise<void> {
    for (const [kind, x12] of files) await this.sender.deliver(kind, x12);
  }

  /** Assigns payer claim numbers to the claims the front end accepts. */
  private frontEnd(record: SubmissionRecord, batch: ProfessionalClaimBatch): ProfessionalClaim[] {
    const accepted: ProfessionalClaim[] = [];
    for (const claim of batch.claims) {
      const key = receivedKey(claim);
      const seen = this.byClaimId.has(claim.claimId);
      if (seen) this.resubmitted.add(claim);
      const status = frontEndStatus(claim, seen);
      const ok = !REJECTING.test(status.category);
      // Only a claim accepted into adjudication can be duplicated: a front-end rejection
      // never reached the payer, so sending the fixed claim again is not a duplicate.
      if (ok && this.received.has(key)) this.duplicates.add(claim);
      if (ok) this.received.add(key);
      const payerClaimNumber = ok ? `SIM${String(++this.claimCounter).padStart(9, '0')}` : undefined;
      record.claims.push({ claimId: claim.claimId, frequency: claim.frequency, payerClaimNumber, status: ok ? 'accepted' : 'rejected' });
      this.byClaimId.set(claim.claimId, { claim, payerClaimNumber, frontEnd: status });
      if (ok) accepted.push(claim);
    }
    return accepted;
  }

  /** A file the 999 rejected: none of its claims reached a payer. */
  private refuseAll(record: SubmissionRecord, batch: ProfessionalClaimBatch): ProfessionalClaim[] {
    for (const claim of batch.claims) record.claims.push({ claimId: claim.claimId, frequency: claim.frequency, status: 'rejected' });
    return [];
  }

  private ack999(env: EnvelopeOptions, errors: SegmentError[]): string {
    const status = errors.length ? ('rejected' as const) : ('accepted' as const);
    const ack = {
      functionalId: 'HC',
      groupControlNumber: String(env.controlNumber),
      status,
      transactions: [{ type: '837', controlNumber: '0001', status, errors, codes: errors.length ? ['5'] : [] }],
      counts: { included: 1, received: 1, accepted: errors.length ? 0 : 1 },
    };
    return build999(ack, '005010X222A1', this.envelope(env.senderId));
  }

  /** A 277CA for claims of one payer: the payer's, or the clearinghouse's own (two-stage); it echoes the 837's BHT03. */
  private ack277(
    batch: ProfessionalClaimBatch,
    payer: ProfessionalClaim['payer'],
    claims: ProfessionalClaim[],
    env: EnvelopeOptions,
    statusOf: (c: ProfessionalClaim) => FrontEndStatus,
    byClearinghouse = false,
  ): string {
    const entries: ClaimStatusEntry[] = claims.map((c) => ({
      patientControlNumber: c.claimId,
      payerClaimNumber: byClearinghouse ? undefined : this.byClaimId.get(c.claimId)?.payerClaimNumber,
      status: statusOf(c),
      chargeCents: claimChargeCents(c),
      serviceDate: c.lines[0].serviceDate,
      subscriber: c.subscriber,
    }));
    const answer = {
      payer,
      submitter: batch.submitter,
      provider: { name: batch.billingProvider.name, npi: batch.billingProvider.npi },
      date: env.date,
      claims: entries,
      batchTrace: String(env.controlNumber),
      ...(byClearinghouse ? { clearinghouse: { name: 'SIM CLEARINGHOUSE', id: SIM_ID } } : {}),
    };
    return build277CA(answer, this.envelope(env.senderId));
  }

  /** One payment for the claims of one payer; the check number is the 835's own control number. */
  private remit(batch: ProfessionalClaimBatch, claims: ProfessionalClaim[], env: EnvelopeOptions, checkNumber: number, appealed = false): Remittance {
    const remitted = claims.map((c) => {
      const payerClaimNumber = this.byClaimId.get(c.claimId)!.payerClaimNumber!;
      const clp = adjudicate(c, payerClaimNumber, this, appealed);
      this.remittances.set(payerClaimNumber, clp);
      this.byClaimId.get(c.claimId)!.status = clp;
      return clp;
    });
    this.changed();
    return this.payment(batch, remitted, env, checkNumber);
  }

  /** The payment (BPR/TRN) and payer/payee of one 835 for these CLPs of one payer. */
  private payment(batch: ProfessionalClaimBatch, remitted: RemittanceClaim[], env: EnvelopeOptions, checkNumber: number): Remittance {
    const total = remitted.reduce((s, c) => s + c.paidCents, 0);
    const payer = batch.claims.find((c) => c.claimId === remitted[0].patientControlNumber)!.payer;
    const trace = `SIMCHK${String(checkNumber).padStart(6, '0')}`;
    // A payment cannot be negative: when reversals outweigh payments, the payer carries the
    // balance forward (PLB FB, negative) and moves no money, so the 835 still balances.
    const forward =
      total < 0
        ? [{ providerId: batch.billingProvider.npi, fiscalPeriodDate: `${env.date.slice(0, 4)}-12-31`, reasonCode: 'FB', reference: trace, amountCents: total }]
        : [];
    const amountCents = Math.max(total, 0);
    return {
      payment: { handling: amountCents > 0 ? 'I' : 'H', amountCents, creditDebit: 'C', method: amountCents > 0 ? 'CHK' : 'NON', date: env.date },
      trace: { number: trace, originatorId: '1999999999' },
      productionDate: env.date,
      payer: {
        name: payer.name,
        id: payer.id,
        address: { line1: '1 PAYER PLAZA', city: 'HARTFORD', state: 'CT', postalCode: '06101' },
        contactPhone: '8005550100',
      },
      payee: { name: batch.billingProvider.name, idQualifier: 'XX', id: batch.billingProvider.npi, taxId: batch.billingProvider.taxId },
      claims: remitted,
      providerAdjustments: forward,
    };
  }
}

export class AppealRefused extends Error {}

/** A payer calls a claim a duplicate when it has seen the same CLM01 and frequency before: per payer, so the secondary's claim is not the primary's. */
const receivedKey = (claim: ProfessionalClaim) => `${claim.payer.id}|${claim.claimId}|${claim.frequency}`;

const interchangeKey = (senderId: string, controlNumber: string) => `${senderId}|${controlNumber}`;

/** Position of the first segment starting with `start` in the file's first transaction set (ST = 1), as IK302 counts. */
function segmentPosition(x12: string, start: string): number {
  const terminator = x12.charAt(105) || '~'; // ISA is fixed-length: its 106th character ends it
  const segments = x12.split(terminator).map((seg) => seg.trim());
  const st = segments.findIndex((seg) => seg.startsWith('ST'));
  const at = segments.findIndex((seg, i) => i > st && seg.startsWith(start));
  return at > st ? at - st + 1 : 1;
}

function byPayer(claims: ProfessionalClaim[]): Map<ProfessionalClaim['payer'], ProfessionalClaim[]> {
  const ids = new Map<string, ProfessionalClaim['payer']>();
  const groups = new Map<ProfessionalClaim['payer'], ProfessionalClaim[]>();
  for (const c of claims) {
    const payer = ids.get(c.payer.id) ?? c.payer;
    ids.set(c.payer.id, payer);
    groups.set(payer, [...(groups.get(payer) ?? []), c]);
  }
  return groups;
}
