/** The rule-data commands as a user runs them: spawned, against a real Postgres named by DATABASE_URL. */
import { execFile } from 'child_process';
import { crc32, deflateRawSync } from 'zlib';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { createClaims } from '../db/claims';
import { saveEncounter, saveIntake } from '../db/visits';
import { sampleEncounter, sampleVisit } from '../test/fixtures';
import { createTestDb } from '../test/support';
import { ruleset } from '../db/codesets';

const BIN = resolve(__dirname, 'revcycle.js');
let database: Awaited<ReturnType<typeof createTestDb>>;

function revcycle(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: database.url } }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

async function billed(visitId: string, diagnoses: { code: string; rank: number }[], rulesetVersion = 'rs-000000000000') {
  const visit = sampleVisit(visitId);
  await saveIntake(database.db, visit);
  const encounter = { ...sampleEncounter(`enc-${visitId}`), diagnoses };
  await saveEncounter(database.db, visitId, encounter);
  await createClaims(database.db, { controlNumber: Math.floor(Math.random() * 1e8), receiverId: 'CLEARINGHOUSE', x12: 'ISA*…' }, [
    {
      visitId,
      attempt: 1,
      frequency: '1',
      payerId: '87726',
      filingIndicator: 'CI',
      payerResponsibility: 'P',
      billedCents: 37500,
      lines: [{ lineNumber: 1, code: '99214', modifiers: ['25'], units: 1, chargeCents: 19500, diagnosisPointers: [1, 2], lineControlNumber: `${visitId}-1` }],
      rulesetVersion,
    },
  ]);
}

beforeAll(async () => {
  database = await createTestDb();
});
afterAll(() => database.drop());

test('codesets list names every release and the current ruleset', async () => {
  const { code, stdout } = await revcycle('codesets', 'list');
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /icd10cm\s+FY2021\s+2020-10-01 2021-09-30\s+95358 rows  sha256 [0-9a-f]{12}  PyPI simple-icd-10-cm==1\.0\.5: icd10cm_tabular_2021\.xml \+ icd10cm-order-Jan-2021\.txt/,
  );
  expect(stdout).toMatch(/mce\s+mce-sex-age-seed .* sha256 [0-9a-f]{12}  revcycle data\/codesets\/mce-sex-age-seed\.txt/);
  expect(stdout).toMatch(/icd10cm\s+April 2025\s+2025-04-01 2025-09-30\s+97584 rows/);
  expect(stdout).toMatch(/icd10cm\s+April 2026\s+2026-04-01 2026-09-30/);
  // The time line of dates of service: windows, gaps and who decides them, and after the newest.
  expect(stdout).toContain(
    [
      'ICD-10-CM by date of service:',
      '  2020-10-01 2021-09-30  FY2021',
      '  2021-10-01 2025-03-31  gap    no release loaded from FY2022 (in effect from 2021-10-01) on; the later one, April 2025, decides',
      '  2025-04-01 2025-09-30  April 2025',
      '  2025-10-01 2026-03-31  gap    no release loaded from FY2026 (in effect from 2025-10-01) on; the later one, April 2026, decides',
      '  2026-04-01 2026-09-30  April 2026',
      '  2026-10-01             after  FY2027 (in effect from 2026-10-01) is not loaded; the newest, April 2026, decides and says so',
    ].join('\n'),
  );
  expect(stdout).toMatch(/current ruleset rs-[0-9a-f]{12}/);
});

test('scrub --since re-runs the ruleset over past claims, read-only, and says which would now fail and why', async () => {
  await billed('old-m545', [
    { code: 'M545', rank: 1 },
    { code: 'E119', rank: 2 },
  ]);
  await billed('clean-1', [
    { code: 'M5450', rank: 1 },
    { code: 'E119', rank: 2 },
  ]);
  const rulesets = await database.db('rulesets').count();
  const { code, stdout } = await revcycle('scrub', '--since', '2026-01-01');
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /^FAIL {2}old-m545 claim 1 \(built, date of service 2026-11-20, scrubbed by rs-000000000000\)\n\s+data since rs-000000000000: not known .*\n\s+warning ICD10_RELEASE_NOT_LOADED: .*\n\s+error {3}ICD10_HEADER: M54\.5 \(Low back pain\) is a header code/m,
  );
  expect(stdout).toMatch(/^PASS {2}clean-1 claim 1/m);
  expect(stdout).toContain('data since rs-000000000000: not known (that ruleset is not recorded)');
  expect(stdout).toMatch(/1 would pass, 1 would now fail/);
  expect(await database.db('rulesets').count()).toEqual(rulesets); // read-only: not even the ruleset is recorded

  const unknown = await revcycle('scrub', '--since', '2026-01-01', '--ruleset', 'rs-nope');
  expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no ruleset rs-nope') });
});

