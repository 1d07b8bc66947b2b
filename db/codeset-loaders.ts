/**
 * Loading rule data into the billing record: each file (ICD-10-CM releases, HCPCS, CPT, NCCI PTP,
 * MUE, MCE edits, payer rules, scrubber rules, fee schedules) becomes a release with its source,
 * checksum and effective window, loaded once (the same checksum again loads nothing) in batches
 * with a progress callback. The lookups that read them are db/codesets.ts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { IcdTabularReader, readIcdCodeList, type IcdEntry } from '../domain/billing/icd10cm-tabular';
import {
  readCpt,
  readFeeSchedule,
  readHcpcs,
  readMceEdits,
  readMue,
  readNcciPtp,
  readPayerRules,
  readScrubRules,
  type PayerRule,
  type ProcedureCodeRow,
} from '../domain/billing/layouts';
import { readGpciFile, readRvuFile, readZipLocalities } from '../domain/billing/medicare-pfs';
import { datesFromFileName, releaseWindows, type ReleaseKind } from '../domain/billing/ruleset';
import { releasesOf, sha256 } from './codesets';
import type { Db } from './knex';

export type Progress = (done: number, total: number) => void;

export interface LoadOptions {
  name?: string;
  /** Where the file came from (a package and file, CMS's zip); the file's name when not given. */
  source?: string;
  effectiveFrom?: string;
  effectiveTo?: string;
  onProgress?: Progress;
}

export interface LoadResult {
  kind: ReleaseKind | 'fees';
  name: string;
  rows: number;
  /** false when this very file (same SHA-256) was loaded before: nothing was written. */
  loaded: boolean;
  releaseId?: number;
}

const BATCH = 4000;

async function hashFile(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

async function insertBatched(trx: Db, table: string, rows: object[], onBatch?: (n: number) => void): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    await trx(table).insert(batch);
    onBatch?.(batch.length);
  }
}

async function existing(db: Db, kind: ReleaseKind, sha: string): Promise<{ id: number; name: string; row_count: number } | undefined> {
  return db('rule_releases').where({ kind, sha256: sha }).first('id', 'name', 'row_count');
}

async function newRelease(
  trx: Db,
  kind: ReleaseKind,
  name: string,
  sha: string,
  dates: { effectiveFrom?: string; effectiveTo?: string; source?: string },
  content?: object,
): Promise<number> {
  const [{ id }] = await trx('rule_releases')
    .insert({
      kind,
      name,
      sha256: sha,
      effective_from: dates.effectiveFrom ?? null,
      effective_to: dates.effectiveTo ?? null,
      source: dates.source ?? null,
      content: content ? JSON.stringify(content) : null,
    })
    .returning('id');
  return id as number;
}

export interface IcdLoadOptions extends LoadOptions {
  /** CMS's order file or a plain code list of the same release: it decides which codes exist (and, an order file, which are billable). */
  orderFile?: string;
}

/**
 * ICD-10-CM from the CDC/CMS tabular XML, streamed, with the release's order file or code
 * list when there is one. The release's dates come from the options or the file name
 * (`April-1-2026`, `FY2021`, `tabular_2027`); afterwards every ICD-10-CM row's end date is
 * recomputed, so a code absent from a later release ends the day before it.
 */
