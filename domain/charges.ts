/** A visit's charges as posted to the practice management system: what DFT^P03 and the REST body carry. */
import type { ChargeLine, Diagnosis } from './visit';

export interface ChargePost {
  visitId: string;
  /** Stable across retries (visit id + step fingerprint): the PMS refuses a second effect for the same key. */
  idempotencyKey: string;
  patientId: string;
  serviceDate: string;
  renderingNpi: string;
  diagnoses: Diagnosis[];
  lines: ChargeLine[];
}

export interface ChargePostResult {
  /** The PMS's own id for each posted line, in line order. */
  pmsChargeIds: string[];
  /** True when the PMS had already seen this key and posted nothing new. */
  duplicate: boolean;
}
