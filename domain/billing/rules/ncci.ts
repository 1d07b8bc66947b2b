/**
 * NCCI edits as CMS publishes them. Procedure-to-procedure (PTP): a column 2 code is not
 * paid with its column 1 code on the same day while the edit is in effect; with modifier
 * indicator 1 an NCCI-associated modifier (59, XE, XS, XP, XU on the column 2 line, or 25
 * on the E/M line) says they were distinct; indicator 0 allows no modifier, 9 means the
 * edit does not apply. Only the column 2 line's modifiers count: 25 on an E/M that is the
 * column 1 code bypasses nothing. MUE: the most units one practitioner bills for a code,
 * per line (adjudication indicator 1) or per day (2 = policy, nothing raises it; 3 =
 * clinical, more units only on appeal with the records).
 */
import { finding, inRanges, lineOf, type Finding, type ScrubClaim, type ScrubData } from '../findings';

export function ptpEdits(claim: ScrubClaim, data: ScrubData): Finding[] {
  const day = claim.serviceDate;
  const out: Finding[] = [];
  const isEm = (code: string) => inRanges(code, data.rules.evaluationAndManagement);
  for (const edit of data.ptp) {
    if (edit.modifierIndicator === '9' || edit.effectiveFrom > day || (edit.deletedOn && edit.deletedOn <= day)) continue;
    claim.procedures.forEach((c2, j) => {
      if (c2.code !== edit.column2) return;
      claim.procedures.forEach((c1, i) => {
        if (i === j || c1.code !== edit.column1) return;
        const path = `procedures[${j}].modifiers`;
        if (edit.modifierIndicator === '0') {
          out.push(
            finding({
              id: `NCCI_PTP@${i}-${j}`,
              ruleId: 'NCCI_PTP',
              severity: 'error',
              line: lineOf(j),
              path: `procedures[${j}].code`,
              message: `${c2.code} (line ${lineOf(j)}) is part of ${c1.code} (line ${lineOf(i)}) on the same day (NCCI PTP edit since ${edit.effectiveFrom}, modifier indicator 0: no modifier allows it); remove line ${lineOf(j)}`,
            }),
          );
          return;
        }
        const bypassed =
          c2.modifiers.some((m) => data.rules.ptpBypassModifiers.includes(m)) ||
          (isEm(c2.code) && c2.modifiers.some((m) => data.rules.emBypassModifiers.includes(m)));
        if (bypassed) return;
        const options = isEm(c2.code) ? data.rules.emBypassModifiers : data.rules.ptpBypassModifiers;
        out.push(
          finding({
            id: `NCCI_PTP@${i}-${j}`,
            ruleId: 'NCCI_PTP',
            severity: 'error',
            line: lineOf(j),
            path,
            message: `${c2.code} (line ${lineOf(j)}) is bundled into ${c1.code} (line ${lineOf(i)}) by an NCCI PTP edit (modifier indicator 1); if the services were distinct and documented, add ${options.join(', ')} to line ${lineOf(j)}, otherwise remove it`,
            suggestion: { field: 'modifier', path, options },
          }),
        );
      });
    });
  }
  return out;
}

export function mueLimits(claim: ScrubClaim, data: ScrubData): Finding[] {
  const out: Finding[] = [];
  const byCode = new Map<string, number[]>();
  claim.procedures.forEach((p, i) => byCode.set(p.code, [...(byCode.get(p.code) ?? []), i]));
  for (const [code, lines] of byCode) {
    const mue = data.mue[code];
    if (!mue) continue;
    if (mue.adjudicationIndicator === '1') {
      for (const i of lines) {
        const units = claim.procedures[i].units;
        if (units <= mue.maxUnits) continue;
        out.push(
          finding({
            ruleId: 'MUE_LINE',
            severity: 'error',
            line: lineOf(i),
            path: `procedures[${i}].units`,
            message: `line ${lineOf(i)} bills ${units} units of ${code}; the MUE allows ${mue.maxUnits} per line`,
            suggestion: { field: 'units', path: `procedures[${i}].units`, options: [String(mue.maxUnits)] },
          }),
        );
      }
      continue;
    }
    const total = lines.reduce((s, i) => s + claim.procedures[i].units, 0);
    if (total <= mue.maxUnits) continue;
    const last = lines[lines.length - 1];
    out.push(
      finding({
        ruleId: 'MUE_DAY',
        severity: 'error',
        line: lineOf(last),
        path: `procedures[${last}].units`,
        message: `${total} units of ${code} on ${claim.serviceDate}${lines.length > 1 ? ` (lines ${lines.map(lineOf).join(', ')})` : ''}; the MUE allows ${mue.maxUnits} per day${mue.adjudicationIndicator === '2' ? ' (adjudication indicator 2, policy: no modifier or appeal raises it)' : ' (adjudication indicator 3, clinical: more units are paid only on appeal with the records)'}`,
        suggestion: lines.length === 1 ? { field: 'units', path: `procedures[${last}].units`, options: [String(mue.maxUnits)] } : undefined,
      }),
    );
  }
  return out;
}
