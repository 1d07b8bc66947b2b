/**
 * Code validity for the date of service. A diagnosis is judged by the loaded ICD-10-CM
 * release that decides the day (ruleset.ts `icdReleaseFor`): the one in effect, or,
 * between two loaded releases, the later one, with a note when the code's status
 * differs in the earlier one; after the newest release the claim is told which release
 * is not loaded. A header code names its billable children; a code that ended names its
 * end date.
 */
import { icdDisplay } from '../codes';
import { finding, lineOf, type Finding, type IcdPeriod, type ScrubClaim, type ScrubData } from '../findings';
import { icdReleaseFor, type IcdReleaseChoice, type IcdReleaseWindow } from '../ruleset';

const covers = (p: { effectiveFrom?: string; effectiveTo?: string }, day: string) =>
  (!p.effectiveFrom || p.effectiveFrom <= day) && (!p.effectiveTo || day <= p.effectiveTo);

const status = (p: IcdPeriod | undefined) => (!p ? 'not a code' : p.billable ? 'billable' : 'a header');

const or = (codes: string[]) => (codes.length > 1 ? `${codes.slice(0, -1).join(', ')} or ${codes[codes.length - 1]}` : codes.join(''));

/** How the deciding release came to judge the day, said once in each message. */
function judgedBy(choice: Exclude<IcdReleaseChoice, { how: 'none' }>, day: string): string {
  const r = choice.decides;
  if (choice.how === 'exact') return `ICD-10-CM ${r.release}, in effect on ${day}`;
  if (choice.how === 'gap')
    return `ICD-10-CM ${r.release}, which decides ${day}: no release is loaded between ${choice.earlier.release} (to ${choice.earlier.effectiveTo}) and ${r.release} (from ${r.effectiveFrom})`;
  return `ICD-10-CM ${r.release}, the newest loaded (${choice.notLoaded} is not loaded)`;
}

export function diagnosisValidity(claim: ScrubClaim, data: ScrubData): Finding[] {
  const day = claim.serviceDate;
  const choice = icdReleaseFor<IcdReleaseWindow>(data.icdReleases, day);
  if (choice.how === 'none') {
    return [
      finding({
        ruleId: 'ICD10_NO_RELEASE',
        severity: 'error',
        path: 'diagnoses',
        message: `no loaded ICD-10-CM release covers the date of service ${day}${choice.oldest ? ` (the oldest loaded, ${choice.oldest.release}, starts ${choice.oldest.effectiveFrom})` : ''}; load one with \`revcycle codesets load icd10cm\``,
      }),
    ];
  }
  const out: Finding[] = [];
  if (choice.how === 'after') {
    out.push(
      finding({
        ruleId: 'ICD10_RELEASE_NOT_LOADED',
        severity: 'warning',
        path: 'diagnoses',
        message: `ICD-10-CM ${choice.notLoaded} is in force on ${day} and is not loaded: the diagnoses were checked against ${choice.decides.release} (${choice.decides.effectiveFrom} to ${choice.decides.effectiveTo}); load it with \`revcycle codesets load icd10cm\``,
      }),
    );
  }
  const release = choice.decides.release;
  claim.diagnoses.forEach((d, i) => {
    const path = `diagnoses[${i}].code`;
    const shown = icdDisplay(d.code);
    const periods = data.icd[d.code] ?? [];
    const now = periods.find((p) => p.release === release);
    const before = choice.how === 'gap' ? periods.find((p) => p.release === choice.earlier.release) : undefined;
    const changed = choice.how === 'gap' && status(before) !== status(now);
    const options = now && !now.billable ? now.billableChildren : [];
    // "M54.5: billable in FY2021, a header by April 2025: use M54.50, M54.51 or M54.59"
    const note = changed
      ? `${shown}: ${status(before)} in ${choice.earlier.release}, ${status(now)} by ${release}${options.length ? `: use ${or(options.slice(0, 6).map(icdDisplay))}` : ''}`
      : undefined;
    if (now?.billable) {
      if (note)
        out.push(
          finding({ ruleId: 'ICD10_CHANGED_BETWEEN_RELEASES', severity: 'warning', path, message: `${note} (checked against ${judgedBy(choice, day)})` }),
        );
      return;
    }
    if (now) {
      out.push(
        finding({
          ruleId: 'ICD10_HEADER',
          severity: 'error',
          path,
          message: `${shown} (${now.description}) is a header code, not billable on ${day} in ${judgedBy(choice, day)}${note ? `. ${note}` : options.length ? `: use a more specific code, e.g. ${options.slice(0, 6).map(icdDisplay).join(', ')}` : ''}`,
          suggestion: options.length ? { field: 'code', path, options } : undefined,
        }),
      );
      return;
    }
    const earlier = periods.filter((p) => p.effectiveTo && p.effectiveTo < day).sort((a, b) => (a.effectiveTo! < b.effectiveTo! ? 1 : -1))[0];
    out.push(
      finding({
        ruleId: earlier ? 'ICD10_ENDED' : 'ICD10_UNKNOWN',
        severity: 'error',
        path,
        message:
          (earlier
            ? `${shown} was valid until ${earlier.effectiveTo} and is not in ${judgedBy(choice, day)}`
            : `${shown} is not an ICD-10-CM code in ${judgedBy(choice, day).replace(/^ICD-10-CM /, 'release ')}`) + (note ? `. ${note}` : ''),
      }),
    );
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
    out.push(
      finding({
        ruleId: periods.length ? 'PROCEDURE_NOT_EFFECTIVE' : 'PROCEDURE_UNKNOWN',
        severity: 'error',
        path,
        line: lineOf(i),
        message: ended
          ? `${p.code} was terminated on ${ended.effectiveTo}, before the date of service ${day}`
          : future
            ? `${p.code} takes effect on ${future.effectiveFrom}, after the date of service ${day}`
            : `${p.code} is not a CPT or HCPCS code in the loaded code sets`,
      }),
    );
  });
  return out;
}
