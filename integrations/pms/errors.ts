/**
 * The two ways a charge post fails. The activity layer maps them to Temporal: a rejection
 * is a non-retryable ApplicationFailure (a person must fix the charges), unavailability is
 * retried with backoff, with the same idempotency key / control id, so a post that did
 * land but whose answer was lost is not posted twice.
 */
import { FailureType } from '../../domain/failures';
import { IntegrationError } from '../errors';

/** The PMS refused the post (HL7 AE or AR, HTTP 4xx): sending it again will not help. */
export class PmsRejectedError extends IntegrationError {
  readonly code = FailureType.PmsRejected;
  readonly retryable = false;
  constructor(
    message: string,
    /** The PMS's own reason code (ERR-5 / the JSON error code), when it gave one. */
    readonly reason?: string,
    remote?: string,
  ) {
    super(message, { remote });
    this.name = 'PmsRejectedError';
  }
}

/** No answer, a dropped connection, HTTP 5xx, or an HL7 AR that asks to send again. */
export class PmsUnavailableError extends IntegrationError {
  readonly code = 'PMS_UNAVAILABLE';
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown; remote?: string }) {
    super(message, options);
    this.name = 'PmsUnavailableError';
  }
}
