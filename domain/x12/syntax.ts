/**
 * X12 5010 syntax: delimiters, segments and elements (ASC X12 Standards, Appendix B).
 * The ISA is fixed-width (106 characters), so its characters at fixed offsets name the
 * delimiters: 3 element separator, 82 repetition separator (ISA11), 104 component
 * separator (ISA16), 105 segment terminator. Line breaks after a terminator are
 * tolerated, as many trading partners send them.
 */
import { X12ContentError, X12SyntaxError } from './errors';

export interface Delimiters {
  element: string;
  component: string;
  /** ISA11; undefined in files that still carry the 4010 value `U` there. */
  repetition?: string;
  segment: string;
}

export const DEFAULT_DELIMITERS: Delimiters = { element: '*', component: ':', repetition: '^', segment: '~' };

/** One segment: `elements[0]` is the segment id, `elements[n]` is element n (1-based, as the guides number them). */
export class Segment {
  constructor(
    readonly elements: string[],
    /** 1-based line in the file, or the segment's ordinal when the file has no line breaks. */
    readonly line: number,
    readonly delimiters: Delimiters,
  ) {}

  get id(): string {
    return this.elements[0];
  }

  /** Element n (1-based), '' when absent. */
  el(n: number): string {
    return this.elements[n] ?? '';
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

  /** Element n as integer cents ('' gives undefined). */
  cents(n: number): number | undefined {
    const v = this.el(n);
    return v === '' ? undefined : amountToCents(v, this.at(n));
  }

  at(element?: number) {
    return { line: this.line, segment: this.id, element };
  }

  toString(): string {
    return this.elements.join(this.delimiters.element);
  }
}

/** Reads the delimiters from the ISA at the start of the text. */
export function readDelimiters(text: string): Delimiters {
  const start = text.search(/\S/);
  if (start < 0 || text.slice(start, start + 3) !== 'ISA') {
    throw new X12SyntaxError('NOT_X12', 'not an X12 interchange: it must start with an ISA segment', { line: 1 });
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
 * Splits a whole file into segments. Whitespace between segments (line breaks, a
 * trailing newline, padding) is dropped; a segment id must be 2-3 letters or digits.
 */
export function tokenize(text: string): Segment[] {
  const d = readDelimiters(text);
  const raw = text.split(d.segment);
  const hasBreaks = text.includes('\n');
  const segments: Segment[] = [];
  let line = 1;
  for (const rawPiece of raw) {
    let piece = rawPiece;
    const first = piece.length === 0 || piece.charCodeAt(0) > 32 ? 0 : piece.search(/\S/);
    if (first < 0) {
      line += countBreaks(piece, piece.length);
      continue;
    }
    if (first > 0) {
      line += countBreaks(piece, first);
      piece = piece.slice(first);
    }
    if (piece.length === 0) continue;
    if (piece.charCodeAt(piece.length - 1) <= 32) piece = piece.trimEnd();
    const elements = piece.split(d.element);
    const id = elements[0];
    if (!/^[A-Z][A-Z0-9]{1,2}$/.test(id)) {
      throw new X12SyntaxError('BAD_SEGMENT', `"${id.slice(0, 10)}" is not a segment id`, { line: hasBreaks ? line : segments.length + 1 });
    }
    segments.push(new Segment(elements, hasBreaks ? line : segments.length + 1, d));
  }
  return segments;
}

function countBreaks(s: string, end: number): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < end; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Reads an X12 decimal (R) as integer cents without floating point: "945.00",
 * "-1.27", ".5", "10". More than two decimals is refused, as money has two.
 */
export function amountToCents(value: string, at: { line?: number; segment?: string; element?: number } = {}): number {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new X12ContentError(`"${value}" is not an amount`, at);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > 2) throw new X12ContentError(`"${value}" has more than two decimals`, at);
  const cents = Number(m[2] || '0') * 100 + Number(frac.padEnd(2, '0'));
  return m[1] === '-' && cents !== 0 ? -cents : cents;
}

/** Writes integer cents as an X12 decimal with trailing zeros suppressed (X12.6: 12500 → "125", 12550 → "125.5"). */
export function centsToAmount(cents: number): string {
  if (!Number.isInteger(cents)) throw new RangeError(`cents must be an integer, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = String(abs % 100).padStart(2, '0').replace(/0+$/, '');
  return frac ? `${sign}${whole}.${frac}` : `${sign}${whole}`;
}

/** CCYYMMDD → YYYY-MM-DD. */
export function x12Date(value: string, at?: { line?: number; segment?: string; element?: number }): string {
  if (!/^\d{8}$/.test(value)) throw new X12ContentError(`"${value}" is not a date (CCYYMMDD)`, at);
  return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
}

/** YYYY-MM-DD → CCYYMMDD. */
export function toX12Date(date: string): string {
  return date.replace(/-/g, '');
}
