/**
 * The rule data's repository: loaders for code sets, edits, payer rules and fee
 * schedules (each file once, by its SHA-256, in one transaction), and the lookups the
 * scrubber and pricing need for one claim. Parsing is pure (domain/billing/layouts.ts,
 * icd10cm-tabular.ts); this file only reads files and talks to Postgres.
 */
import { FailureType } from '../domain/failures';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { IcdPeriod, ProcedurePeriod, ScrubClaim, ScrubData, ScrubResult } from '../domain/billing/findings';
import { unpricedLines } from '../domain/billing/pricing';
import { scrubClaim } from '../domain/billing/scrub';
import { IcdTabularReader, readIcdCodeList, type IcdEntry } from '../domain/billing/icd10cm-tabular';
import {
  readCpt, readFeeSchedule, readHcpcs, readMceEdits, readMue, readNcciPtp, readPayerRules, readScrubRules,
  type FeeRow, type PayerRule, type ProcedureCodeRow, type ScrubRulesFile,
} from '../domain/billing/layouts';
import {
  currentReleases, datesFromFileName, releaseWindows, RELEASE_KINDS, rulesetVersion, type Release, type ReleaseKind,
} from '../domain/billing/ruleset';
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
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

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

async function newRelease(trx: Db, kind: ReleaseKind, name: string, sha: string, dates: { effectiveFrom?: string; effectiveTo?: string; source?: string }, content?: object): Promise<number> {
  const [{ id }] = await trx('rule_releases')
    .insert({ kind, name, sha256: sha, effective_from: dates.effectiveFrom ?? null, effective_to: dates.effectiveTo ?? null, source: dates.source ?? null, content: content ? JSON.stringify(content) : null })
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
    const source = opts.source ?? [path, opts.orderFile].filter(Boolean).map((f) => basename(f!)).join(' + ');
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
        [releaseId, dates.effectiveFrom!, dates.effectiveTo ?? null, pending.map((e) => e.code), pending.map((e) => e.description), pending.map((e) => e.billable), pending.map((e) => e.parent ?? null)] as never,
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
  const row = await db('rule_releases').where({ id }).first('name', db.raw("to_char(effective_from, 'YYYY-MM-DD') as from"), db.raw("to_char(effective_to, 'YYYY-MM-DD') as to"));
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
    await trx('icd10cm_codes').where({ release_id: w.id }).whereRaw('effective_to IS DISTINCT FROM ?::date', [w.coversTo ?? null]).update({ effective_to: w.coversTo ?? null });
  }
}

const definedOnly = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/** A delimited or JSON rule file: parsed whole (they are small or line-oriented), stored as one release. */
async function loadFile<T>(
  db: Db, kind: ReleaseKind, path: string, opts: LoadOptions,
  parse: (file: string, text: string) => T[], toRow: (row: T, releaseId: number) => object, table: string, content?: (rows: T[]) => object,
): Promise<LoadResult> {
  const bytes = readFileSync(path);
  const sha = sha256(bytes);
  const name = opts.name ?? basename(path).replace(/\.[a-z]+$/i, '');
  const found = await existing(db, kind, sha);
  if (found) return { kind, name: found.name, rows: found.row_count, loaded: false, releaseId: found.id };
  const rows = parse(basename(path), bytes.toString('utf8'));
  return db.transaction(async (trx) => {
    const releaseId = await newRelease(trx, kind, name, sha, { ...definedOnly({ effectiveFrom: opts.effectiveFrom, effectiveTo: opts.effectiveTo }), source: opts.source ?? basename(path) }, content?.(rows));
    let done = 0;
    await insertBatched(trx, table, rows.map((r) => toRow(r, releaseId)), (n) => opts.onProgress?.((done += n), rows.length));
    await trx('rule_releases').where({ id: releaseId }).update({ row_count: rows.length });
    return { kind, name, rows: rows.length, loaded: true, releaseId };
  });
}

const procedureRow = (system: 'CPT' | 'HCPCS', defaults: LoadOptions) => (r: ProcedureCodeRow, releaseId: number) => ({
  release_id: releaseId, system, code: r.code, description: r.description,
  effective_from: r.effectiveFrom ?? defaults.effectiveFrom ?? null, effective_to: r.effectiveTo ?? defaults.effectiveTo ?? null,
});

export const loadHcpcs = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(db, 'hcpcs', path, opts, readHcpcs, procedureRow('HCPCS', opts), 'procedure_codes');

export const loadCpt = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(db, 'cpt', path, opts, readCpt, procedureRow('CPT', opts), 'procedure_codes');

