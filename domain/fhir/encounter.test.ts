import type { ChargeItem, Condition, Encounter, Practitioner, Procedure } from '@medplum/fhirtypes';
import { EncounterNotBillableError, mapCodedEncounter, type EncounterResources } from './encounter';
import { EXTENSION, SYSTEM } from './systems';

const condition = (id: string, coding: { system: string; code: string }[]): Condition => ({
  resourceType: 'Condition',
  id,
  subject: { reference: 'Patient/pt1' },
  encounter: { reference: 'Encounter/e1' },
  code: { coding },
});

const practitioner: Practitioner = { resourceType: 'Practitioner', id: 'pr1', identifier: [{ system: SYSTEM.npi, value: '1234567893' }] };

const encounter: Encounter = {
  resourceType: 'Encounter',
  id: 'e1',
  status: 'finished',
  class: { code: 'AMB' },
  period: { start: '2026-03-02T21:15:00-05:00' },
  participant: [{ type: [{ coding: [{ system: SYSTEM.participationType, code: 'PPRF' }] }], individual: { reference: 'Practitioner/pr1' } }],
  diagnosis: [
    { condition: { reference: 'Condition/c2' }, rank: 2 },
    { condition: { reference: 'Condition/c1' }, rank: 1 },
  ],
};

const charge = (id: string, code: string, system: string, extra: Partial<ChargeItem>): ChargeItem => ({
  resourceType: 'ChargeItem',
  id,
  status: 'billable',
  subject: { reference: 'Patient/pt1' },
  context: { reference: 'Encounter/e1' },
  code: { coding: [{ system, code }] },
  ...extra,
});

const modifier = (code: string) => ({ url: EXTENSION.modifier, valueCoding: { system: SYSTEM.cpt, code } });
const icd = (code: string) => ({ coding: [{ system: SYSTEM.icd10cm, code }] });

function signed(overrides: Partial<EncounterResources> = {}): EncounterResources {
  return {
    encounter,
    conditions: [
      condition('c1', [
        { system: SYSTEM.snomed, code: '279039007' },
        { system: SYSTEM.icd10cm, code: 'M54.50' },
      ]),
      condition('c2', [{ system: SYSTEM.icd10cm, code: 'E11.9' }]),
    ],
    procedures: [],
    chargeItems: [
      charge('ch1', '99213', SYSTEM.cpt, { extension: [modifier('25')], quantity: { value: 1 }, reason: [icd('M54.50')] }),
      charge('ch2', '97110', SYSTEM.cpt, { extension: [modifier('GP')], quantity: { value: 2 }, reason: [icd('E11.9'), icd('M54.50')] }),
      charge('ch3', 'J1100', SYSTEM.hcpcs, { reason: [icd('M54.50')] }),
    ],
    practitioners: [practitioner],
    ...overrides,
  };
}

function problemsOf(res: EncounterResources): { path: string; reason: string }[] {
  try {
    mapCodedEncounter(res);
  } catch (err) {
    expect(err).toBeInstanceOf(EncounterNotBillableError);
    expect((err as EncounterNotBillableError).code).toBe('EncounterNotBillable');
    return (err as EncounterNotBillableError).problems;
  }
  throw new Error('expected EncounterNotBillableError');
}

