/**
 * The code lists of the status and group elements revcycle reads from inbound X12. A code
 * outside its list is a content refusal naming the segment and element (CAS01, CLP02…),
 * never a dollar posted under a group nobody defined. Lists as the implementation guides
 * print them (005010X221A1, X231A1, X212/X214); CARC and RARC are external code lists that
 * change several times a year, so only their format is checked.
 */
import { X12ContentError } from './errors';
import type { Segment } from './syntax';

const range = (from: number, to: number, prefix = '') => Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);

export const CODE_LISTS = {
  /** CAS01 claim adjustment group code (X221A1). */
  adjustmentGroup: { name: 'claim adjustment group code', codes: ['CO', 'CR', 'OA', 'PI', 'PR'] },
  /** CLP02 claim status code (X221A1). */
  claimStatus: { name: 'claim status code', codes: ['1', '2', '3', '4', '19', '20', '21', '22', '23', '25'] },
  /** STC01-1, STC10-1, STC11-1: health care claim status category code (external code list 507). */
  statusCategory: {
    name: 'claim status category code',
    codes: [
      ...range(0, 8, 'A'),
      'D0',
      ...range(1, 8, 'DR0'),
      ...range(0, 4, 'E'),
      ...range(0, 5, 'F'),
      'F3F',
      'F3N',
      ...range(0, 5, 'P'),
      ...range(0, 16, 'R'),
      'RQ',
    ],
  },
  /** IK501 transaction set acknowledgment code (X231A1). */
  transactionAck: { name: 'transaction set acknowledgment code', codes: ['A', 'E', 'M', 'R', 'W', 'X'] },
  /** IK502-IK506 implementation transaction set syntax error code (X231A1). */
  transactionError: { name: 'transaction set syntax error code', codes: [...range(1, 7), ...range(9, 19), ...range(23, 27), 'I5', 'I6'] },
  /** AK901 functional group acknowledge code (X231A1). */
  groupAck: { name: 'functional group acknowledge code', codes: ['A', 'E', 'M', 'P', 'R', 'W', 'X'] },
  /** AK905-AK909 functional group syntax error code (X231A1). */
  groupError: { name: 'functional group syntax error code', codes: [...range(1, 6), ...range(17, 19), ...range(23, 26)] },
  /** IK304 implementation segment syntax error code (X231A1). */
  segmentError: { name: 'segment syntax error code', codes: [...range(1, 8), 'I4', 'I6', 'I7', 'I8', 'I9'] },
  /** IK403 implementation data element syntax error code (X231A1). */
  elementError: { name: 'data element syntax error code', codes: [...range(1, 10), '12', '13', 'I6', 'I9', 'I10', 'I11', 'I12', 'I13'] },
} as const satisfies Record<string, { name: string; codes: readonly string[] }>;

export type CodeList = keyof typeof CODE_LISTS;

/** Claim adjustment reason codes (CARC, code source 139): 1-3 digits, or a letter and 1-2 digits (A1, P14). */
export const CARC_FORMAT = /^(?:[1-9]\d{0,2}|[A-Z]\d{1,2})$/;
/** Remittance advice remark codes (RARC, code source 411): M, MA or N and digits (N130, MA01, M15). */
export const RARC_FORMAT = /^(?:M|MA|N)\d{1,4}$/;
/** Claim status codes (external code list 508): digits. */
export const STATUS_CODE_FORMAT = /^\d{1,4}$/;

const SETS = Object.fromEntries(Object.entries(CODE_LISTS).map(([k, l]) => [k, new Set<string>(l.codes)])) as Record<CodeList, Set<string>>;

/** Element n of `s` (or a component of it, given as `value`), checked against its code list; refused with its position otherwise. */
export function listedCode(s: Segment, n: number, list: CodeList, value = s.el(n)): string {
  if (!SETS[list].has(value)) {
    const { name, codes } = CODE_LISTS[list];
    const some = codes.length > 12 ? `${codes.slice(0, 12).join(', ')}…` : codes.join(', ');
    throw new X12ContentError(`is not a ${name} (one of ${some})`, s.at(n), value);
  }
  return value;
}

/** Element n (or a value read from it) checked against a format (CARC, RARC); refused with its position otherwise. */
export function formattedCode(s: Segment, n: number, format: RegExp, what: string, value = s.el(n)): string {
  if (!format.test(value)) throw new X12ContentError(`is not a ${what}`, s.at(n), value);
  return value;
}

/**
 * A CARC (CARC_FORMAT) read from element n: the 835 reads one per adjustment, thousands
 * per file, so the format is checked by character codes, not by the regex.
 */
export function carc(s: Segment, n: number, value: string): string {
  const c0 = value.charCodeAt(0);
  let ok: boolean;
  if (c0 >= 49 && c0 <= 57) ok = value.length <= 3 && digitsFrom(value, 1);
  else ok = c0 >= 65 && c0 <= 90 && value.length >= 2 && value.length <= 3 && digitsFrom(value, 1);
  if (!ok) throw new X12ContentError(`is not a claim adjustment reason code (CARC)`, s.at(n), value);
  return value;
}

/** A RARC (RARC_FORMAT) read from element n, checked as `carc` is. */
export function rarc(s: Segment, n: number, value: string): string {
  const prefix = value.startsWith('MA') ? 2 : value.startsWith('M') || value.startsWith('N') ? 1 : 0;
  const digits = value.length - prefix;
  if (prefix === 0 || digits < 1 || digits > 4 || !digitsFrom(value, prefix)) throw new X12ContentError(`is not a remark code (RARC)`, s.at(n), value);
  return value;
}

function digitsFrom(v: string, from: number): boolean {
  for (let i = from; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Element n as a whole number (counts, positions): refused with its position otherwise. */
export function wholeNumber(s: Segment, n: number, what: string): number {
  const v = s.el(n);
  if (!/^\d{1,9}$/.test(v)) throw new X12ContentError(`is not a ${what} (a whole number)`, s.at(n), v);
  return Number(v);
}
