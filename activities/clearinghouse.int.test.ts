/**
 * Claims submitted together: one interchange, the claims and the ISA13 ↔ CLM01 map stored
 * before the file leaves, one submission; a retry after a lost answer resends the same bytes.
 */
import { claimsOfInterchange, visitIdsForControlNumber } from '../db/claims';
import { saveIntake } from '../db/visits';
import type { Db } from '../db/knex';
import { parse837P } from '../domain/x12/parse-837p';
import type { ClearinghouseClient } from '../integrations/clearinghouse/types';
import { ClearinghouseUnavailableError } from '../integrations/clearinghouse/errors';
import { createTestDb } from '../test/support';
import { sampleEncounter, sampleVisit, pricedLines } from '../test/fixtures';
import { claimSubmitter, clearinghouseActivities, type X12Settings } from './clearinghouse';

const x12: X12Settings = {
  usage: 'T',
  practice: {
    billingProvider: {
      name: 'NORTHSIDE FAMILY CLINIC',
      npi: '1245319599',
      taxId: '391234567',
      address: { line1: '100 MAIN ST', city: 'SPRINGFIELD', state: 'IL', postalCode: '627010001' },
    },
    submitter: { name: 'NORTHSIDE FAMILY CLINIC', id: 'NORTHSIDE01', contactName: 'BILLING OFFICE', phone: '2175551212' },
    receiver: { name: 'SIM CLEARINGHOUSE', id: 'SIMCH' },
  },
};

/** A clearinghouse that records what it was sent; `failFirst` loses the first n answers. */
function recordingClearinghouse(failFirst = 0) {
  const sent: string[] = [];
  const client = {
    async eligibility(): Promise<string> {
      throw new Error('not used');
    },
    async submit(text: string) {
      sent.push(text);
      if (sent.length <= failFirst) throw new ClearinghouseUnavailableError('answer lost');
      return { submissionId: `SUB${sent.length}`, duplicate: false };
    },
  } as unknown as ClearinghouseClient;
  return { client, sent };
}

let db: Db;
let drop: () => Promise<void>;
beforeAll(async () => ({ db, drop } = await createTestDb()));
afterAll(() => drop());

const encounter = { ...sampleEncounter(), renderingName: { lastName: 'DOE', firstName: 'JOHN' } };
const submission = (visitId: string, extra = {}) => ({
  visit: sampleVisit(visitId),
  encounter,
  lines: pricedLines(encounter.procedures),
  attempt: 1,
  frequency: '1' as const,
  ...extra,
});

it('batches claims into one interchange and keeps the ISA13 ↔ CLM01 map; a 999 about it names every visit', async () => {
  const ids = ['V-BA1', 'V-BA2', 'V-BA3'];
  for (const id of ids) await saveIntake(db, sampleVisit(id));
  const { client, sent } = recordingClearinghouse();
  const submitted = await claimSubmitter(db, client, x12).submitClaims([
    submission('V-BA1'),
    submission('V-BA2', { filingIndicator: 'MB' }),
    submission('V-BA3', { priorAuthorization: 'AUTH-9' }),
  ]);

  expect(sent).toHaveLength(1);
  const controlNumber = submitted[0].controlNumber;
  expect(submitted.map((s) => [s.visitId, s.controlNumber])).toEqual(ids.map((id) => [id, controlNumber]));
  const { envelope, batch } = parse837P(sent[0]);
  expect(envelope.controlNumber).toBe(controlNumber);
  expect(batch.claims.map((c) => [c.claimId, c.payer.filingIndicator, c.priorAuthorization])).toEqual([
    ['V-BA1', 'CI', undefined],
    ['V-BA2', 'MB', undefined],
    ['V-BA3', 'CI', 'AUTH-9'],
  ]);
  expect(batch.claims[0].renderingProvider).toEqual({ npi: '1234567893', lastName: 'DOE', firstName: 'JOHN' });

  expect(await claimsOfInterchange(db, controlNumber)).toEqual(ids.map((visitId, i) => expect.objectContaining({ visitId, frequency: '1', position: i + 1 })));
  expect(await visitIdsForControlNumber(db, controlNumber)).toEqual(ids);
  const rows = await db('claims')
    .whereIn('visit_id', ids)
    .orderBy('visit_id')
    .select('status', 'submission_id', 'filing_indicator', 'prior_authorization', 'payer_responsibility');
  expect(rows).toEqual([
    { status: 'submitted', submission_id: 'SUB1', filing_indicator: 'CI', prior_authorization: null, payer_responsibility: 'P' },
    { status: 'submitted', submission_id: 'SUB1', filing_indicator: 'MB', prior_authorization: null, payer_responsibility: 'P' },
    { status: 'submitted', submission_id: 'SUB1', filing_indicator: 'CI', prior_authorization: 'AUTH-9', payer_responsibility: 'P' },
  ]);
  const lines = await db('claim_lines as l')
    .join('claims as c', 'c.id', 'l.claim_id')
    .where('c.visit_id', 'V-BA2')
    .orderBy('l.line_number')
    .pluck('l.line_control_number');
  expect(lines).toEqual(['V-BA2-1', 'V-BA2-2']);
});

it('after a lost answer, the retry resends the same interchange (same ISA13, same bytes) and builds nothing new', async () => {
  await saveIntake(db, sampleVisit('V-RT1'));
  const { client, sent } = recordingClearinghouse(1);
  const { submitClaim } = clearinghouseActivities(db, client, x12);
  await expect(submitClaim(submission('V-RT1'))).rejects.toThrow(ClearinghouseUnavailableError);
  const retried = await submitClaim(submission('V-RT1'));
  expect(sent).toHaveLength(2);
  expect(sent[1]).toBe(sent[0]);
  expect(parse837P(sent[0]).envelope.controlNumber).toBe(retried.controlNumber);
  expect(await claimsOfInterchange(db, retried.controlNumber)).toHaveLength(1);
});