export const loadNcciPtp = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(db, 'ncci_ptp', path, opts, readNcciPtp, (r, releaseId) => ({
    release_id: releaseId, column1: r.column1, column2: r.column2, effective_from: r.effectiveFrom, deleted_on: r.deletedOn ?? null, modifier_indicator: r.modifierIndicator,
  }), 'ncci_ptp_edits');

export const loadMue = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(db, 'mue', path, opts, readMue, (r, releaseId) => ({
    release_id: releaseId, code: r.code, max_units: r.maxUnits, adjudication_indicator: r.adjudicationIndicator, rationale: r.rationale,
  }), 'mue_limits');

/** The Medicare Code Editor's sex and age lists (CMS's "Definitions of Medicare Code Edits" text). */
export const loadMceEdits = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(db, 'mce', path, opts, readMceEdits, (r, releaseId) => ({
    release_id: releaseId, edit: r.edit, code: r.code, min_age: r.minAge ?? null, max_age: r.maxAge ?? null,
  }), 'mce_edits');

export const loadPayerRules = (db: Db, path: string, opts: LoadOptions = {}) =>
  loadFile(db, 'payer_rules', path, opts, (file, text) => {
    const f = readPayerRules(file, text);
    return [{ payerId: '*', ...f.default }, ...f.payers];
  }, (r: PayerRule & { payerId: string }, releaseId) => ({
    release_id: releaseId, payer_id: r.payerId, filing_indicator: r.filingIndicator, timely_filing_days: r.timelyFilingDays, prior_auth_codes: r.priorAuthCodes,
  }), 'payer_rules');

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
        payer_id: r.payerId, provider_npi: r.providerNpi ?? '', code: r.code, modifier: r.modifier ?? '', effective_from: r.effectiveFrom,
        effective_to: r.effectiveTo ?? null, charge_cents: r.chargeCents, expected_cents: r.expectedCents, source, loaded_at: trx.fn.now(),
      }));
      await trx('fee_schedule').insert(batch).onConflict(['payer_id', 'provider_npi', 'code', 'modifier', 'effective_from'])
        .merge(['effective_to', 'charge_cents', 'expected_cents', 'source', 'loaded_at']);
      opts.onProgress?.((done += batch.length), rows.length);
    }
  });
  return { kind: 'fees', name: source, rows: rows.length, loaded: true };
}

/** The fees that could apply to these codes for this payer (the pure `feeFor` picks one per line). */
export async function feesFor(db: Db, payerId: string, codes: string[]): Promise<FeeRow[]> {
  const rows = await db('fee_schedule').whereIn('code', [...new Set(codes)]).whereIn('payer_id', [payerId, '*']);
  return rows.map((r) => ({
    payerId: r.payer_id, providerNpi: r.provider_npi || undefined, code: r.code, modifier: r.modifier || undefined,
    effectiveFrom: isoDate(r.effective_from)!, effectiveTo: isoDate(r.effective_to), chargeCents: Number(r.charge_cents), expectedCents: Number(r.expected_cents),
  }));
}

