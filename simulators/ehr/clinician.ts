/**
 * The clinician's side of the simulated EHR: signing a visit charts an Encounter
 * (finished), its Conditions (ICD-10-CM, ranked), Procedures and ChargeItems
 * (CPT/HCPCS, modifiers, units, reasons), and the rendering Practitioner, the way
 * revcycle's FHIR profile (docs/ehr.md) reads them back.
 */
import type { Appointment, ChargeItem, Condition, DocumentReference, Encounter, Patient, Practitioner, Procedure, Reference } from '@medplum/fhirtypes';
import { z } from 'zod';
import { identifierToken } from '../../domain/fhir/prepopulate';
import { referenceTo } from '../../domain/fhir/references';
import { EXTENSION, IDENTIFIER, SYSTEM, icd10ForFhir, procedureCodeSystem } from '../../domain/fhir/systems';
import { Modifier, Npi, ProcedureCode } from '../../domain/visit';
import type { FhirStore } from './store';

/**
 * What the clinician signs. Diagnoses and pointers may be empty, so a test can chart an
 * encounter revcycle must refuse to bill.
 */
export const SignEncounterInput = z
  .object({
    visitId: z.string().min(1),
    renderingNpi: Npi,
    /** The rendering practitioner's name, used when the simulator first meets this NPI; a name from a small directory when absent. */
    renderingName: z.object({ family: z.string().min(1).max(60), given: z.string().min(1).max(35).optional() }).optional(),
    /** NUCC taxonomy for the Practitioner.qualification, e.g. 207Q00000X. */
    renderingTaxonomy: z
      .string()
      .regex(/^[0-9A-Z]{9}X$/)
      .optional(),
    diagnoses: z.array(
      z.object({ code: z.string().regex(/^[A-TV-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?$/i, 'must be an ICD-10-CM code'), rank: z.number().int().min(1) }),
    ),
    procedures: z.array(
      z.object({
        code: ProcedureCode,
        modifiers: z.array(Modifier).max(4).default([]),
        units: z.number().int().min(1).default(1),
        diagnosisPointers: z.array(z.number().int().min(1)).default([]),
      }),
    ),
    /** The progress note, kept as a DocumentReference for appeals. */
    note: z.string().min(1).optional(),
  })
  .refine((s) => s.procedures.every((p) => p.diagnosisPointers.every((n) => n <= s.diagnoses.length)), {
    message: 'a diagnosis pointer is past the last diagnosis',
    path: ['procedures'],
  });
export type SignEncounterInput = z.input<typeof SignEncounterInput>;
type Signed = z.output<typeof SignEncounterInput>;

/** Signing is only possible for a visit whose Appointment revcycle pre-populated. */
export class VisitNotPrepopulatedError extends Error {
  readonly code = 'VISIT_NOT_PREPOPULATED';
  constructor(visitId: string) {
    super(`no Appointment with identifier ${IDENTIFIER.visit}|${visitId}: revcycle has not pre-populated this visit`);
    this.name = 'VisitNotPrepopulatedError';
  }
}

export function appointmentOfVisit(store: FhirStore, visitId: string): Appointment {
  const token = identifierToken({ system: IDENTIFIER.visit, value: visitId });
  const found = store.search('Appointment', new URLSearchParams({ identifier: token })).matches[0];
  if (!found) throw new VisitNotPrepopulatedError(visitId);
  return found as Appointment;
}

/** The simulator's practitioner directory for NPIs signed without a name: one name per last NPI digit. */
const DIRECTORY = ['ADAMS', 'BAKER', 'CHEN', 'DIAZ', 'EVANS', 'FOSTER', 'GARCIA', 'HUGHES', 'IBARRA', 'JONES'];
const GIVEN = ['ALEX', 'BETH', 'CARL', 'DANA', 'ELI', 'FAYE', 'GUS', 'HANA', 'IVAN', 'JUNE'];

function practitionerWithNpi(store: FhirStore, npi: string, input: Pick<Signed, 'renderingName' | 'renderingTaxonomy'>): Practitioner {
  const found = store.search('Practitioner', new URLSearchParams({ identifier: `${SYSTEM.npi}|${npi}` })).matches[0];
  if (found) return found as Practitioner;
  const digit = Number(npi.slice(-1));
  const name = input.renderingName ?? { family: DIRECTORY[digit], given: GIVEN[digit] };
  return store.create<Practitioner>({
    resourceType: 'Practitioner',
    active: true,
    identifier: [{ system: SYSTEM.npi, value: npi }],
    name: [{ use: 'official', family: name.family, ...(name.given ? { given: [name.given] } : {}) }],
    ...(input.renderingTaxonomy && { qualification: [{ code: { coding: [{ system: SYSTEM.taxonomy, code: input.renderingTaxonomy }] } }] }),
  });
}

const dayOf = (a: Appointment): string => (a.start ?? a.requestedPeriod?.[0]?.start ?? new Date().toISOString()).slice(0, 10);
const modifierExtensions = (codes: string[], code: string) =>
  codes.map((m) => ({ url: EXTENSION.modifier, valueCoding: { system: procedureCodeSystem(code), code: m } }));

/**
 * Charts and signs the encounter for an appointment. Signing the same appointment
 * again returns the encounter already charted: a clinician signs once.
 */
export function chartEncounter(store: FhirStore, appointment: Appointment, input: Signed): Encounter {
  const appointmentRef = referenceTo(appointment);
  const existing = store.search('Encounter', new URLSearchParams({ appointment: appointmentRef })).matches[0];
  if (existing) return existing as Encounter;

  const subject = appointment.participant.map((p) => p.actor).find((a) => a?.reference?.startsWith('Patient/')) as Reference<Patient>;
  const performer = { reference: referenceTo(practitionerWithNpi(store, input.renderingNpi, input)) };
  const date = dayOf(appointment);
  const draft = store.create<Encounter>({
    resourceType: 'Encounter',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject,
    appointment: [{ reference: appointmentRef }],
    participant: [{ type: [{ coding: [{ system: SYSTEM.participationType, code: 'PPRF' }] }], individual: performer }],
    period: { start: date },
  });
  const encounter = { reference: referenceTo(draft) };

  const ranked = [...input.diagnoses].sort((a, b) => a.rank - b.rank);
  const conditions = ranked.map((d) =>
    store.create<Condition>({
      resourceType: 'Condition',
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
      code: { coding: [{ system: SYSTEM.icd10cm, code: icd10ForFhir(d.code) }] },
      subject,
      encounter,
    }),
  );

  for (const line of input.procedures) {
    const reasons = line.diagnosisPointers.map((n) => conditions[n - 1]);
    const code = { coding: [{ system: procedureCodeSystem(line.code), code: line.code }] };
    const procedure = store.create<Procedure>({
      resourceType: 'Procedure',
      status: 'completed',
      code,
      subject,
      encounter,
      performedDateTime: date,
      performer: [{ actor: performer }],
      reasonReference: reasons.map((c) => ({ reference: referenceTo(c) })),
      ...(line.modifiers.length > 0 && { extension: modifierExtensions(line.modifiers, line.code) }),
    });
    store.create<ChargeItem>({
      resourceType: 'ChargeItem',
      status: 'billable',
      code,
      subject,
      context: encounter,
      occurrenceDateTime: date,
      performer: [{ actor: performer }],
      quantity: { value: line.units },
      reason: reasons.map((c) => c.code ?? {}),
      service: [{ reference: referenceTo(procedure) }],
      ...(line.modifiers.length > 0 && { extension: modifierExtensions(line.modifiers, line.code) }),
    });
  }

  if (input.note) {
    store.create<DocumentReference>({
      resourceType: 'DocumentReference',
      status: 'current',
      docStatus: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
      subject,
      date: new Date().toISOString(),
      author: [performer],
      context: { encounter: [encounter] },
      content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(input.note).toString('base64'), title: 'Progress note' } }],
    });
  }

  // The signature: finished, with the ranked diagnoses, as one more version of the encounter.
  return store.update({
    ...draft,
    id: draft.id as string,
    status: 'finished',
    diagnosis: conditions.map((c, i) => ({
      condition: { reference: referenceTo(c) },
      use: { coding: [{ system: SYSTEM.diagnosisRole, code: 'billing' }] },
      rank: i + 1,
    })),
  }).resource;
}
