/**
 * Which releases make a ruleset, the dates each code-set release covers, and the
 * ruleset's version: a hash of the scrubber's rule engine version and of every file in
 * the set, so the same data always has the same version and any change makes a new one.
 */
import { addDays } from './codes';

/** Bumped when a rule's logic changes (the data's changes are in the hash on their own). */
export const SCRUB_ENGINE_VERSION = 'scrub-1';

/** pfs_*: the Medicare fee schedule's RVU, GPCI and ZIP-to-locality files, which price a Medicare payer's lines (the newest of each is in force). */
export type ReleaseKind = 'icd10cm' | 'cpt' | 'hcpcs' | 'ncci_ptp' | 'mue' | 'mce' | 'payer_rules' | 'scrub_rules' | 'pfs_rvu' | 'pfs_gpci' | 'pfs_locality';
export const RELEASE_KINDS: ReleaseKind[] = [
  'icd10cm',
  'cpt',
  'hcpcs',
  'ncci_ptp',
  'mue',
  'mce',
  'payer_rules',
  'scrub_rules',
  'pfs_rvu',
  'pfs_gpci',
  'pfs_locality',
];
/** Code sets keep every release (each covers its own dates); edits and rules use the latest file. */
export const DATED_KINDS: ReleaseKind[] = ['icd10cm', 'cpt', 'hcpcs'];

export interface Release {
  id: number;
  kind: ReleaseKind;
  name: string;
  sha256: string;
  effectiveFrom?: string;
  effectiveTo?: string;
  /** Where the file came from: a registry package and its file, CMS's zip, a seed in data/. */
  source?: string;
}

/** What differs between two rulesets' releases: the files one has and the other does not. */
export function rulesetDiff(before: Release[], after: Release[]): { added: Release[]; removed: Release[] } {
  const key = (r: Release) => `${r.kind}:${r.sha256}:${r.effectiveFrom ?? ''}:${r.effectiveTo ?? ''}`;
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  return { added: after.filter((r) => !had.has(key(r))), removed: before.filter((r) => !has.has(key(r))) };
}

/**
 * The releases a ruleset holds: every code-set release, and the latest (highest id) of each
 * other kind. An ICD-10-CM release loaded again for the same start date replaces the
 * earlier one (the full FY2021 release replaces the FY2021 subset an earlier build seeded).
 */
export function currentReleases(all: Release[]): Release[] {
  const latest = new Map<ReleaseKind, Release>();
  for (const r of all) if (!DATED_KINDS.includes(r.kind) && (!latest.get(r.kind) || latest.get(r.kind)!.id < r.id)) latest.set(r.kind, r);
  const replaced = (r: Release) =>
    r.kind === 'icd10cm' && !!r.effectiveFrom && all.some((o) => o.kind === 'icd10cm' && o.id > r.id && o.effectiveFrom === r.effectiveFrom);
  return [...all.filter((r) => DATED_KINDS.includes(r.kind) && !replaced(r)), ...latest.values()].sort((a, b) => a.id - b.id);
}

/** A short, stable name for a set of releases. Pass a hash function (node:crypto's sha256 in practice). */
export function rulesetVersion(releases: Release[], sha256: (s: string) => string): string {
  const parts = [SCRUB_ENGINE_VERSION, ...releases.map((r) => `${r.kind}:${r.sha256}:${r.effectiveFrom ?? ''}:${r.effectiveTo ?? ''}`).sort()];
  return `rs-${sha256(parts.join('\n')).slice(0, 12)}`;
}

/**
 * The dates each release of one code set covers: from its effective date until the day
 * before the next release's, or its own end date when that comes first. A release
 * without an effective date covers all time before the next one.
 */
export function releaseWindows<R extends { effectiveFrom?: string; effectiveTo?: string }>(releases: R[]): (R & { coversFrom?: string; coversTo?: string })[] {
  const sorted = [...releases].sort((a, b) => (a.effectiveFrom ?? '').localeCompare(b.effectiveFrom ?? ''));
  return sorted.map((r, i) => {
    const next = sorted.slice(i + 1).find((n) => (n.effectiveFrom ?? '') > (r.effectiveFrom ?? ''));
    const beforeNext = next?.effectiveFrom ? addDays(next.effectiveFrom, -1) : undefined;
    const coversTo = [r.effectiveTo, beforeNext].filter((d): d is string => !!d).sort()[0];
    return { ...r, coversFrom: r.effectiveFrom, coversTo };
  });
}

/** The last day of the fiscal year (1 October to 30 September) a day falls in. */
const fiscalYearEnd = (day: string) => `${Number(day.slice(0, 4)) + (day.slice(5) >= '10-01' ? 1 : 0)}-09-30`;

