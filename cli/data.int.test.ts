/** The rule-data commands as a user runs them: spawned, against a real Postgres named by DATABASE_URL. */
import { execFile } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { createClaims, saveEncounter, saveIntake } from '../db/billing';
import { sampleEncounter, sampleVisit } from '../test/fixtures';
import { createTestDb } from '../test/support';

const BIN = resolve(__dirname, 'revcycle.js');
let database: Awaited<ReturnType<typeof createTestDb>>;

function revcycle(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: database.url } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

async function billed(visitId: string, diagnoses: { code: string; rank: number }[]) {
  const visit = sampleVisit(visitId);
  await saveIntake(database.db, visit);
  const encounter = { ...sampleEncounter(`enc-${visitId}`), diagnoses };
  await saveEncounter(database.db, visitId, encounter);
  await createClaims(database.db, { controlNumber: Math.floor(Math.random() * 1e8), receiverId: 'CLEARINGHOUSE', x12: 'ISA*…' }, [{
    visitId, attempt: 1, frequency: '1', payerId: '87726', filingIndicator: 'CI', payerResponsibility: 'P', billedCents: 37500,
    lines: [{ lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: 19500, diagnosisPointers: [1, 2], lineControlNumber: `${visitId}-1` }], rulesetVersion: 'rs-000000000000',
  }]);
}

beforeAll(async () => {
  database = await createTestDb();
});
afterAll(() => database.drop());

test('codesets list names every release and the current ruleset', async () => {
  const { code, stdout } = await revcycle('codesets', 'list');
  expect(code).toBe(0);
  expect(stdout).toMatch(/icd10cm\s+icd10c-tabular-April-1-2026\s+2026-04-01/);
  expect(stdout).toMatch(/icd10cm\s+icd10cm-tabular-FY2021-seed\s+2020-10-01 2021-09-30/);
  expect(stdout).toMatch(/current ruleset rs-[0-9a-f]{12}/);
});

test('scrub --since re-runs the ruleset over past claims, read-only, and says which would now fail and why', async () => {
  await billed('old-m545', [{ code: 'M545', rank: 1 }, { code: 'E119', rank: 2 }]);
  await billed('clean-1', [{ code: 'M5450', rank: 1 }, { code: 'E119', rank: 2 }]);
  const rulesets = await database.db('rulesets').count();
  const { code, stdout } = await revcycle('scrub', '--since', '2026-01-01');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^FAIL {2}old-m545 claim 1 \(built, date of service 2026-11-20, scrubbed by rs-000000000000\)\n\s+error {3}ICD10_HEADER: M54\.5 \(Low back pain\) is a header code/m);
  expect(stdout).toMatch(/^PASS {2}clean-1 claim 1/m);
  expect(stdout).toMatch(/1 would pass, 1 would now fail/);
  expect(await database.db('rulesets').count()).toEqual(rulesets); // read-only: not even the ruleset is recorded

  const unknown = await revcycle('scrub', '--since', '2026-01-01', '--ruleset', 'rs-nope');
  expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no ruleset rs-nope') });
});

test('loading a file by hand: a bad row is named, a good file loads once, bad usage exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-data-'));
  const fees = join(dir, 'fees.csv');
  writeFileSync(fees, 'payer_id,provider_npi,code,modifier,effective_from,effective_to,charge,expected\n*,,99213,,2026-01-01,,140,98\n*,,99214,,2026-01-01,,abc,1\n');
  expect(await revcycle('fees', 'load', fees)).toMatchObject({ code: 1, stderr: expect.stringContaining('fees.csv line 3: charge and expected must be dollar amounts') });
  const cpt = join(dir, 'cpt-extra.csv');
  writeFileSync(cpt, 'code,label\n99417,prolonged visit (our label)\n');
  expect(await revcycle('codesets', 'load', 'cpt', cpt)).toMatchObject({ code: 0, stdout: expect.stringContaining('cpt cpt-extra: loaded 1 rows') });
  expect(await revcycle('codesets', 'load', 'cpt', cpt)).toMatchObject({ code: 0, stdout: expect.stringContaining('already loaded') });
  expect(await revcycle('codesets', 'load', 'snomed', cpt)).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: revcycle codesets load') });
  expect(await revcycle('scrub', '--since', 'yesterday')).toMatchObject({ code: 2, stderr: expect.stringContaining('--since must be a date') });
});
