/**
 * Interchange (ISA/IEA), functional group (GS/GE) and transaction set (ST/SE) envelopes,
 * X12 5010 (ASC X12.5/X12.6). Reading checks what a receiver checks before it looks
 * inside: every envelope closed, SE01 equal to the segments counted, GE01/IEA01 equal
 * to what they enclose. Writing derives every control number from one ISA13 the caller
 * supplies (kept unique by the caller, e.g. a Postgres sequence): GS06 = ISA13,
 * ST02 = 0001, 0002… within the group.
 */
import { X12SyntaxError, X12WrongTransactionError } from './errors';
import { Delimiters, scan, Segment, SegmentTable } from './syntax';
import { x12Date } from './values';

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
  /** The segments between ST and SE (made on first use). */
  readonly segments: Segment[];
  /** The segments between ST and SE through one Segment object moved along: fn must not keep it. */
  each(fn: (s: Segment) => void): void;
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

/** Parses a whole interchange and checks its envelopes. A bare transaction set (ST..SE) is read with a warning. */
export function parseInterchange(text: string, options: ReadOptions = {}): Interchange {
  const table = scan(text);
  const warnings: string[] = [];
  const countFault = (e: X12SyntaxError) => {
    if (!options.tolerateCounts) throw e;
    warnings.push(e.message);
  };
  const r = new EnvelopeReader(table, warnings, countFault);
  return table.ids[0] === 'ST' ? r.bare() : r.interchange();
}

type CountFault = (e: X12SyntaxError) => void;

/** X12 guides (GS08, ST03) and the transaction sets (ST01) each is written for. */
const GUIDE_SETS: [string, string[]][] = [
  ['X222', ['837']],
  ['X223', ['837']],
  ['X224', ['837']],
  ['X221', ['835']],
  ['X279', ['270', '271']],
  ['X212', ['276', '277']],
  ['X214', ['277']],
  ['X231', ['999']],
];

/** Why a guide (GS08 or ST03) does not fit a transaction set, or undefined when it fits or is unknown. */
function guideMismatch(guide: string, st01: string): string | undefined {
  const known = GUIDE_SETS.find(([g]) => guide.includes(g));
  return known && !known[1].includes(st01) ? `guide ${guide} is not written for transaction set ${st01}` : undefined;
}

/** Reads envelopes off a segment table, making Segment objects only for envelope segments. */
class EnvelopeReader {
  constructor(
    private readonly table: SegmentTable,
    private readonly warnings: string[],
    private readonly countFault: CountFault,
  ) {}

  interchange(): Interchange {
    const { table } = this;
    const isa = table.segment(0);
    const groups: FunctionalGroup[] = [];
    let i = 1;
    while (i < table.length && table.ids[i] === 'GS') {
      const [group, next] = this.group(i);
      groups.push(group);
      i = next;
    }
    this.trailer(i, { header: isa, control: 13, opener: 'GS', counted: groups.length, what: 'functional groups', holder: 'interchange' });
    if (i + 1 < table.length) {
      const extra = table.segment(i + 1);
      throw new X12SyntaxError('ENVELOPE', `${extra.id} after the IEA: one interchange per file`, { line: extra.line, segment: extra.id });
    }
    if (groups.length === 0) throw new X12SyntaxError('ENVELOPE', 'the interchange holds no functional group', { line: isa.line, segment: 'ISA' });
    const gs = table.length > 1 ? table.segment(1) : undefined;
    return { delimiters: table.delimiters, envelope: envelopeOf(isa, gs), controlNumber: isa.el(13), groups, warnings: this.warnings };
  }

  /**
   * ST..SE with no ISA/GS around it, as companion guides print them: read as one group
   * of one interchange whose sender, receiver, date and control numbers are unknown.
   */
  bare(): Interchange {
    const { table } = this;
    const transactions: Transaction[] = [];
    let i = 0;
    while (i < table.length && table.ids[i] === 'ST') {
      const [tx, next] = this.transaction(i, '');
      transactions.push(tx);
      i = next;
    }
    if (i < table.length) {
      const extra = table.segment(i);
      throw new X12SyntaxError('ENVELOPE', `${extra.id} after the SE of a bare transaction set`, { line: extra.line, segment: extra.id });
    }
    this.warnings.unshift('a bare transaction set (ST..SE without ISA/GS): sender, receiver, date and control numbers are unknown');
    const version = transactions[0].version;
    const envelope: EnvelopeOptions = { controlNumber: 0, senderId: '', receiverId: '', date: '', time: '', usage: 'T' };
    const group: FunctionalGroup = { functionalId: '', senderCode: '', receiverCode: '', controlNumber: '', version, transactions };
    return { delimiters: table.delimiters, envelope, controlNumber: '', groups: [group], warnings: this.warnings };
  }

