/**
 * ClearinghouseClient over HTTP: `POST {baseUrl}/x12` with the interchange as the body
 * (application/edi-x12). A 270 is answered at once with a 271; a 276 with a 277; an
 * 837P with 202 `{ submissionId, duplicate }` (200 and duplicate=true when that
 * sender's interchange control number was already accepted). Later answers (999,
 * 277CA, 835) arrive on revcycle's webhook, not here.
 */
import { z } from 'zod';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from './errors';
import { remoteCode } from '../errors';
import type { ClearinghouseClient } from './types';

export interface HttpClearinghouseOptions {
  baseUrl: string;
  timeoutMs: number;
}

const Submitted = z.object({ submissionId: z.string().min(1), duplicate: z.boolean() });
const AppealReceived = z.object({ appealId: z.string().min(1), duplicate: z.boolean() });
const Problem = z.object({ code: z.string().optional(), message: z.string().optional() });

const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

export function createHttpClearinghouseClient(opts: HttpClearinghouseOptions): ClearinghouseClient {
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function post(body: string, path = '/x12', contentType = 'application/edi-x12'): Promise<{ status: number; text: string }> {
    const url = `${base}${path}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body, signal: AbortSignal.timeout(opts.timeoutMs) });
      text = await res.text();
    } catch (err) {
      throw new ClearinghouseUnavailableError(`clearinghouse ${url}: ${(err as Error).message}`, undefined, { cause: err });
    }
    if (retryable(res.status)) throw new ClearinghouseUnavailableError(`clearinghouse ${url} answered ${res.status}`, res.status);
    if (res.status >= 400) {
      const problem = Problem.safeParse(safeJson(text)).data;
      const code = remoteCode(problem?.code);
      throw new ClearinghouseRejectedError(
        `clearinghouse refused the file (HTTP ${res.status}${code ? `, ${code}` : ''})`,
        res.status,
        problem?.code,
        problem?.message ?? text.slice(0, 200),
      );
    }
    if (res.status >= 300) throw new ClearinghouseUnavailableError(`clearinghouse ${url} answered ${res.status}`, res.status);
    return { status: res.status, text };
  }

  async function exchange(x12: string, expected: string): Promise<string> {
    const { text } = await post(x12);
    if (!text.trimStart().startsWith('ISA')) throw new ClearinghouseUnavailableError(`clearinghouse answered without the ${expected} interchange`);
    return text;
  }

  return {
    eligibility: (x12) => exchange(x12, '271'),
    claimStatus: (x12) => exchange(x12, '277'),
    async submit(x12) {
      const { text } = await post(x12);
      const parsed = Submitted.safeParse(safeJson(text));
      if (!parsed.success) throw new ClearinghouseUnavailableError('clearinghouse answered the submission without a submission id');
      return parsed.data;
    },
    async appeal(packet) {
      const { text } = await post(JSON.stringify(packet), '/appeals', 'application/json');
      const parsed = AppealReceived.safeParse(safeJson(text));
      if (!parsed.success) throw new ClearinghouseUnavailableError('clearinghouse answered the appeal without an appeal id');
      return parsed.data;
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
