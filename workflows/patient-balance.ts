/**
 * patientBalanceWorkflow: the patient's share after insurance answered, as a
 * child of the visit, so months of statements and payments stay out of the visit's history.
 * Statements go out on a durable cycle (timers: PATIENT_STATEMENT_DAYS from the opening);
 * payments arrive as a validated update (idempotent by reference, never more than is open)
 * and are recorded by an activity; a biller's write-off arrives from the visit as a signal.
 * It ends when the balance is paid, written off, or, still open some time after the last
 * statement (PATIENT_COLLECTIONS_AFTER_DAYS), sent to collections; each end is recorded.
 * The rules are pure (domain/billing/patient-balance.ts); the Temporal UI's current details
 * say in words what the balance waits for.
 */
import { allHandlersFinished, ApplicationFailure, condition, proxyActivities, setCurrentDetails, setHandler, startChild } from '@temporalio/workflow';
import type { VisitActivities } from '../activities';
import {
  balanceSchedule,
  decidePayment,
  describeBalance,
  openCents,
  paidCents,
  paymentProblem,
  type PatientLedger,
  type PatientPayment,
  type PostedPatientPayment,
} from '../domain/billing/patient-balance';
import { FailureType } from '../domain/failures';
import {
  activityOptions,
  patientBalanceQuery,
  patientBalanceWorkflowId,
  patientPaymentUpdate,
  writeOffPatientBalanceSignal,
  type PatientBalanceInput,
  type PatientBalanceStatus,
  type PatientPaymentReceipt,
} from './definitions';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function patientBalanceWorkflow(input: PatientBalanceInput): Promise<PatientBalanceStatus> {
  const { visitId, timers } = input;
  const acts = proxyActivities<VisitActivities>(activityOptions(timers));
  // The record's ledger: a cycle restarted after a failure keeps the payments and statements it had.
  const ledger: PatientLedger = await acts.openPatientBalance({ visitId, openingCents: input.openingCents, openedAt: new Date().toISOString() });
  const due = balanceSchedule(Date.parse(ledger.openedAt), input.statementsMs, input.collectionsAfterMs);
  /** Payments being recorded: what they hold is not open to another payment, and nothing closes before they land. */
  const underWay = new Map<string, { payment: PatientPayment; posted: Promise<PostedPatientPayment> }>();
  let pendingCents = 0;
  let writeOffReason: string | undefined;
  let closing = false;

  const status = (): PatientBalanceStatus => {
    const open = !ledger.resolution;
    const next = due.statementsDue[ledger.statements.length];
    return {
      ...ledger,
      visitId,
      openCents: openCents(ledger),
      paidCents: paidCents(ledger),
      ...(open && next !== undefined ? { nextStatementOn: day(next) } : {}),
      ...(open ? { collectionsOn: day(due.collectionsDue) } : {}),
      details: describeBalance(ledger, due),
    };
  };
  const show = () => setCurrentDetails(describeBalance(ledger, due));
  const settled = () => openCents(ledger) <= 0 || writeOffReason !== undefined;
  const refuse = (path: string, message: string) =>
    ApplicationFailure.create({ type: FailureType.PatientPaymentRefused, nonRetryable: true, message, details: [{ path }] });
  /** undefined: take the payment; else the same payment under way, or a refusal. */
  const judge = (p: PatientPayment): { duplicateOf?: Promise<PostedPatientPayment>; done?: PostedPatientPayment } | ApplicationFailure | undefined => {
    const inFlight = underWay.get(p.reference);
    if (inFlight) {
      const same = inFlight.payment.amountCents === p.amountCents && inFlight.payment.method === p.method;
      return same
        ? { duplicateOf: inFlight.posted }
        : refuse('reference', `reference ${p.reference} is being recorded for another payment: a new payment needs a new reference`);
    }
    const decision = decidePayment(ledger, p, pendingCents);
    if (decision.kind === 'duplicate') return { done: decision.payment };
    if (decision.kind === 'refused') return refuse(decision.path, decision.message);
    if (closing || writeOffReason !== undefined) {
      return refuse(
        'amountCents',
        `the patient balance is ${writeOffReason !== undefined ? 'being written off' : 'going to collections'}: nothing is open to pay here`,
      );
    }
    return undefined;
  };

  setHandler(patientBalanceQuery, status);
  setHandler(writeOffPatientBalanceSignal, ({ reason }) => {
    if (!closing) writeOffReason ??= reason;
  });
  setHandler(
    patientPaymentUpdate,
    async (p): Promise<PatientPaymentReceipt> => {
      const verdict = judge(p);
      if (verdict instanceof ApplicationFailure) throw verdict;
      if (verdict?.done) return { duplicate: true, payment: verdict.done, balance: status() };
      if (verdict?.duplicateOf) return { duplicate: true, payment: await verdict.duplicateOf, balance: status() };
      pendingCents += p.amountCents;
      const posted = acts.recordPatientPayment({
        visitId,
        payment: { amountCents: p.amountCents, method: p.method, reference: p.reference, receivedAt: new Date().toISOString() },
      });
      underWay.set(p.reference, { payment: p, posted });
      try {
        const payment = await posted;
        ledger.payments.push(payment);
        show();
        return { duplicate: false, payment, balance: status() };
      } catch (err) {
        // The record refused it (its reference holds another payment): the caller hears why, as a refusal.
        const cause = (err as { cause?: unknown }).cause;
        if (cause instanceof ApplicationFailure && cause.type === FailureType.PatientPaymentRefused) throw refuse('reference', cause.message);
        throw err;
      } finally {
        pendingCents -= p.amountCents;
        underWay.delete(p.reference);
      }
    },
    {
      validator: (p: PatientPayment) => {
        const problem = paymentProblem(p);
        if (problem)
          throw ApplicationFailure.create({
            type: FailureType.Validation,
            nonRetryable: true,
            message: `${problem.path}: ${problem.message}`,
            details: [problem],
          });
        const verdict = judge(p);
        if (verdict instanceof ApplicationFailure) throw verdict;
      },
    },
  );

  /** Waits until the instant, or until the balance is settled. */
  const until = async (at: number) => {
    const wait = at - Date.now();
    if (wait > 0) await condition(settled, wait);
  };

  if (!ledger.resolution) {
    show();
    for (let i = ledger.statements.length; i < due.statementsDue.length && !settled(); i++) {
      await until(due.statementsDue[i]);
      await condition(() => pendingCents === 0); // a statement states what is open once payments under way land
      if (settled()) break;
      const statement = { sequence: i + 1, amountDueCents: openCents(ledger), sentOn: day(Date.now()) };
      await acts.recordPatientStatement({ visitId, ...statement });
      ledger.statements.push(statement);
      show();
    }
    if (!settled()) await until(due.collectionsDue);
    closing = true;
    await condition(() => pendingCents === 0);
    const open = openCents(ledger);
    if (open <= 0) ledger.resolution = 'paid';
    else if (writeOffReason !== undefined)
      Object.assign(ledger, { resolution: 'written_off', writtenOffCents: ledger.writtenOffCents + open, reason: writeOffReason });
    else Object.assign(ledger, { resolution: 'collections', collectionsCents: open });
    await acts.closePatientBalance({
      visitId,
      resolution: ledger.resolution!,
      writtenOffCents: ledger.writtenOffCents,
      collectionsCents: ledger.collectionsCents,
      reason: ledger.reason,
      closedAt: new Date().toISOString(),
    });
    show();
  }
  await condition(allHandlersFinished);
  return status();
}

/**
 * Runs the visit's patient balance workflow and waits for how it ended. A biller's write-off
 * sent to the visit (`writeOffReason` turns defined) is forwarded to it as a signal.
 */
export async function collectPatientBalance(input: PatientBalanceInput, writeOffReason: () => string | undefined): Promise<PatientBalanceStatus> {
  const child = await startChild(patientBalanceWorkflow, { workflowId: patientBalanceWorkflowId(input.visitId), args: [input] });
  let done = false;
  void condition(() => done || writeOffReason() !== undefined)
    .then(() => (done ? undefined : child.signal(writeOffPatientBalanceSignal, { reason: writeOffReason()! })))
    .catch(() => undefined); // the balance ended meanwhile: nothing left to write off
  try {
    return await child.result();
  } finally {
    done = true;
  }
}
