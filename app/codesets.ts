/**
 * The rule data revcycle ships and loads by itself into an empty database: the ICD-10-CM
 * April 2026 release (from the pinned simple-icd-10-cm package), our seed files in
 * data/ (an FY2021 ICD-10-CM subset, HCPCS, a demo CPT list, NCCI PTP edits, MUEs),
 * the payer rules, the scrubber's rule file and the demo fee schedule. Each file is
 * loaded once (by its SHA-256), so this is quick when there is nothing new.
 */
import { join } from 'node:path';
import {
  loadCpt, loadFeeSchedule, loadHcpcs, loadIcd10cm, loadMue, loadNcciPtp, loadPayerRules, loadScrubRules,
  type LoadOptions, type LoadResult,
} from '../db/codesets';
import type { Db } from '../db/knex';
import { icd10cmTabularXml } from './tools';

const data = join(__dirname, '..', 'data');

export interface BundledFile {
  label: string;
  path: () => string;
  load: (db: Db, path: string, opts: LoadOptions) => Promise<LoadResult>;
}

/** In load order: code-set releases oldest first, so each later one ends the earlier one's codes. */
export const BUNDLED: BundledFile[] = [
  { label: 'ICD-10-CM FY2021 (seed)', path: () => join(data, 'codesets', 'icd10cm-tabular-FY2021-seed.xml'), load: loadIcd10cm },
  { label: 'ICD-10-CM April 1 2026', path: icd10cmTabularXml, load: loadIcd10cm },
  { label: 'HCPCS Level II (seed)', path: () => join(data, 'codesets', 'hcpcs-2026-seed.csv'), load: loadHcpcs },
  { label: 'CPT (demo labels)', path: () => join(data, 'codesets', 'cpt-demo-seed.csv'), load: loadCpt },
  { label: 'NCCI PTP edits (seed)', path: () => join(data, 'codesets', 'ncci-ptp-practitioner-seed.txt'), load: loadNcciPtp },
  { label: 'MUE (seed)', path: () => join(data, 'codesets', 'mue-practitioner-seed.csv'), load: loadMue },
  { label: 'payer rules', path: () => join(data, 'payer-rules.json'), load: loadPayerRules },
  { label: 'scrubber rules', path: () => join(data, 'scrub-rules.json'), load: loadScrubRules },
];

export const BUNDLED_FEES = join(data, 'fee-schedule.csv');

/** Loads what is not loaded yet; `progress` draws a bar per file that is actually loaded. */
export async function loadBundled(
  db: Db, progress?: (label: string) => { update(done: number, total: number): void; done(note?: string): void },
): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  for (const f of BUNDLED) {
    const bar = progress?.(f.label);
    const r = await f.load(db, f.path(), { onProgress: (d, t) => bar?.update(d, t) });
    if (r.loaded) bar?.done(`${r.rows} rows`);
    results.push(r);
  }
  const fees = await db('fee_schedule').first('id');
  if (!fees) {
    const bar = progress?.('fee schedule (demo)');
    results.push(await loadFeeSchedule(db, BUNDLED_FEES, { onProgress: (d, t) => bar?.update(d, t) }));
    bar?.done();
  }
  return results;
}
