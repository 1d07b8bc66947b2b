/**
 * The claim's shape: diagnoses (a principal, distinct ranks, at most 12), each line's
 * diagnosis pointers (1-4, pointing at a diagnosis, no repeats), modifiers (at most 4,
 * no repeats) and units (a whole number of at least 1).
 */
import { icdDisplay } from '../codes';
import { finding, lineOf, type Finding, type ScrubClaim, type ScrubData } from '../findings';

export function structure(claim: ScrubClaim, data: ScrubData): Finding[] {
  const { rules } = data;
  const out: Finding[] = [];
  const ranks = claim.diagnoses.map((d) => d.rank);
  if (!ranks.includes(1)) out.push(finding({ ruleId: 'DX_NO_PRINCIPAL', severity: 'error', path: 'diagnoses', message: 'no principal diagnosis (rank 1)' }));
  if (new Set(ranks).size !== ranks.length)
    out.push(finding({ ruleId: 'DX_RANK_REPEATED', severity: 'error', path: 'diagnoses', message: 'two diagnoses share a rank' }));
  if (claim.diagnoses.length > rules.maxDiagnoses) {
    out.push(
      finding({
        ruleId: 'DX_TOO_MANY',
        severity: 'error',
        path: 'diagnoses',
        message: `${claim.diagnoses.length} diagnoses; a professional claim holds at most ${rules.maxDiagnoses}`,
      }),
    );
  }
  const seen = new Map<string, number>();
  claim.diagnoses.forEach((d, i) => {
    if (seen.has(d.code))
      out.push(finding({ ruleId: 'DX_REPEATED', severity: 'error', path: `diagnoses[${i}].code`, message: `${icdDisplay(d.code)} is listed twice` }));
    seen.set(d.code, i);
  });

  const pointed = new Set<number>();
  claim.procedures.forEach((p, i) => {
    const line = lineOf(i);
    const path = `procedures[${i}]`;
    if (p.diagnosisPointers.length === 0)
      out.push(
        finding({
          ruleId: 'POINTER_MISSING',
          severity: 'error',
          line,
          path: `${path}.diagnosisPointers`,
          message: `line ${line} (${p.code}) points at no diagnosis`,
        }),
      );
    if (p.diagnosisPointers.length > rules.maxPointersPerLine) {
      out.push(
        finding({
          ruleId: 'POINTER_TOO_MANY',
          severity: 'error',
          line,
          path: `${path}.diagnosisPointers`,
          message: `line ${line} (${p.code}) has ${p.diagnosisPointers.length} diagnosis pointers; at most ${rules.maxPointersPerLine}`,
        }),
      );
    }
    if (new Set(p.diagnosisPointers).size !== p.diagnosisPointers.length) {
      out.push(
        finding({
          ruleId: 'POINTER_REPEATED',
          severity: 'error',
          line,
          path: `${path}.diagnosisPointers`,
          message: `line ${line} (${p.code}) points at the same diagnosis twice`,
        }),
      );
    }
    p.diagnosisPointers.forEach((ptr, j) => {
      if (!Number.isInteger(ptr) || ptr < 1 || ptr > claim.diagnoses.length) {
        out.push(
          finding({
            ruleId: 'POINTER_OUT_OF_RANGE',
            severity: 'error',
            line,
            path: `${path}.diagnosisPointers[${j}]`,
            message: `line ${line} (${p.code}) points at diagnosis ${ptr} of ${claim.diagnoses.length}`,
          }),
        );
      } else pointed.add(ptr);
    });
    if (p.modifiers.length > rules.maxModifiersPerLine) {
      out.push(
        finding({
          ruleId: 'MODIFIER_TOO_MANY',
          severity: 'error',
          line,
          path: `${path}.modifiers`,
          message: `line ${line} (${p.code}) has ${p.modifiers.length} modifiers; at most ${rules.maxModifiersPerLine}`,
        }),
      );
    }
    if (new Set(p.modifiers).size !== p.modifiers.length) {
      out.push(
        finding({ ruleId: 'MODIFIER_REPEATED', severity: 'error', line, path: `${path}.modifiers`, message: `line ${line} (${p.code}) repeats a modifier` }),
      );
    }
    if (!Number.isInteger(p.units) || p.units < 1) {
      out.push(
        finding({
          ruleId: 'UNITS_INVALID',
          severity: 'error',
          line,
          path: `${path}.units`,
          message: `line ${line} (${p.code}) has ${p.units} units; units are a whole number of at least 1`,
        }),
      );
    }
  });
  // Pointers count diagnoses in claim order (by rank): an unreferenced one is sent but explains no line.
  const order = [...claim.diagnoses].sort((a, b) => a.rank - b.rank);
  order.forEach((d, k) => {
    if (!pointed.has(k + 1) && claim.procedures.length) {
      const i = claim.diagnoses.indexOf(d);
      out.push(
        finding({
          ruleId: 'DX_UNREFERENCED',
          severity: 'warning',
          path: `diagnoses[${i}]`,
          message: `${icdDisplay(d.code)} is on the claim but no line points at it`,
        }),
      );
    }
  });
  return out;
}
