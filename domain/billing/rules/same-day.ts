/** Lines that cannot stand together on one date of service: exact duplicates, and two office E/M visits. */
import { finding, inRanges, lineOf, type Finding, type ScrubClaim, type ScrubData } from '../findings';

const lineKey = (p: ScrubClaim['procedures'][number]) => `${p.code}|${[...p.modifiers].sort().join(',')}`;

export function sameDay(claim: ScrubClaim, data: ScrubData): Finding[] {
  const out: Finding[] = [];
  const first = new Map<string, number>();
  claim.procedures.forEach((p, i) => {
    const key = lineKey(p);
    const earlier = first.get(key);
    if (earlier === undefined) return void first.set(key, i);
    out.push(
      finding({
        ruleId: 'DUPLICATE_LINE',
        severity: 'error',
        line: lineOf(i),
        path: `procedures[${i}]`,
        message: `line ${lineOf(i)} repeats line ${lineOf(earlier)} (${p.code}${p.modifiers.length ? `-${p.modifiers.join('-')}` : ''}): bill it once with the total units, or add the modifier that tells them apart`,
      }),
    );
  });
  const em = claim.procedures.map((p, i) => ({ p, i })).filter(({ p }) => inRanges(p.code, data.rules.evaluationAndManagement));
  for (const { p, i } of em.slice(1)) {
    out.push(
      finding({
        ruleId: 'EM_SAME_DAY',
        severity: 'error',
        line: lineOf(i),
        path: `procedures[${i}].code`,
        message: `${em[0].p.code} (line ${lineOf(em[0].i)}) and ${p.code} (line ${lineOf(i)}) are two E/M visits on ${claim.serviceDate}: bill one E/M per day, at the level the documentation supports`,
      }),
    );
  }
  return out;
}
