/**
 * One error vocabulary for the API, mapped to HTTP in one middleware: every error body
 * is `{ code, message, hint?, issues? }`. A client's mistake is a 4xx naming the field
 * and the reason; anything else is a 500 with no internals in the body.
 */
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { FailureType, isFailureType, X12_REFUSALS } from '../domain/failures';
import type { X12Location } from '../domain/x12/errors';
import { temporalUnreachable } from '../temporal/deadline';
import { SUGGESTION_REJECTED } from '../workflows/definitions';

export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
    readonly issues?: Issue[],
    /** Sent as Retry-After: when the same request may succeed if sent again (503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Temporal (or the API's own bound on reads waiting for it) has more than it takes: refused at once, to be sent again shortly. */
export const temporalBusy = (message: string) =>
  new ApiError(503, FailureType.TemporalBusy, message, 'nothing was changed; send it again after the seconds in Retry-After', undefined, 1);

/** The one issue of a request whose body as a whole is wrong. */
export const bodyIssue = (message: string): Issue[] => [{ path: '(body)', message }];

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`, undefined, [{ path: what, message: 'not found' }]);

export function zodIssues(err: ZodError): Issue[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(body)', message: i.message }));
}

/** Where in an X12 file a refusal points, as an issue path: "line 12, CAS01". */
function x12Path(loc: X12Location | undefined): string {
  if (!loc) return '(body)';
  const at = loc.segment ? `${loc.segment}${loc.element ? String(loc.element).padStart(2, '0') : ''}` : '';
  return [loc.line !== undefined ? `line ${loc.line}` : '', at].filter(Boolean).join(', ') || '(body)';
}

function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return new ApiError(400, 'VALIDATION_FAILED', 'the request is not valid', 'fix the fields listed in issues', zodIssues(err));
  const bodyError = err as { type?: string; status?: number; limit?: number };
  if (bodyError?.type === 'entity.parse.failed') return new ApiError(400, 'MALFORMED_BODY', 'the request body is not valid JSON', 'send a JSON object', bodyIssue('not valid JSON (an object or array is expected)'));
  if (bodyError?.type === 'entity.too.large') return new ApiError(413, 'BODY_TOO_LARGE', 'the request body is too large', undefined, bodyIssue(`larger than this route accepts${bodyError.limit ? ` (${bodyError.limit} bytes)` : ''}`));
  if (bodyError?.type === 'charset.unsupported' || bodyError?.type === 'encoding.unsupported') return new ApiError(415, 'UNSUPPORTED_ENCODING', 'unsupported body encoding', undefined, bodyIssue('unsupported charset or content-encoding'));
  const coded = (err as { code?: string; message?: string })?.code;
  if (isFailureType(coded) && X12_REFUSALS.includes(coded)) {
    return new ApiError(400, coded, (err as Error).message, 'the file was not stored: fix it and send it again', [{ path: x12Path((err as { location?: X12Location }).location), message: (err as Error).message }]);
  }
  if (coded === FailureType.RemittanceUnbalanced) {
    // The balancing rule (X221A1 1.10.2.1): BPR02 = Σ CLP04 − Σ PLB.
    return new ApiError(422, coded, (err as Error).message, 'nothing was posted; the file is kept and its claims wait in the posting queue (GET /remittances?status=unbalanced): ask the payer for a corrected 835', [{ path: 'BPR02', message: (err as Error).message }]);
  }
  if (err instanceof WorkflowNotFoundError) return notFound('visit');
  const unreachable = temporalUnreachable(err);
  if (unreachable === 'unavailable') return new ApiError(503, FailureType.TemporalUnavailable, 'the workflow service (Temporal) cannot be reached', 'nothing was changed; try again in a minute', undefined, 30);
  if (unreachable === 'busy') return temporalBusy('the workflow service (Temporal) refused the call for load');
  if (unreachable === 'timeout') {
    return new ApiError(504, FailureType.TemporalTimeout, 'the workflow service (Temporal) did not answer in time', 'the request may or may not have taken effect; read the visit, then try again (starts and signals are idempotent)');
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    // The workflow's update validators refuse with the shared vocabulary.
    if (err.cause.type === FailureType.InvalidStage) return new ApiError(409, 'INVALID_STAGE', err.cause.message, 'read the visit\'s stage with GET /visits/{visitId}');
    if (err.cause.type === FailureType.Validation) return new ApiError(400, 'VALIDATION_FAILED', err.cause.message, 'fix the request and send it again', detailIssues(err.cause));
    if (err.cause.type === FailureType.PatientPaymentRefused) {
      return new ApiError(409, FailureType.PatientPaymentRefused, err.cause.message, 'read the balance with GET /visits/{visitId} (patientBalance)', detailIssues(err.cause));
    }
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === SUGGESTION_REJECTED) {
    return new ApiError(422, 'SUGGESTION_REJECTED', err.cause.message, 'pick one of the finding\'s suggestion.options from GET /visits/{visitId}', [{ path: 'choice', message: err.cause.message }]);
  }
  return undefined;
}

/** The field a workflow's refusal names (its details: `[{ path }]`), as the body's issues. */
function detailIssues(f: ApplicationFailure): Issue[] | undefined {
  const path = (f.details?.[0] as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? [{ path, message: f.message }] : undefined;
}

/** The gRPC status code behind a failed Temporal call (the SDK wraps it as the cause), for the operator's log line. */
function grpcCodeOf(err: Error): string {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e)) return ` (gRPC status ${e.code}: ${e.details})`;
  }
  return '';
}

export function errorMiddleware(log: (msg: string, meta: object) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toApiError(err);
    if (!known) {
      // Log the failure for operators (no request body: it may hold PHI); the client gets no internals.
      log('request failed', { method: req.method, path: req.path, error: err instanceof Error ? `${err.name}: ${err.message}${grpcCodeOf(err)}` : String(err) });
      res.status(500).json({ code: 'INTERNAL', message: 'internal error; the request may be retried' });
      return;
    }
    if (known.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(known.retryAfterSeconds));
    res.status(known.status).json({ code: known.code, message: known.message, hint: known.hint, issues: known.issues });
  };
}
