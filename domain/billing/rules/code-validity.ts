/**
 * Code validity for the date of service. A code is valid on a day when a loaded release
 * in effect that day holds it and, for ICD-10-CM, it is billable (a leaf). A header
 * code names its billable children; a code that ended names its end date.
 */
import { icdDisplay } from '../codes';
import { finding, lineOf, type Finding, type ScrubClaim, type ScrubData } from '../findings';

const covers = (p: { effectiveFrom?: string; effectiveTo?: string }, day: string) =>
  (!p.effectiveFrom || p.effectiveFrom <= day) && (!p.effectiveTo || day <= p.effectiveTo);

export function diagnosisValidity(claim: ScrubClaim, data: ScrubData): Finding[] {
  const day = claim.serviceDate;
  const release = data.icdReleases.find((r) => covers(r, day));
  if (!release) {
    return [finding({
      ruleId: 'ICD10_NO_RELEASE', severity: 'error', path: 'diagnoses',
      message: `no loaded ICD-10-CM release covers the date of service ${day}; load one with \`revcycle codesets load icd10cm\``,
    })];
  }
  const out: Finding[] = [];
  claim.diagnoses.forEach((d, i) => {
    const path = `diagnoses[${i}].code`;
    const shown = icdDisplay(d.code);
    const periods = data.icd[d.code] ?? [];
    const now = periods.find((p) => covers(p, day));
    if (now?.billable) return;
    if (now) {
      const options = now.billableChildren;
      out.push(finding({
        ruleId: 'ICD10_HEADER', severity: 'error', path,
        message: `${shown} (${now.description}) is a header code, not billable on ${day}${options.length ? `: use a more specific code, e.g. ${options.slice(0, 6).map(icdDisplay).join(', ')}` : ''}`,
        suggestion: options.length ? { field: 'code', path, options } : undefined,
      }));
      return;
    }
    const earlier = periods.filter((p) => p.effectiveTo && p.effectiveTo < day).sort((a, b) => (a.effectiveTo! < b.effectiveTo! ? 1 : -1))[0];
    out.push(finding({
      ruleId: earlier ? 'ICD10_ENDED' : 'ICD10_UNKNOWN', severity: 'error', path,
      message: earlier
        ? `${shown} was valid until ${earlier.effectiveTo} and is not in ICD-10-CM ${release.release}, in effect on ${day}`
        : `${shown} is not an ICD-10-CM code in release ${release.release}, in effect on ${day}`,
    }));
  });
  return out;
}

export function procedureValidity(claim: ScrubClaim, data: ScrubData): Finding[] {
  const day = claim.serviceDate;
  const out: Finding[] = [];
  claim.procedures.forEach((p, i) => {
    const periods = data.procedures[p.code] ?? [];
    if (periods.some((x) => covers(x, day))) return;
    const path = `procedures[${i}].code`;
    const ended = periods.find((x) => x.effectiveTo && x.effectiveTo < day);
    const future = periods.find((x) => x.effectiveFrom && x.effectiveFrom > day);
    out.push(finding({
      ruleId: periods.length ? 'PROCEDURE_NOT_EFFECTIVE' : 'PROCEDURE_UNKNOWN', severity: 'error', path, line: lineOf(i),
      message: ended ? `${p.code} was terminated on ${ended.effectiveTo}, before the date of service ${day}`
        : future ? `${p.code} takes effect on ${future.effectiveFrom}, after the date of service ${day}`
          : `${p.code} is not a CPT or HCPCS code in the loaded code sets`,
    }));
  });
  return out;
}
