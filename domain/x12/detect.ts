/**
 * Tells which transaction a file holds without parsing it all, so a webhook can route
 * it: ST01, refined by GS08 where one transaction set serves two guides (277 is a
 * claim acknowledgment under X214, a status answer under X212).
 */
import { X12SyntaxError } from './errors';
import { readDelimiters } from './syntax';

export type TransactionKind = '270' | '271' | '276' | '277' | '277CA' | '835' | '837P' | '837I' | '837D' | '999' | 'other';

export interface DetectedTransaction {
  kind: TransactionKind;
  /** ST01 */
  transactionSet: string;
  /** GS08, e.g. 005010X222A1. */
  version: string;
  /** ISA13 */
  controlNumber: string;
  /** ISA06, trimmed. */
  senderId: string;
}

export function detectTransaction(text: string): DetectedTransaction {
  const d = readDelimiters(text);
  const first = text.search(/\S/);
  if (text.startsWith('ST', first)) {
    // A bare transaction set (ST..SE, no ISA/GS): ST03 is the only guide named.
    const st = text.slice(first, text.indexOf(d.segment, first)).trim().split(d.element);
    return { kind: kindOf(st[1] ?? '', st[3] ?? ''), transactionSet: st[1] ?? '', version: st[3] ?? '', controlNumber: '', senderId: '' };
  }
  const [isaRaw, gsRaw = '', stRaw = ''] = text
    .slice(text.indexOf('ISA'))
    .split(d.segment, 3)
    .map((s) => s.trim());
  const [isa, gs, st] = [isaRaw, gsRaw, stRaw].map((s) => s.split(d.element));
  if (gs[0] !== 'GS' || st[0] !== 'ST') throw new X12SyntaxError('ENVELOPE', 'the ISA must be followed by a GS and an ST', { line: 1 });
  const version = gs[8] ?? '';
  // ST03, where sent, names the guide the set was written to, even when GS08 disagrees (parseInterchange warns).
  return { kind: kindOf(st[1] ?? '', st[3] || version), transactionSet: st[1] ?? '', version, controlNumber: isa[13], senderId: isa[6].trim() };
}

function kindOf(st01: string, gs08: string): TransactionKind {
  switch (st01) {
    case '837':
      if (gs08.includes('X222')) return '837P';
      if (gs08.includes('X223')) return '837I';
      if (gs08.includes('X224')) return '837D';
      return 'other';
    case '277':
      return gs08.includes('X214') ? '277CA' : '277';
    case '270':
    case '271':
    case '276':
    case '835':
    case '999':
      return st01;
    default:
      return 'other';
  }
}
