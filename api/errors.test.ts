import type { Request, Response } from 'express';
import { FailureType } from '../domain/failures';
import { errorMiddleware } from './errors';

/** What the middleware answered: status, headers and body. */
function answer(err: unknown) {
  const logged: object[] = [];
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const res = {
    setHeader: (k: string, v: string) => void (sent.headers[k.toLowerCase()] = v),
    status: (s: number) => ((sent.status = s), res),
    json: (b: unknown) => void (sent.body = b),
  } as unknown as Response;
  errorMiddleware((msg, meta) => void logged.push({ msg, ...meta }))(err, { method: 'GET', path: '/visits/v1' } as Request, res, () => {});
  return { ...sent, logged };
}

/** A gRPC status error as @grpc/grpc-js makes it, wrapped as the Temporal client wraps a failed call. */
function failedCall(code: number, details: string): Error {
  const grpc = Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
  return Object.assign(new Error('Failed to query Workflow', { cause: grpc }), { name: 'ServiceError' });
}

test('Temporal refusing a call for load (RESOURCE_EXHAUSTED) is 503 TEMPORAL_BUSY with Retry-After, not a 500', () => {
  const res = answer(failedCall(8, 'namespace rate limit exceeded'));
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.body).toMatchObject({ code: FailureType.TemporalBusy });
  expect(res.logged).toEqual([]);
});

test("an unknown failure is a 500 without internals, and the operator's log line names the gRPC status behind it", () => {
  const res = answer(failedCall(13, 'query task failed'));
  expect(res.status).toBe(500);
  expect(res.body).toEqual({ code: 'INTERNAL', message: 'internal error; the request may be retried' });
  expect(res.logged).toEqual([
    { msg: 'request failed', method: 'GET', path: '/visits/v1', error: 'ServiceError: Failed to query Workflow (gRPC status 13: query task failed)' },
  ]);
});
