/**
 * Interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) envelopes,
 * X12 5010 (ASC X12.5/X12.6). Reading checks what a receiver checks before it looks
 * inside: every envelope closed, SE01 equal to the segments counted, GE01/IEA01 equal
 * to what they enclose. Writing derives every control number from one ISA13 the caller
 * supplies (kept unique by the caller, e.g. a Postgres sequence): GS06 = ISA13,
 * ST02 = 0001, 0002… within the group.
 */
import { X12BuildError, X12SyntaxError, X12WrongTransactionError } from './errors';
import { DEFAULT_DELIMITERS, Delimiters, Segment, tokenize, toX12Date, x12Date } from './syntax';

/** What a builder needs to wrap transactions: the caller owns the clock and the control numbers. */
export interface EnvelopeOptions {
  /** ISA13 (1-999999999); GS06 is the same number, ST02s count from 0001. */
  controlNumber: number;
  /** ISA06 and GS02. */
  senderId: string;
  /** ISA08 and GS03. */
  receiverId: string;
  /** YYYY-MM-DD */
  date: string;
  /** HHMM */
  time: string;
  /** ISA15: T test, P production. */
  usage: 'T' | 'P';
  /** ISA05/ISA07 id qualifiers; ZZ (mutually defined) when absent. */
  senderQualifier?: string;
  receiverQualifier?: string;
}

export interface Transaction {
  /** ST01, e.g. 837. */
  type: string;
  /** ST02 */
  controlNumber: string;
  /** ST03, or GS08 when ST03 is absent. */
  version: string;
  /** The segments between ST and SE. */
  segments: Segment[];
  line: number;
}

export interface FunctionalGroup {
  /** GS01, e.g. HC for claims, HP for remittances, FA for acknowledgments. */
  functionalId: string;
  senderCode: string;
  receiverCode: string;
  /** GS06 */
  controlNumber: string;
  /** GS08, e.g. 005010X222A1. */
  version: string;
  transactions: Transaction[];
}

export interface Interchange {
  delimiters: Delimiters;
  /** The ISA and GS header values, in the shape the builders take. */
  envelope: EnvelopeOptions;
  /** ISA13 as sent (9 digits). */
  controlNumber: string;
  groups: FunctionalGroup[];
  /** Faults a receiver would usually tolerate (an IEA02 that does not echo ISA13). */
  warnings: string[];
}

/** How strictly to read envelopes. */
export interface ReadOptions {
  /**
   * Report wrong SE01/GE01/IEA01 counts as warnings instead of refusing the file.
   * For reading archives and other systems' samples; never for inbound traffic,
   * where a wrong count means segments were lost.
   */
  tolerateCounts?: boolean;
}

/** Parses a whole interchange and checks its envelopes. */
export function parseInterchange(text: string, options: ReadOptions = {}): Interchange {
  const segments = tokenize(text);
  const warnings: string[] = [];
  const countFault = (e: X12SyntaxError) => {
    if (!options.tolerateCounts) throw e;
    warnings.push(e.message);
  };
  return readInterchange(segments, warnings, countFault);
}

type CountFault = (e: X12SyntaxError) => void;

function readInterchange(segments: Segment[], warnings: string[], countFault: CountFault): Interchange {
  const isa = segments[0];
  const groups: FunctionalGroup[] = [];
  let i = 1;
  while (i < segments.length && segments[i].id === 'GS') {
    const [group, next] = readGroup(segments, i, warnings, countFault);
    groups.push(group);
    i = next;
  }
  checkTrailer(segments, i, { header: isa, control: 13, opener: 'GS', counted: groups.length, what: 'functional groups', holder: 'interchange' }, warnings, countFault);
  const extra = segments[i + 1];
  if (extra) throw new X12SyntaxError('ENVELOPE', `${extra.id} after the IEA: one interchange per file`, { line: extra.line, segment: extra.id });
  if (groups.length === 0) throw new X12SyntaxError('ENVELOPE', 'the interchange holds no functional group', { line: isa.line, segment: 'ISA' });
  return { delimiters: isa.delimiters, envelope: envelopeOf(isa, segments[1]), controlNumber: isa.el(13), groups, warnings };
}

