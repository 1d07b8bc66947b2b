/**
 * Our own structural check for transactions pyx12 has no map for (270): the segment
 * order of the guide's loops as a pattern over "ID:qualifier" tokens, plus HL
 * parent numbering. Not a full HIPAA validation; enough to catch a builder writing
 * loops in the wrong order or an HL pointing at the wrong parent.
 */
import { parseInterchange } from './envelope';
import { Segment } from './syntax';

/** Token for a segment: NM1 and HL carry their entity or level code, as loops are told apart by them. */
function token(s: Segment): string {
  if (s.id === 'NM1') return `NM1:${s.el(1)}`;
  if (s.id === 'HL') return `HL:${s.el(3)}`;
  return s.id;
}

const PERSON = '(TRN ){0,3}NM1:(IL|03) (REF ){0,9}(N3 )?(N4 )?(PRV )?(DMG )?(INS )?(HI )?(DTP ){0,2}(EQ (AMT ){0,2}(III ){0,10}(REF )?(DTP )?)*';

/** 005010X279A1 270: 2000A source, 2000B receiver, 2000C subscriber, 2000D dependent. */
const ORDER_270 = new RegExp(`^BHT (HL:20 NM1:PR (HL:21 NM1:1P (REF ){0,9}(N3 )?(N4 )?(PRV )?(HL:22 ${PERSON}(HL:23 ${PERSON})*)+)+)+$`);

export function check270Structure(text: string): string[] {
  const problems: string[] = [];
  const ic = parseInterchange(text);
  for (const group of ic.groups) {
    if (group.version !== '005010X279A1') problems.push(`GS08 is ${group.version}, expected 005010X279A1`);
    for (const tx of group.transactions) {
      if (tx.type !== '270') problems.push(`line ${tx.line}: ST01 is ${tx.type}, expected 270`);
      const tokens = tx.segments.map(token).join(' ') + ' ';
      if (!ORDER_270.test(tokens)) problems.push(`line ${tx.line}: segments out of the guide's order: ${tokens.trim()}`);
      problems.push(...hlProblems(tx.segments));
    }
  }
  return problems;
}

/** HL01 counts up from 1; HL02 names an earlier HL. */
function hlProblems(segments: Segment[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const hl of segments.filter((s) => s.id === 'HL')) {
    if (hl.el(1) !== String(seen.size + 1)) problems.push(`line ${hl.line}: HL01 ${hl.el(1)} out of sequence`);
    if (hl.el(2) && !seen.has(hl.el(2))) problems.push(`line ${hl.line}: HL02 ${hl.el(2)} names no earlier HL`);
    seen.add(hl.el(1));
  }
  return problems;
}
