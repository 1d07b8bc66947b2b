/**
 * The rule-data commands of the `revcycle` CLI: load code sets, edits, payer rules and
 * fee schedules into Postgres, list what is loaded, and re-run a ruleset over past
 * claims (read-only). They use DATABASE_URL, or the embedded Postgres `npm start` runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig } from '../config';
import { claimsSince } from '../db/claims';
import { allReleases, type Ruleset, ruleset } from '../db/codesets';
import { scrubWith } from '../activities/scrub';
import {
  loadCpt,
  loadFeeSchedule,
  loadHcpcs,
  loadIcd10cm,
  loadMceEdits,
  loadMedicarePfs,
  loadMue,
  loadNcciPtp,
  loadPayerRules,
  loadScrubRules,
  type LoadOptions,
  type LoadResult,
} from '../db/codeset-loaders';
import type { Db } from '../db/knex';
import { openCliDatabase } from './database';
import { icdBilled } from '../domain/billing/codes';
import { icdCoverage, rulesetDiff, type Release } from '../domain/billing/ruleset';
import { loadBundled } from '../app/codesets';
import { progressBar } from '../app/progress';
import { zipEntries } from './zip';

export const DATA_USAGE = `usage: revcycle codesets load --bundled
       revcycle codesets load icd10cm TABULAR [ORDER] [--effective-from YYYY-MM-DD] [--effective-to YYYY-MM-DD] [--name NAME]
              TABULAR: the CMS/CDC release zip, or its icd10cm_tabular_YYYY.xml; ORDER: its icd10cm_order_YYYY.txt (or the
              order zip): it decides which codes exist and which are billable
       revcycle codesets load KIND FILE [--effective-from YYYY-MM-DD] [--effective-to YYYY-MM-DD] [--name NAME]
              KIND: hcpcs (CMS HCPC annual file as CSV), cpt (code,label,effective_from,effective_to),
                    ncci-ptp (CMS practitioner PTP edit files f1-f4, text or zips: one release), mue (CMS practitioner MUE table, CSV or zip), mce (CMS Definitions of Medicare Code Edits, text), payer-rules (JSON), scrub-rules (JSON)
       revcycle codesets load medicare-pfs RVU GPCI ZIP-LOCALITY
              CMS's Physician Fee Schedule files: the PPRRVU file (CSV, with its CONV FACTOR column), the GPCI file (CSV)
              and the ZIP code to carrier locality file (fixed width); each is a release of its own
       revcycle codesets list
       revcycle fees load FILE            (payer_id,provider_npi,code,modifier,effective_from,effective_to,charge,expected)
       revcycle scrub --since YYYY-MM-DD [--ruleset VERSION]   re-run a ruleset over claims built since then (read-only)`;

const LOADERS: Record<string, (db: Db, path: string, opts: LoadOptions) => Promise<LoadResult>> = {
  icd10cm: loadIcd10cm,
  hcpcs: loadHcpcs,
  cpt: loadCpt,
  'ncci-ptp': loadNcciPtp,
  mue: loadMue,
  mce: loadMceEdits,
  'payer-rules': loadPayerRules,
  'scrub-rules': loadScrubRules,
};

export class DataUsageError extends Error {
  readonly code = 'USAGE';
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (!v || v.startsWith('--')) throw new DataUsageError(`${name} needs a value\n${DATA_USAGE}`);
  return v;
}

function positional(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith('--')) {
      if (!['--bundled'].includes(argv[i])) i++;
      continue;
    }
    out.push(argv[i]);
  }
  return out;
}

const date = (argv: string[], name: string) => {
  const v = option(argv, name);
  if (v !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new DataUsageError(`${name} must be a date as YYYY-MM-DD, not ${v}`);
  return v;
};

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openCliDatabase(loadConfig(), (line) => process.stderr.write(line), 4);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/**
 * The tabular XML and order file of an ICD-10-CM release as the user names them: CMS's
 * zips (unpacked into a temporary folder) or the files themselves.
 */
function icdReleaseFiles(files: string[]): { xml: string; order?: string; unpacked: string } {
  let xml: string | undefined;
  let order: string | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-icd10cm-'));
  for (const file of files) {
    if (/\.zip$/i.test(file)) {
      for (const e of zipEntries(file)) {
        const base = basename(e.name);
        const isXml = /tabular.*\.xml$/i.test(base);
        const isOrder = /(order|code-list).*\.txt$/i.test(base) && !/addenda/i.test(base);
        if ((isXml && !xml) || (isOrder && !order)) {
          writeFileSync(join(dir, base), e.read());
          if (isXml) xml = join(dir, base);
          else order = join(dir, base);
        }
      }
    } else if (/\.xml$/i.test(file)) xml = file;
    else order = file;
  }
  if (!xml) throw new DataUsageError(`no ICD-10-CM tabular XML (icd10cm_tabular_YYYY.xml) in ${files.join(', ')}\n${DATA_USAGE}`);
  return { xml, order, unpacked: dir };
}