function readGroup(segments: Segment[], start: number, warnings: string[], countFault: CountFault): [FunctionalGroup, number] {
  const gs = segments[start];
  const transactions: Transaction[] = [];
  let i = start + 1;
  while (i < segments.length && segments[i].id === 'ST') {
    const [tx, next] = readTransaction(segments, i, gs.el(8), countFault);
    transactions.push(tx);
    i = next;
  }
  checkTrailer(segments, i, { header: gs, control: 6, opener: 'ST', counted: transactions.length, what: 'transaction sets', holder: 'group' }, warnings, countFault);
  const group = { functionalId: gs.el(1), senderCode: gs.el(2), receiverCode: gs.el(3), controlNumber: gs.el(6), version: gs.el(8), transactions };
  return [group, i + 1];
}

interface Trailer {
  header: Segment;
  /** The header element the trailer's 02 echoes: ISA13 or GS06. */
  control: number;
  /** The segment that opens what the trailer counts. */
  opener: 'GS' | 'ST';
  counted: number;
  what: string;
  holder: string;
}

/** The GE or IEA at `i`: present, counting what it closes (01), echoing the header's control number (02). */
function checkTrailer(segments: Segment[], i: number, t: Trailer, warnings: string[], countFault: CountFault): void {
  const id = t.header.id === 'ISA' ? 'IEA' : 'GE';
  const trailer = segments[i];
  if (!trailer) throw truncated(segments, id);
  if (trailer.id !== id) throw new X12SyntaxError('ENVELOPE', `expected ${t.opener} or ${id}, found ${trailer.id}`, { line: trailer.line, segment: trailer.id });
  if (Number(trailer.el(1)) !== t.counted) {
    countFault(new X12SyntaxError('SEGMENT_COUNT', `${id}01 says ${trailer.el(1)} ${t.what}, the ${t.holder} holds ${t.counted}`, trailer.at(1)));
  }
  const control = t.header.el(t.control);
  if (trailer.el(2) !== control) warnings.push(`line ${trailer.line}: ${id}02 ${trailer.el(2)} does not match ${t.header.id}${String(t.control).padStart(2, '0')} ${control}`);
}

function readTransaction(segments: Segment[], start: number, groupVersion: string, countFault: CountFault): [Transaction, number] {
  const st = segments[start];
  let i = start + 1;
  while (i < segments.length && segments[i].id !== 'SE') {
    const id = segments[i].id;
    if (id === 'ST' || id === 'GE' || id === 'IEA') {
      throw new X12SyntaxError('ENVELOPE', `transaction set ${st.el(2)} (line ${st.line}) is not closed by an SE before this ${id}`, { line: segments[i].line, segment: id });
    }
    i++;
  }
  const se = segments[i];
  if (!se) throw truncated(segments, 'SE');
  const counted = i - start + 1;
  if (Number(se.el(1)) !== counted || se.el(1) === '') {
    countFault(new X12SyntaxError('SEGMENT_COUNT', `SE01 says ${se.el(1) || 'nothing'}, the transaction set has ${counted} segments (ST to SE)`, se.at(1)));
  }
  if (se.el(2) !== st.el(2)) throw new X12SyntaxError('ENVELOPE', `SE02 ${se.el(2)} does not match ST02 ${st.el(2)}`, se.at(2));
  const tx = { type: st.el(1), controlNumber: st.el(2), version: st.el(3) || groupVersion, segments: segments.slice(start + 1, i), line: st.line };
  return [tx, i + 1];
}

function truncated(segments: Segment[], missing: string): X12SyntaxError {
  const last = segments[segments.length - 1];
  return new X12SyntaxError('TRUNCATED', `the file ends after ${last.id} without its ${missing}: truncated?`, { line: last.line, segment: last.id });
}

function envelopeOf(isa: Segment, gs: Segment | undefined): EnvelopeOptions {
  const usage = isa.el(15);
  const env: EnvelopeOptions = {
    controlNumber: Number(isa.el(13)),
    senderId: isa.el(6).trim(),
    receiverId: isa.el(8).trim(),
    date: gs && /^\d{8}$/.test(gs.el(4)) ? x12Date(gs.el(4)) : `20${isa.el(9).slice(0, 2)}-${isa.el(9).slice(2, 4)}-${isa.el(9).slice(4, 6)}`,
    time: (gs?.el(5) || isa.el(10)).slice(0, 4),
    usage: usage === 'P' ? 'P' : 'T',
  };
  if (isa.el(5) !== 'ZZ') env.senderQualifier = isa.el(5);
  if (isa.el(7) !== 'ZZ') env.receiverQualifier = isa.el(7);
  return env;
}

/** One transaction set to write: its ST01 and its body (segments between ST and SE, each as element values). */
export interface TransactionBody {
  type: string;
  body: ElementValue[][];
}

