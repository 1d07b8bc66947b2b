/**
 * Conformance: a public Synthea R4 bundle (read in place from the shared fixtures) goes
 * through the mapper. Its codes are SNOMED CT and it has no Coverage, so nothing in it is
 * billable; the mapper must read what is there and say exactly what is missing.
 */
import type { Bundle, ChargeItem, Condition, Encounter, Practitioner, Procedure, Resource } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EncounterNotBillableError, mapCodedEncounter, renderingPractitioner } from './encounter';
import { sharedFixtures } from '../../test/fixtures';
import { refersTo } from './references';

const { dir, present } = sharedFixtures('fhir');
const FIXTURE = join(dir, 'synthea-Cris921.bundle.json');
const describeIfPresent = present ? describe : describe.skip;

function load(): Resource[] {
  const bundle = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Bundle;
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

function resourcesOf(all: Resource[], encounter: Encounter) {
  const of = <T extends Resource>(type: T['resourceType'], link: (r: T) => unknown) =>
    all.filter((r): r is T => r.resourceType === type && refersTo(link(r as T) as never, encounter));
  return {
    encounter,
    conditions: of<Condition>('Condition', (c) => c.encounter),
    procedures: of<Procedure>('Procedure', (p) => p.encounter),
    chargeItems: of<ChargeItem>('ChargeItem', (c) => c.context),
    practitioners: all.filter((r): r is Practitioner => r.resourceType === 'Practitioner'),
  };
}

function problemsOf(res: ReturnType<typeof resourcesOf>) {
  try {
    mapCodedEncounter(res);
  } catch (err) {
    if (err instanceof EncounterNotBillableError) return err.problems;
    throw err;
  }
  throw new Error('a SNOMED-coded Synthea encounter must not map to a claim');
}

describeIfPresent('Synthea Cris921 bundle', () => {
  const all = present ? load() : [];
  const encounters = all.filter((r): r is Encounter => r.resourceType === 'Encounter');
  const covid = encounters.find((e) => e.id === '9d550214-d437-6cd4-f2ff-2042af2f6783') as Encounter;

  it('has what the test expects: 11 encounters, no Coverage', () => {
    expect(encounters).toHaveLength(11);
    expect(all.some((r) => r.resourceType === 'Coverage')).toBe(false);
  });

  it('finds the rendering practitioner of every encounter, whose NPI is then not a problem', () => {
    for (const e of encounters) {
      const practitioner = all.find((r) => r.resourceType === 'Practitioner' && refersTo(renderingPractitioner(e), r));
      expect(practitioner).toBeDefined();
      expect(problemsOf(resourcesOf(all, e)).filter((p) => /NPI|practitioner/.test(p.reason))).toEqual([]);
    }
  });

  it('reads the date of service and status where present: no problem reported for them', () => {
    for (const e of encounters) {
      expect(problemsOf(resourcesOf(all, e)).map((p) => p.path)).not.toEqual(expect.arrayContaining(['Encounter.period.start', 'Encounter.status']));
    }
  });

  it('reports the COVID-19 encounter as unbillable: every SNOMED-only code, the unranked diagnoses, and nothing guessed', () => {
    const problems = problemsOf(resourcesOf(all, covid));
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'Condition/652be592-d305-9f5c-486c-1a304a87f923.code', reason: 'only SNOMED CT 49727002; no ICD-10-CM code' },
        { path: 'Condition/cf413d15-fb4c-fef3-bb7b-57265a25bb15.code', reason: 'only SNOMED CT 386661006; no ICD-10-CM code' },
        { path: 'Condition/503f9622-30b9-39fd-b7f7-83484b1c8f83.code', reason: 'only SNOMED CT 840544004; no ICD-10-CM code' },
        { path: 'Condition/6c9c829b-157d-3bc5-1793-e3201c71665a.code', reason: 'only SNOMED CT 840539006; no ICD-10-CM code' },
        { path: 'Procedure/2a154728-0d21-f8ea-c715-5b074617ada4.code', reason: 'only SNOMED CT 261352009; no CPT/HCPCS code' },
        expect.objectContaining({ path: 'Condition/652be592-d305-9f5c-486c-1a304a87f923.rank' }),
      ]),
    );
    // The face-mask procedure's reason (Suspected COVID-19) is among the encounter's diagnoses: not reported.
    expect(problems.filter((p) => p.path === 'Procedure/2a154728-0d21-f8ea-c715-5b074617ada4')).toEqual([]);
  });

  it('reports the well-child visits as having no diagnosis and no procedure', () => {
    const wellChild = encounters.filter((e) => e !== covid);
    for (const e of wellChild) {
      expect(problemsOf(resourcesOf(all, e)).map((p) => p.path)).toEqual(['Encounter.diagnosis', 'Procedure']);
    }
  });
});
