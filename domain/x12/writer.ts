/**
 * Writing X12: the interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE)
 * envelopes around the builders' transaction sets, every control number derived from the one
 * ISA13 the caller supplies (GS06 = ISA13, ST02 = 0001, 0002… within the group). Reading is
 * domain/x12/envelope.ts.
 */
import type { EnvelopeOptions } from './envelope';
import { X12BuildError } from './errors';
import { DEFAULT_DELIMITERS, type Delimiters } from './syntax';
import { toX12Date } from './values';

/** One transaction set to write: its ST01 and its body (segments between ST and SE, each as element values). */
export interface TransactionBody {
  type: string;
  body: ElementValue[][];
}

/** One transaction set whose builder writes its body (the segments between ST and SE) into the writer itself. */
export interface TransactionWriter {
  type: string;
  write(w: X12Writer): void;
}

/**
 * Writes segments for the builders, value by value, into one buffer of character codes
 * that becomes the interchange's text once, at the end. Values are checked, not escaped:
 * X12 has no escape sequence, so a delimiter inside a name would silently shift every
 * element after it. Trailing empty elements, and trailing empty components of a
 * composite, are dropped, as X12.6 requires: an empty one is counted, not written, and
 * its separator goes out before the next value, or never when none follows.
 *
 * Why a buffer: made as strings, each segment joined from an array of its elements and
 * then joined with all the others, the joins were two thirds of the writer's time in a
 * profile of the 837P builder (`node --cpu-prof`), and every segment's string stayed
 * alive, for the collector to copy and mark, until the last one. Codes up to U+00FF
 * take a byte each; a value with a character above it (rare in X12) ends the buffer's
 * run of text and is kept as a string of its own, so every character is written as given.
 */
export class X12Writer {
  /** Latin-1 character codes written since the last chunk. */
  private codes = new Uint8Array(1 << 16);
  private size = 0;
  /** The text before `codes`: runs of it, and between them the values with a character above U+00FF. */
  private readonly chunks: string[] = [];
  private segments = 0;
  /** The delimiters' character codes: a value holding one is refused. */
  private readonly forbidden: number[];
  /** The same, as a table of the codes up to U+00FF, which the byte loop looks up. */
  private readonly isDelimiter = new Uint8Array(256);
  /** A line break after each segment, or none. */
  private readonly lineBreak: string;
  /** The segment terminator and the line break. */
  private readonly terminator: string;
  /** The segment being written: its head (see `begin`), and how many elements follow the head so far. */
  private head = '';
  private position = 0;
  /** Empty elements and components met and not written yet (see the class comment). */
  private emptyElements = 0;
  private emptyComponents = 0;

  constructor(
    readonly delimiters: Delimiters = DEFAULT_DELIMITERS,
    lineBreaks = true,
  ) {
    const chars = [delimiters.element, delimiters.component, delimiters.segment, delimiters.repetition ?? ''].join('');
    this.forbidden = [...chars].map((c) => c.charCodeAt(0));
    for (const c of this.forbidden) if (c < 256) this.isDelimiter[c] = 1;
    this.lineBreak = lineBreaks ? '\n' : '';
    this.terminator = delimiters.segment + this.lineBreak;
  }

  /**
   * Appends one segment. A composite element is an array, joined with the component
   * separator; a repeated element is `{ repeat: [...] }`, joined with the repetition separator.
   */
  segment(elements: ElementValue[]): void {
    let end = elements.length;
    // Dropped here, not by end(): an empty repeated element writes its repetition separators unless it is the last.
    while (end > 1 && isEmpty(elements[end - 1])) end--;
    this.begin(elements[0] as string);
    for (let i = 1; i < end; i++) {
      const v = elements[i];
      if (typeof v === 'string') {
        this.el(v);
      } else if (Array.isArray(v)) {
        this.el(v.length ? v[0] : '');
        for (let k = 1; k < v.length; k++) this.component(v[k]);
      } else {
        this.el(v.repeat.length ? v.repeat[0] : '');
        for (let k = 1; k < v.repeat.length; k++) this.repetition(v.repeat[k]);
      }
    }
    this.end();
  }

  /**
   * Starts a segment: its id, and the elements the guide fixes after it as the guides
   * print them, '*' between them whatever this writer's separator ('NM1*85*2', 'OI***Y***Y').
   * `el` and `component` append its values, `end` closes it.
   */
  begin(head: string): this {
    this.head = head;
    this.position = 0;
    this.emptyElements = 0;
    this.emptyComponents = 0;
    this.write(this.delimiters.element === '*' ? head : head.split('*').join(this.delimiters.element), false);
    return this;
  }

  /** Appends the next element (its first component, for a composite). */
  el(value: string): this {
    this.position++;
    this.emptyElements++;
    this.emptyComponents = 0;
    if (value !== '') this.value(value);
    return this;
  }

  /** Appends `n` empty elements. */
  skip(n: number): this {
    this.position += n;
    this.emptyElements += n;
    this.emptyComponents = 0;
    return this;
  }

  /** Appends the next component of the current element. */
  component(value: string): this {
    this.emptyComponents++;
    if (value !== '') this.value(value);
    return this;
  }

  /** Appends the next repetition of the current element: written even when empty, as its separator holds its place. */
  private repetition(value: string): void {
    this.separators();
    this.write(this.delimiters.repetition!, false);
    this.write(value, true);
  }

  /** Ends the segment, dropping the empty elements and components it ends with. */
  end(): void {
    this.write(this.terminator, false);
    this.segments++;
  }