/**
 * Writes segments for the builders. Values are checked, not escaped: X12 has no
 * escape sequence, so a delimiter inside a name would silently shift every element
 * after it. Trailing empty elements are dropped, as X12.6 requires.
 */
export class X12Writer {
  private readonly out: string[] = [];
  private readonly forbidden: RegExp;

  constructor(
    readonly delimiters: Delimiters = DEFAULT_DELIMITERS,
    private readonly lineBreaks = true,
  ) {
    const chars = [delimiters.element, delimiters.component, delimiters.segment, delimiters.repetition ?? ''].join('');
    this.forbidden = new RegExp(`[${chars.replace(/[\\\]^-]/g, '\\$&')}]`);
  }

  /**
   * Appends one segment. A composite element is an array, joined with the component
   * separator; a repeated element is `{ repeat: [...] }`, joined with the repetition separator.
   */
  segment(elements: ElementValue[]): void {
    let end = elements.length;
    while (end > 1 && isEmpty(elements[end - 1])) end--;
    const id = elements[0] as string;
    const values: string[] = new Array(end);
    for (let i = 0; i < end; i++) {
      const v = elements[i];
      if (typeof v === 'string') values[i] = this.check(v, id, i);
      else if (Array.isArray(v)) values[i] = this.composite(v, id, i);
      else values[i] = v.repeat.map((r) => this.check(r, id, i)).join(this.delimiters.repetition);
    }
    this.out.push(values.join(this.delimiters.element) + this.delimiters.segment);
  }

  private composite(parts: string[], id: string, i: number): string {
    let end = parts.length;
    while (end > 0 && parts[end - 1] === '') end--;
    return parts.slice(0, end).map((p) => this.check(p, id, i)).join(this.delimiters.component);
  }

  private check(value: string, id: string, i: number): string {
    if (this.forbidden.test(value)) throw new X12BuildError('contains an X12 delimiter', `${id}${String(i).padStart(2, '0')}`); // the value may be PHI: never in the message
    return value;
  }

  /** Appends a segment already in wire form. */
  raw(segment: string): void {
    this.out.push(segment);
  }

  /** Segments written so far. */
  get count(): number {
    return this.out.length;
  }

  toString(): string {
    return this.out.join(this.lineBreaks ? '\n' : '') + (this.lineBreaks ? '\n' : '');
  }
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
  checkEnvelope(env);
  const w = new X12Writer(DEFAULT_DELIMITERS, lineBreaks);
  const control = String(env.controlNumber).padStart(9, '0');
  // The ISA carries the delimiters themselves (ISA11, ISA16), so it is written as is.
  const d = DEFAULT_DELIMITERS;
  w.raw([
    'ISA', '00', ' '.repeat(10), '00', ' '.repeat(10),
    env.senderQualifier ?? 'ZZ', env.senderId.padEnd(15), env.receiverQualifier ?? 'ZZ', env.receiverId.padEnd(15),
    toX12Date(env.date).slice(2), env.time, d.repetition!, '00501', control, '0', env.usage, d.component,
  ].join(d.element) + d.segment);
  w.segment(['GS', functionalId, env.senderId, env.receiverId, toX12Date(env.date), env.time, String(env.controlNumber), 'X', version]);
  transactions.forEach((tx, n) => {
    const st = String(n + 1).padStart(4, '0');
    const before = w.count;
    w.segment(['ST', tx.type, st, ST03_NOT_USED.has(tx.type) ? '' : version]);
    for (const seg of tx.body) w.segment(seg);
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
  for (const [field, value] of [['senderId', env.senderId], ['receiverId', env.receiverId]] as const) {
    if (!/^[A-Za-z0-9 .-]{1,15}$/.test(value)) throw new X12BuildError('must be 1-15 letters, digits, spaces, dots or dashes', field);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(env.date)) throw new X12BuildError('must be YYYY-MM-DD', 'date');
  if (!/^([01]\d|2[0-3])[0-5]\d$/.test(env.time)) throw new X12BuildError('must be HHMM', 'time');
}

/** Parses an interchange and returns its transaction sets of one type (ST01), refusing a file that holds another. */
export function transactionsOfType(text: string, type: string, options?: ReadOptions): { interchange: Interchange; transactions: Transaction[] } {
  const interchange = parseInterchange(text, options);
  const transactions = interchange.groups.flatMap((g) => g.transactions);
  const other = transactions.find((t) => t.type !== type);
  if (other) throw new X12WrongTransactionError(type, other.type);
  return { interchange, transactions };
}
