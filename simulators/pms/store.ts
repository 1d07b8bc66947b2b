/**
 * The simulated PMS's ledger: charges posted exactly once per key. A key is the
 * Idempotency-Key of a REST post or the MSH-10 control id of a DFT^P03, kept apart so
 * the two channels cannot collide. The same key with the same charges is a duplicate
 * (nothing new posted, the original ids returned); with different charges, a conflict.
 */
import { z } from 'zod';
import type { DftCharges } from '../../domain/hl7/dft';
import { type Persistable, storedObject } from '../persist';

export type Channel = 'hl7' | 'rest';

export interface PostedCharge {
  chargeId: string;
  channel: Channel;
  /** The idempotency key (REST) or control id (HL7) it was posted under. */
  key: string;
  visitId: string;
  patientId: string;
  serviceDate: string;
  renderingNpi: string;
  lineNumber: number;
  code: string;
  modifiers: string[];
  units: number;
  chargeCents: number;
  /** The line's ICD-10-CM codes, in pointer order. */
  diagnosisCodes: string[];
}

export type Charges = Omit<DftCharges, 'controlId'>;

export type PostOutcome = { outcome: 'posted' | 'duplicate'; chargeIds: string[] } | { outcome: 'conflict' };

const PostedKey = z.object({ fingerprint: z.string(), chargeIds: z.array(z.string()) });

/** Everything a restart must keep: the ledger, and what each channel:key posted so a repeat stays a duplicate. */
export const LedgerSnapshot = z.object({
  byKey: z.record(z.string(), PostedKey),
  posted: z.array(storedObject<PostedCharge>('chargeId', 'channel', 'key', 'visitId')),
});
export type LedgerSnapshot = z.infer<typeof LedgerSnapshot>;

export class ChargeStore implements Persistable<LedgerSnapshot> {
  private readonly byKey = new Map<string, z.infer<typeof PostedKey>>();
  private readonly posted: PostedCharge[] = [];

  /** `changed` is called after every post, e.g. to save a snapshot. */
  constructor(private readonly changed: () => void = () => {}) {}

  snapshot(): LedgerSnapshot {
    return { byKey: Object.fromEntries(this.byKey), posted: [...this.posted] };
  }

  /** Takes back a snapshot into an empty store. */
  restore(snapshot: LedgerSnapshot): void {
    for (const [key, earlier] of Object.entries(snapshot.byKey)) this.byKey.set(key, earlier);
    this.posted.push(...snapshot.posted);
  }

  /** Posts the charges unless this key was posted before; `chargeIdFor` names each new line. */
  post(channel: Channel, key: string, charges: Charges, chargeIdFor: (lineNumber: number) => string): PostOutcome {
    const fingerprint = JSON.stringify(charges);
    const earlier = this.byKey.get(`${channel}:${key}`);
    if (earlier) return earlier.fingerprint === fingerprint ? { outcome: 'duplicate', chargeIds: earlier.chargeIds } : { outcome: 'conflict' };
    const lines = charges.lines.map((line) => ({
      chargeId: chargeIdFor(line.lineNumber),
      channel,
      key,
      visitId: charges.visitId,
      patientId: charges.patientId,
      serviceDate: charges.serviceDate,
      renderingNpi: charges.renderingNpi,
      lineNumber: line.lineNumber,
      code: line.code,
      modifiers: line.modifiers,
      units: line.units,
      chargeCents: line.chargeCents,
      diagnosisCodes: line.diagnosisPointers.map((p) => charges.diagnoses[p - 1].code),
    }));
    this.posted.push(...lines);
    const chargeIds = lines.map((l) => l.chargeId);
    this.byKey.set(`${channel}:${key}`, { fingerprint, chargeIds });
    this.changed();
    return { outcome: 'posted', chargeIds };
  }

  list(visitId?: string): PostedCharge[] {
    return this.posted.filter((c) => visitId === undefined || c.visitId === visitId);
  }

  get count(): number {
    return this.posted.length;
  }
}
