/**
 * Medicare pricing on a real Postgres: the template database holds the bundled Medicare fee
 * schedule seeds (RVU, GPCI, ZIP-to-locality); a Medicare Part B visit's lines posted through
 * the charge activity are expected at the RVU formula for the billing ZIP's locality, each
 * line citing the rows that priced it; a commercial payer's lines keep the fee schedule.
 * The expected cents are computed here from the seed files' own rows, not copied.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pmsActivities } from '../activities/pms';
import { readGpciFile, readRvuFile, readZipLocalities } from '../domain/billing/medicare-pfs';
import type { ChargePost } from '../integrations/pms/types';
import { createTestDb } from '../test/support';
import { sampleEncounter, sampleVisit } from '../test/fixtures';
import { allReleases } from './codesets';
import { loadMedicarePfs } from './codeset-loaders';
import type { Db } from './knex';
import { saveIntake } from './visits';

let database: Awaited<ReturnType<typeof createTestDb>>;
let db: Db;
beforeAll(async () => {
  database = await createTestDb();
  db = database.db;
});
afterAll(() => database.drop());

const seeds = join(__dirname, '..', 'data', 'codesets');
const files = { rvu: join(seeds, 'pfs-rvu-seed.csv'), gpci: join(seeds, 'pfs-gpci-seed.csv'), zipLocality: join(seeds, 'pfs-zip-locality-seed.txt') };
const rvus = readRvuFile('pfs-rvu-seed.csv', readFileSync(files.rvu, 'utf8'));
const gpcis = readGpciFile('pfs-gpci-seed.csv', readFileSync(files.gpci, 'utf8'));
const zips = readZipLocalities('pfs-zip-locality-seed.txt', readFileSync(files.zipLocality, 'utf8'));

/** The formula as CMS states it, from the seed rows: (work x GPCI + PE x GPCI + MP x GPCI) x CF, in cents. */
function expectedCents(code: string, zip: string, facility: boolean): number {
  const r = rvus.find((x) => x.code === code)!;
  const z = zips.find((x) => x.zip === zip)!;
  const g = gpcis.find((x) => x.contractor === z.contractor && x.locality === z.locality)!;
  return Math.round((r.work * g.work + (facility ? r.facilityPe : r.nonFacilityPe) * g.pe + r.mp * g.mp) * r.conversionFactor! * 100);
}

const posted: ChargePost[] = [];
const pms = { postCharges: async (p: ChargePost) => (posted.push(p), { pmsChargeIds: p.lines.map((l) => `C${l.lineNumber}`) }) };

async function post(visitId: string, payerId: string, code: string, placeOfService: string, zip: string) {
  const visit = sampleVisit(visitId);
  await saveIntake(db, { ...visit, coverage: { ...visit.coverage, payerId }, appointment: { ...visit.appointment, placeOfService } });
  const encounter = { ...sampleEncounter(`enc-${visitId}`), procedures: [{ code, modifiers: [], units: 1, diagnosisPointers: [1] }] };
  return pmsActivities(db, pms as never, zip).postCharges({ visitId, patientId: visit.patient.patientId, payerId, encounter });
}

test('the bundled seeds are loaded once each, with their row counts; loading them again writes nothing', async () => {
  const pfs = (await allReleases(db)).filter((r) => r.kind.startsWith('pfs_'));
  expect(pfs.map((r) => [r.kind, r.rowCount])).toEqual([
    ['pfs_rvu', rvus.length],
    ['pfs_gpci', gpcis.length],
    ['pfs_locality', zips.length],
  ]);
  expect((await loadMedicarePfs(db, files)).map((r) => r.loaded)).toEqual([false, false, false]);
});

test('a Medicare Part B 99213 in the office at Springfield IL (62701) is expected at the RVU formula with its locality, citing file and row', async () => {
  const [line] = await post('V-PFS-1', '00431', '99213', '11', '627010001');
  const cents = expectedCents('99213', '62701', false);
  expect(line.expectedCents).toBe(cents);
  // Sanity on the seed: Rest of Illinois is not a GPCI of 1 everywhere, so the locality changed the amount.
  const national = rvus.find((r) => r.code === '99213')!;
  expect(cents).not.toBe(Math.round((national.work + national.nonFacilityPe + national.mp) * national.conversionFactor! * 100));
  expect(line.pricedBy).toContain('non-facility PE 1.34');
  expect(line.pricedBy).toMatch(/RVUs [^,]*pfs-rvu-seed\.csv line 6/);
  expect(line.pricedBy).toMatch(/GPCI [^,]*pfs-gpci-seed\.csv line 4 \(06102\/99 REST OF ILLINOIS\)/);
  expect(line.pricedBy).toMatch(/ZIP 62701 [^,]*pfs-zip-locality-seed\.txt line 3/);
  // The charge is still the practice's fee; the record keeps what priced the expected amount.
  expect(line.chargeCents).toBe(13500);
  const saved = await db('charges').where({ visit_id: 'V-PFS-1' }).first('expected_cents', 'priced_by');
  expect([Number(saved.expected_cents), saved.priced_by]).toEqual([cents, line.pricedBy]);
});

test('a hospital outpatient place of service (22) takes the facility PE; another locality (Chicago) prices differently', async () => {
  const [facility] = await post('V-PFS-2', '00431', '99213', '22', '62701');
  expect(facility.expectedCents).toBe(expectedCents('99213', '62701', true));
  expect(facility.pricedBy).toContain('facility PE 0.53');
  const [chicago] = await post('V-PFS-3', '00431', '99213', '11', '60601');
  expect(chicago.expectedCents).toBe(expectedCents('99213', '60601', false));
  expect(chicago.expectedCents).not.toBe(expectedCents('99213', '62701', false));
});

test('a commercial payer keeps its fee schedule; a code Medicare does not pay (status N) keeps the fee schedule and says why', async () => {
  const [commercial] = await post('V-PFS-4', '87726', '99213', '11', '62701');
  expect(commercial).toMatchObject({ chargeCents: 13500, expectedCents: 10125 });
  expect(commercial.pricedBy).toBeUndefined();
  const [preventive] = await post('V-PFS-5', '00431', '99396', '11', '62701');
  expect(preventive.pricedBy).toMatch(/does not price 99396/);
});
