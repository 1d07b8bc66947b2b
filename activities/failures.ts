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

export function asActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure || typeof err !== 'object' || err === null) return err;
  const e = err as TypedError;
  if (err instanceof ZodError) {
    // An input that fails its schema (e.g. an update sent from the Temporal UI) cannot pass on retry.
    return ApplicationFailure.create({ type: FailureType.Validation, message: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), nonRetryable: true });
  }
  const type = failureCodeOf(err);
  if (type === FailureType.EncounterNotBillable) {
    const problems = e.problems ?? [{ path: 'encounterId', reason: e.message }];
    return ApplicationFailure.create({ type: FailureType.EncounterNotBillable, message: e.message, nonRetryable: true, details: [problems] });
  }
  if (isDatabaseDataError(err)) {
    return ApplicationFailure.create({ type: FailureType.DatabaseDataError, message: `the database refused the data (SQLSTATE ${e.code}): ${e.message}`, nonRetryable: true });
  }
  if ((err instanceof IntegrationError && !err.retryable) || (type && !FAILURES[type].retryable)) {
    return ApplicationFailure.create({ type: type ?? FailureType.Rejected, message: e.message, nonRetryable: true });
  }
  return err;
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
