/**
 * One place that turns the integrations' typed errors into Temporal failures. Transport
 * trouble stays a plain error, which Temporal retries with backoff; a refusal that no
 * retry can cure becomes a non-retryable ApplicationFailure whose type the workflow
 * branches on.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ZodError } from 'zod';
import { FailureType, FAILURES, failureCodeOf } from '../domain/failures';
import { IntegrationError } from '../integrations/errors';

interface TypedError {
  code?: string;
  message?: string;
  problems?: unknown[];
  /** A domain error's message without the values it quotes (domain/x12/errors.ts). */
  fixedText?: string;
  /** Postgres: the constraint and the row's values, e.g. "Key (member_id)=(W123) already exists". */
  detail?: string;
  column?: string;
  constraint?: string;
}

/**
 * What the failure's details hold besides a typed payload: the words of the outside party (or
 * of Postgres) that the message leaves out. Details are payloads, sealed by the codec; the
 * message and its stack trace are encoded too (temporal/failure-converter.ts), but the
 * workflow copies messages into the visit's state, which GET /visits/:id shows every role.
 */
export interface RemoteText {
  remote: string;
}

/**
 * Postgres refusing the data itself (SQLSTATE class 22: a NUL byte, a value too long, a bad
 * date; class 23: a NOT NULL, foreign key or check violation) refuses it again on every retry.
 * 23505 (unique violation) stays retryable: the idempotent paths find the row on the next attempt.
 */
export function isDatabaseDataError(err: unknown): boolean {
  const code = (err as { code?: unknown; severity?: unknown })?.code;
  if (typeof code !== 'string' || !/^2[23][0-9A-Z]{3}$/.test(code) || typeof (err as { severity?: unknown }).severity !== 'string') return false;
  return code !== '23505';
}

/**
 * Messages are fixed text and codes. A refusal's own words (an OperationOutcome's diagnostics,
 * a clearinghouse's reply, Postgres quoting the bad value, an X12 value) go only into the
 * details, as `{ remote }`.
 */
export function asActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure || typeof err !== 'object' || err === null) return err;
  const e = err as TypedError;
  if (err instanceof ZodError) {
    // An input that fails its schema (e.g. an update sent from the Temporal UI) cannot pass on retry.
    return ApplicationFailure.create({
      type: FailureType.Validation,
      message: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      nonRetryable: true,
    });
  }
  const type = failureCodeOf(err);
  if (type === FailureType.EncounterNotBillable) {
    const problems = e.problems ?? [{ path: 'encounterId', reason: e.message }];
    return ApplicationFailure.create({ type: FailureType.EncounterNotBillable, message: e.message, nonRetryable: true, details: [problems] });
  }
  if (isDatabaseDataError(err)) {
    const on = [e.constraint && `constraint ${e.constraint}`, e.column && `column ${e.column}`].filter(Boolean).join(', ');
    const said = [e.message, e.detail].filter(Boolean).join(' | ');
    return failure(err as Error, FailureType.DatabaseDataError, `the database refused the data (SQLSTATE ${e.code}${on ? `, ${on}` : ''})`, true, said);
  }
  if (err instanceof IntegrationError) {
    if (!err.retryable) return failure(err, type ?? FailureType.Rejected, err.message, true, err.remote);
    // Retried by Temporal as before; a failure rather than the plain error only to keep the outside party's words, sealed.
    return err.remote ? failure(err, err.name, err.message, false, err.remote) : err;
  }
  if (type && !FAILURES[type].retryable) {
    return failure(err as Error, type, e.fixedText ?? e.message ?? type, true, e.fixedText ? e.message : undefined);
  }
  return err;
}

/** A failure whose stack keeps the original frames under the fixed message. */
function failure(original: Error, type: string, message: string, nonRetryable: boolean, remote: string | undefined): ApplicationFailure {
  const details: RemoteText[] | undefined = remote ? [{ remote }] : undefined;
  const mapped = ApplicationFailure.create({ type, message, nonRetryable, details });
  const frames = original.stack?.split('\n').filter((line) => /^\s+at /.test(line));
  if (frames?.length) mapped.stack = [`ApplicationFailure: ${message}`, ...frames].join('\n');
  return mapped;
}

type AsyncFns = Record<string, (...args: never[]) => Promise<unknown>>;

/** Wraps every activity so its errors pass through `asActivityFailure`. */
export function withFailureMapping<T extends AsyncFns>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    wrapped[name] = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw asActivityFailure(err);
      }
    };
  }
  return wrapped as T;
}
