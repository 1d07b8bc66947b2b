/**
 * The patient balance: what the payers said the patient owes (the 835's PR
 * adjustments), the statements sent on a cycle, the payments the patient made, and how it
 * ends: paid, written off by a biller, or sent to collections after the last statement.
 * Pure rules the patient balance workflow (workflows/patient-balance.ts) and the API share:
 * which payment is taken, which is the same payment again, which is refused and why, when the
 * next statement and collections are due, and the balance in words.
 */

export const PAYMENT_METHODS = ['cash', 'check', 'card', 'ach', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
/** The payment's reference (receipt, check or card transaction number): unique per visit, the payment's idempotency key. */
export const PAYMENT_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:#/-]{0,59}$/;
export const PAYMENT_REFERENCE_RULE = 'must be 1-60 letters, digits or . _ : # / -, starting with a letter or digit';
/** $100,000.00: a payment above it is a typo, not a patient's payment. */
export const MAX_PAYMENT_CENTS = 10_000_000;

export interface PatientPayment {
  amountCents: number;
  method: PaymentMethod;
  reference: string;
}

export interface PostedPatientPayment extends PatientPayment {
  receivedAt: string;
}

export interface PatientStatement {
  /** 1 for the first statement of the cycle. */
  sequence: number;
  amountDueCents: number;
  /** The day it was sent (YYYY-MM-DD). */
  sentOn: string;
}

export type BalanceResolution = 'paid' | 'written_off' | 'collections';

export interface PatientLedger {
  /** What the patient owed when the balance opened (the payers' PR less what the patient had paid). */
  openingCents: number;
  openedAt: string;
  payments: PostedPatientPayment[];
  statements: PatientStatement[];
  writtenOffCents: number;
  /** How it ended; absent while open. */
  resolution?: BalanceResolution;
  collectionsCents?: number;
  reason?: string;
}

export const paidCents = (l: Pick<PatientLedger, 'payments'>): number => l.payments.reduce((s, p) => s + p.amountCents, 0);
export const openCents = (l: Pick<PatientLedger, 'openingCents' | 'payments' | 'writtenOffCents'>): number => l.openingCents - paidCents(l) - l.writtenOffCents;

export const dollars = (c: number) => `${c < 0 ? '-' : ''}$${(Math.abs(c) / 100).toFixed(2)}`;

/** The first thing wrong with a payment's shape, by field (the API's zod schema says the same with its own words). */
export function paymentProblem(p: unknown): { path: string; message: string } | undefined {
  const v = (p ?? {}) as Record<string, unknown>;
  if (typeof p !== 'object' || p === null) return { path: '(body)', message: 'must be { amountCents, method, reference }' };
  if (!Number.isInteger(v.amountCents) || (v.amountCents as number) < 1 || (v.amountCents as number) > MAX_PAYMENT_CENTS) {
    return { path: 'amountCents', message: `must be a whole number of cents from 1 to ${MAX_PAYMENT_CENTS}` };
  }
  if (!PAYMENT_METHODS.includes(v.method as PaymentMethod)) return { path: 'method', message: `must be one of ${PAYMENT_METHODS.join(', ')}` };
  if (typeof v.reference !== 'string' || !PAYMENT_REFERENCE.test(v.reference)) return { path: 'reference', message: PAYMENT_REFERENCE_RULE };
  return undefined;
}

export type PaymentDecision =
  | { kind: 'apply' }
  /** The same payment again (same reference, amount and method): nothing changes. */
  | { kind: 'duplicate'; payment: PostedPatientPayment }
  | { kind: 'refused'; path: 'amountCents' | 'reference'; message: string };

/**
 * Whether a payment is taken. Its reference is its identity: the same reference with the same
 * amount and method is the same payment (a retried request), with anything else a mistake.
 * A payment may not be more than what is open, less what payments under way already hold.
 */
export function decidePayment(ledger: PatientLedger, p: PatientPayment, pendingCents = 0): PaymentDecision {
  const known = ledger.payments.find((x) => x.reference === p.reference);
  if (known) {
    if (known.amountCents === p.amountCents && known.method === p.method) return { kind: 'duplicate', payment: known };
    return {
      kind: 'refused',
      path: 'reference',
      message: `reference ${p.reference} was already used for a ${known.method} payment of ${dollars(known.amountCents)}: a new payment needs a new reference`,
    };
  }
  const open = openCents(ledger) - pendingCents;
  if (ledger.resolution)
    return { kind: 'refused', path: 'amountCents', message: `the patient balance is closed (${ledger.resolution.replace('_', ' ')}): nothing is open to pay` };
  if (open <= 0) return { kind: 'refused', path: 'amountCents', message: 'the patient balance is paid: nothing is open to pay' };
  if (p.amountCents > open) {
    return {
      kind: 'refused',
      path: 'amountCents',
      message: `${dollars(p.amountCents)} is more than the patient balance of ${dollars(open)}: take at most ${dollars(open)}`,
    };
  }
  return { kind: 'apply' };
}

/**
 * When each statement of the cycle is due and when an unpaid balance goes to collections, as
 * instants (ms), from the balance's opening: the offsets sorted, collections `collectionsAfterMs`
 * after the last statement.
 */
export function balanceSchedule(
  openedAtMs: number,
  statementsMs: readonly number[],
  collectionsAfterMs: number,
): { statementsDue: number[]; collectionsDue: number } {
  const offsets = [...statementsMs].map((o) => Math.max(0, o)).sort((a, b) => a - b);
  const statementsDue = offsets.map((o) => openedAtMs + o);
  return { statementsDue, collectionsDue: (statementsDue[statementsDue.length - 1] ?? openedAtMs) + Math.max(0, collectionsAfterMs) };
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The balance in words (Temporal UI current details, the visit's status): amounts, counts and days, no PHI. */
export function describeBalance(ledger: PatientLedger, due: { statementsDue: number[]; collectionsDue: number }): string {
  const total = due.statementsDue.length;
  const paid = paidCents(ledger);
  if (ledger.resolution === 'paid')
    return `Patient balance of ${dollars(ledger.openingCents)} paid in full after ${ledger.statements.length} of ${total} statements.`;
  if (ledger.resolution === 'written_off')
    return `Patient balance: ${dollars(ledger.writtenOffCents)} written off (paid ${dollars(paid)}): ${ledger.reason ?? 'by a biller'}.`;
  if (ledger.resolution === 'collections')
    return `Patient balance: ${dollars(ledger.collectionsCents ?? openCents(ledger))} sent to collections after ${total} statements (paid ${dollars(paid)}).`;
  const last = ledger.statements[ledger.statements.length - 1];
  const sent = last ? `statement ${last.sequence} of ${total} sent ${last.sentOn}` : `no statement sent yet (${total} in the cycle)`;
  const next = due.statementsDue[ledger.statements.length];
  const then = next !== undefined ? `next statement ${day(next)}` : `to collections on ${day(due.collectionsDue)} unless paid`;
  return (
    `Waiting for the patient's payment: ${dollars(openCents(ledger))} open of ${dollars(ledger.openingCents)} (paid ${dollars(paid)}); ${sent}; ${then}. ` +
    'Take a payment with POST /visits/{visitId}/patient-payments, or write it off with POST /visits/{visitId}/write-off.'
  );
}