  private value(value: string): void {
    this.separators();
    this.write(value, true);
  }

  /** Writes the separators of the empty elements and components before a value. */
  private separators(): void {
    for (; this.emptyElements > 0; this.emptyElements--) this.write(this.delimiters.element, false);
    for (; this.emptyComponents > 0; this.emptyComponents--) this.write(this.delimiters.component, false);
  }

  /** Writes `text`'s characters, refusing a delimiter among them when it is a value (`checked`). */
  private write(text: string, checked: boolean): void {
    const n = text.length;
    if (this.size + n > this.codes.length) this.grow(n);
    const { codes, isDelimiter } = this;
    let at = this.size;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c > 255) return this.writeWide(text, checked);
      if (checked && isDelimiter[c] === 1) throw this.refused();
      codes[at++] = c;
    }
    this.size = at;
  }

  /** Text with a character above U+00FF: what the buffer holds becomes a chunk, and the text another. */
  private writeWide(text: string, checked: boolean): void {
    for (let i = 0; checked && i < text.length; i++) {
      if (this.forbidden.includes(text.charCodeAt(i))) throw this.refused();
    }
    this.chunks.push(latin1(this.codes, this.size), text);
    this.size = 0;
  }

  private grow(n: number): void {
    const bigger = new Uint8Array(Math.max(this.codes.length * 2, this.size + n));
    bigger.set(this.codes.subarray(0, this.size));
    this.codes = bigger;
  }

  private refused(): X12BuildError {
    const [id, ...fixed] = this.head.split('*');
    // The value may be PHI: never in the message.
    return new X12BuildError('contains an X12 delimiter', `${id}${String(fixed.length + this.position).padStart(2, '0')}`);
  }

  /** Appends a segment already in wire form. */
  raw(segment: string): void {
    this.write(segment, false);
    this.write(this.lineBreak, false);
    this.segments++;
  }

  /** Segments written so far. */
  get count(): number {
    return this.segments;
  }

  toString(): string {
    return this.chunks.join('') + latin1(this.codes, this.size);
  }
}

/** Latin-1 character codes as text. */
function latin1(codes: Uint8Array, size: number): string {
  return Buffer.from(codes.buffer, codes.byteOffset, size).toString('latin1');
}

export type ElementValue = string | string[] | { repeat: string[] };

function isEmpty(v: ElementValue): boolean {
  if (typeof v === 'string') return v === '';
  return (Array.isArray(v) ? v : v.repeat).every((p) => p === '');
}

/** Transaction sets whose guide marks ST03 (implementation convention reference) as not used. */
const ST03_NOT_USED = new Set(['835']);

/**
 * Wraps transaction bodies in ST/SE, one GS/GE and one ISA/IEA.
 * `functionalId` is GS01 (HC claims, HS eligibility inquiry, HR claim status inquiry...).
 */
export function buildInterchange(env: EnvelopeOptions, functionalId: string, version: string, transactions: TransactionBody[], lineBreaks = true): string {
  const writers = transactions.map(({ type, body }): TransactionWriter => ({ type, write: (w) => body.forEach((seg) => w.segment(seg)) }));
  return writeInterchange(env, functionalId, version, writers, lineBreaks);
}

/** buildInterchange for a builder that writes each segment of a body as it makes it (build837P). */
export function writeInterchange(env: EnvelopeOptions, functionalId: string, version: string, transactions: TransactionWriter[], lineBreaks = true): string {
  checkEnvelope(env);
  const w = new X12Writer(DEFAULT_DELIMITERS, lineBreaks);
  const control = String(env.controlNumber).padStart(9, '0');
  // The ISA carries the delimiters themselves (ISA11, ISA16), so it is written as is.
  const d = DEFAULT_DELIMITERS;
  w.raw(
    [
      'ISA',
      '00',
      ' '.repeat(10),
      '00',
      ' '.repeat(10),
      env.senderQualifier ?? 'ZZ',
      env.senderId.padEnd(15),
      env.receiverQualifier ?? 'ZZ',
      env.receiverId.padEnd(15),
      toX12Date(env.date).slice(2),
      env.time,
      d.repetition!,
      '00501',
      control,
      '0',
      env.usage,
      d.component,
    ].join(d.element) + d.segment,
  );
  w.segment(['GS', functionalId, env.senderId, env.receiverId, toX12Date(env.date), env.time, String(env.controlNumber), 'X', version]);
  transactions.forEach((tx, n) => {
    const st = String(n + 1).padStart(4, '0');
    const before = w.count;
    w.segment(['ST', tx.type, st, ST03_NOT_USED.has(tx.type) ? '' : version]);
    tx.write(w);
    w.segment(['SE', String(w.count - before + 1), st]);
  });
  w.segment(['GE', String(transactions.length), String(env.controlNumber)]);
  w.segment(['IEA', '1', control]);
  return w.toString();
}

function checkEnvelope(env: EnvelopeOptions): void {
  if (!Number.isInteger(env.controlNumber) || env.controlNumber < 1 || env.controlNumber > 999999999) {
    throw new X12BuildError('must be an integer from 1 to 999999999', 'controlNumber');
  }
  for (const [field, value] of [
    ['senderId', env.senderId],
    ['receiverId', env.receiverId],
  ] as const) {
    if (!/^[A-Za-z0-9 .-]{1,15}$/.test(value)) throw new X12BuildError('must be 1-15 letters, digits, spaces, dots or dashes', field);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(env.date)) throw new X12BuildError('must be YYYY-MM-DD', 'date');
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(env.time)) throw new X12BuildError('must be HHMM', 'time');
}
