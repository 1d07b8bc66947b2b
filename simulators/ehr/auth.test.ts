/** Which SMART system scopes allow which interaction, in v1 (`.read`/`.write`) and v2 (`.cruds`) spellings. */
import { scopeAllows } from './auth';

test.each([
  ['system/Patient.read', 'Patient', false, true],
  ['system/Patient.read', 'Patient', true, false],
  ['system/Patient.write', 'Patient', true, true],
  ['system/Patient.write', 'Patient', false, false],
  ['system/*.read', 'Encounter', false, true],
  ['system/*.*', 'Coverage', true, true],
  ['system/Patient.read', 'Coverage', false, false],
  ['system/Encounter.rs', 'Encounter', false, true],
  ['system/Encounter.rs', 'Encounter', true, false],
  ['system/Patient.cu', 'Patient', true, true],
  ['patient/Patient.read', 'Patient', false, false],
  ['user/*.*', 'Patient', false, false],
  ['system/patient.read', 'Patient', false, false],
  ['', 'Patient', false, false],
])('%j on %s (write %s) → %s', (scopes, type, write, allowed) => {
  expect(scopeAllows(scopes, type, write)).toBe(allowed);
});

test('any one of several scopes is enough', () => {
  expect(scopeAllows('system/Patient.read system/Coverage.write', 'Coverage', true)).toBe(true);
});