export async function loadIcd10cm(db: Db, path: string, opts: IcdLoadOptions = {}): Promise<LoadResult & { dropped?: number; added?: number }> {
  const name = opts.name ?? basename(path).replace(/\.xml$/i, '');
  const hash = createHash('sha256');
  await hashFile(hash, path);
  const order = opts.orderFile ? readIcdCodeList(basename(opts.orderFile), readFileSync(opts.orderFile, 'utf8')) : undefined;
  // The order file is part of the release: a different one is a different release.
  if (opts.orderFile) hash.update(readFileSync(opts.orderFile));
  const sha = hash.digest('hex');
  const dates = { ...datesFromFileName(basename(path)), ...definedOnly({ effectiveFrom: opts.effectiveFrom, effectiveTo: opts.effectiveTo }) };
  const found = await existing(db, 'icd10cm', sha);
  if (found) {
    await relabel(db, found.id, opts.name, definedOnly({ effectiveFrom: opts.effectiveFrom, effectiveTo: opts.effectiveTo }));
    return { kind: 'icd10cm', name: opts.name ?? found.name, rows: found.row_count, loaded: false, releaseId: found.id };
  }
  if (!dates.effectiveFrom) throw new Error(`cannot tell when ${basename(path)} takes effect: pass --effective-from YYYY-MM-DD`);
  const total = statSync(path).size;
  return db.transaction(async (trx) => {
    const source =
      opts.source ??
      [path, opts.orderFile]
        .filter(Boolean)
        .map((f) => basename(f!))
        .join(' + ');
    const releaseId = await newRelease(trx, 'icd10cm', name, sha, { ...dates, source });
    const reader = new IcdTabularReader();
    let rows = 0;
    let dropped = 0;
    let pending: IcdEntry[] = [];
    let read = 0;
    const seen = new Set<string>();
    // One statement per batch with the columns as arrays (unnest): far fewer bind parameters than a VALUES list.
    const flush = async () => {
      if (!pending.length) return;
      await trx.raw(
        `INSERT INTO icd10cm_codes (release_id, code, description, billable, parent, effective_from, effective_to)
         SELECT ?, code, description, billable, parent, ?::date, ?::date FROM unnest(?::text[], ?::text[], ?::boolean[], ?::text[]) AS t(code, description, billable, parent)`,
        // The release's own end goes in with the rows: the end-date pass after the load then rewrites none of them unless a later release starts sooner.
        [
          releaseId,
          dates.effectiveFrom!,
          dates.effectiveTo ?? null,
          pending.map((e) => e.code),
          pending.map((e) => e.description),
          pending.map((e) => e.billable),
          pending.map((e) => e.parent ?? null),
        ] as never,
      );
      const notes = pending.flatMap((e) => (e.notes ?? []).map((n) => ({ code: e.code, ...n })));
      if (notes.length) {
        await trx.raw(
          `INSERT INTO icd10cm_notes (release_id, code, kind, note, targets)
           SELECT ?, code, kind, note, string_to_array(targets, ' ') FROM unnest(?::text[], ?::text[], ?::text[], ?::text[]) AS t(code, kind, note, targets)`,
          [releaseId, notes.map((n) => n.code), notes.map((n) => n.kind), notes.map((n) => n.note), notes.map((n) => n.targets.join(' '))] as never,
        );
      }
      rows += pending.length;
      pending = [];
    };
    const take = (entries: IcdEntry[]) => {
      for (const e of entries) {
        const listed = order?.codes.get(e.code);
        if (order && !listed) {
          dropped++;
          continue;
        }
        seen.add(e.code);
        pending.push(listed?.billable === undefined ? e : { ...e, billable: listed.billable });
      }
    };
    for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      read += Buffer.byteLength(chunk as string);
      take(reader.push(chunk as string));
      if (pending.length >= 20_000) await flush();
      opts.onProgress?.(read, total);
    }
    take(reader.end());
    // Codes the code file has and the tabular does not spell out (none in the bundled releases): under their longest listed prefix.
    let added = 0;
    for (const [code, listed] of order?.codes ?? []) {
      if (seen.has(code)) continue;
      let parent = code.slice(0, -1);
      while (parent.length > 3 && !seen.has(parent)) parent = parent.slice(0, -1);
      pending.push({ code, description: listed.description ?? '', billable: listed.billable ?? true, parent: seen.has(parent) ? parent : undefined });
      added++;
    }
    await flush();
    if (!rows) throw new Error(`${basename(path)} holds no <diag> codes: is it an ICD-10-CM tabular XML?`);
    await trx('rule_releases').where({ id: releaseId }).update({ row_count: rows });
    await recomputeIcdEndDates(trx);
    return { kind: 'icd10cm' as const, name, rows, loaded: true, releaseId, dropped, added };
  });
}

/**
 * A release loaded before under another name or window (an earlier build named it by its
 * file and left it open-ended) takes the name and window it is loaded with now: the
 * window is a fact about the release, and the rows' end dates follow it.
 */
async function relabel(db: Db, id: number, name: string | undefined, dates: { effectiveFrom?: string; effectiveTo?: string }): Promise<void> {
  const row = await db('rule_releases')
    .where({ id })
    .first('name', db.raw("to_char(effective_from, 'YYYY-MM-DD') as from"), db.raw("to_char(effective_to, 'YYYY-MM-DD') as to"));
  const change = definedOnly({
    name: name !== undefined && name !== row.name ? name : undefined,
    effective_from: dates.effectiveFrom !== undefined && dates.effectiveFrom !== row.from ? dates.effectiveFrom : undefined,
    effective_to: dates.effectiveTo !== undefined && dates.effectiveTo !== row.to ? dates.effectiveTo : undefined,
  });
  if (!Object.keys(change).length) return;
  await db.transaction(async (trx) => {
    await trx('rule_releases').where({ id }).update(change);
    if (change.effective_from) await trx('icd10cm_codes').where({ release_id: id }).update({ effective_from: change.effective_from });
    await recomputeIcdEndDates(trx);
  });
}

