/**
 * The rule-data loaders and lookups on a real Postgres. Every test database is a copy of
 * the run's template, which test/global-setup.ts filled with the bundled files, the full
 * ICD-10-CM FY2021, April 2025 and April 2026 releases included: these tests check what
 * that load produced.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrubClaim } from '../domain/billing/scrub';
import { feeFor } from '../domain/billing/pricing';
import { BUNDLED, BUNDLED_FEES } from '../app/codesets';
import { icd10cmReleaseFiles, icd10cmTabularXml } from '../app/tools';
import { createTestDb } from '../test/support';
import { allReleases, feesFor, ruleset, scrubDataFor } from './codesets';
import { loadFeeSchedule, loadIcd10cm, loadMue } from './codeset-loaders';
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
  return await db('icd10cm_codes as c')
    .join('rule_releases as r', 'r.id', 'c.release_id')
    .where('c.code', code)
    .orderBy('c.effective_from')
    .select(
      'r.name',
      'c.billable',
      'c.parent',
      db.raw("to_char(c.effective_from, 'YYYY-MM-DD') as from"),
      db.raw("to_char(c.effective_to, 'YYYY-MM-DD') as to"),
    );
}

test('three ICD-10-CM releases are loaded in full, each with its window: codes, billable leaves, parents, dates', async () => {
  const icd = (await allReleases(db)).filter((r) => r.kind === 'icd10cm');
  expect(icd.map((r) => [r.name, r.effectiveFrom, r.effectiveTo])).toEqual([
    ['FY2021', '2020-10-01', '2021-09-30'],
    ['April 2025', '2025-04-01', '2025-09-30'],
    ['April 2026', '2026-04-01', '2026-09-30'],
  ]);
  for (const r of icd) {
    expect(r.rowCount).toBeGreaterThan(90_000);
    const {
      rows: [{ billable }],
    } = await db.raw('SELECT count(*)::int AS billable FROM icd10cm_codes WHERE release_id = ? AND billable', [r.id]);
    expect(billable).toBeGreaterThan(70_000);
  }
  expect(await icdRows('M545')).toEqual([
    { name: 'FY2021', billable: true, parent: 'M54', from: '2020-10-01', to: '2021-09-30' },
    { name: 'April 2025', billable: false, parent: 'M54', from: '2025-04-01', to: '2025-09-30' },
    { name: 'April 2026', billable: false, parent: 'M54', from: '2026-04-01', to: '2026-09-30' },
  ]);
  expect((await icdRows('M5450')).map((r) => [r.name, r.billable, r.parent])).toEqual([
    ['April 2025', true, 'M545'],
    ['April 2026', true, 'M545'],
  ]);
  // 7th characters: S93.401 is a header; S93.401A is the billable code.
  expect((await icdRows('S93401A'))[0]).toMatchObject({ billable: true, parent: 'S93401' });
  // The order file decides: the tabular alone would make S06.1X7D (a "death" 6th character with a subsequent-encounter 7th).
  expect(await icdRows('S061X7D')).toEqual([]);
  expect((await icdRows('S061X7A')).length).toBe(3);
});

test('the scrubber on the loaded data by date of service: exact inside a window, the later release in a gap, the newest said after', async () => {
  const rs = await ruleset(db);
  const claim = (serviceDate: string, code = 'M545') => ({
    payerId: '87726',
    serviceDate,
    diagnoses: [{ code, rank: 1 }],
    procedures: [{ code: '99213', modifiers: [], units: 1, diagnosisPointers: [1] }],
  });
  const scrub = async (serviceDate: string, code = 'M545') =>
    scrubClaim(claim(serviceDate, code), {
      ...(await scrubDataFor(
        db,
        rs,
        { payerId: '87726', providerNpi: '1234567893', serviceDate, diagnosisCodes: [code], procedureCodes: ['99213'] },
        serviceDate,
      )),
      unpricedLines: [],
    }).findings;
  expect(await scrub('2021-09-30')).toEqual([]);
  // 2023-05-10: no FY2022-FY2025 release is loaded; April 2025 decides, and the change since FY2021 is named.
  expect(await scrub('2023-05-10')).toEqual([
    expect.objectContaining({
      ruleId: 'ICD10_HEADER',
      severity: 'error',
      message: expect.stringContaining('M54.5: billable in FY2021, a header by April 2025: use M54.50, M54.51 or M54.59'),
      suggestion: { field: 'code', path: 'diagnoses[0].code', options: ['M5450', 'M5451', 'M5459'] },
    }),
  ]);
  expect(await scrub('2025-06-01')).toEqual([
    expect.objectContaining({
      ruleId: 'ICD10_HEADER',
      message: expect.stringContaining('M54.5 (Low back pain) is a header code, not billable on 2025-06-01 in ICD-10-CM April 2025, in effect on 2025-06-01'),
    }),
  ]);
  // Today's claims (FY2027) are judged by April 2026, and say that FY2027 is not loaded.
  expect((await scrub('2026-11-20')).map((f) => [f.ruleId, f.severity])).toEqual([
    ['ICD10_RELEASE_NOT_LOADED', 'warning'],
    ['ICD10_HEADER', 'error'],
  ]);
  expect((await scrub('2026-11-20', 'M5450')).map((f) => f.message)).toEqual([
    expect.stringContaining('ICD-10-CM FY2027 (in effect from 2026-10-01) is in force on 2026-11-20 and is not loaded'),
  ]);
  expect((await scrub('2019-06-01')).map((f) => f.ruleId)).toEqual(['ICD10_NO_RELEASE']);
});

test("the tabular's notes on the loaded data: E11.9 with E10.9 stops as Excludes1; G63 may not be listed first", async () => {
  const rs = await ruleset(db);
  const scrub = async (codes: string[]) =>
    scrubClaim(
      {
        payerId: '87726',
        serviceDate: '2026-05-01',
        diagnoses: codes.map((code, i) => ({ code, rank: i + 1 })),
        procedures: [{ code: '99213', modifiers: [], units: 1, diagnosisPointers: [1] }],
      },
      {
        ...(await scrubDataFor(
          db,
          rs,
          { payerId: '87726', providerNpi: '1234567893', serviceDate: '2026-05-01', diagnosisCodes: codes, procedureCodes: ['99213'] },
          '2026-05-01',
        )),
        unpricedLines: [],
      },
    ).findings;
  expect((await scrub(['E119', 'E109'])).filter((f) => f.severity === 'error')).toEqual([
    expect.objectContaining({
      ruleId: 'ICD10_EXCLUDES1',
      path: 'diagnoses[1].code',
      message: expect.stringMatching(
        /^E1[01]\.9 and E1[01]\.9 may not be reported together: ICD-10-CM April 2026 lists "type [12] diabetes mellitus \(E1[01]\.-\)" under Excludes1 at E1[01]$/,
      ),
    }),
  ]);
  expect((await scrub(['G63', 'E1142'])).map((f) => f.ruleId)).toContain('ICD10_MANIFESTATION_FIRST');
  expect((await scrub(['E1142', 'G63'])).map((f) => f.ruleId)).not.toContain('ICD10_MANIFESTATION_FIRST');
  const { rows } = await db.raw(
    `SELECT r.name, n.kind, count(*)::int AS n FROM icd10cm_notes n JOIN rule_releases r ON r.id = n.release_id GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  for (const r of rows) expect(r.n).toBeGreaterThan(r.kind === 'excludes1' ? 4000 : 300);
  expect(rows.map((r: { name: string }) => r.name)).toEqual(expect.arrayContaining(['FY2021', 'April 2025', 'April 2026']));
});

test('sex and age edits from the bundled MCE seed: O80 for a male patient stops; for a woman of 30 it passes', async () => {
  const rs = await ruleset(db);
  const scrub = async (sex: 'M' | 'F', birthDate: string) =>
    scrubClaim(
      {
        payerId: '87726',
        serviceDate: '2026-05-01',
        patient: { sex, birthDate },
        diagnoses: [{ code: 'O80', rank: 1 }],
        procedures: [{ code: '99213', modifiers: [], units: 1, diagnosisPointers: [1] }],
      },
      {
        ...(await scrubDataFor(
          db,
          rs,
          { payerId: '87726', providerNpi: '1234567893', serviceDate: '2026-05-01', diagnosisCodes: ['O80'], procedureCodes: ['99213'] },
          '2026-05-01',
        )),
        unpricedLines: [],
      },
    ).findings.filter((f) => f.severity === 'error');
  expect(await scrub('M', '1990-03-01')).toEqual([
    expect.objectContaining({
      ruleId: 'SEX_EDIT',
      message: "O80 is on the Medicare Code Editor mce-sex-age-seed list of diagnoses for females only; the patient's sex is M",
    }),
  ]);
  expect(await scrub('F', '1996-03-01')).toEqual([]);
});

test('loading the same file again writes nothing; the ruleset version stays the same', async () => {
  const before = await ruleset(db);
  for (const f of BUNDLED) expect(await f.load(db, f.path(), {})).toMatchObject({ loaded: false });
  expect((await ruleset(db)).version).toBe(before.version);
});

test('a later ICD-10-CM release with its order file: the order file decides codes and billable flags; the window comes from the name', async () => {
  const before = await ruleset(db);
  const xml = `<?xml version="1.0"?><ICD10CM.tabular><version>2027</version><chapter><name>13</name><desc>M</desc>
    <section id="M50-M54"><desc>Other dorsopathies</desc><diag><name>M54</name><desc>Dorsalgia</desc>
    <diag><name>M54.5</name><desc>Low back pain</desc><diag><name>M54.50</name><desc>Low back pain, unspecified</desc></diag>
    <diag><name>M54.51</name><desc>Vertebrogenic low back pain</desc></diag></diag></diag></section></chapter></ICD10CM.tabular>`;
  const file = join(tmp, 'icd10cm_tabular_2027.xml');
  writeFileSync(file, xml);
  // CMS's order file: order number, code, 0 header / 1 billable, short title (60 wide), long title. M54.51 is left out; M54.59 is in it only.
  const row = (n: number, code: string, flag: 0 | 1, title: string) => `${String(n).padStart(5, '0')} ${code.padEnd(7)} ${flag} ${title.padEnd(60)} ${title}`;
  const order = join(tmp, 'icd10cm_order_2027.txt');
  writeFileSync(
    order,
    [
      row(1, 'M54', 0, 'Dorsalgia'),
      row(2, 'M545', 0, 'Low back pain'),
      row(3, 'M5450', 1, 'Low back pain, unspecified'),
      row(4, 'M5459', 1, 'Other low back pain'),
    ].join('\r\n') + '\r\n',
  );
  const seen: number[] = [];
  expect(await loadIcd10cm(db, file, { orderFile: order, onProgress: (done) => seen.push(done) })).toMatchObject({
    loaded: true,
    rows: 4,
    dropped: 1,
    added: 1,
  });
  expect(seen[seen.length - 1]).toBe(Buffer.byteLength(xml));
  expect((await icdRows('M5450')).map((r) => [r.name, r.from, r.to])).toEqual([
    ['April 2025', '2025-04-01', '2025-09-30'],
    ['April 2026', '2026-04-01', '2026-09-30'],
    ['icd10cm_tabular_2027', '2026-10-01', '2027-09-30'],
  ]);
  expect((await icdRows('M5459')).pop()).toMatchObject({ name: 'icd10cm_tabular_2027', billable: true, parent: 'M545' });
  expect((await icdRows('M5451')).map((r) => r.name)).toEqual(['April 2025', 'April 2026']);
  const after = await ruleset(db);
  expect(after.version).not.toBe(before.version);
  // The earlier ruleset is still there by its version, without the new release.
  expect((await ruleset(db, before.version)).releases.map((r) => r.name)).not.toContain('icd10cm_tabular_2027');
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
  expect(feeFor({ code: '99214', modifiers: [] }, await feesFor(db, 'OTHER', ['99214']), { ...ctx, payerId: 'OTHER' })).toMatchObject({
    payerId: '*',
    expectedCents: 13650,
  });
  const file = join(tmp, 'fees.csv');
  writeFileSync(file, 'payer_id,provider_npi,code,modifier,effective_from,effective_to,charge,expected\n87726,,99214,,2026-01-01,,200,150.5\n');
  expect(await loadFeeSchedule(db, file)).toMatchObject({ rows: 1 });
  expect(feeFor({ code: '99214', modifiers: [] }, await feesFor(db, '87726', ['99214']), ctx)).toMatchObject({ chargeCents: 20000, expectedCents: 15050 });
  expect(BUNDLED_FEES).toMatch(/fee-schedule\.csv$/);
});

test('the full-release loaders read the real files the pinned packages ship', () => {
  expect(icd10cmTabularXml()).toMatch(/icd10c-tabular-April-1-2026\.xml$/);
  expect(icd10cmReleaseFiles('1.0.5')).toEqual({
    xml: expect.stringMatching(/icd10cm_tabular_2021\.xml$/),
    order: expect.stringMatching(/icd10cm-order-Jan-2021\.txt$/),
  });
  expect(icd10cmReleaseFiles('1.3.0')).toEqual({
    xml: expect.stringMatching(/icd10cm-tabular-April-2025\.xml$/),
    order: expect.stringMatching(/code-list-April-2025\.txt$/),
  });
});
