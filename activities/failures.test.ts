import { ApplicationFailure } from '@temporalio/common';
import { EncounterNotBillableError } from '../domain/fhir/encounter';
import { CodedEncounter } from '../domain/visit';
import { X12BuildError } from '../domain/x12/errors';
import { sampleEncounter } from '../test/fixtures';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from '../integrations/clearinghouse/errors';
import { EhrUnavailableError, EncounterNotFoundError } from '../integrations/ehr/errors';
import { PmsRejectedError, PmsUnavailableError } from '../integrations/pms/errors';
import { asActivityFailure, withFailureMapping } from './failures';

test.each([
  ['a PMS refusal', new PmsRejectedError('AE: FT1-7 unknown code'), 'PMS_REJECTED'],
  ['a clearinghouse refusal', new ClearinghouseRejectedError('bad file', 400), 'CLEARINGHOUSE_REJECTED'],
  ['an X12 build error', new X12BuildError('a name holds the element separator', 'subscriber.lastName'), 'X12_BUILD'],
  ['a missing encounter', new EncounterNotFoundError('e9'), 'EncounterNotBillable'],
])('%s becomes a non-retryable failure the workflow can branch on', (_what, err, type) => {
  const failure = asActivityFailure(err);
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({ type, nonRetryable: true });
});

test.each([
  ['the PMS being down', new PmsUnavailableError('no ACK in 2000 ms')],
  ['the clearinghouse being down', new ClearinghouseUnavailableError('503', 503)],
  ['the EHR being down', new EhrUnavailableError('GET Encounter: 503')],
  ['a plain network error', new Error('ECONNRESET')],
])('%s stays a plain error that Temporal retries', (_what, err) => {
  expect(asActivityFailure(err)).toBe(err);
});

test('an activity input that fails its schema is a non-retryable ValidationError naming the field', () => {
  const parsed = CodedEncounter.safeParse({ ...sampleEncounter(), renderingNpi: '12' });
  const failure = asActivityFailure(parsed.error) as ApplicationFailure;
  expect(failure).toMatchObject({ type: 'ValidationError', nonRetryable: true, message: 'renderingNpi: must be a 10-digit NPI' });
});

test('an unbillable encounter carries its problems to coding review', () => {
  const problems = [{ path: 'Condition/1.code', reason: 'SNOMED CT only' }];
  const failure = asActivityFailure(new EncounterNotBillableError('e1', problems)) as ApplicationFailure;
  expect(failure.type).toBe('EncounterNotBillable');
  expect(failure.details).toEqual([problems]);
});

test('wrapped activities keep their results and map their errors', async () => {
  const acts = withFailureMapping({
    ok: async (n: number) => n * 2,
    refused: async () => {
      throw new PmsRejectedError('AR');
    },
  });
  await expect(acts.ok(21)).resolves.toBe(42);
  await expect(acts.refused()).rejects.toMatchObject({ type: 'PMS_REJECTED', nonRetryable: true });
});

test.each([
  ['a NUL byte in text (22021)', '22021'],
  ['a value too long (22001)', '22001'],
  ['a NOT NULL violation (23502)', '23502'],
  ['a check violation (23514)', '23514'],
])('the database refusing the data, %s, is not retried', (_what, code) => {
  const err = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code, severity: 'ERROR' });
  expect(asActivityFailure(err)).toMatchObject({ type: 'DATABASE_DATA_ERROR', nonRetryable: true });
});

test('a unique violation and a lost connection stay retryable', () => {
  const unique = Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' });
  const lost = Object.assign(new Error('terminating connection'), { code: '57P01', severity: 'FATAL' });
  expect(asActivityFailure(unique)).toBe(unique);
  expect(asActivityFailure(lost)).toBe(lost);
});
