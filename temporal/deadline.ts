/**
 * Deadlines on every call a Temporal client makes (start, signal, update, query, describe,
 * list, count): a server that does not answer fails the call after `callTimeoutMs` instead
 * of hanging the request that made it. The SDK's retry of transient gRPC errors stays, inside
 * the same deadline.
 */
import {
  defaultGrpcRetryOptions,
  isGrpcDeadlineError,
  isGrpcServiceError,
  makeGrpcRetryInterceptor,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type ConnectionOptions,
} from '@temporalio/client';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * Sets a deadline `ms` from now on every call that does not carry one (Connection.withDeadline's
 * own wins), and retries transient gRPC errors with the SDK's backoff only while the next attempt
 * would start before that deadline: no retry timer outlives the call it belongs to.
 */
export function deadlineInterceptor(ms: number): Interceptor {
  const defaults = defaultGrpcRetryOptions();
  return (options, nextCall) => {
    const deadline = options.deadline ?? Date.now() + ms;
    const until = typeof deadline === 'number' ? deadline : deadline.getTime();
    let delay = 0;
    const retry = makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) => {
        delay = defaults.delayFunction(attempt, status);
        return defaults.retryableDecider(attempt, status) && Date.now() + delay < until;
      },
      delayFunction: () => delay,
    });
    return retry({ ...options, deadline }, nextCall);
  };
}

/** Connection options whose every call has a deadline (for Connection.connect, or Connection.lazy). */
export function deadlineConnectionOptions(address: string, callTimeoutMs: number): ConnectionOptions {
  return { address, connectTimeout: callTimeoutMs, interceptors: [deadlineInterceptor(callTimeoutMs)] };
}

const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

/**
 * How a failed call to Temporal failed, when Temporal could not take it: 'timeout' (deadline
 * passed), 'unavailable' (no server), 'busy' (the server refused for load: RESOURCE_EXHAUSTED),
 * or undefined.
 */
export function temporalUnreachable(err: unknown): 'timeout' | 'unavailable' | 'busy' | undefined {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err)) return 'timeout';
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (isGrpcServiceError(e) && e.code === UNAVAILABLE) return 'unavailable';
    if (isGrpcServiceError(e) && e.code === RESOURCE_EXHAUSTED) return 'busy';
  }
  return undefined;
}
