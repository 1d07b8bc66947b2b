/**
 * Which releases make a ruleset, the dates each code-set release covers, and the
 * ruleset's version: a hash of the scrubber's rule engine version and of every file in
 * the set, so the same data always has the same version and any change makes a new one.
 */
import { addDays } from './codes';

/** Bumped when a rule's logic changes (the data's changes are in the hash on their own). */
export const SCRUB_ENGINE_VERSION = 'scrub-1';

export type ReleaseKind = 'icd10cm' | 'cpt' | 'hcpcs' | 'ncci_ptp' | 'mue' | 'payer_rules' | 'scrub_rules';
export const RELEASE_KINDS: ReleaseKind[] = ['icd10cm', 'cpt', 'hcpcs', 'ncci_ptp', 'mue', 'payer_rules', 'scrub_rules'];
/** Code sets keep every release (each covers its own dates); edits and rules use the latest file. */
export const DATED_KINDS: ReleaseKind[] = ['icd10cm', 'cpt', 'hcpcs'];

export interface Release {
  id: number;
  kind: ReleaseKind;
  name: string;
  sha256: string;
  effectiveFrom?: string;
  effectiveTo?: string;
}

/** The releases a ruleset holds: every code-set release, and the latest (highest id) of each other kind. */
export function currentReleases(all: Release[]): Release[] {
  const latest = new Map<ReleaseKind, Release>();
  for (const r of all) if (!DATED_KINDS.includes(r.kind) && (!latest.get(r.kind) || latest.get(r.kind)!.id < r.id)) latest.set(r.kind, r);
  return [...all.filter((r) => DATED_KINDS.includes(r.kind)), ...latest.values()].sort((a, b) => a.id - b.id);
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

/**
 * A release's effective dates from its file name, where CMS names them: `April-1-2026`
 * (an update in effect from that day), `FY2021` (1 Oct 2020 to 30 Sep 2021), or
 * `tabular_2026` (the fiscal year's October release, until a later one is loaded).
 */
export function datesFromFileName(name: string): { effectiveFrom?: string; effectiveTo?: string } {
  const months = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
  const dated = /(january|february|march|april|may|june|july|august|september|october|november|december)-(\d{1,2})-(\d{4})/i.exec(name);
  if (dated) {
    const month = String(months.indexOf(dated[1].toLowerCase()) + 1).padStart(2, '0');
    return { effectiveFrom: `${dated[3]}-${month}-${dated[2].padStart(2, '0')}` };
  }
  const fy = /FY(\d{4})/i.exec(name);
  if (fy) return { effectiveFrom: `${Number(fy[1]) - 1}-10-01`, effectiveTo: `${fy[1]}-09-30` };
  const year = /tabular[_-](\d{4})/i.exec(name);
  if (year) return { effectiveFrom: `${Number(year[1]) - 1}-10-01` };
  return {};
}