/**
 * CMS ships a quarter's practitioner PTP edits as four zipped text files (f1-f4) and the
 * MUE table as a zipped CSV: every text or CSV part of the files and zips named is one
 * release, so a later part never replaces an earlier one of the same quarter.
 */
function editParts(files: string[]): { path: string; name: string; source: string; unpacked: string } {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-edits-'));
  const parts: Buffer[] = [];
  for (const file of files) {
    if (/\.zip$/i.test(file)) {
      const texts = zipEntries(file)
        .filter((e) => /\.(txt|csv)$/i.test(e.name))
        .sort((a, b) => a.name.localeCompare(b.name));
      if (!texts.length) throw new DataUsageError(`${file} holds no .txt or .csv file\n${DATA_USAGE}`);
      for (const e of texts) parts.push(e.read());
    } else parts.push(readFileSync(file));
  }
  const name = basename(files[0]).replace(/\.(zip|txt|csv)$/i, '');
  const path = join(dir, `${name}${/\.csv$/i.test(files[0]) || parts.every((p) => !p.includes(9)) ? '.csv' : '.txt'}`);
  writeFileSync(path, Buffer.concat(parts.flatMap((p) => [p, Buffer.from('\n')])));
  return { path, name, source: files.map((f) => basename(f)).join(' + '), unpacked: dir };
}

const describeLoad = (r: LoadResult & { seconds?: number }) =>
  `${r.kind} ${r.name}: ${r.loaded ? `loaded ${r.rows} rows${r.seconds !== undefined ? ` in ${r.seconds.toFixed(1)} s` : ''}` : `already loaded (${r.rows} rows), nothing written`}`;

export async function runDataCommand(argv: string[], out: (s: string) => void): Promise<number> {
  const [area, command, ...rest] = positional(argv);
  if (area === 'codesets' && command === 'load') {
    if (argv.includes('--bundled')) {
      return withDb(async (db) => {
        for (const r of await loadBundled(db, (label) => progressBar(`loading ${label}`))) out(`${describeLoad(r)}\n`);
        out(`ruleset ${(await ruleset(db)).version}\n`);
        return 0;
      });
    }
    if (rest[0] === 'medicare-pfs') {
      if (rest.length !== 4) throw new DataUsageError(DATA_USAGE);
      const [rvu, gpci, zipLocality] = rest.slice(1);
      return withDb(async (db) => {
        for (const r of await loadMedicarePfs(db, { rvu, gpci, zipLocality }, (label) => progressBar(`loading ${label}`))) out(`${describeLoad(r)}\n`);
        return 0;
      });
    }
    const [kind, file] = rest;
    const load = LOADERS[kind ?? ''];
    const multi = kind === 'ncci-ptp' || kind === 'mue';
    if (!load || !file || (!multi && rest.length > (kind === 'icd10cm' ? 3 : 2))) throw new DataUsageError(DATA_USAGE);
    const opts = { effectiveFrom: date(argv, '--effective-from'), effectiveTo: date(argv, '--effective-to'), name: option(argv, '--name') };
    const icd = kind === 'icd10cm' ? icdReleaseFiles(rest.slice(1)) : undefined;
    const edits = multi ? editParts(rest.slice(1)) : undefined;
    return withDb(async (db) => {
      const bar = progressBar(`loading ${kind} ${file}`);
      const r = icd
        ? await loadIcd10cm(db, icd.xml, {
            ...opts,
            orderFile: icd.order,
            source: rest
              .slice(1)
              .map((f) => basename(f))
              .join(' + '),
            onProgress: (d, t) => bar.update(d, t),
          }).finally(() => rmSync(icd.unpacked, { recursive: true, force: true }))
        : edits
          ? await load(db, edits.path, { ...opts, name: opts.name ?? edits.name, source: edits.source, onProgress: (d, t) => bar.update(d, t) }).finally(() =>
              rmSync(edits.unpacked, { recursive: true, force: true }),
            )
          : await load(db, file, { ...opts, onProgress: (d, t) => bar.update(d, t) });
      if (r.loaded) bar.done();
      out(`${describeLoad(r)}\nruleset ${(await ruleset(db)).version}\n`);
      return 0;
    });
  }
  if (area === 'codesets' && command === 'list' && !rest.length) {
    return withDb(async (db) => {
      for (const r of await allReleases(db)) {
        out(
          `${String(r.id).padStart(4)}  ${r.kind.padEnd(11)} ${r.name.padEnd(40)} ${(r.effectiveFrom ?? '').padEnd(10)} ${(r.effectiveTo ?? '').padEnd(10)} ${String(r.rowCount).padStart(7)} rows  sha256 ${r.sha256.slice(0, 12)}  ${r.source ?? ''}\n`,
        );
      }
      const current = await ruleset(db, undefined, false);
      out('ICD-10-CM by date of service:\n');
      const windows = current.releases
        .filter((r) => r.kind === 'icd10cm' && r.effectiveFrom)
        .map((r) => ({ release: r.name, effectiveFrom: r.effectiveFrom!, effectiveTo: r.effectiveTo }));
      for (const span of icdCoverage(windows)) {
        out(
          `  ${span.from} ${(span.to ?? '').padEnd(10)}  ${span.how === 'exact' ? span.release : `${span.how === 'gap' ? 'gap  ' : 'after'}  ${span.note}`}\n`,
        );
      }
      out(`current ruleset ${current.version}\n`);
      return 0;
    });
  }
  if (area === 'fees' && command === 'load' && rest.length === 1) {
    return withDb(async (db) => {
      const bar = progressBar(`loading fees ${rest[0]}`);
      const r = await loadFeeSchedule(db, rest[0], { onProgress: (d, t) => bar.update(d, t) });
      bar.done();
      out(`fee schedule ${r.name}: ${r.rows} fees loaded\n`);
      return 0;
    });
  }
  if (area === 'scrub' && command === undefined) {
    const since = date(argv, '--since');
    if (!since) throw new DataUsageError(DATA_USAGE);
    return withDb((db) => rescrub(db, since, option(argv, '--ruleset'), out));
  }
  throw new DataUsageError(DATA_USAGE);
}