/** A ZIP archive as CMS packs a release (deflated entries in a folder), written here so nothing is fetched. */
function zip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(crc32(data), 16);
    dir.writeUInt32LE(packed.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(n.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, n, packed);
    central.push(dir, n);
    offset += 30 + n.length + packed.length;
  }
  const size = central.reduce((a, b) => a + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

test('codesets load icd10cm reads a CMS release zip (tabular XML and order file) and the list shows its window', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-icd-'));
  const xml = `<?xml version="1.0" encoding="utf-8"?><ICD10CM.tabular><version>2027</version><chapter><name>4</name><desc>Endocrine</desc>
    <section id="E08-E13"><desc>Diabetes mellitus</desc><diag><name>E11</name><desc>Type 2 diabetes mellitus</desc>
    <diag><name>E11.9</name><desc>Type 2 diabetes mellitus without complications</desc></diag></diag></section></chapter></ICD10CM.tabular>`;
  const row = (n: number, code: string, flag: 0 | 1, title: string) => `${String(n).padStart(5, '0')} ${code.padEnd(7)} ${flag} ${title.padEnd(60)} ${title}`;
  const order = [row(1, 'E11', 0, 'Type 2 diabetes mellitus'), row(2, 'E119', 1, 'Type 2 diabetes mellitus without complications')].join('\n');
  const archive = join(dir, '2027-code-descriptions-tabular-order.zip');
  writeFileSync(
    archive,
    zip({
      'Table and Index/icd10cm_tabular_2027.xml': xml,
      'Code Descriptions/icd10cm_order_2027.txt': order,
      'Code Descriptions/icd10cm_order_addenda_2027.txt': 'not codes',
    }),
  );
  const loaded = await revcycle('codesets', 'load', 'icd10cm', archive);
  expect(loaded).toMatchObject({ code: 0, stdout: expect.stringContaining('icd10cm icd10cm_tabular_2027: loaded 2 rows') });
  const { stdout } = await revcycle('codesets', 'list');
  expect(stdout).toMatch(/icd10cm\s+icd10cm_tabular_2027\s+2026-10-01 2027-09-30\s+2 rows/);
  expect(stdout).toContain('  2026-10-01 2027-09-30  icd10cm_tabular_2027\n  2027-10-01             after  FY2028');
  const notXml = join(dir, 'empty.zip');
  writeFileSync(notXml, zip({ 'readme.txt': 'x' }));
  expect(await revcycle('codesets', 'load', 'icd10cm', notXml)).toMatchObject({ code: 2, stderr: expect.stringContaining('no ICD-10-CM tabular XML') });
});

test('NCCI PTP as CMS zips a quarter (f1 and f2, tab-separated with their notice lines) loads as one release; the MUE CSV from its zip', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-ncci-'));
  const notice =
    'CPT codes, descriptions and other data only are copyright American Medical Association.\n' +
    'Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n';
  const f1 = join(dir, 'ccipra-v323r0-f1.zip');
  const f2 = join(dir, 'ccipra-v323r0-f2.zip');
  writeFileSync(f1, zip({ 'ccipra-v323r0-f1.txt': `${notice}11042\t97597\t\t20130101\t*\t1\tMutually exclusive procedures\n` }));
  writeFileSync(
    f2,
    zip({ 'ccipra-v323r0-f2.txt': `${notice}99495\t99213\t\t20130101\t*\t0\tStandards of medical / surgical practice\n`, 'README.pdf': '%PDF' }),
  );
  const before = await ruleset(database.db);
  await billed('before-ncci', [{ code: 'M5450', rank: 1 }], before.version);
  const ptp = await revcycle('codesets', 'load', 'ncci-ptp', f1, f2, '--effective-from', '2026-10-01');
  expect(ptp).toMatchObject({ code: 0, stdout: expect.stringContaining('ncci_ptp ccipra-v323r0-f1: loaded 2 rows') });
  const rows = await database
    .db('ncci_ptp_edits as e')
    .join('rule_releases as r', 'r.id', 'e.release_id')
    .where('r.name', 'ccipra-v323r0-f1')
    .orderBy('column1')
    .select('column1', 'column2', 'modifier_indicator');
  expect(rows).toEqual([
    { column1: '11042', column2: '97597', modifier_indicator: '1' },
    { column1: '99495', column2: '99213', modifier_indicator: '0' },
  ]);
  // Re-scrubbing names the rule files that changed since the ruleset that judged the claim: source, release and checksum.
  const { stdout } = await revcycle('scrub', '--since', '2026-01-01');
  expect(stdout).toMatch(
    /before-ncci claim 1 .*\n(.*\n)*?\s+data changed since rs-[0-9a-f]{12}:\n\s+\+ ncci_ptp ccipra-v323r0-f1 \(ccipra-v323r0-f1\.zip \+ ccipra-v323r0-f2\.zip, sha256 [0-9a-f]{12}\)\n\s+- ncci_ptp ncci-ptp-practitioner-seed \(revcycle data\/codesets\/ncci-ptp-practitioner-seed\.txt, sha256 [0-9a-f]{12}\)/,
  );

  const mue = join(dir, 'MCR_MUE_PractitionerServices_Eff_10-01-2026.zip');
  writeFileSync(
    mue,
    zip({
      'MCR_MUE_PractitionerServices_Eff_10-01-2026.csv':
        '"Practitioner Services MUE Table"\n"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"\n"20610","2","1 Line Edit","Anatomic Consideration"\n',
    }),
  );
  expect(await revcycle('codesets', 'load', 'mue', mue)).toMatchObject({
    code: 0,
    stdout: expect.stringContaining('mue MCR_MUE_PractitionerServices_Eff_10-01-2026: loaded 1 rows'),
  });
});

