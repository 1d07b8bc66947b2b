import { ApplicationFailure } from '@temporalio/common';
import { EncounterNotBillableError } from '../domain/fhir/encounter';
import { CodedEncounter } from '../domain/visit';
import { X12BuildError, X12ContentError, X12SyntaxError } from '../domain/x12/errors';
import { sampleEncounter } from '../test/fixtures';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from '../integrations/clearinghouse/errors';
import { EhrRequestRejectedError, EhrUnavailableError, EncounterNotFoundError } from '../integrations/ehr/errors';
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

const PHI = ['JANE', 'DOE', '1980-02-14', '19800214', 'W918273645'];
const said = 'Patient JANE DOE born 1980-02-14 (member W918273645) already exists';

test.each([
  [
    'the EHR refusing',
    new EhrRequestRejectedError(422, 'POST Patient: HTTP 422 (duplicate)', said),
    'EHR_REQUEST_REJECTED',
    'POST Patient: HTTP 422 (duplicate)',
    true,
  ],
  ['the EHR failing with its reasons', new EhrUnavailableError('POST Patient: HTTP 503', said), 'EhrUnavailableError', 'POST Patient: HTTP 503', false],
  [
    'the clearinghouse refusing',
    new ClearinghouseRejectedError('clearinghouse refused the file (HTTP 400, BAD_NAME)', 400, 'BAD_NAME', said),
    'CLEARINGHOUSE_REJECTED',
    'clearinghouse refused the file (HTTP 400, BAD_NAME)',
    true,
  ],
  ['the PMS refusing', new PmsRejectedError('PMS answered AE (207) to RC1', '207', said), 'PMS_REJECTED', 'PMS answered AE (207) to RC1', true],
])("%s: the message is fixed text and codes; the outside party's words are only in the details", (_what, err, type, message, nonRetryable) => {
  const failure = asActivityFailure(err) as ApplicationFailure;
  expect(failure).toMatchObject({ type, message, nonRetryable });
  expect(failure.details).toEqual([{ remote: said }]);
  for (const s of PHI) expect(`${failure.message}\n${failure.stack}`).not.toContain(s);
  expect(failure.stack).toMatch(/^ApplicationFailure: .*\n\s+at /); // the frames of where it was thrown are kept
});

test('an X12 value from an outside file (a birth date) is left out of the message, kept in the details', () => {
  const err = new X12ContentError('is not a date (CCYYMMDD)', { line: 7, segment: 'DMG', element: 2 }, '1980-02-14');
  expect(err.message).toBe('line 7, DMG02: "1980-02-14" is not a date (CCYYMMDD)'); // the sender of the file still reads which value
  const failure = asActivityFailure(err) as ApplicationFailure;
  expect(failure).toMatchObject({ type: 'X12_CONTENT', nonRetryable: true, message: 'line 7, DMG02: the value is not a date (CCYYMMDD)' });
  expect(failure.details).toEqual([{ remote: err.message }]);
  const syntax = asActivityFailure(new X12SyntaxError('BAD_SEGMENT', '"JANE DOE" does not start with a segment id', { line: 3 })) as ApplicationFailure;
  expect(syntax.message).toBe('line 3: not well-formed X12 (BAD_SEGMENT)');
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
  expect(asActivityFailure(err)).toMatchObject({
    type: 'DATABASE_DATA_ERROR',
    nonRetryable: true,
    message: `the database refused the data (SQLSTATE ${code})`,
  });
});

test('Postgres quoting the bad value: the value stays out of the message, in the details', () => {
  const err = Object.assign(new Error('invalid input syntax for type date: "1980-02-31"'), { code: '22007', severity: 'ERROR', column: 'birth_date' });
  const failure = asActivityFailure(err) as ApplicationFailure;
  expect(failure.message).toBe('the database refused the data (SQLSTATE 22007, column birth_date)');
  expect(failure.details).toEqual([{ remote: 'invalid input syntax for type date: "1980-02-31"' }]);
});

test('a unique violation and a lost connection stay retryable', () => {
  const unique = Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' });
  const lost = Object.assign(new Error('terminating connection'), { code: '57P01', severity: 'FATAL' });
  expect(asActivityFailure(unique)).toBe(unique);
  expect(asActivityFailure(lost)).toBe(lost);
});