/**
 * A release's effective dates from its file name, where CMS names them: `April-1-2026`
 * (an update in effect from that day to the end of its fiscal year, 2026-09-30), `FY2021`
 * (1 Oct 2020 to 30 Sep 2021), or `tabular_2026` (the fiscal year's October release).
 */
export function datesFromFileName(name: string): { effectiveFrom?: string; effectiveTo?: string } {
  const months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  const dated = /(january|february|march|april|may|june|july|august|september|october|november|december)-(\d{1,2})-(\d{4})/i.exec(name);
  if (dated) {
    const month = String(months.indexOf(dated[1].toLowerCase()) + 1).padStart(2, '0');
    const effectiveFrom = `${dated[3]}-${month}-${dated[2].padStart(2, '0')}`;
    return { effectiveFrom, effectiveTo: fiscalYearEnd(effectiveFrom) };
  }
  const fy = /FY(\d{4})|tabular[_-](\d{4})/i.exec(name);
  if (fy) {
    const year = Number(fy[1] ?? fy[2]);
    return { effectiveFrom: `${year - 1}-10-01`, effectiveTo: `${year}-09-30` };
  }
  return {};
}

/** The ICD-10-CM release CMS has in force on a day: the fiscal year's October release, or its April update from 1 April. */
export function icdReleaseDueOn(day: string): string {
  const fy = Number(fiscalYearEnd(day).slice(0, 4));
  return day.slice(5) >= '04-01' && day.slice(5) < '10-01' ? `April ${fy} (in effect from ${fy}-04-01)` : `FY${fy} (in effect from ${fy - 1}-10-01)`;
}

export interface IcdReleaseWindow {
  release: string;
  effectiveFrom: string;
  effectiveTo?: string;
}

/**
 * Which loaded ICD-10-CM release judges a date of service. Inside a release's window it
 * is that release, exactly. Between two loaded releases the later one decides (its codes
 * are the ones a payer will hold the claim to), and the earlier one is named so a status
 * that differs can be said. After the newest, the newest decides and the release CMS has
 * in force that day is named as not loaded. Before the oldest, none does.
 */
export type IcdReleaseChoice<W extends IcdReleaseWindow = IcdReleaseWindow> =
  { how: 'exact'; decides: W } | { how: 'gap'; decides: W; earlier: W } | { how: 'after'; decides: W; notLoaded: string } | { how: 'none'; oldest?: W };

export function icdReleaseFor<W extends IcdReleaseWindow>(releases: W[], day: string): IcdReleaseChoice<W> {
  const sorted = [...releases].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const exact = sorted.filter((r) => r.effectiveFrom <= day && (!r.effectiveTo || day <= r.effectiveTo)).pop();
  if (exact) return { how: 'exact', decides: exact };
  const later = sorted.find((r) => r.effectiveFrom > day);
  const earlier = sorted.filter((r) => r.effectiveFrom <= day).pop();
  if (later && earlier) return { how: 'gap', decides: later, earlier };
  if (earlier) return { how: 'after', decides: earlier, notLoaded: icdReleaseDueOn(day) };
  return { how: 'none', oldest: sorted[0] };
}

export interface IcdCoverageSpan {
  from: string;
  to?: string;
  /** The release that judges dates of service in the span. */
  release: string;
  how: 'exact' | 'gap' | 'after';
  /** For a gap or the time after the newest: what is not loaded there. */
  note?: string;
}

/** The loaded ICD-10-CM releases as a time line of dates of service: each window, each gap and who decides it, and after the newest. */
export function icdCoverage(releases: IcdReleaseWindow[]): IcdCoverageSpan[] {
  const sorted = [...releases].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  const out: IcdCoverageSpan[] = [];
  sorted.forEach((r, i) => {
    const next = sorted[i + 1];
    const to = [r.effectiveTo, next ? addDays(next.effectiveFrom, -1) : undefined].filter((d): d is string => !!d).sort()[0];
    out.push({ from: r.effectiveFrom, to, release: r.release, how: 'exact' });
    if (!to) return;
    const after = addDays(to, 1);
    if (next && after < next.effectiveFrom) {
      out.push({
        from: after,
        to: addDays(next.effectiveFrom, -1),
        release: next.release,
        how: 'gap',
        note: `no release loaded from ${icdReleaseDueOn(after)} on; the later one, ${next.release}, decides`,
      });
    } else if (!next) {
      out.push({
        from: after,
        release: r.release,
        how: 'after',
        note: `${icdReleaseDueOn(after)} is not loaded; the newest, ${r.release}, decides and says so`,
      });
    }
  });
  return out;
}
