/**
 * The one shape every integration error takes: a stable `code` callers branch on, and
 * whether retrying later can help. Transport trouble can (the outside party may or may
 * not have done the work, and idempotency keys make the retry safe); a refusal cannot.
 * activities/failures.ts turns these into Temporal failures in one place.
 */
export abstract class IntegrationError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
}
