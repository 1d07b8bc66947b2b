/**
 * One error vocabulary for the API, mapped to HTTP in one middleware: every error body
 * is `{ code, message, hint?, issues? }`. A client's mistake is a 4xx naming the field
 * and the reason; anything else is a 500 with no internals in the body.
 */
import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { FailureType, FAILURES, failureCodeOf, isFailureType } from '../domain/failures';
import type { X12Location } from '../domain/x12/errors';
import { temporalUnreachable } from '../temporal/deadline';

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

/** The API's answer to a failure of the vocabulary, as the one table (domain/failures.ts FAILURES) says. */
function fromTable(type: FailureType, message: string, issues?: Issue[], retryAfterSeconds?: number): ApiError {
  const http = FAILURES[type].http;
  if (!http) throw new Error(`${type} has no HTTP answer in FAILURES`);
  return new ApiError(http.status, http.code, message, http.hint, issues, retryAfterSeconds);
}

/** Temporal (or the API's own bound on reads waiting for it) has more than it takes: refused at once, to be sent again shortly. */
export const temporalBusy = (message: string) => fromTable(FailureType.TemporalBusy, message, undefined, 1);

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
  if (bodyError?.type === 'entity.parse.failed')
    return new ApiError(
      400,
      'MALFORMED_BODY',
      'the request body is not valid JSON',
      'send a JSON object',
      bodyIssue('not valid JSON (an object or array is expected)'),
    );
  if (bodyError?.type === 'entity.too.large')
    return new ApiError(
      413,
      'BODY_TOO_LARGE',
      'the request body is too large',
      undefined,
      bodyIssue(`larger than this route accepts${bodyError.limit ? ` (${bodyError.limit} bytes)` : ''}`),
    );
  if (bodyError?.type === 'charset.unsupported' || bodyError?.type === 'encoding.unsupported')
    return new ApiError(415, 'UNSUPPORTED_ENCODING', 'unsupported body encoding', undefined, bodyIssue('unsupported charset or content-encoding'));
  const coded = failureCodeOf(err);
  if (coded && FAILURES[coded].http) {
    // A file refused as it came in (X12 that cannot be read, an 835 that does not balance): the issue points into it.
    const issue = coded === FailureType.RemittanceUnbalanced ? 'BPR02' : x12Path((err as { location?: X12Location }).location);
    return fromTable(coded, (err as Error).message, [{ path: issue, message: (err as Error).message }]);
  }
  if (err instanceof WorkflowNotFoundError) return notFound('visit');
  const unreachable = temporalUnreachable(err);
  if (unreachable === 'unavailable') return fromTable(FailureType.TemporalUnavailable, 'the workflow service (Temporal) cannot be reached', undefined, 30);
  if (unreachable === 'busy') return temporalBusy('the workflow service (Temporal) refused the call for load');
  if (unreachable === 'timeout') return fromTable(FailureType.TemporalTimeout, 'the workflow service (Temporal) did not answer in time');
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && isFailureType(err.cause.type) && FAILURES[err.cause.type].http) {
    // The workflow's update validators refuse with the shared vocabulary; a suggestion refusal is about the choice.
    const { type, message } = err.cause;
    return fromTable(type as FailureType, message, type === FailureType.SuggestionRejected ? [{ path: 'choice', message }] : detailIssues(err.cause));
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
      log('request failed', {
        method: req.method,
        path: req.path,
        error: err instanceof Error ? `${err.name}: ${err.message}${grpcCodeOf(err)}` : String(err),
      });
      res.status(500).json({ code: 'INTERNAL', message: 'internal error; the request may be retried' });
      return;
    }
    if (known.retryAfterSeconds !== undefined) res.setHeader('retry-after', String(known.retryAfterSeconds));
    res.status(known.status).json({ code: known.code, message: known.message, hint: known.hint, issues: known.issues });
  };
}