/** Every ICD-10-CM row ends where its release's coverage ends (the next release, or the release's own end). */
async function recomputeIcdEndDates(trx: Db): Promise<void> {
  const releases = await releasesOf(trx, ['icd10cm']);
  for (const w of releaseWindows(releases)) {
    // Only rows whose end changes are written: loading the newest release touches no older row but the one before it.
    await trx('icd10cm_codes')
      .where({ release_id: w.id })
      .whereRaw('effective_to IS DISTINCT FROM ?::date', [w.coversTo ?? null])
      .update({ effective_to: w.coversTo ?? null });
  }
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** A delimited or JSON rule file: parsed whole (they are small or line-oriented), stored as one release. */
async function loadFile<T>(
  db: Db,
  kind: ReleaseKind,
  path: string,
  opts: LoadOptions,
  parse: (file: string, text: string) => T[],
  toRow: (row: T, releaseId: number) => object,
  table: string,
  content?: (rows: T[]) => object,
): Promise<LoadResult> {
  const bytes = readFileSync(path);
  const sha = sha256(bytes);
  const name = opts.name ?? basename(path).replace(/\.[a-z]+$/i, '');
  const found = await existing(db, kind, sha);
  if (found) return { kind, name: found.name, rows: found.row_count, loaded: false, releaseId: found.id };
  const rows = parse(basename(path), bytes.toString('utf8'));
  return db.transaction(async (trx) => {
    const releaseId = await newRelease(
      trx,
      kind,
      name,
      sha,
      { ...definedOnly({ effectiveFrom: opts.effectiveFrom, effectiveTo: opts.effectiveTo }), source: opts.source ?? basename(path) },
      content?.(rows),
    );
    let done = 0;
    await insertBatched(
      trx,
      table,
      rows.map((r) => toRow(r, releaseId)),
      (n) => opts.onProgress?.((done += n), rows.length),
    );
    await trx('rule_releases').where({ id: releaseId }).update({ row_count: rows.length });
    return { kind, name, rows: rows.length, loaded: true, releaseId };
  });
}

const procedureRow = (system: 'CPT' | 'HCPCS', defaults: LoadOptions) => (r: ProcedureCodeRow, releaseId: number) => ({
  release_id: releaseId,
  system,
  code: r.code,
  description: r.description,
  effective_from: r.effectiveFrom ?? defaults.effectiveFrom ?? null,
  effective_to: r.effectiveTo ?? defaults.effectiveTo ?? null,
});

export const loadHcpcs = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(db, 'hcpcs', path, opts, readHcpcs, procedureRow('HCPCS', opts), 'procedure_codes');

export const loadCpt = (db: Db, path: string, opts: LoadOptions = {}) => loadFile(db, 'cpt', path, opts, readCpt, procedureRow('CPT', opts), 'procedure_codes');

export const loadNcciPtp = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(
    db,
    'ncci_ptp',
    path,
    opts,
    readNcciPtp,
    (r, releaseId) => ({
      release_id: releaseId,
      column1: r.column1,
      column2: r.column2,
      effective_from: r.effectiveFrom,
      deleted_on: r.deletedOn ?? null,
      modifier_indicator: r.modifierIndicator,
    }),
    'ncci_ptp_edits',
  );

export const loadMue = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(
    db,
    'mue',
    path,
    opts,
    readMue,
    (r, releaseId) => ({
      release_id: releaseId,
      code: r.code,
      max_units: r.maxUnits,
      adjudication_indicator: r.adjudicationIndicator,
      rationale: r.rationale,
    }),
    'mue_limits',
  );

/** The Medicare Code Editor's sex and age lists (CMS's "Definitions of Medicare Code Edits" text). */
export const loadMceEdits = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(
    db,
    'mce',
    path,
    opts,
    readMceEdits,
    (r, releaseId) => ({
      release_id: releaseId,
      edit: r.edit,
      code: r.code,
      min_age: r.minAge ?? null,
      max_age: r.maxAge ?? null,
    }),
    'mce_edits',
  );

/** The Medicare fee schedule: CMS's RVU file (PPRRVU CSV, with its conversion factor column), GPCI file and ZIP-to-locality file, each a release of its own. */
export const loadPfsRvus = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(
    db,
    'pfs_rvu',
    path,
    opts,
    readRvuFile,
    (r, releaseId) => ({
      release_id: releaseId,
      line: r.line,
      code: r.code,
      modifier: r.modifier ?? null,
      status: r.status,
      work: r.work,
      non_facility_pe: r.nonFacilityPe,
      facility_pe: r.facilityPe,
      mp: r.mp,
      multiple_procedure: r.multipleProcedure,
      bilateral: r.bilateral,
      conversion_factor: r.conversionFactor ?? null,
    }),
    'pfs_rvus',
  );

export const loadPfsGpcis = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(
    db,
    'pfs_gpci',
    path,
    opts,
    readGpciFile,
    (r, releaseId) => ({ release_id: releaseId, line: r.line, contractor: r.contractor, locality: r.locality, name: r.name, work: r.work, pe: r.pe, mp: r.mp }),
    'pfs_gpcis',
  );

export const loadPfsZipLocalities = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(
    db,
    'pfs_locality',
    path,
    opts,
    readZipLocalities,
    (r, releaseId) => ({ release_id: releaseId, line: r.line, zip: r.zip, contractor: r.contractor, locality: r.locality }),
    'pfs_zip_localities',
  );

/** `codesets load medicare-pfs RVU GPCI ZIP-LOCALITY`: the three files, each loaded once by its checksum. */
/** The three PFS files in turn, each with its own progress bar when the caller draws them (the CLI does). */
export async function loadMedicarePfs(
  db: Db,
  files: { rvu: string; gpci: string; zipLocality: string },
  progressFor?: (label: string) => { update(done: number, total: number): void; done(): void },
): Promise<LoadResult[]> {
  const parts = [
    ['RVUs', loadPfsRvus, files.rvu],
    ['GPCIs', loadPfsGpcis, files.gpci],
    ['ZIP to locality', loadPfsZipLocalities, files.zipLocality],
  ] as const;
  const results: LoadResult[] = [];
  for (const [what, load, path] of parts) {
    const bar = progressFor?.(`Medicare PFS ${what} ${basename(path)}`);
    const r = await load(db, path, { source: basename(path), onProgress: bar && ((done, total) => bar.update(done, total)) });
    if (r.loaded) bar?.done();
    results.push(r);
  }
  return results;
}

export const loadPayerRules = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(
    db,
    'payer_rules',
    path,
    opts,
    (file, text) => {
      const f = readPayerRules(file, text);
      return [{ payerId: '*', ...f.default }, ...f.payers];
    },
    (r: PayerRule & { payerId: string }, releaseId) => ({
      release_id: releaseId,
      payer_id: r.payerId,
      filing_indicator: r.filingIndicator,
      timely_filing_days: r.timelyFilingDays,
      prior_auth_codes: r.priorAuthCodes,
    }),
    'payer_rules',
  );

export async function loadScrubRules(db: Db, path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const bytes = readFileSync(path);
  const sha = sha256(bytes);
  const found = await existing(db, 'scrub_rules', sha);
  const name = opts.name ?? basename(path).replace(/\.json$/i, '');
  if (found) return { kind: 'scrub_rules', name: found.name, rows: 1, loaded: false, releaseId: found.id };
  const rules = readScrubRules(basename(path), bytes.toString('utf8'));
  const releaseId = await newRelease(db, 'scrub_rules', name, sha, { source: opts.source ?? basename(path) }, rules);
  await db('rule_releases').where({ id: releaseId }).update({ row_count: 1 });
  return { kind: 'scrub_rules', name, rows: 1, loaded: true, releaseId };
}

/** A fee schedule CSV: each row replaces the fee with the same payer, provider, code, modifier and start date. */
export async function loadFeeSchedule(db: Db, path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const rows = readFeeSchedule(basename(path), readFileSync(path, 'utf8'));
  const source = basename(path);
  await db.transaction(async (trx) => {
    let done = 0;
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH).map((r) => ({
        payer_id: r.payerId,
        provider_npi: r.providerNpi ?? '',
        code: r.code,
        modifier: r.modifier ?? '',
        effective_from: r.effectiveFrom,
        effective_to: r.effectiveTo ?? null,
        charge_cents: r.chargeCents,
        expected_cents: r.expectedCents,
        source,
        loaded_at: trx.fn.now(),
      }));
      await trx('fee_schedule')
        .insert(batch)
        .onConflict(['payer_id', 'provider_npi', 'code', 'modifier', 'effective_from'])
        .merge(['effective_to', 'charge_cents', 'expected_cents', 'source', 'loaded_at']);
      opts.onProgress?.((done += batch.length), rows.length);
    }
  });
  return { kind: 'fees', name: source, rows: rows.length, loaded: true };
}
