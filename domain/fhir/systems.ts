/**
 * The code systems and identifier systems revcycle reads and writes in FHIR R4.
 * Code systems are the ones HL7 terminology (THO) names for US billing codes.
 */
export const SYSTEM = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  cpt: 'http://www.ama-assn.org/go/cpt',
  hcpcs: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  snomed: 'http://snomed.info/sct',
  npi: 'http://hl7.org/fhir/sid/us-npi',
  /** NUCC health care provider taxonomy (Practitioner.qualification.code), e.g. 207Q00000X. */
  taxonomy: 'http://nucc.org/provider-taxonomy',
  diagnosisRole: 'http://terminology.hl7.org/CodeSystem/diagnosis-role',
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  subscriberRelationship: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
  coverageClass: 'http://terminology.hl7.org/CodeSystem/coverage-class',
} as const;

/** Identifiers revcycle stamps on what it writes, so every write can be found again before it is repeated. */
export const IDENTIFIER = {
  patient: 'urn:revcycle:patient',
  coverage: 'urn:revcycle:coverage',
  visit: 'urn:revcycle:visit',
  payer: 'urn:revcycle:payer',
} as const;

/**
 * Extensions for what FHIR R4 has no element for. A modifier is a Coding
 * (CPT or HCPCS modifier system); one extension per modifier, in billing order.
 */
export const EXTENSION = {
  modifier: 'urn:revcycle:fhir:extension:procedure-modifier',
} as const;

/** ICD-10-CM is dotted in FHIR (M54.50) and undotted on the claim (M5450). */
export const icd10ForClaim = (code: string): string => code.replace('.', '').toUpperCase();

export function icd10ForFhir(code: string): string {
  const bare = icd10ForClaim(code);
  return bare.length > 3 ? `${bare.slice(0, 3)}.${bare.slice(3)}` : bare;
}

/** CPT is five digits (or four and F/T/U); HCPCS level II is a letter and four digits. */
export const procedureCodeSystem = (code: string): string => (/^[A-Z]/i.test(code) ? SYSTEM.hcpcs : SYSTEM.cpt);