  private group(start: number): [FunctionalGroup, number] {
    const { table } = this;
    const gs = table.segment(start);
    const transactions: Transaction[] = [];
    let i = start + 1;
    while (i < table.length && table.ids[i] === 'ST') {
      const [tx, next] = this.transaction(i, gs.el(8));
      transactions.push(tx);
      i = next;
    }
    this.trailer(i, { header: gs, control: 6, opener: 'ST', counted: transactions.length, what: 'transaction sets', holder: 'group' });
    const group = { functionalId: gs.el(1), senderCode: gs.el(2), receiverCode: gs.el(3), controlNumber: gs.el(6), version: gs.el(8), transactions };
    return [group, i + 1];
  }

  /** The GE or IEA at `i`: present, counting what it closes (01), echoing the header's control number (02). */
  private trailer(i: number, t: Trailer): void {
    const id = t.header.id === 'ISA' ? 'IEA' : 'GE';
    if (i >= this.table.length) throw this.truncated(id);
    const trailer = this.table.segment(i);
    if (trailer.id !== id)
      throw new X12SyntaxError('ENVELOPE', `expected ${t.opener} or ${id}, found ${trailer.id}`, { line: trailer.line, segment: trailer.id });
    if (Number(trailer.el(1)) !== t.counted) {
      this.countFault(new X12SyntaxError('SEGMENT_COUNT', `${id}01 says ${trailer.el(1)} ${t.what}, the ${t.holder} holds ${t.counted}`, trailer.at(1)));
    }
    const control = t.header.el(t.control);
    if (trailer.el(2) !== control)
      this.warnings.push(`line ${trailer.line}: ${id}02 ${trailer.el(2)} does not match ${t.header.id}${String(t.control).padStart(2, '0')} ${control}`);
  }

  private transaction(start: number, groupVersion: string): [Transaction, number] {
    const { table } = this;
    const { ids } = table;
    const st = table.segment(start);
    let i = start + 1;
    while (i < ids.length && ids[i] !== 'SE') {
      const id = ids[i];
      if (id === 'ST' || id === 'GE' || id === 'IEA') {
        throw new X12SyntaxError('ENVELOPE', `transaction set ${st.el(2)} (line ${st.line}) is not closed by an SE before this ${id}`, {
          line: table.lines[i],
          segment: id,
        });
      }
      i++;
    }
    if (i >= ids.length) throw this.truncated('SE');
    const se = table.segment(i);
    const counted = i - start + 1;
    if (Number(se.el(1)) !== counted || se.el(1) === '') {
      this.countFault(
        new X12SyntaxError('SEGMENT_COUNT', `SE01 says ${se.el(1) || 'nothing'}, the transaction set has ${counted} segments (ST to SE)`, se.at(1)),
      );
    }
    if (se.el(2) !== st.el(2)) throw new X12SyntaxError('ENVELOPE', `SE02 ${se.el(2)} does not match ST02 ${st.el(2)}`, se.at(2));
    const type = st.el(1);
    const version = this.version(st, type, groupVersion);
    return [new BodyOf(table, type, st.el(2), version, st.line, start + 1, i), i + 1];
  }

  /** ST03, else GS08; a disagreement between them, or with ST01, is read with a warning (ST03 wins). */
  private version(st: Segment, type: string, groupVersion: string): string {
    const own = st.el(3);
    const where = `line ${st.line}: transaction set ${st.el(2)}`;
    if (own && groupVersion && own !== groupVersion) this.warnings.push(`${where}: ST03 ${own} disagrees with GS08 ${groupVersion}; read as ${own}`);
    const version = own || groupVersion;
    const mismatch = guideMismatch(version, type);
    if (mismatch) this.warnings.push(`${where}: ${mismatch}; read as ${type}`);
    return version;
  }

  private truncated(missing: string): X12SyntaxError {
    const last = this.table.segment(this.table.length - 1);
    return new X12SyntaxError('TRUNCATED', `the file ends after ${last.id} without its ${missing}: truncated?`, { line: last.line, segment: last.id });
  }
}

/** A transaction set's body: a range of the segment table. */
class BodyOf implements Transaction {
  private made?: Segment[];
  constructor(
    private readonly table: SegmentTable,
    readonly type: string,
    readonly controlNumber: string,
    readonly version: string,
    readonly line: number,
    private readonly from: number,
    private readonly to: number,
  ) {}

  get segments(): Segment[] {
    return (this.made ??= this.table.slice(this.from, this.to));
  }

  each(fn: (s: Segment) => void): void {
    this.table.each(this.from, this.to, fn);
  }
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

/** Parses an interchange and returns its transaction sets of one type (ST01), refusing a file that holds another. */
export function transactionsOfType(text: string, type: string, options?: ReadOptions): { interchange: Interchange; transactions: Transaction[] } {
  const interchange = parseInterchange(text, options);
  const transactions = interchange.groups.flatMap((g) => g.transactions);
  const other = transactions.find((t) => t.type !== type);
  if (other) throw new X12WrongTransactionError(type, other.type);
  return { interchange, transactions };
}