describe('mapCodedEncounter', () => {
  it.each<[string, Practitioner['name'], Practitioner['qualification'], object]>([
    ['no name: nothing to read', undefined, undefined, {}],
    [
      'the official name wins, upper-cased, with the NUCC taxonomy',
      [
        { family: 'Nick', given: ['Ann'] },
        { use: 'official', family: 'Kim', given: ['Joy', 'M'] },
      ],
      [{ code: { coding: [{ system: SYSTEM.taxonomy, code: '207Q00000X' }] } }],
      { renderingName: { lastName: 'KIM', firstName: 'JOY' }, renderingTaxonomy: '207Q00000X' },
    ],
    [
      'a family name alone',
      [{ family: 'Osei' }],
      [{ code: { coding: [{ system: 'http://example.org/other', code: 'MD' }] } }],
      { renderingName: { lastName: 'OSEI' } },
    ],
  ])('reads the rendering practitioner for 2310B: %s', (_name, name, qualification, expected) => {
    const mapped = mapCodedEncounter(signed({ practitioners: [{ ...practitioner, ...(name && { name }), ...(qualification && { qualification }) }] }));
    expect({ renderingName: mapped.renderingName, renderingTaxonomy: mapped.renderingTaxonomy }).toEqual({
      renderingName: undefined,
      renderingTaxonomy: undefined,
      ...expected,
    });
  });

  it('maps a coded encounter with charge items to what we bill', () => {
    expect(mapCodedEncounter(signed())).toEqual({
      encounterId: 'e1',
      serviceDate: '2026-03-02',
      renderingNpi: '1234567893',
      diagnoses: [
        { code: 'M5450', rank: 1 },
        { code: 'E119', rank: 2 },
      ],
      procedures: [
        { code: '99213', modifiers: ['25'], units: 1, diagnosisPointers: [1] },
        { code: '97110', modifiers: ['GP'], units: 2, diagnosisPointers: [2, 1] },
        { code: 'J1100', modifiers: [], units: 1, diagnosisPointers: [1] },
      ],
    });
  });

  it('reads completed Procedures, pointing by reasonReference, when the EHR keeps no ChargeItems', () => {
    const procedures: Procedure[] = [
      {
        resourceType: 'Procedure',
        id: 'p1',
        status: 'completed',
        subject: { reference: 'Patient/pt1' },
        code: { coding: [{ system: SYSTEM.cpt, code: '20610' }] },
        extension: [modifier('RT')],
        reasonReference: [{ reference: 'Condition/c2' }],
      },
      {
        resourceType: 'Procedure',
        id: 'p2',
        status: 'not-done',
        subject: { reference: 'Patient/pt1' },
        code: { coding: [{ system: SYSTEM.cpt, code: '99213' }] },
      },
    ];
    expect(mapCodedEncounter(signed({ chargeItems: [], procedures })).procedures).toEqual([
      { code: '20610', modifiers: ['RT'], units: 1, diagnosisPointers: [2] },
    ]);
  });

  it('takes the single Condition of an encounter without Encounter.diagnosis as its principal diagnosis', () => {
    const res = signed({ encounter: { ...encounter, diagnosis: undefined }, conditions: [condition('c1', [{ system: SYSTEM.icd10cm, code: 'm54.50' }])] });
    res.chargeItems = [charge('ch1', '99213', SYSTEM.cpt, { reason: [icd('M54.50')] })];
    expect(mapCodedEncounter(res).diagnoses).toEqual([{ code: 'M5450', rank: 1 }]);
  });

  it('reads the NPI from a logical reference when the Practitioner was not returned', () => {
    const participant = [{ individual: { identifier: { system: SYSTEM.npi, value: '1992753880' } } }];
    expect(mapCodedEncounter(signed({ encounter: { ...encounter, participant }, practitioners: [] })).renderingNpi).toBe('1992753880');
  });

  it.each<[string, Partial<EncounterResources>, { path: string; reason: RegExp }]>([
    ['not signed', { encounter: { ...encounter, status: 'in-progress' } }, { path: 'Encounter.status', reason: /in-progress, not finished/ }],
    ['no date of service', { encounter: { ...encounter, period: undefined } }, { path: 'Encounter.period.start', reason: /missing/ }],
    ['no diagnosis', { encounter: { ...encounter, diagnosis: [] }, conditions: [] }, { path: 'Encounter.diagnosis', reason: /no diagnosis/ }],
    [
      'a SNOMED-only diagnosis',
      { conditions: [condition('c1', [{ system: SYSTEM.snomed, code: '279039007' }]), condition('c2', [{ system: SYSTEM.icd10cm, code: 'E11.9' }])] },
      { path: 'Condition/c1.code', reason: /only SNOMED CT 279039007; no ICD-10-CM code/ },
    ],
    [
      'two ICD-10-CM codes on one Condition',
      {
        conditions: [
          condition('c1', [
            { system: SYSTEM.icd10cm, code: 'M54.50' },
            { system: SYSTEM.icd10cm, code: 'M54.59' },
          ]),
          condition('c2', [{ system: SYSTEM.icd10cm, code: 'E11.9' }]),
        ],
      },
      { path: 'Condition/c1.code', reason: /several ICD-10-CM codes \(M5450, M5459\)/ },
    ],
    [
      'an invalid ICD-10-CM code',
      { conditions: [condition('c1', [{ system: SYSTEM.icd10cm, code: 'U07' }]), condition('c2', [{ system: SYSTEM.icd10cm, code: 'E11.9' }])] },
      { path: 'Condition/c1.code', reason: /not a valid ICD-10-CM/ },
    ],
    [
      'unranked diagnoses',
      { encounter: { ...encounter, diagnosis: [{ condition: { reference: 'Condition/c1' } }, { condition: { reference: 'Condition/c2' }, rank: 1 }] } },
      { path: 'Encounter.diagnosis[0].rank', reason: /which is principal/ },
    ],
    [
      'two diagnoses with rank 1',
      {
        encounter: {
          ...encounter,
          diagnosis: [
            { condition: { reference: 'Condition/c1' }, rank: 1 },
            { condition: { reference: 'Condition/c2' }, rank: 1 },
          ],
        },
      },
      { path: 'Encounter.diagnosis.rank', reason: /rank 1 is given to more than one/ },
    ],
    [
      'a diagnosis Condition not returned',
      { encounter: { ...encounter, diagnosis: [...(encounter.diagnosis ?? []), { condition: { reference: 'Condition/c9' }, rank: 3 }] } },
      { path: 'Encounter.diagnosis[2].condition', reason: /Condition\/c9 was not returned/ },
    ],
    [
      'a charge with a SNOMED-only code',
      { chargeItems: [charge('ch1', '183460006', SYSTEM.snomed, { reason: [icd('M54.50')] })] },
      { path: 'ChargeItem/ch1.code', reason: /only SNOMED CT 183460006; no CPT\/HCPCS code/ },
    ],
    [
      'a charge without any code',
      { chargeItems: [{ ...charge('ch1', '', SYSTEM.cpt, { reason: [icd('M54.50')] }), code: { text: 'office visit' } }] },
      { path: 'ChargeItem/ch1.code', reason: /no CPT\/HCPCS code/ },
    ],
    ['a charge without a reason', { chargeItems: [charge('ch1', '99213', SYSTEM.cpt, {})] }, { path: 'ChargeItem/ch1', reason: /no reason given/ }],
    [
      'a charge for a diagnosis the encounter does not bill',
      { chargeItems: [charge('ch1', '99213', SYSTEM.cpt, { reason: [icd('J20.9')] })] },
      { path: 'ChargeItem/ch1', reason: /not one of the encounter's billed diagnoses/ },
    ],
    [
      'fractional units',
      { chargeItems: [charge('ch1', '97110', SYSTEM.cpt, { quantity: { value: 1.5 }, reason: [icd('M54.50')] })] },
      { path: 'ChargeItem/ch1.quantity.value', reason: /not a whole number/ },
    ],
    [
      'a malformed modifier',
      { chargeItems: [charge('ch1', '99213', SYSTEM.cpt, { extension: [modifier('025')], reason: [icd('M54.50')] })] },
      { path: 'ChargeItem/ch1.extension', reason: /modifier "025"/ },
    ],
    ['no procedure at all', { chargeItems: [], procedures: [] }, { path: 'Procedure', reason: /no completed Procedure or billable ChargeItem/ }],
    ['no rendering practitioner', { encounter: { ...encounter, participant: [] } }, { path: 'Encounter.participant', reason: /no rendering practitioner/ }],
    ['a practitioner without NPI', { practitioners: [{ resourceType: 'Practitioner', id: 'pr1' }] }, { path: 'Practitioner/pr1.identifier', reason: /no NPI/ }],
  ])('reports %s as not billable, with its path', (_name, overrides, expected) => {
    expect(problemsOf(signed(overrides))).toContainEqual({ path: expected.path, reason: expect.stringMatching(expected.reason) });
  });

  it('lists every problem at once, not just the first', () => {
    const problems = problemsOf(
      signed({
        encounter: { ...encounter, status: 'in-progress', period: undefined },
        chargeItems: [charge('ch1', '183460006', SYSTEM.snomed, {})],
      }),
    );
    expect(problems.map((p) => p.path)).toEqual(['Encounter.status', 'Encounter.period.start', 'ChargeItem/ch1.code', 'ChargeItem/ch1']);
  });

  it('carries the problems in its message for logs and review queues', () => {
    expect(() => mapCodedEncounter(signed({ encounter: { ...encounter, status: 'planned' } }))).toThrow(
      /Encounter e1 cannot be billed: Encounter.status: is planned/,
    );
  });
});