test('loading a file by hand: a bad row is named, a good file loads once, bad usage exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-data-'));
  const fees = join(dir, 'fees.csv');
  writeFileSync(
    fees,
    'payer_id,provider_npi,code,modifier,effective_from,effective_to,charge,expected\n*,,99213,,2026-01-01,,140,98\n*,,99214,,2026-01-01,,abc,1\n',
  );
  expect(await revcycle('fees', 'load', fees)).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('fees.csv line 3: charge and expected must be dollar amounts'),
  });
  const cpt = join(dir, 'cpt-extra.csv');
  writeFileSync(cpt, 'code,label\n99417,prolonged visit (our label)\n');
  expect(await revcycle('codesets', 'load', 'cpt', cpt)).toMatchObject({ code: 0, stdout: expect.stringContaining('cpt cpt-extra: loaded 1 rows') });
  expect(await revcycle('codesets', 'load', 'cpt', cpt)).toMatchObject({ code: 0, stdout: expect.stringContaining('already loaded') });
  expect(await revcycle('codesets', 'load', 'snomed', cpt)).toMatchObject({ code: 2, stderr: expect.stringContaining('usage: revcycle codesets load') });
  expect(await revcycle('scrub', '--since', 'yesterday')).toMatchObject({ code: 2, stderr: expect.stringContaining('--since must be a date') });
});

test('codesets load medicare-pfs reads CMS-layout RVU, GPCI and ZIP-to-locality files, each once; a missing file argument is a usage error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-pfs-'));
  const rvu = join(dir, 'PPRRVU26_JAN.csv');
  writeFileSync(
    rvu,
    'notice line\nHCPCS,MOD,DESCRIPTION,STATUS CODE,WORK RVU,NON-FAC PE RVU,FACILITY PE RVU,MP RVU,MULT PROC,BILAT SURG,CONV FACTOR\n99213,,Office visit,A,1.30,1.34,0.53,0.09,0,0,33.4009\n',
  );
  const gpci = join(dir, 'GPCI2026.csv');
  writeFileSync(
    gpci,
    'Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,PW GPCI,PE GPCI,MP GPCI\n06102,IL,99,REST OF ILLINOIS,1.000,0.902,1.268\n',
  );
  const zip = join(dir, 'ZIP5_JAN2026.txt');
  writeFileSync(zip, 'IL6270106102990     20261\n');
  expect(await revcycle('codesets', 'load', 'medicare-pfs', rvu, gpci, zip)).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(/pfs_rvu PPRRVU26_JAN: loaded 1 rows[\s\S]*pfs_gpci GPCI2026: loaded 1 rows[\s\S]*pfs_locality ZIP5_JAN2026: loaded 1 rows/),
  });
  expect((await revcycle('codesets', 'load', 'medicare-pfs', rvu, gpci, zip)).stdout.match(/already loaded/g)).toHaveLength(3);
  expect(await revcycle('codesets', 'load', 'medicare-pfs', rvu, gpci)).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('medicare-pfs RVU GPCI ZIP-LOCALITY'),
  });
});
