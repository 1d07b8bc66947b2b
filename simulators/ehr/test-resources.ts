/** FHIR resources the EHR simulator's tests write, as revcycle's pre-population would. */
export const FHIR_JSON = 'application/fhir+json';

export const patient = (mrn: string) => ({
  resourceType: 'Patient',
  identifier: [{ system: 'urn:revcycle:patient', value: mrn }],
  name: [{ family: 'Testpatient' }],
});

export const appointment = (visitId: string, patientRef: string) => ({
  resourceType: 'Appointment',
  status: 'proposed',
  identifier: [{ system: 'urn:revcycle:visit', value: visitId }],
  requestedPeriod: [{ start: '2026-03-02', end: '2026-03-02' }],
  participant: [{ actor: { reference: patientRef }, status: 'accepted' }],
});

/** What a clinician signs for a visit: one diagnosis, one office visit. */
export const signed = (visitId: string) => ({
  visitId,
  renderingNpi: '1234567893',
  diagnoses: [{ code: 'M54.50', rank: 1 }],
  procedures: [{ code: '99213', diagnosisPointers: [1] }],
});
