/**
 * MLLP framing (HL7 v2.5.1 appendix C, "Minimal Lower Layer Protocol"): each message is
 * sent as VT <message> FS CR. TCP delivers a byte stream, not messages: one chunk can hold
 * half a frame, several frames, or end between FS and CR. The deframer keeps what it has
 * not yet framed across chunks, which @medplum/hl7 4.5.2 does not do (see docs/pms.md).
 * Pure: bytes in, messages out; the sockets live in integrations/ and simulators/.
 */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** A frame larger than this is refused rather than buffered without end. */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

export class MllpFrameTooLargeError extends Error {
  readonly code = 'MLLP_FRAME_TOO_LARGE';
  constructor() {
    super(`MLLP frame larger than ${MAX_FRAME_BYTES} bytes`);
    this.name = 'MllpFrameTooLargeError';
  }
}

/** One message as an MLLP frame, UTF-8 encoded. */
export function frameMllp(message: string): Buffer {
  return Buffer.concat([Buffer.of(VT), Buffer.from(message, 'utf8'), Buffer.of(FS, CR)]);
}

/** Turns a stream of chunks into whole messages; bytes outside a frame (stray CR/LF) are skipped. */
export class MllpDeframer {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds a chunk; returns every message it completed, in order. */
  push(chunk: Buffer): string[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: string[] = [];
    for (;;) {
      const start = this.pending.indexOf(VT);
      if (start < 0) {
        this.pending = Buffer.alloc(0);
        break;
      }
      const end = this.endOfFrame(start);
      if (end < 0) {
        this.pending = this.pending.subarray(start);
        if (this.pending.length > MAX_FRAME_BYTES) throw new MllpFrameTooLargeError();
        break;
      }
      messages.push(this.pending.toString('utf8', start + 1, end));
      this.pending = this.pending.subarray(end + 2);
    }
    return messages;
  }

  /** Index of the FS of the FS CR that ends the frame starting at `start`, or -1. */
  private endOfFrame(start: number): number {
    for (let fs = this.pending.indexOf(FS, start + 1); fs >= 0; fs = this.pending.indexOf(FS, fs + 1)) {
      if (fs + 1 < this.pending.length && this.pending[fs + 1] === CR) return fs;
      if (fs + 1 >= this.pending.length) return -1;
    }
    return -1;
  }
}
