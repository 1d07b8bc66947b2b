/**
 * The clearinghouse moves X12 bytes; building and parsing them is domain/x12's job.
 * Answers that come later (999, 277CA, 835) are delivered to revcycle's webhook
 * `POST /webhooks/clearinghouse` as X12 bodies, as a clearinghouse mailbox would.
 */
export interface ClearinghouseClient {
  /** Real-time eligibility: sends a 270 interchange, returns the 271 interchange. */
  eligibility(x12_270: string): Promise<string>;
  /**
   * Batch submission of an 837P interchange. The clearinghouse refuses a second
   * effect for an interchange control number it has already accepted (it answers
   * with the first submission's id), so resending after a lost response is safe.
   */
  submit(x12_837: string): Promise<{ submissionId: string; duplicate: boolean }>;
  /** Real-time claim status: sends a 276 interchange, returns the 277 interchange. */
  claimStatus(x12_276: string): Promise<string>;
  /**
   * An appeal of a denied claim with its documentation, through the clearinghouse's payer
   * portal; the payer's decision comes later as an 835. The same packet id twice is one appeal.
   */
  appeal(packet: AppealPacket): Promise<{ appealId: string; duplicate: boolean }>;
}

export interface AppealPacket {
  /** Ours, unique per denied claim: a resend is recognised. */
  packetId: string;
  payerId: string;
  payerClaimNumber: string;
  /** CLM01. */
  patientControlNumber: string;
  /** The denial appealed, e.g. CO-50. */
  denialCode: string;
  /** The clinical notes, by their EHR reference and type (the documents travel with the packet). */
  documents: { documentRef: string; type?: string; contentType: string; data?: string; url?: string }[];
  reason: string;
}

/** One file the clearinghouse left for us (a 999, 277CA or 835): its name there and its bytes. */
export interface MailboxFile {
  /** The partner's name for it: the SFTP file name, or the CORE response's PayloadID. */
  name: string;
  body: string;
}

/**
 * Where a batch transport (CORE batch, SFTP) leaves the 999, 277CA and 835 files that the
 * HTTP transport delivers to the webhook. Polled on a schedule.
 */
export interface ClearinghouseMailbox {
  /** The files waiting now, each read whole (a read cut short is not returned). */
  retrieve(): Promise<MailboxFile[]>;
  /** Moves a file recorded as received out of the way (SFTP: into the archive folder); CORE retrieval already took it. */
  archive(file: MailboxFile): Promise<void>;
}
