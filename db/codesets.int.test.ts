/**
 * The rule-data loaders and lookups on a real Postgres. Every test database is a copy of
 * the run's template, which test/global-setup.ts filled with the bundled files, the full
 * ICD-10-CM April 2026 release included: these tests check what that load produced.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrubClaim } from '../domain/billing/scrub';
import { feeFor } from '../domain/billing/pricing';
import { BUNDLED, BUNDLED_FEES } from '../app/codesets';
import { icd10cmTabularXml } from '../app/tools';
import { createTestDb } from '../test/support';
import { allReleases, feesFor, loadFeeSchedule, loadIcd10cm, loadMue, ruleset, scrubDataFor } from './codesets';
import type { Db } from './knex';

let database: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
beforeAll(async () => {
  database = await createTestDb();
  db = database.db;
});
afterAll(() => database.drop());

const tmp = mkdtempSync(join(tmpdir(), 'revcycle-codesets-'));

async function icdRows(code: string) {
  return (await db('icd10cm_codes as c').join('rule_releases as r', 'r.id', 'c.release_id').where('c.code', code).orderBy('c.effective_from')
    .select('r.name', 'c.billable', 'c.parent', db.raw("to_char(c.effective_from, 'YYYY-MM-DD') as from"), db.raw("to_char(c.effective_to, 'YYYY-MM-DD') as to")));
}

test('the April 2026 ICD-10-CM release is loaded in full: codes, billable leaves, parents, dates', async () => {
  const [apr] = (await allReleases(db)).filter((r) => r.name === 'icd10c-tabular-April-1-2026');
  expect(apr).toMatchObject({ kind: 'icd10cm', effectiveFrom: '2026-04-01', effectiveTo: undefined });
  expect(apr.rowCount).toBeGreaterThan(90_000);
  const { rows: [{ billable }] } = await db.raw("SELECT count(*)::int AS billable FROM icd10cm_codes WHERE release_id = ? AND billable", [apr.id]);
  expect(billable).toBeGreaterThan(70_000);
  expect(await icdRows('M545')).toEqual([
    { name: 'icd10cm-tabular-FY2021-seed', billable: true, parent: 'M54', from: '2020-10-01', to: '2021-09-30' },
    { name: 'icd10c-tabular-April-1-2026', billable: false, parent: 'M54', from: '2026-04-01', to: null },
  ]);
  expect(await icdRows('M5450')).toEqual([{ name: 'icd10c-tabular-April-1-2026', billable: true, parent: 'M545', from: '2026-04-01', to: null }]);
  // 7th characters: the seed's S93.401 is a header; S93.401A is the billable code.
  expect((await icdRows('S93401A'))[0]).toMatchObject({ billable: true, parent: 'S93401' });
});

test('the scrubber on the loaded data: M54.5 is allowed on 2021-09-30 and caught on a 2026 date of service with its children', async () => {
  const rs = await ruleset(db);
  const claim = (serviceDate: string) => ({
    payerId: '87726', serviceDate, diagnoses: [{ code: 'M545', rank: 1 }],
    procedures: [{ code: '99213', modifiers: [], units: 1, diagnosisPointers: [1] }],
  });
  const data = async (serviceDate: string) => ({
    ...(await scrubDataFor(db, rs, { payerId: '87726', providerNpi: '1234567893', serviceDate, diagnosisCodes: ['M545'], procedureCodes: ['99213'] }, serviceDate)),
    unpricedLines: [],
  });
  expect(scrubClaim(claim('2021-09-30'), await data('2021-09-30')).findings).toEqual([]);
  const caught = scrubClaim(claim('2026-11-20'), await data('2026-11-20'));
  expect(caught.findings).toEqual([expect.objectContaining({
    ruleId: 'ICD10_HEADER', severity: 'error', message: expect.stringContaining('M54.5 (Low back pain) is a header code'),
    suggestion: { field: 'code', path: 'diagnoses[0].code', options: ['M5450', 'M5451', 'M5459'] },
  })]);
  // Between the two releases nothing loaded covers the date: said plainly, not guessed.
  expect(scrubClaim(claim('2023-05-01'), await data('2023-05-01')).findings.map((f) => f.ruleId)).toEqual(['ICD10_NO_RELEASE']);
});

test('loading the same file again writes nothing; the ruleset version stays the same', async () => {
  const before = await ruleset(db);
  for (const f of BUNDLED) expect(await f.load(db, f.path(), {})).toMatchObject({ loaded: false });
  expect((await ruleset(db)).version).toBe(before.version);
});

test('a later ICD-10-CM release ends the codes it no longer has, and makes a new ruleset version', async () => {
  const before = await ruleset(db);
  const xml = `<?xml version="1.0"?><ICD10CM.tabular><version>2027</version><chapter><name>13</name><desc>M</desc>
    <section id="M50-M54"><desc>Other dorsopathies</desc><diag><name>M54</name><desc>Dorsalgia</desc>
    <diag><name>M54.5</name><desc>Low back pain</desc><diag><name>M54.50</name><desc>Low back pain, unspecified</desc></diag>
    <diag><name>M54.51</name><desc>Vertebrogenic low back pain</desc></diag></diag></diag></section></chapter></ICD10CM.tabular>`;
  const file = join(tmp, 'icd10cm-tabular-October-1-2026.xml');
  writeFileSync(file, xml);
  const seen: number[] = [];
  expect(await loadIcd10cm(db, file, { onProgress: (done) => seen.push(done) })).toMatchObject({ loaded: true, rows: 4 });
  expect(seen[seen.length - 1]).toBe(Buffer.byteLength(xml));
  expect((await icdRows('M5459')).map((r) => [r.name, r.to])).toEqual([['icd10c-tabular-April-1-2026', '2026-09-30']]);
  expect((await icdRows('M5450')).map((r) => [r.from, r.to])).toEqual([['2026-04-01', '2026-09-30'], ['2026-10-01', null]]);
  const after = await ruleset(db);
  expect(after.version).not.toBe(before.version);
  // The earlier ruleset is still there by its version, without the new release.
  expect((await ruleset(db, before.version)).releases.map((r) => r.name)).not.toContain('icd10cm-tabular-October-1-2026');
});

test('a bad file is refused with its line, and nothing of it is stored', async () => {
  const file = join(tmp, 'mue-bad.csv');
  writeFileSync(file, '"HCPCS/CPT Code","MUE","MAI","Rationale"\n"99213","1","2 Date of Service Edit: Policy","x"\n"99214","one","2 Date","x"\n');
  await expect(loadMue(db, file)).rejects.toThrow('mue-bad.csv line 3: MUE value "one" is not a number');
  expect((await allReleases(db)).map((r) => r.name)).not.toContain('mue-bad');
  await expect(loadIcd10cm(db, file, { effectiveFrom: '2026-01-01' })).rejects.toThrow(/no <diag> codes/);
});

test('fees: the seed schedule is loaded; a payer contract wins over the default; a reload replaces a fee', async () => {
  const ctx = { payerId: '87726', providerNpi: '1234567893', serviceDate: '2026-11-20' };
  const fees = await feesFor(db, '87726', ['99214', '20610']);
  expect(feeFor({ code: '99214', modifiers: [] }, fees, ctx)).toMatchObject({ payerId: '87726', chargeCents: 19500, expectedCents: 14625 });
  expect(feeFor({ code: '20610', modifiers: ['RT'] }, fees, ctx)).toMatchObject({ payerId: '*', chargeCents: 18000, expectedCents: 12600 });
  expect(feeFor({ code: '99214', modifiers: [] }, await feesFor(db, 'OTHER', ['99214']), { ...ctx, payerId: 'OTHER' })).toMatchObject({ payerId: '*', expectedCents: 13650 });
  const file = join(tmp, 'fees.csv');
  writeFileSync(file, 'payer_id,provider_npi,code,modifier,effective_from,effective_to,charge,expected\n87726,,99214,,2026-01-01,,200,150.5\n');
  expect(await loadFeeSchedule(db, file)).toMatchObject({ rows: 1 });
  expect(feeFor({ code: '99214', modifiers: [] }, await feesFor(db, '87726', ['99214']), ctx)).toMatchObject({ chargeCents: 20000, expectedCents: 15050 });
  expect(BUNDLED_FEES).toMatch(/fee-schedule\.csv$/);
});

test('the full-release loader reads the real file the pinned package ships', () => {
  expect(icd10cmTabularXml()).toMatch(/icd10c-tabular-April-1-2026\.xml$/);
});
