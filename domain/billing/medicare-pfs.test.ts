import { priceMedicareLines, readGpciFile, readRvuFile, readZipLocalities } from './medicare-pfs';

/** The CSV edition of CMS's PPRRVU file as it opens: notice lines, the header, rows (values illustrative, in its layout). */
const RVU = `"CY 2026 National Physician Fee Schedule Relative Value File (illustrative rows written for this test)"
"CPT codes and descriptions only are copyright American Medical Association."
HCPCS,MOD,DESCRIPTION,STATUS CODE,NOT USED FOR MEDICARE PAYMENT,WORK RVU,NON-FAC PE RVU,NON-FAC NA INDICATOR,FACILITY PE RVU,FACILITY NA INDICATOR,MP RVU,NON-FACILITY TOTAL,FACILITY TOTAL,PCTC IND,GLOB DAYS,PRE OP,INTRA OP,POST OP,MULT PROC,BILAT SURG,ASST SURG,CO-SURG,TEAM SURG,ENDO BASE,CONV FACTOR
99213,,Office o/p est low 20 min,A,,1.30,1.21,,0.55,,0.10,2.61,1.95,0,XXX,0,0,0,0,0,2,0,0,,33.4009
20610,,Drain/inj joint/bursa w/o us,A,,0.79,1.14,,0.46,,0.10,2.03,1.35,0,000,0,0,0,2,1,1,0,0,,33.4009
11042,,Deb subq tissue 20 sq cm/<,A,,1.01,2.69,,0.59,,0.15,3.85,1.75,0,000,0,0,0,2,0,1,0,0,,33.4009
99499,,Unlisted e&m service,C,,0.00,0.00,,0.00,,0.00,0.00,0.00,0,XXX,0,0,0,0,0,0,0,0,,33.4009
`;
const GPCI = `"ADDENDUM E. FINAL CY 2026 GEOGRAPHIC PRACTICE COST INDICES (GPCIs) BY STATE AND MEDICARE LOCALITY (illustrative values)"
Medicare Administrative Contractor (MAC),State,Locality Number,Locality Name,2026 PW GPCI (with 1.0 Floor),2026 PE GPCI,2026 MP GPCI
15202,IL,16,CHICAGO,1.000,1.061,1.859
15202,IL,99,REST OF ILLINOIS,1.000,0.899,1.178
`;
const ZIPS = `IL60601152021600
IL62701152029900
`;

const rvus = readRvuFile('PPRRVU26_JAN.csv', RVU);
const gpcis = readGpciFile('GPCI2026.csv', GPCI);
const zips = readZipLocalities('ZIP5_JAN2026.txt', ZIPS);

test("the readers take CMS layouts and keep each row's file and line", () => {
  expect(rvus[0]).toEqual({
    file: 'PPRRVU26_JAN.csv',
    line: 4,
    code: '99213',
    modifier: undefined,
    status: 'A',
    work: 1.3,
    nonFacilityPe: 1.21,
    facilityPe: 0.55,
    mp: 0.1,
    multipleProcedure: '0',
    bilateral: '0',
    conversionFactor: 33.4009,
  });
  expect(gpcis[1]).toEqual({ file: 'GPCI2026.csv', line: 4, contractor: '15202', locality: '99', name: 'REST OF ILLINOIS', work: 1, pe: 0.899, mp: 1.178 });
  expect(zips).toEqual([
    { file: 'ZIP5_JAN2026.txt', line: 1, zip: '60601', contractor: '15202', locality: '16' },
    { file: 'ZIP5_JAN2026.txt', line: 2, zip: '62701', contractor: '15202', locality: '99' },
  ]);
  expect(() => readRvuFile('x.csv', 'HCPCS,MOD\n99213,\n')).toThrow('x.csv line 1: has no status column');
});

test('99213 in an office (non-facility) in Springfield IL: the RVU formula with the locality, citing each file and line', () => {
  const [price] = priceMedicareLines([{ code: '99213', modifiers: [], units: 1 }], { placeOfService: '11', zip: '62701-1234', rvus, gpcis, zips });
  // (1.30 x 1.000 + 1.21 x 0.899 + 0.10 x 1.178) x 33.4009 = 83.69
  expect(price).toEqual({
    allowedCents: 8369,
    cites:
      'Medicare PFS: (work 1.3 x 1 + non-facility PE 1.21 x 0.899 + MP 0.1 x 1.178) x CF 33.4009; RVUs PPRRVU26_JAN.csv line 4, GPCI GPCI2026.csv line 4 (15202/99 REST OF ILLINOIS), locality of ZIP 62701 ZIP5_JAN2026.txt line 2',
  });
});

test('facility rate by place of service, locality by ZIP, multiple-procedure and bilateral adjustments, unpriced codes', () => {
  const at = (placeOfService: string, zip: string, lines: { code: string; modifiers: string[]; units: number }[]) =>
    priceMedicareLines(lines, { placeOfService, zip, rvus, gpcis, zips }).map((p) => p?.allowedCents);
  // Outpatient hospital (22): facility PE. (1.30 + 0.55 x 0.899 + 0.10 x 1.178) x 33.4009 = 63.87
  expect(at('22', '62701', [{ code: '99213', modifiers: [], units: 1 }])).toEqual([6387]);
  // Chicago: (1.30 + 1.21 x 1.061 + 0.10 x 1.859) x 33.4009 = 92.51
  expect(at('11', '60601', [{ code: '99213', modifiers: [], units: 1 }])).toEqual([9251]);
  // 11042 (higher) at 100%, 20610 at 50%; 20610 bilateral (50) at 150% of that.
  const [deb, inj] = priceMedicareLines(
    [
      { code: '20610', modifiers: ['50'], units: 1 },
      { code: '11042', modifiers: [], units: 1 },
    ],
    { placeOfService: '11', zip: '62701', rvus, gpcis, zips },
  );
  expect(inj!.allowedCents).toBe(Math.round((1.01 + 2.69 * 0.899 + 0.15 * 1.178) * 33.4009 * 100));
  expect(deb!.cites).toContain('x 50% (multiple procedure) x 150% (bilateral)');
  expect(deb!.allowedCents).toBe(Math.round((0.79 + 1.14 * 0.899 + 0.1 * 1.178) * 33.4009 * 0.75 * 100));
  // Status C (carrier priced), an unknown code, a ZIP with no locality: not priced here.
  expect(
    at('11', '62701', [
      { code: '99499', modifiers: [], units: 1 },
      { code: '99999', modifiers: [], units: 1 },
    ]),
  ).toEqual([undefined, undefined]);
  expect(at('11', '10001', [{ code: '99213', modifiers: [], units: 1 }])).toEqual([undefined]);
});
