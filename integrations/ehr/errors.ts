/**
 * What can go wrong talking to a FHIR EHR, typed so callers branch on `code`, not on text.
 * `retryable` says whether trying again later can help: transport trouble can, a refusal cannot.
 * Messages name the method and resource type, never the query (identifiers are PHI), and
 * never the EHR's own words (its OperationOutcome may quote the patient): those are `remote`.
 */
import { FailureType } from '../../domain/failures';
import { IntegrationError } from '../errors';

/** 5xx, 408, 429, a timeout or a dropped connection: the EHR may have done the work or not; retry. */
export class EhrUnavailableError extends IntegrationError {
  readonly code = 'EHR_UNAVAILABLE';
  readonly retryable = true;
  constructor(message: string, remote?: string) {
    super(message, { remote });
    this.name = 'EhrUnavailableError';
  }
}

/** The encounter the webhook or sweep named does not exist in the EHR. */
export class EncounterNotFoundError extends IntegrationError {
  /** Not found is not billable: a coder sees it in coding review. */
  readonly code = FailureType.EncounterNotBillable;
  readonly retryable = false;
  constructor(readonly encounterId: string) {
    super(`Encounter ${encounterId} was not found in the EHR`);
    this.name = 'EncounterNotFoundError';
  }
}

/** Any other 4xx: the EHR refused what we sent (invalid resource, ambiguous conditional create…). */
export class EhrRequestRejectedError extends IntegrationError {
  readonly code = FailureType.EhrRejected;
  readonly retryable = false;
  constructor(
    readonly status: number,
    message: string,
    remote?: string,
  ) {
    super(message, { remote });
    this.name = 'EhrRequestRejectedError';
  }
}
