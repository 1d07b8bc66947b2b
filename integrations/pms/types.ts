import type { ChargePost, ChargePostResult } from '../../domain/charges';

export type { ChargePost, ChargePostResult };

/** The practice management system. Implemented over HL7 v2 DFT^P03 (MLLP) or a JSON REST API. */
export interface PmsClient {
  postCharges(post: ChargePost): Promise<ChargePostResult>;
}
