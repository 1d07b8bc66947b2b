/**
 * X12 values as revcycle reads and writes them: decimals (R) as integer cents, dates (DT) as
 * calendar dates, and the allocation-free readers the segment table uses for its hot paths
 * (shared short codes, cached dates). Pure.
 */
import { X12ContentError } from './errors';

export function isDigits(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Reads an X12 decimal (R) as integer cents without floating point: "945.00",
 * "-1.27", ".5", "10". More than two decimals is refused, as money has two.
 */
export function amountToCents(value: string, at: { line?: number; segment?: string; element?: number } = {}): number {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new X12ContentError(`is not an amount`, at, value);
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > 2) throw new X12ContentError(`has more than two decimals`, at, value);
  const cents = Number(m[2] || '0') * 100 + Number(frac.padEnd(2, '0'));
  return m[1] === '-' && cents !== 0 ? -cents : cents;
}

/**
 * The common shapes ("125", "125.5", "-1.27") in text[from, to), without a regex or an
 * allocation; undefined sends anything else to amountToCents, which decides and names the error.
 */
export function fastCents(v: string, from: number, to: number): number | undefined {
  let i = from;
  const negative = v.charCodeAt(i) === 45;
  if (negative) i++;
  let whole = 0;
  let digits = 0;
  for (; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c === 46) break;
    if (c < 48 || c > 57 || digits === 13) return undefined;
    whole = whole * 10 + (c - 48);
    digits++;
  }
  let frac = 0;
  let places = 0;
  for (i++; i < to; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57 || places === 2) return undefined;
    frac = frac * 10 + (c - 48);
    places++;
  }
  if (digits === 0 && places === 0) return undefined;
  const cents = whole * 100 + (places === 1 ? frac * 10 : frac);
  return negative && cents !== 0 ? -cents : cents;
}

/**
 * Short values shared by their characters: a direct-mapped table of 4,096 strings, each
 * slot holding the last value that hashed to it. A hit costs a hash and a compare, no
 * allocation; a miss cuts the value out as `slice` would and keeps it for next time.
 * Only codes go through it (qualifiers, procedure and reason codes, dates), never names
 * or identifiers: what stays in the table is a few thousand codes, not a patient's data.
 */
const SHARED_MAX_LENGTH = 12;
const SHARED_MASK = 4095;
const SHARED: string[] = new Array<string>(SHARED_MASK + 1).fill('');

export function shared(text: string, from: number, to: number): string {
  const length = to - from;
  if (length > SHARED_MAX_LENGTH) return text.slice(from, to);
  if (length <= 1) return length === 1 ? text[from] : '';
  let h = length;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  const slot = (h ^ (h >>> 13)) & SHARED_MASK;
  const hit = SHARED[slot];
  if (hit.length === length) {
    let k = 0;
    while (k < length && hit.charCodeAt(k) === text.charCodeAt(from + k)) k++;
    if (k === length) return hit;
  }
  const value = text.slice(from, to);
  SHARED[slot] = value;
  return value;
}

/** Shared dates (Segment.sharedDate), as YYYY-MM-DD by their CCYYMMDD number; emptied when full. */
const DATES = new Map<number, string>();
const DATES_MAX = 4096;

/** The 8 characters at `from` as YYYY-MM-DD, or undefined when they are not all digits. */
export function isoDate(text: string, from: number): string | undefined {
  let key = 0;
  for (let i = from; i < from + 8; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    key = key * 10 + (c - 48);
  }
  let date = DATES.get(key);
  if (date === undefined) {
    date = `${text.slice(from, from + 4)}-${text.slice(from + 4, from + 6)}-${text.slice(from + 6, from + 8)}`;
    if (DATES.size >= DATES_MAX) DATES.clear();
    DATES.set(key, date);
  }
  return date;
}

/** Writes integer cents as an X12 decimal with trailing zeros suppressed (X12.6: 12500 → "125", 12550 → "125.5"). */
export function centsToAmount(cents: number): string {
  if (!Number.isInteger(cents)) throw new RangeError(`cents must be an integer, got ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  const frac = String(abs % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
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
