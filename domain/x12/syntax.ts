/**
 * X12 5010 syntax: delimiters, segments and elements (ASC X12 Standards, Appendix B).
 * The ISA is fixed-width (106 characters), so its characters at fixed offsets name the
 * delimiters: 3 element separator, 82 repetition separator (ISA11), 104 component
 * separator (ISA16), 105 segment terminator. Line breaks after a terminator are
 * tolerated, as many trading partners send them.
 */
import { X12ContentError, X12SyntaxError } from './errors';
import { amountToCents, fastCents, isDigits, isoDate, shared } from './values';

export interface Delimiters {
  element: string;
  component: string;
  /** ISA11; undefined in files that still carry the 4010 value `U` there. */
  repetition?: string;
  segment: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

/**
 * One segment, a window [start, end) on the file's text: element n (1-based, as the
 * guides number them) is cut out only when asked for. Keeping no array of element
 * strings per segment is what makes large files cheap to read: the garbage collector,
 * not the scanning, is the cost of a two-phase parse.
 */
export class Segment {
  constructor(
    private readonly text: string,
    private start: number,
    private end: number,
    readonly id: string,
    /** 1-based line in the file, or the segment's ordinal when the file has no line breaks. */
    readonly line: number,
    readonly delimiters: Delimiters,
  ) {}

  /** Where the last element read began and ended, so reading left to right rescans nothing. */
  private lastN = 0;
  private lastFrom = -1;
  private lastTo = -1;

  /** Points this object at another segment of the same text (SegmentTable.each). */
  moveTo(start: number, end: number, id: string, line: number): void {
    this.start = start;
    this.end = end;
    (this as { id: string }).id = id;
    (this as { line: number }).line = line;
    this.lastN = 0;
    this.lastFrom = -1;
  }

  /**
   * Where element n (1-based) begins in the text, or -1 when the segment has fewer
   * elements; where it ends is left in `lastTo`. Nothing is cut out: the readers below
   * take numbers, dates and codes straight off the text.
   */
  private find(n: number): number {
    if (n === this.lastN && this.lastFrom >= 0) return this.lastFrom;
    const { text, end } = this;
    const sep = this.delimiters.element;
    let i = 0;
    let from = this.start;
    if (this.lastFrom >= 0 && n > this.lastN) {
      i = this.lastN;
      from = this.lastTo + 1;
      if (from > end) return -1;
      i++;
    }
    for (; i < n; i++) {
      const at = text.indexOf(sep, from);
      if (at < 0 || at >= end) return -1;
      from = at + 1;
    }
    const to = text.indexOf(sep, from);
    this.lastN = n;
    this.lastFrom = from;
    this.lastTo = to < 0 || to >= end ? end : to;
    return from;
  }

  /** Element n (1-based), '' when absent. */
  el(n: number): string {
    const from = this.find(n);
    return from < 0 ? '' : this.text.slice(from, this.lastTo);
  }

  /** Whether element n is `value` (a qualifier check that cuts nothing out). */
  is(n: number, value: string): boolean {
    const from = this.find(n);
    if (from < 0) return value === '';
    return this.lastTo - from === value.length && this.text.startsWith(value, from);
  }

  /** Whether element n is present (not empty). */
  has(n: number): boolean {
    const from = this.find(n);
    return from >= 0 && this.lastTo > from;
  }

  /**
   * Element n, a code (a qualifier, a procedure code, a CARC): the same string object
   * each time the same short code is read, so a file of thousands of claims holds one
   * "CO" and one "99214", not one per element.
   */
  code(n: number): string {
    const from = this.find(n);
    return from < 0 ? '' : shared(this.text, from, this.lastTo);
  }

  /** Components of composite element n as codes (see `code`); a simple element gives one component. */
  codes(n: number): string[] {
    const from = this.find(n);
    const to = this.lastTo;
    if (from < 0 || from === to) return [];
    const { text } = this;
    // Scanned by character code within the element: indexOf would run on past it, to the
    // end of a file that holds no other component separator, once per element read.
    const sep = this.delimiters.component.charCodeAt(0);
    const out: string[] = [];
    let at = from;
    for (let i = from; i < to; i++) {
      if (text.charCodeAt(i) !== sep) continue;
      out.push(shared(text, at, i));
      at = i + 1;
    }
    out.push(shared(text, at, to));
    return out;
  }

  /** Every element, the id first. */
  get elements(): string[] {
    return this.text.slice(this.start, this.end).split(this.delimiters.element);
  }

  /** Components of a composite element n; a simple element gives one component. */
  components(n: number): string[] {
    const v = this.el(n);
    return v === '' ? [] : v.split(this.delimiters.component);
  }

  /** Repetitions of element n (e.g. EB03 service types). */
  repeats(n: number): string[] {
    const v = this.el(n);
    if (v === '') return [];
    return this.delimiters.repetition ? v.split(this.delimiters.repetition) : [v];
  }

  /** Element n, which the guide requires: refused when empty. */
  required(n: number): string {
    const v = this.el(n);
    if (v === '') throw new X12ContentError('required element is missing', this.at(n));
    return v;
  }