/** `date` columns come back as JS Dates at local midnight (node-postgres); dates of service are calendar dates. */
function isoDate(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.slice(0, 10);
  const d = v as Date;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function toRelease(r: { id: number; kind: ReleaseKind; name: string; sha256: string; effective_from: unknown; effective_to: unknown; source?: string | null }): Release {
  return { id: r.id, kind: r.kind, name: r.name, sha256: r.sha256, effectiveFrom: isoDate(r.effective_from), effectiveTo: isoDate(r.effective_to), ...(r.source ? { source: r.source } : {}) };
}

async function releasesOf(db: Db, kinds: ReleaseKind[], ids?: number[]): Promise<Release[]> {
  const q = db('rule_releases').whereIn('kind', kinds).orderBy('id');
  if (ids) q.whereIn('id', ids);
  return (await q).map(toRelease);
}

export async function allReleases(db: Db): Promise<(Release & { rowCount: number; loadedAt: string })[]> {
  return (await db('rule_releases').orderBy('id')).map((r) => ({ ...toRelease(r), rowCount: r.row_count, loadedAt: new Date(r.loaded_at).toISOString() }));
}

export interface Ruleset {
  version: string;
  releases: Release[];
}

/**
 * The ruleset in force now (recorded so it can be named later, unless `record` is false
 * for read-only use), or a recorded one by its version.
 */
export async function ruleset(db: Db, version?: string, record = true): Promise<Ruleset> {
  if (version) {
    const row = await db('rulesets').where({ version }).first();
    if (!row) throw new Error(`no ruleset ${version} (see \`revcycle codesets list\`)`);
    return { version, releases: await releasesOf(db, RELEASE_KINDS, row.release_ids) };
  }
  const releases = currentReleases((await db('rule_releases').orderBy('id')).map(toRelease));
  const v = rulesetVersion(releases, sha256);
  if (record) await db('rulesets').insert({ version: v, release_ids: releases.map((r) => r.id) }).onConflict('version').ignore();
  return { version: v, releases };
}

/** Loads the data for one claim from a ruleset and runs the pure scrubber: the scrubClaim activity and `revcycle scrub` share it. */
export async function scrubWith(db: Db, rs: Ruleset, claim: ScrubClaim, renderingNpi: string, asOf: string): Promise<ScrubResult> {
  const ctx = { payerId: claim.payerId, providerNpi: renderingNpi, serviceDate: claim.serviceDate };
  const [data, fees] = await Promise.all([
    scrubDataFor(db, rs, { ...ctx, diagnosisCodes: claim.diagnoses.map((d) => d.code), procedureCodes: claim.procedures.map((p) => p.code) }, asOf),
    feesFor(db, claim.payerId, claim.procedures.map((p) => p.code)),
  ]);
  return scrubClaim(claim, { ...data, unpricedLines: unpricedLines(claim.procedures, fees, ctx) });
}

export interface ScrubLookupInput {
  payerId: string;
  providerNpi: string;
  serviceDate: string;
  diagnosisCodes: string[];
  procedureCodes: string[];
}

/** Everything the pure scrubber needs for one claim, from one ruleset. */
export async function scrubDataFor(db: Db, rs: Ruleset, c: ScrubLookupInput, asOf: string): Promise<Omit<ScrubData, 'unpricedLines'>> {
  const ids = (kind: ReleaseKind) => rs.releases.filter((r) => r.kind === kind).map((r) => r.id);
  const icdWindows = releaseWindows(rs.releases.filter((r) => r.kind === 'icd10cm'));
  const windowOf = new Map(icdWindows.map((w) => [w.id, w]));
  const dx = [...new Set(c.diagnosisCodes)];
  const px = [...new Set(c.procedureCodes)];

  const [icdRows, procRows, ptpRows, mueRows, payerRows, mceRows] = await Promise.all([
    db('icd10cm_codes').whereIn('release_id', ids('icd10cm')).whereIn('code', dx).select('release_id', 'code', 'description', 'billable'),
    db('procedure_codes').whereIn('release_id', [...ids('cpt'), ...ids('hcpcs')]).whereIn('code', px),
    db('ncci_ptp_edits').whereIn('release_id', ids('ncci_ptp')).whereIn('column1', px).whereIn('column2', px),
    db('mue_limits').whereIn('release_id', ids('mue')).whereIn('code', px),
    db('payer_rules').whereIn('release_id', ids('payer_rules')).whereIn('payer_id', [c.payerId, '*']),
    db('mce_edits').whereIn('release_id', ids('mce')).whereIn('code', dx).select('edit', 'code', 'min_age', 'max_age'),
  ]);
  // Billable descendants of the header codes on the claim, in the same release: what to code instead.
  const headers = icdRows.filter((r) => !r.billable);
  const children = headers.length
    ? (await db.raw<{ rows: { release_id: number; header: string; code: string }[] }>(`
        WITH RECURSIVE d(release_id, header, code, billable, depth) AS (
          SELECT release_id, parent, code, billable, 1 FROM icd10cm_codes WHERE release_id = ANY(?) AND parent = ANY(?)
          UNION ALL
          SELECT c.release_id, d.header, c.code, c.billable, d.depth + 1 FROM icd10cm_codes c JOIN d ON c.release_id = d.release_id AND c.parent = d.code WHERE d.depth < 4
        ) SELECT release_id, header, code FROM d WHERE billable ORDER BY code`, [ids('icd10cm'), headers.map((h) => h.code)])).rows
    : [];

  // The tabular's notes and titles of each code and the codes above it (its prefixes: E11 above E11.9), in each release.
  const prefixes = [...new Set(icdRows.flatMap((r) => Array.from({ length: r.code.length - 2 }, (_, i) => r.code.slice(0, i + 3))))];
  const [noteRows, aboveRows] = prefixes.length
    ? await Promise.all([
      db('icd10cm_notes').whereIn('release_id', ids('icd10cm')).whereIn('code', prefixes).select('release_id', 'code', 'kind', 'note', 'targets'),
      db('icd10cm_codes').whereIn('release_id', ids('icd10cm')).whereIn('code', prefixes).select('release_id', 'code', 'description'),
    ])
    : [[], []];
  const above = (releaseId: number, code: string) => (r: { release_id: number; code: string }) => r.release_id === releaseId && code.startsWith(r.code);

  const icd: Record<string, IcdPeriod[]> = {};
  for (const r of icdRows) {
    const w = windowOf.get(r.release_id)!;
    const notes = noteRows.filter(above(r.release_id, r.code)).map((n) => ({ kind: n.kind, note: n.note, targets: n.targets, at: n.code }));
    const manifestation = notes.some((n) => n.kind === 'code_first')
      && aboveRows.filter(above(r.release_id, r.code)).some((a) => /in diseases classified elsewhere/i.test(a.description));
    (icd[r.code] ??= []).push({
      release: w.name, effectiveFrom: w.coversFrom ?? '0000-01-01', effectiveTo: w.coversTo, billable: r.billable, description: r.description,
      billableChildren: children.filter((k) => k.release_id === r.release_id && k.header === r.code).map((k) => k.code).slice(0, 12),
      notes, manifestation,
    });
  }
  const procedures: Record<string, ProcedurePeriod[]> = {};
  for (const r of procRows) {
    (procedures[r.code] ??= []).push({ system: r.system, effectiveFrom: isoDate(r.effective_from), effectiveTo: isoDate(r.effective_to), description: r.description });
  }
  const { own, payer } = pickPayerRule(payerRows, c.payerId);
  const rulesRelease = rs.releases.find((r) => r.kind === 'scrub_rules');
  const rules = rulesRelease ? ((await db('rule_releases').where({ id: rulesRelease.id }).first('content')).content as ScrubRulesFile) : undefined;
  if (!rules) throw new MissingRuleDataError('scrub rules (data/scrub-rules.json)');
  if (!payer) throw new MissingRuleDataError('payer rules (data/payer-rules.json)');
  return {
    rulesetVersion: rs.version,
    asOf,
    rules,
    icdReleases: icdWindows.map((w) => ({ release: w.name, effectiveFrom: w.coversFrom ?? '0000-01-01', effectiveTo: w.coversTo })),
    icd,
    procedures,
    ptp: ptpRows.map((r) => ({ column1: r.column1, column2: r.column2, effectiveFrom: isoDate(r.effective_from)!, deletedOn: isoDate(r.deleted_on), modifierIndicator: r.modifier_indicator })),
    mce: mceRows.map((r) => ({ edit: r.edit, code: r.code, ...(r.min_age === null ? {} : { minAge: r.min_age, maxAge: r.max_age }) })),
    mceRelease: rs.releases.find((r) => r.kind === 'mce')?.name,
    mue: Object.fromEntries(mueRows.map((r) => [r.code, { code: r.code, maxUnits: r.max_units, adjudicationIndicator: r.adjudication_indicator, rationale: r.rationale }])),
    payer: { configured: !!own, filingIndicator: payer.filing_indicator, timelyFilingDays: payer.timely_filing_days, priorAuthCodes: payer.prior_auth_codes },
  };
}

type PayerRuleRow = { payer_id: string; filing_indicator: string; timely_filing_days: number; prior_auth_codes: string[] };

/** The payer's own rule, else the default (`*`). */
function pickPayerRule<R extends PayerRuleRow>(rows: R[], payerId: string): { own?: R; payer?: R } {
  const own = rows.find((p) => p.payer_id === payerId);
  return { own, payer: own ?? rows.find((p) => p.payer_id === '*') };
}

/** The filing limit in days of this payer, from the payer rules in force: the one the scrubber applies. */
export async function timelyFilingDaysOf(db: Db, payerId: string): Promise<number> {
  const rs = await ruleset(db, undefined, false);
  const rows = await db('payer_rules').whereIn('release_id', rs.releases.filter((r) => r.kind === 'payer_rules').map((r) => r.id)).whereIn('payer_id', [payerId, '*']);
  const { payer } = pickPayerRule(rows as PayerRuleRow[], payerId);
  if (!payer) throw new MissingRuleDataError('payer rules (data/payer-rules.json)');
  return payer.timely_filing_days;
}

/** The database has no rule data of a kind the scrubber cannot work without: load it (npm start does). */
export class MissingRuleDataError extends Error {
  readonly code = FailureType.RuleDataMissing;
  constructor(what: string) {
    super(`no ${what} loaded: run \`revcycle codesets load --bundled\``);
  }
}
