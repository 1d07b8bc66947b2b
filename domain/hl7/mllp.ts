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
  constructor(limit = MAX_FRAME_BYTES) {
    super(`MLLP frame larger than ${limit} bytes`);
    this.name = 'MllpFrameTooLargeError';
  }
}

/** One message as an MLLP frame, UTF-8 encoded. */
export function frameMllp(message: string): Buffer {
  return Buffer.concat([Buffer.of(VT), Buffer.from(message, 'utf8'), Buffer.of(FS, CR)]);
}

/**
 * Turns a stream of chunks into whole messages; bytes outside a frame (stray CR/LF) are skipped.
 * Incremental: each byte is looked at once (the parts of an open frame are kept, not re-scanned
 * or re-copied per chunk), and a frame over `maxBytes` is refused rather than buffered without end.
 */
export class MllpDeframer {
  private parts: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  /** The previous chunk ended with an FS inside the frame (kept as the last part's last byte). */
  private pendingFs = false;

  constructor(private readonly maxBytes = MAX_FRAME_BYTES) {}

  /** Adds a chunk; returns every message it completed, in order. */
  push(chunk: Buffer): string[] {
    const messages: string[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (!this.inFrame) {
        const vt = chunk.indexOf(VT, pos);
        if (vt < 0) break;
        this.inFrame = true;
        pos = vt + 1;
        continue;
      }
      if (this.pendingFs) {
        this.pendingFs = false;
        if (chunk[pos] === CR) {
          messages.push(this.take(1));
          pos += 1;
          continue;
        }
      }
      const fs = chunk.indexOf(FS, pos);
      if (fs < 0) {
        this.add(chunk.subarray(pos));
        break;
      }
      if (fs + 1 === chunk.length) {
        this.add(chunk.subarray(pos));
        this.pendingFs = true;
        break;
      }
      if (chunk[fs + 1] === CR) {
        this.add(chunk.subarray(pos, fs));
        messages.push(this.take(0));
        pos = fs + 2;
      } else {
        this.add(chunk.subarray(pos, fs + 1)); // an FS not followed by CR is content
        pos = fs + 1;
      }
    }
    return messages;
  }

  private add(part: Buffer): void {
    if (!part.length) return;
    this.size += part.length;
    if (this.size > this.maxBytes) {
      this.parts = [];
      this.size = 0;
      this.inFrame = false;
      throw new MllpFrameTooLargeError(this.maxBytes);
    }
    this.parts.push(part);
  }

  /** The open frame as text, less `dropLast` trailing bytes (a held FS); the deframer is then between frames. */
  private take(dropLast: number): string {
    const all = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    this.inFrame = false;
    return all.toString('utf8', 0, all.length - dropLast);
  }
}
