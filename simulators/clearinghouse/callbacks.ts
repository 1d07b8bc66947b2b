/**
 * Delivers X12 files to revcycle's webhook the way a clearinghouse mailbox does: POST
 * with application/edi-x12, retried on a non-2xx answer or a connection error with
 * exponential backoff, and sometimes sent twice (`faults.duplicate()`), so the
 * receiver must be idempotent. Close() cancels whatever is waiting.
 */
import { signedHeaders } from '../../domain/webhook-signature';
import type { Faults } from '../faults';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

export interface DeliveryRecord {
  kind: string;
  /** HTTP status of the last attempt, or 0 when no answer came. */
  status: number;
  attempts: number;
  duplicated: boolean;
}

export class CallbackSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private closed = false;
  readonly deliveries: DeliveryRecord[] = [];

  constructor(
    private readonly url: string,
    /** revcycle's WEBHOOK_CLEARINGHOUSE_SECRET: every delivery is signed with it. */
    private readonly secret: string,
    readonly faults: Faults,
    private readonly retry: RetryPolicy,
    /** Instead of the webhook: where a batch transport's files go (a CORE mailbox, an SFTP outbound folder). */
    private readonly sink?: (kind: string, x12: string) => Promise<void>,
  ) {}

  /** Waits ms unless the sender is closed first (then resolves false). */
  wait(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve(!this.closed);
      }, ms);
      this.timers.add(t);
    });
  }

  /** Delivers one file (twice when the faults say so); resolves when done or given up. */
  async deliver(kind: string, x12: string): Promise<void> {
    const duplicated = this.faults.duplicate();
    await this.attempt(kind, x12, duplicated);
    if (duplicated) await this.attempt(kind, x12, duplicated);
  }

  private async attempt(kind: string, x12: string, duplicated: boolean): Promise<void> {
    const record: DeliveryRecord = { kind, status: 0, attempts: 0, duplicated };
    this.deliveries.push(record);
    if (this.sink) {
      record.attempts = 1;
      await this.sink(kind, x12);
      record.status = 204;
      return;
    }
    for (let n = 0; n < this.retry.attempts && !this.closed; n++) {
      if (n > 0 && !(await this.wait(this.retry.backoffMs * 2 ** (n - 1)))) return;
      record.attempts++;
      record.status = await this.post(x12);
      if (record.status >= 200 && record.status < 300) return;
    }
  }

  private async post(x12: string): Promise<number> {
    const abort = new AbortController();
    this.aborts.add(abort);
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/edi-x12', ...signedHeaders(this.secret, x12) },
        body: x12,
        signal: abort.signal,
      });
      await res.arrayBuffer();
      return res.status;
    } catch {
      return 0;
    } finally {
      this.aborts.delete(abort);
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of this.aborts) a.abort();
  }
}
