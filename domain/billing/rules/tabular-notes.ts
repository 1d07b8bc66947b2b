/**
 * The ICD-10-CM tabular's own instructions, read from the release that judges the date of
 * service (ruleset.ts `icdReleaseFor`), with the notes written at a code or any code above
 * it: Excludes1 (the two codes may never be reported together), "code first" (a
 * manifestation code is never the first-listed diagnosis) and "use additional code" (a
 * warning when none of the codes the note names is on the claim).
 */
import { icdDisplay } from '../codes';
import { targetCovers } from '../icd10cm-tabular';
import { finding, type Finding, type IcdPeriod, type ScrubClaim, type ScrubData } from '../findings';
import { icdReleaseFor } from '../ruleset';

const shownTarget = (t: string) => t.split('-').map(icdDisplay).join('-');

export function tabularNotes(claim: ScrubClaim, data: ScrubData): Finding[] {
  const choice = icdReleaseFor(data.icdReleases, claim.serviceDate);
  if (choice.how === 'none') return [];
  const release = choice.decides.release;
  const coded = claim.diagnoses.map((d, i) => ({ ...d, i, period: (data.icd[d.code] ?? []).find((p) => p.release === release) }));
  const out: Finding[] = [];

  // Excludes1, each pair once, named from the code whose note excludes the other.
  const excludes = (a: (typeof coded)[number], b: (typeof coded)[number]) =>
    a.code !== b.code ? a.period?.notes?.find((n) => n.kind === 'excludes1' && n.targets.some((t) => targetCovers(t, b.code))) : undefined;
  for (let x = 0; x < coded.length; x++) {
    for (let y = x + 1; y < coded.length; y++) {
      const [a, b] = [coded[x], coded[y]];
      const [owner, other, note] = ((n) => (n ? [a, b, n] : [b, a, excludes(b, a)]))(excludes(a, b));
      if (!note) continue;
      out.push(
        finding({
          ruleId: 'ICD10_EXCLUDES1',
          severity: 'error',
          path: `diagnoses[${b.i}].code`,
          message: `${icdDisplay(owner.code)} and ${icdDisplay(other.code)} may not be reported together: ICD-10-CM ${release} lists "${note.note}" under Excludes1 at ${icdDisplay(note.at)}`,
        }),
      );
    }
  }

  // "Code first": the underlying condition is listed before a manifestation code.
  const firstRank = Math.min(...claim.diagnoses.map((d) => d.rank));
  for (const d of coded) {
    if (d.rank !== firstRank || !d.period?.manifestation) continue;
    const note = d.period.notes?.find((n) => n.kind === 'code_first');
    out.push(
      finding({
        ruleId: 'ICD10_MANIFESTATION_FIRST',
        severity: 'error',
        path: `diagnoses[${d.i}].code`,
        message: `${icdDisplay(d.code)} (${d.period.description}) is a manifestation code and may not be the first-listed diagnosis: code first ${note?.note ?? 'the underlying condition'} (ICD-10-CM ${release}, at ${icdDisplay(note?.at ?? d.code)})`,
      }),
    );
  }

  // "Use additional code": a warning when the note names codes and none of them is on the claim.
  for (const d of coded) {
    const seen = new Set<string>();
    for (const n of usable(d.period)) {
      if (seen.has(n.note) || coded.some((o) => o.code !== d.code && n.targets.some((t) => targetCovers(t, o.code)))) continue;
      seen.add(n.note);
      out.push(
        finding({
          id: `ICD10_USE_ADDITIONAL@diagnoses[${d.i}].code#${seen.size}`,
          ruleId: 'ICD10_USE_ADDITIONAL',
          severity: 'warning',
          path: `diagnoses[${d.i}].code`,
          message: `${icdDisplay(d.code)}: ICD-10-CM ${release} says at ${icdDisplay(n.at)} "use additional ${n.note}", and none of ${n.targets.map(shownTarget).join(', ')} is on the claim`,
        }),
      );
    }
  }
  return out;
}

const usable = (p: IcdPeriod | undefined) => (p?.notes ?? []).filter((n) => n.kind === 'use_additional' && n.targets.length > 0);
