/**
 * The rule data's lookups: the ruleset in force (its releases and version) and the code-set
 * rows, edits, payer rules and fees the scrubber and pricing need for one claim. Loading the
 * files is db/codeset-loaders.ts; parsing is pure (domain/billing/layouts.ts, icd10cm-tabular.ts).
 */
import { FailureType } from '../domain/failures';
import { createHash } from 'node:crypto';
import type { IcdPeriod, ProcedurePeriod, ScrubData } from '../domain/billing/findings';
import { type FeeRow, type ScrubRulesFile } from '../domain/billing/layouts';
import { currentReleases, releaseWindows, RELEASE_KINDS, rulesetVersion, type Release, type ReleaseKind } from '../domain/billing/ruleset';
import type { Db } from './knex';

/** A file's or a ruleset's checksum, as releases record it. */
export const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** The fees that could apply to these codes for this payer (the pure `feeFor` picks one per line). */
export async function feesFor(db: Db, payerId: string, codes: string[]): Promise<FeeRow[]> {
  const rows = await db('fee_schedule')
    .whereIn('code', [...new Set(codes)])
    .whereIn('payer_id', [payerId, '*']);
  return rows.map((r) => ({
    payerId: r.payer_id,
    providerNpi: r.provider_npi || undefined,
    code: r.code,
    modifier: r.modifier || undefined,
    effectiveFrom: isoDate(r.effective_from)!,
    effectiveTo: isoDate(r.effective_to),
    chargeCents: Number(r.charge_cents),
    expectedCents: Number(r.expected_cents),
  }));
}

/** `date` columns come back as JS Dates at local midnight (node-postgres); dates of service are calendar dates. */
function isoDate(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.slice(0, 10);
  const d = v as Date;
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function toRelease(r: {
  id: number;
  kind: ReleaseKind;
  name: string;
  sha256: string;
  effective_from: unknown;
  effective_to: unknown;
  source?: string | null;
}): Release {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    sha256: r.sha256,
    effectiveFrom: isoDate(r.effective_from),
    effectiveTo: isoDate(r.effective_to),
    ...(r.source ? { source: r.source } : {}),
  };
}

export async function releasesOf(db: Db, kinds: ReleaseKind[], ids?: number[]): Promise<Release[]> {
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
  if (record)
    await db('rulesets')
      .insert({ version: v, release_ids: releases.map((r) => r.id) })
      .onConflict('version')
      .ignore();
  return { version: v, releases };
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
    db('procedure_codes')
      .whereIn('release_id', [...ids('cpt'), ...ids('hcpcs')])
      .whereIn('code', px),
    db('ncci_ptp_edits').whereIn('release_id', ids('ncci_ptp')).whereIn('column1', px).whereIn('column2', px),
    db('mue_limits').whereIn('release_id', ids('mue')).whereIn('code', px),
    db('payer_rules').whereIn('release_id', ids('payer_rules')).whereIn('payer_id', [c.payerId, '*']),
    db('mce_edits').whereIn('release_id', ids('mce')).whereIn('code', dx).select('edit', 'code', 'min_age', 'max_age'),
  ]);
  // Billable descendants of the header codes on the claim, in the same release: what to code instead.
  const headers = icdRows.filter((r) => !r.billable);
  const children = headers.length
    ? (
        await db.raw<{ rows: { release_id: number; header: string; code: string }[] }>(
          `
        WITH RECURSIVE d(release_id, header, code, billable, depth) AS (
          SELECT release_id, parent, code, billable, 1 FROM icd10cm_codes WHERE release_id = ANY(?) AND parent = ANY(?)
          UNION ALL
          SELECT c.release_id, d.header, c.code, c.billable, d.depth + 1 FROM icd10cm_codes c JOIN d ON c.release_id = d.release_id AND c.parent = d.code WHERE d.depth < 4
        ) SELECT release_id, header, code FROM d WHERE billable ORDER BY code`,
          [ids('icd10cm'), headers.map((h) => h.code)],
        )
      ).rows
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
    const manifestation =
      notes.some((n) => n.kind === 'code_first') &&
      aboveRows.filter(above(r.release_id, r.code)).some((a) => /in diseases classified elsewhere/i.test(a.description));
    (icd[r.code] ??= []).push({
      release: w.name,
      effectiveFrom: w.coversFrom ?? '0000-01-01',
      effectiveTo: w.coversTo,
      billable: r.billable,
      description: r.description,
      billableChildren: children
        .filter((k) => k.release_id === r.release_id && k.header === r.code)
        .map((k) => k.code)
        .slice(0, 12),
      notes,
      manifestation,
    });
  }
  const procedures: Record<string, ProcedurePeriod[]> = {};
  for (const r of procRows) {
    (procedures[r.code] ??= []).push({
      system: r.system,
      effectiveFrom: isoDate(r.effective_from),
      effectiveTo: isoDate(r.effective_to),
      description: r.description,
    });
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
    ptp: ptpRows.map((r) => ({
      column1: r.column1,
      column2: r.column2,
      effectiveFrom: isoDate(r.effective_from)!,
      deletedOn: isoDate(r.deleted_on),
      modifierIndicator: r.modifier_indicator,
    })),
    mce: mceRows.map((r) => ({ edit: r.edit, code: r.code, ...(r.min_age === null ? {} : { minAge: r.min_age, maxAge: r.max_age }) })),
    mceRelease: rs.releases.find((r) => r.kind === 'mce')?.name,
    mue: Object.fromEntries(
      mueRows.map((r) => [r.code, { code: r.code, maxUnits: r.max_units, adjudicationIndicator: r.adjudication_indicator, rationale: r.rationale }]),
    ),
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
  const payer = await payerRuleOf(db, payerId);
  if (!payer) throw new MissingRuleDataError('payer rules (data/payer-rules.json)');
  return payer.timely_filing_days;
}

/** The claim filing indicator of this payer (MB: Medicare Part B), from the payer rules in force; undefined when none are loaded. */
export async function filingIndicatorOf(db: Db, payerId: string): Promise<string | undefined> {
  return (await payerRuleOf(db, payerId))?.filing_indicator;
}

async function payerRuleOf(db: Db, payerId: string): Promise<PayerRuleRow | undefined> {
  const rs = await ruleset(db, undefined, false);
  const rows = await db('payer_rules')
    .whereIn(
      'release_id',
      rs.releases.filter((r) => r.kind === 'payer_rules').map((r) => r.id),
    )
    .whereIn('payer_id', [payerId, '*']);
  const { payer } = pickPayerRule(rows as PayerRuleRow[], payerId);
  return payer;
}

/** The database has no rule data of a kind the scrubber cannot work without: load it (npm start does). */
export class MissingRuleDataError extends Error {
  readonly code = FailureType.RuleDataMissing;
  constructor(what: string) {
    super(`no ${what} loaded: run \`revcycle codesets load --bundled\``);
  }
}
