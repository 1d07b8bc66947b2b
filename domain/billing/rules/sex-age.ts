/**
 * The Medicare Code Editor's sex and age edits, as data (`mce_edits`): a diagnosis on a
 * list for one sex, or for ages the patient is not on the date of service (newborn 0,
 * pediatric 0-17, maternity 9-64, adult 15-124), stops the claim. A patient whose sex is
 * unknown (U) is not judged on sex; a claim without the patient is not judged at all.
 */
import { icdDisplay } from '../codes';
import { finding, type Finding, type ScrubClaim, type ScrubData } from '../findings';

/** Whole years from the birth date to the date of service (both calendar dates). */
export function ageOn(birthDate: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return day.slice(5) < birthDate.slice(5) ? years - 1 : years;
}

const SEX = { female: 'F', male: 'M' } as const;
const LIST = { newborn: 'newborn', pediatric: 'pediatric', maternity: 'maternity', adult: 'adult', female: 'females only', male: 'males only' } as const;

export function sexAgeEdits(claim: ScrubClaim, data: ScrubData): Finding[] {
  if (!claim.patient || !data.mce?.length) return [];
  const { sex, birthDate } = claim.patient;
  const age = ageOn(birthDate, claim.serviceDate);
  const source = `Medicare Code Editor ${data.mceRelease ?? ''}`.trim();
  const out: Finding[] = [];
  claim.diagnoses.forEach((d, i) => {
    const path = `diagnoses[${i}].code`;
    for (const e of data.mce!.filter((m) => m.code === d.code)) {
      if (e.edit === 'female' || e.edit === 'male') {
        if (sex === 'U' || sex === SEX[e.edit]) continue;
        out.push(
          finding({
            id: `SEX_EDIT@${path}`,
            ruleId: 'SEX_EDIT',
            severity: 'error',
            path,
            message: `${icdDisplay(d.code)} is on the ${source} list of diagnoses for ${LIST[e.edit]}; the patient's sex is ${sex}`,
          }),
        );
      } else if (e.minAge !== undefined && e.maxAge !== undefined && (age < e.minAge || age > e.maxAge)) {
        out.push(
          finding({
            id: `AGE_EDIT@${path}:${e.edit}`,
            ruleId: 'AGE_EDIT',
            severity: 'error',
            path,
            message: `${icdDisplay(d.code)} is on the ${source} ${LIST[e.edit]} list (age ${e.minAge} through ${e.maxAge}); the patient is ${age} on ${claim.serviceDate}`,
          }),
        );
      }
    }
  });
  return out;
}
