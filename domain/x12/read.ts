/**
 * Reads any transaction revcycle understands, chosen by `detectTransaction`: for the
 * CLI and for code that receives files of every kind (a clearinghouse mailbox).
 */
import { parse999 } from './acknowledgment';
import { parse276, parse277 } from './claim-status';
import { detectTransaction, TransactionKind } from './detect';
import { parse270, parse271 } from './eligibility';
import type { ReadOptions } from './envelope';
import { X12WrongTransactionError } from './errors';
import { parse837P } from './parse-837p';
import { parse835 } from './remittance';

export type ParsedX12 =
  | ({ kind: '837P' } & ReturnType<typeof parse837P>)
  | ({ kind: '270' } & ReturnType<typeof parse270>)
  | ({ kind: '271' } & ReturnType<typeof parse271>)
  | ({ kind: '276' } & ReturnType<typeof parse276>)
  | ({ kind: '277' | '277CA' } & ReturnType<typeof parse277>)
  | ({ kind: '835' } & ReturnType<typeof parse835>)
  | ({ kind: '999' } & ReturnType<typeof parse999>);

export const READABLE: TransactionKind[] = ['837P', '270', '271', '276', '277', '277CA', '835', '999'];

export function parseX12(text: string, options?: ReadOptions): ParsedX12 {
  const kind = detectTransaction(text).kind;
  switch (kind) {
    case '837P':
      return { kind, ...parse837P(text, options) };
    case '270':
      return { kind, ...parse270(text, options) };
    case '271':
      return { kind, ...parse271(text, options) };
    case '276':
      return { kind, ...parse276(text, options) };
    case '277':
    case '277CA':
      return { kind, ...parse277(text, options) };
    case '835':
      return { kind, ...parse835(text, options) };
    case '999':
      return { kind, ...parse999(text, options) };
    default:
      throw new X12WrongTransactionError(READABLE.join(', '), kind);
  }
}
