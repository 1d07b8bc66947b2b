/**
 * Typed X12 errors. None of them is cured by a retry: the bytes must change.
 * Each names where the problem is, as the standard numbers it (segment id and
 * element position, e.g. CLP04), and the line (or, in a file without line breaks,
 * the segment's ordinal in the file) so a biller can find it in an editor.
 */
import { FailureType } from '../failures';

/** Where in the file a problem was found. */
export interface X12Location {
  /** 1-based line in the file; for a file without line breaks, the segment's ordinal. */
  line?: number;
  segment?: string;
  /** 1-based element position, as in CLP04. */
  element?: number;
}

export type X12SyntaxReason = 'NOT_X12' | 'BAD_ISA' | 'TRUNCATED' | 'ENVELOPE' | 'SEGMENT_COUNT' | 'BAD_SEGMENT';

/** A value as an error message shows it: quoted, control characters escaped, long values cut (a 4xx body stays small). */
export function shown(v: string): string {
  return JSON.stringify(v.length > 24 ? `${v.slice(0, 24)}…` : v);
}

function where(loc: X12Location): string {
  const parts: string[] = [];
  if (loc.line !== undefined) parts.push(`line ${loc.line}`);
  if (loc.segment) parts.push(loc.element ? `${loc.segment}${String(loc.element).padStart(2, '0')}` : loc.segment);
  return parts.length ? `${parts.join(', ')}: ` : '';
}

/** The file is not well-formed X12: not X12 at all, truncated, or its envelopes do not add up. */
export class X12SyntaxError extends Error {
  readonly code = FailureType.X12Syntax;
  /** Where and why, without the detail (which may quote the file's bytes): what a visit's history keeps. */
  readonly fixedText: string;
  constructor(
    readonly reason: X12SyntaxReason,
    detail: string,
    readonly location: X12Location = {},
  ) {
    super(`${where(location)}${detail}`);
    this.fixedText = `${where(location)}not well-formed X12 (${reason})`;
    this.name = 'X12SyntaxError';
  }
}

/** Well-formed X12 whose content a transaction's guide does not allow (a missing CLP, an amount that is not a number). */
export class X12ContentError extends Error {
  readonly code = FailureType.X12Content;
  /**
   * The message without the value it quotes: a value read from an outside party's file may
   * be a birth date or a name, so this, not `message`, is what goes into a visit's history.
   */
  readonly fixedText: string;
  constructor(
    detail: string,
    readonly location: X12Location = {},
    /** The offending value, quoted in `message` (for the sender of the file) and left out of `fixedText`. */
    value?: string,
  ) {
    super(`${where(location)}${value === undefined ? '' : `${shown(value)} `}${detail}`);
    this.fixedText = `${where(location)}${value === undefined ? '' : 'the value '}${detail}`;
    this.name = 'X12ContentError';
  }
}

/** The data handed to a builder cannot be written as valid X12 (a delimiter inside a name, too many diagnoses). */
export class X12BuildError extends Error {
  readonly code = FailureType.X12Build;
  constructor(
    detail: string,
    readonly field?: string,
  ) {
    super(field ? `${field}: ${detail}` : detail);
    this.name = 'X12BuildError';
  }
}

/** A file holds a different transaction than the parser it was given to (an 835 handed to the 271 parser). */
export class X12WrongTransactionError extends Error {
  readonly code = FailureType.X12WrongTransaction;
  constructor(
    readonly expected: string,
    readonly found: string,
  ) {
    super(`expected a ${expected} transaction, found ${found}`);
    this.name = 'X12WrongTransactionError';
  }
}
