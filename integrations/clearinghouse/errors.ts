/**
 * How a clearinghouse call fails. Activities map them to Temporal: a rejection is
 * non-retryable (the bytes must change), unavailability is retried with backoff and
 * the same bytes, which the clearinghouse de-duplicates by interchange control number.
 */
import { FailureType } from '../../domain/failures';
import { IntegrationError } from '../errors';

/** The clearinghouse refused the file (HTTP 4xx): sending it again will not help. */
export class ClearinghouseRejectedError extends IntegrationError {
  readonly code = FailureType.ClearinghouseRejected;
  readonly retryable = false;
  constructor(
    message: string,
    readonly status: number,
    /** The clearinghouse's own reason code, e.g. X12_SYNTAX. */
    readonly reason?: string,
    remote?: string,
  ) {
    super(message, { remote });
    this.name = 'ClearinghouseRejectedError';
  }
}

/** No answer in time, a dropped connection, HTTP 5xx/408/429, or an answer we cannot read. */
export class ClearinghouseUnavailableError extends IntegrationError {
  readonly code = 'CLEARINGHOUSE_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; remote?: string },
  ) {
    super(message, options);
    this.name = 'ClearinghouseUnavailableError';
  }
}