/** Which rule files differ between the ruleset that judged a claim and the one judging it now: the data that could change its verdict. */
async function dataChanged(db: Db, before: string, now: Ruleset, seen: Map<string, string>): Promise<string> {
  if (seen.has(before)) return seen.get(before)!;
  const old = await ruleset(db, before, false).catch(() => undefined);
  const show = (sign: string, r: Release) => `      ${sign} ${r.kind} ${r.name} (${r.source ?? 'source not recorded'}, sha256 ${r.sha256.slice(0, 12)})\n`;
  const text = !old
    ? `      data since ${before}: not known (that ruleset is not recorded)\n`
    : ((d) => `      data changed since ${before}:\n${d.added.map((r) => show('+', r)).join('')}${d.removed.map((r) => show('-', r)).join('')}`)(
        rulesetDiff(old.releases, now.releases),
      );
  seen.set(before, text);
  return text;
}

/** Re-runs a ruleset over past claims without writing anything; prints each claim's verdict and why. */
async function rescrub(db: Db, since: string, version: string | undefined, out: (s: string) => void): Promise<number> {
  const rs = await ruleset(db, version, false);
  const claims = await claimsSince(db, since);
  let failing = 0;
  const seen = new Map<string, string>();
  out(`ruleset ${rs.version} over ${claims.length} claim(s) built since ${since}\n`);
  for (const c of claims) {
    const result = await scrubWith(
      db,
      rs,
      {
        payerId: c.payerId,
        serviceDate: c.encounter.serviceDate,
        priorAuthorization: c.priorAuthorization,
        diagnoses: c.encounter.diagnoses.map((d) => ({ ...d, code: icdBilled(d.code) })),
        procedures: c.encounter.procedures,
      },
      c.encounter.renderingNpi,
      c.builtOn,
    );
    const verdict = result.blocked ? 'FAIL' : 'PASS';
    if (result.blocked) failing++;
    out(
      `${verdict}  ${c.visitId} claim ${c.attempt} (${c.status}, date of service ${c.encounter.serviceDate}, scrubbed by ${c.rulesetVersion ?? 'no ruleset'})\n`,
    );
    if (c.rulesetVersion && c.rulesetVersion !== rs.version) out(await dataChanged(db, c.rulesetVersion, rs, seen));
    for (const f of result.findings)
      out(`      ${f.severity === 'error' ? 'error  ' : 'warning'} ${f.ruleId}${f.line ? ` line ${f.line}` : ''}: ${f.message}\n`);
  }
  // Every claim on file passed the ruleset that built it: each FAIL is a claim this ruleset would have stopped.
  out(`${claims.length - failing} would pass, ${failing} would now fail\n`);
  return 0;
}
