/**
 * The one shape every integration error takes: a stable `code` callers branch on, and
 * whether retrying later can help. Transport trouble can (the outside party may or may
 * not have done the work, and idempotency keys make the retry safe); a refusal cannot.
 * activities/failures.ts turns these into Temporal failures in one place.
 */
export abstract class IntegrationError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  /**
   * What the outside party said in its refusal (an OperationOutcome's diagnostics, the text
   * of a reply, an HL7 ERR segment). It may quote what we sent, names and birth dates
   * included, so it is never part of `message` (which is fixed text and codes): activities
   * keep it only in the failure's details, which the payload codec seals.
   */
  readonly remote?: string;

  constructor(message: string, options?: { cause?: unknown; remote?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.remote) this.remote = options.remote;
  }
}

/** An outside party's own reason code, shown in a message only when it looks like a code (not free text). */
export function remoteCode(code: unknown): string | undefined {
  return typeof code === 'string' && /^[A-Za-z0-9_.:-]{1,40}$/.test(code) ? code : undefined;
}
