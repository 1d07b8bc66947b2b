/**
 * PmsClient for a PMS with a JSON API: `POST {baseUrl}/charges` with the post as the body
 * and an `Idempotency-Key` header. 201 = posted, 200 = that key was already posted (the
 * original ids come back, nothing new is posted). 4xx = rejected; 5xx, 408, 429, a
 * timeout or a dropped connection = unavailable, retried with the same key.
 */
import { z } from 'zod';
import { PmsRejectedError, PmsUnavailableError } from './errors';
import { remoteCode } from '../errors';
import type { PmsClient } from './types';

export interface RestPmsClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

const Posted = z.object({ pmsChargeIds: z.array(z.string()) });
const Problem = z.object({ code: z.string().optional(), message: z.string().optional() });

const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

export function createRestPmsClient(opts: RestPmsClientOptions): PmsClient {
  const url = `${opts.baseUrl.replace(/\/+$/, '')}/charges`;
  return {
    async postCharges(post) {
      let res: Response;
      let body: unknown;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': post.idempotencyKey },
          body: JSON.stringify(post),
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        body = await res.json().catch(() => undefined);
      } catch (err) {
        throw new PmsUnavailableError(`PMS ${url}: ${(err as Error).message}`, { cause: err });
      }
      if (retryable(res.status)) throw new PmsUnavailableError(`PMS ${url} answered ${res.status}`);
      if (res.status !== 200 && res.status !== 201) {
        const problem = Problem.safeParse(body).data;
        const code = remoteCode(problem?.code);
        throw new PmsRejectedError(`PMS refused the charges (HTTP ${res.status}${code ? `, ${code}` : ''})`, problem?.code, problem?.message);
      }
      const posted = Posted.safeParse(body);
      if (!posted.success) throw new PmsRejectedError(`PMS answered ${res.status} without charge ids`);
      return { pmsChargeIds: posted.data.pmsChargeIds, duplicate: res.status === 200 };
    },
  };
}