  /** Element n as integer cents ('' gives undefined), read off the text. */
  cents(n: number): number | undefined {
    const from = this.find(n);
    if (from < 0 || from === this.lastTo) return undefined;
    const cents = fastCents(this.text, from, this.lastTo);
    return cents === undefined ? amountToCents(this.text.slice(from, this.lastTo), this.at(n)) : cents;
  }

  /** Element n, a CCYYMMDD date, as YYYY-MM-DD. */
  date(n: number, v = this.el(n)): string {
    if (v.length !== 8 || !isDigits(v)) throw new X12ContentError(`is not a date (CCYYMMDD)`, this.at(n), v);
    return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}`;
  }

  /**
   * Element n, a CCYYMMDD date that is nobody's own (a service, production or payment
   * date, never a birth date), as YYYY-MM-DD: one string per distinct date, as `code`
   * shares codes, since a remittance repeats a handful of dates thousands of times.
   */
  sharedDate(n: number): string {
    const from = this.find(n);
    const date = from >= 0 && this.lastTo - from === 8 ? isoDate(this.text, from) : undefined;
    return date ?? this.date(n);
  }

  /** Element n, a D8 date or an RD8 range (CCYYMMDD-CCYYMMDD): the (first) date as YYYY-MM-DD. */
  startDate(n: number): string {
    const v = this.el(n);
    if (v.length !== 8 && !(v.length === 17 && v[8] === '-')) throw new X12ContentError(`is not a date or date range`, this.at(n), v);
    return this.date(n, v.slice(0, 8));
  }

  at(element?: number) {
    return { line: this.line, segment: this.id, element };
  }

  toString(): string {
    return this.text.slice(this.start, this.end);
  }
}

/** How many times `c` occurs in `text` before `end`. */
function countOf(text: string, c: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf(c); i >= 0 && i < end; i = text.indexOf(c, i + 1)) n++;
  return n;
}

/** Reads the delimiters from the ISA at the start of the text (or from a bare ST, see bareDelimiters). */
export function readDelimiters(text: string): Delimiters {
  const start = text.search(/\S/);
  if (start >= 0 && text.startsWith('ST', start) && !/[A-Za-z0-9\s]/.test(text[start + 2] ?? 'A')) return bareDelimiters(text, start);
  if (start < 0 || text.slice(start, start + 3) !== 'ISA') {
    throw new X12SyntaxError('NOT_X12', 'not an X12 interchange: it must start with an ISA segment (or, pasted from a guide, an ST)', { line: 1 });
  }
  const isa = text.slice(start, start + 106);
  if (isa.length < 106) throw new X12SyntaxError('TRUNCATED', 'the ISA segment is cut short (106 characters expected)', { line: 1, segment: 'ISA' });
  const element = isa[3];
  const segment = isa[105];
  const component = isa[104];
  const repetition = isa[82];
  if (/[A-Za-z0-9 ]/.test(element) || isa.split(element).length !== 17) {
    throw new X12SyntaxError('BAD_ISA', 'the ISA must have 16 fixed-width elements', { line: 1, segment: 'ISA' });
  }
  const distinct = new Set([element, component, segment]);
  if (distinct.size !== 3 || /[A-Za-z0-9]/.test(component + segment)) {
    throw new X12SyntaxError('BAD_ISA', 'ISA16 and the segment terminator must be distinct special characters', { line: 1, segment: 'ISA', element: 16 });
  }
  // 4010 files carry `U` (the standards id) in ISA11 instead of a separator.
  const repeats = !/[A-Za-z0-9 ]/.test(repetition) && !distinct.has(repetition);
  return { element, component, segment, repetition: repeats ? repetition : undefined };
}

/**
 * A bare transaction set (ST..SE, as pasted from a companion guide) has no ISA to name
 * its delimiters: the element separator follows "ST", the segment terminator is the first
 * other special character (a line break when the paste has none), and the component and
 * repetition separators are the guides' usual ":" and "^" unless they are taken.
 */
function bareDelimiters(text: string, start: number): Delimiters {
  const element = text[start + 2];
  let segment = '\n';
  for (let i = start + 3; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' || c === '\n') break;
    if (c !== element && !/[A-Za-z0-9 ]/.test(c)) {
      segment = c;
      break;
    }
  }
  const free = (c: string) => c !== element && c !== segment;
  return { element, segment, component: free(':') ? ':' : '>', repetition: free('^') ? '^' : undefined };
}

/**
 * Every segment of a file as four parallel arrays (start, end, line, id) over its text:
 * no object per segment until one is asked for. `segment(i)` makes one to keep; `each`
 * moves a single Segment along a range, which is how the large-file readers (835, 837P)
 * read without leaving a Segment per segment for the garbage collector. Positions and
 * lines are Int32Arrays, outside the garbage-collected heap: a table of 60,000 segments
 * is 720 KB the collector never copies or scans (as number[] it was 3.7 MB it did).
 */
export class SegmentTable {
  starts: Int32Array;
  ends: Int32Array;
  lines: Int32Array;
  readonly ids: string[] = [];
  private count = 0;

  constructor(
    readonly text: string,
    readonly delimiters: Delimiters,
  ) {
    // A segment is seldom shorter than 16 characters; add() doubles the arrays when it is.
    const capacity = Math.max(16, text.length >> 4);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.lines = new Int32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends segment [start, end) with its id and line (scan). */
  add(start: number, end: number, line: number, id: string): void {
    const i = this.count;
    if (i === this.starts.length) this.grow();
    this.starts[i] = start;
    this.ends[i] = end;
    this.lines[i] = line;
    this.ids.push(id);
    this.count = i + 1;
  }

  private grow(): void {
    const bigger = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.starts = bigger(this.starts);
    this.ends = bigger(this.ends);
    this.lines = bigger(this.lines);
  }

  /** Segment i as an object of its own (safe to keep). */
  segment(i: number): Segment {
    return new Segment(this.text, this.starts[i], this.ends[i], this.ids[i], this.lines[i], this.delimiters);
  }

  /** Segments [from, to) as objects of their own. */
  slice(from: number, to: number): Segment[] {
    const out: Segment[] = new Array(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.segment(i);
    return out;
  }

  /** Calls fn on segments [from, to) with ONE Segment object moved along: fn must not keep it. */
  each(from: number, to: number, fn: (s: Segment) => void): void {
    if (from >= to) return;
    const { starts, ends, ids, lines } = this;
    const s = this.segment(from);
    fn(s);
    for (let i = from + 1; i < to; i++) {
      s.moveTo(starts[i], ends[i], ids[i], lines[i]);
      fn(s);
    }
  }
}

/**
 * Splits a whole file into segments. Whitespace between segments (line breaks, a
 * trailing newline, padding) is dropped; a segment id must be 2-3 letters or digits.
 */
export function tokenize(text: string): Segment[] {
  const table = scan(text);
  return table.slice(0, table.length);
}

/**
 * Segment ids seen, by their character codes: one string per id, not one per segment,
 * and an internalized one (as a property name is), so a reader's `switch (s.id)` against
 * literals compares pointers, not characters.
 */
const ID_CACHE = new Map<number, string>();

/** tokenize without the objects: the segment table of a whole file. */
export function scan(text: string): SegmentTable {
  const d = readDelimiters(text);
  const table = new SegmentTable(text, d);
  const hasBreaks = text.includes('\n');
  // NUL is in no X12 character set, and Postgres cannot store it: refused at the door, with where it is.
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const line = 1 + countOf(text, hasBreaks ? '\n' : d.segment, nul);
    throw new X12SyntaxError('BAD_SEGMENT', 'a NUL byte is not allowed in X12 (binary data, or a file in the wrong encoding)', { line });
  }
  const terminator = d.segment;
  const elementCode = d.element.charCodeAt(0);
  let line = 1;
  let pos = 0;
  let nextBreak = hasBreaks ? text.indexOf('\n') : -1;
  const end = text.length;
  while (pos < end) {
    // Skip whitespace between segments, counting line breaks.
    let c = text.charCodeAt(pos);
    while (c <= 32 && pos < end) {
      if (c === 10) line++;
      c = text.charCodeAt(++pos);
    }
    if (pos >= end) break;
    let stop = text.indexOf(terminator, pos);
    if (stop < 0) stop = end;
    let last = stop;
    while (last > pos && text.charCodeAt(last - 1) <= 32) last--;
    const at = hasBreaks ? line : table.length + 1;
    if (hasBreaks) {
      // Line breaks inside a segment (some senders wrap long ones); nextBreak only moves forward.
      if (nextBreak < pos && nextBreak >= 0) nextBreak = text.indexOf('\n', pos);
      while (nextBreak >= 0 && nextBreak < last) {
        line++;
        nextBreak = text.indexOf('\n', nextBreak + 1);
      }
    }
    const id = segmentId(text, pos, last, elementCode);
    if (id === undefined) {
      throw new X12SyntaxError('BAD_SEGMENT', `"${text.slice(pos, Math.min(last, pos + 10))}" does not start with a segment id`, { line: at });
    }
    table.add(pos, last, at, id);
    pos = stop + 1;
  }
  return table;
}

/** The id at pos (2-3 characters: an upper-case letter, then upper-case letters or digits, X12.6), or undefined. */
function segmentId(text: string, pos: number, last: number, elementCode: number): string | undefined {
  let key = 0;
  let n = 0;
  for (; n < 4 && pos + n < last; n++) {
    const c = text.charCodeAt(pos + n);
    if (c === elementCode) break;
    const ok = n === 0 ? c >= 65 && c <= 90 : (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
    if (!ok || n === 3) return undefined;
    key = key * 128 + c;
  }
  if (n < 2) return undefined;
  let id = ID_CACHE.get(key);
  if (id === undefined) {
    id = Object.keys({ [text.slice(pos, pos + n)]: true })[0];
    ID_CACHE.set(key, id);
  }
  return id;
}
