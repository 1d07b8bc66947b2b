/**
 * Contract tests: the CAQH CORE client in both envelopes (SOAP 1.2 + WS-Security, MIME
 * multipart) against the clearinghouse simulator over real sockets, the answers left in
 * its mailbox for retrieval.
 */
import { build837P } from '../../domain/x12/build-837p';
import { build276, parse277 } from '../../domain/x12/claim-status';
import { build270, eligibilityResultFrom271, parse271 } from '../../domain/x12/eligibility';
import { parse999 } from '../../domain/x12/acknowledgment';
import { detectTransaction } from '../../domain/x12/detect';
import type { ProfessionalClaim } from '../../domain/x12/professional-claim';
import { parse835, remittanceBalance } from '../../domain/x12/remittance';
import { sampleBatch, sampleClaim, sampleEligibilityRequest, sampleEnvelope } from '../../domain/x12/samples';
import { CORE_RULE_VERSION, coreTimeStamp, mimeBody, parseMultipart, parseSoap, payloadIdOf, PayloadType, soapEnvelope } from '../../domain/caqh-core';
import { x12valid } from '../../cli/x12valid';
import { Faults } from '../../simulators/faults';
import { ClearinghouseSimulator, startClearinghouseSimulator } from '../../simulators/clearinghouse';
import { PLAN } from '../../simulators/clearinghouse/payer';
import { createCoreClearinghouseClient, failureOf } from './core';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from './errors';

const CREDENTIALS = { username: 'northside', password: 'correct horse battery staple' };
let control = 500;
const claimFile = (claims: ProfessionalClaim[]) => build837P(sampleBatch(claims), sampleEnvelope(++control));

describe.each(['soap', 'mime'] as const)('clearinghouse over CAQH CORE (%s)', (envelope) => {
  let sim: ClearinghouseSimulator;
  const clientFor = (password = CREDENTIALS.password) =>
    createCoreClearinghouseClient({
      envelope,
      endpointUrl: `${sim.url}/core/${envelope}`,
      username: CREDENTIALS.username,
      password,
      senderId: 'NORTHSIDE01',
      receiverId: 'SIMCH',
      timeoutMs: 5000,
      appeal: async () => ({ appealId: 'unused', duplicate: false }),
    });

  beforeEach(async () => {
    sim = await startClearinghouseSimulator({
      callbackUrl: 'http://127.0.0.1:9/unused',
      delivery: 'mailbox',
      core: CREDENTIALS,
      ackDelayMs: 0,
      adjudicationDelayMs: 0,
    });
  });
  afterEach(() => sim.close());

  it('answers a real-time 270 with the 271 in the same exchange', async () => {
    const x271 = await clientFor().eligibility(build270(sampleEligibilityRequest(), sampleEnvelope(1)));
    expect(eligibilityResultFrom271(parse271(x271).response)).toMatchObject({ active: true, planName: PLAN.name, copayCents: PLAN.copayCents });
  });

  it('submits an 837P in batch once per PayloadID, then hands out its 999, 277CA and a balanced 835 once each', async () => {
    const client = clientFor();
    const file = claimFile([sampleClaim('CORE-1')]);
    const first = await client.submit(file);
    expect(first.submissionId).toBe(payloadIdOf(file));
    // The answer was lost, the activity retries: the same PayloadID is the same submission, never a second claim.
    expect(await client.submit(file)).toEqual(first);
    await sim.settled();
    expect(sim.submissions()).toHaveLength(1);

    const files = await client.retrieve();
    expect(files.map((f) => detectTransaction(f.body).kind)).toEqual(['999', '277CA', '835']);
    expect(parse999(files[0].body).acks[0]).toMatchObject({ status: 'accepted', groupControlNumber: String(control) });
    expect(parse277(files[1].body).report.claims[0]).toMatchObject({ patientControlNumber: 'CORE-1', rejected: false });
    const [remit] = parse835(files[2].body).remittances;
    expect(remittanceBalance(remit).balanced).toBe(true);
    expect((await x12valid(files[2].body)).errors).toEqual([]);
    expect(await client.retrieve()).toEqual([]);
  });

  it('answers a 276 with the 277 of the adjudicated claim', async () => {
    const client = clientFor();
    await client.submit(claimFile([sampleClaim('CORE-ST')]));
    await sim.settled();
    const status = await client.claimStatus(
      build276(
        {
          payer: { name: 'ACME HEALTH PLAN', id: '87726' },
          submitter: { name: 'NORTHSIDE', id: 'NORTHSIDE01' },
          provider: { name: 'NORTHSIDE', npi: '1234567893' },
          subscriber: { memberId: 'W100200300', firstName: 'ANA', lastName: 'RIVERA' },
          patientControlNumber: 'CORE-ST',
          chargeCents: 15000,
          serviceDate: '2026-03-10',
        },
        sampleEnvelope(++control),
      ),
    );
    expect(parse277(status).report.claims[0]).toMatchObject({ patientControlNumber: 'CORE-ST', statuses: [{ category: 'F1', code: '65' }] });
  });

  it('a wrong password is UnAuthorized: a refusal that parks, not a retry', async () => {
    const error = await clientFor('wrong')
      .eligibility(build270(sampleEligibilityRequest(), sampleEnvelope(2)))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClearinghouseRejectedError);
    expect(error).toMatchObject({ reason: 'UnAuthorized', retryable: false, status: 401 });
    expect(sim.submissions()).toEqual([]);
  });

  it('a payload that is not X12 is refused with the X12 reason', async () => {
    const error = await clientFor()
      .submit('hello')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'X12_SYNTAX', retryable: false });
  });

  it('names the first missing envelope field (PayloadIDRequired) and a stale rule version (VersionMismatch)', async () => {
    const env = {
      PayloadType: PayloadType.eligibilityRequest,
      ProcessingMode: 'RealTime' as const,
      PayloadID: '',
      TimeStamp: coreTimeStamp(new Date()),
      SenderID: 'NORTHSIDE01',
      ReceiverID: 'SIMCH',
      CORERuleVersion: CORE_RULE_VERSION,
      Payload: 'ISA',
    };
    const ask = async (e: typeof env) => {
      const req =
        envelope === 'soap'
          ? { body: soapEnvelope('RealTimeRequest', e, CREDENTIALS), contentType: 'application/soap+xml; charset=utf-8' }
          : mimeBody(e, CREDENTIALS);
      const res = await fetch(`${sim.url}/core/${envelope}`, { method: 'POST', headers: { 'content-type': req.contentType }, body: req.body });
      const bytes = Buffer.from(await res.arrayBuffer());
      const fields = envelope === 'soap' ? parseSoap(bytes.toString()).fields : await parseMultipart(res.headers.get('content-type')!, bytes);
      return { status: res.status, errorCode: fields.ErrorCode };
    };
    expect(await ask(env)).toEqual({ status: 400, errorCode: 'PayloadIDRequired' });
    expect(await ask({ ...env, PayloadID: 'not-a-uuid' })).toEqual({ status: 400, errorCode: 'PayloadIDIllegal' });
    expect(await ask({ ...env, PayloadID: payloadIdOf('x'), CORERuleVersion: '2.1.0' })).toEqual({ status: 400, errorCode: 'VersionMismatch' });
  });
});

describe('CORE envelopes as an attacker sends them', () => {
  let sim: ClearinghouseSimulator;
  beforeEach(async () => {
    sim = await startClearinghouseSimulator({
      callbackUrl: 'http://127.0.0.1:9/unused',
      delivery: 'mailbox',
      core: CREDENTIALS,
      ackDelayMs: 0,
      adjudicationDelayMs: 0,
    });
  });
  afterEach(() => sim.close());

  it('refuses a SOAP message with a DOCTYPE (entity expansion) and one that is not XML, as a Sender fault', async () => {
    for (const body of ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 'not xml <<<']) {
      const res = await fetch(`${sim.url}/core/soap`, { method: 'POST', headers: { 'content-type': 'application/soap+xml' }, body });
      expect(res.status).toBe(400);
      expect(parseSoap(await res.text()).fault).toMatchObject({ errorCode: 'Sender' });
    }
  });

  it('refuses a multipart body with more parts than the rule has fields', async () => {
    const parts = Array.from({ length: 40 }, (_, i) => `--b\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nx\r\n`).join('') + '--b--\r\n';
    const res = await fetch(`${sim.url}/core/mime`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: parts });
    expect(res.status).toBe(400);
    expect(sim.submissions()).toEqual([]);
  });
});

describe('CORE failures', () => {
  it('a 503 from the partner is retryable', async () => {
    const sim = await startClearinghouseSimulator({
      callbackUrl: 'http://127.0.0.1:9/unused',
      delivery: 'mailbox',
      core: CREDENTIALS,
      faults: new Faults({ errorRate: 1 }),
    });
    try {
      const client = createCoreClearinghouseClient({
        envelope: 'soap',
        endpointUrl: `${sim.url}/core/soap`,
        ...CREDENTIALS,
        senderId: 'A',
        receiverId: 'B',
        timeoutMs: 5000,
        appeal: async () => ({ appealId: '', duplicate: false }),
      });
      const error = await client.submit(claimFile([sampleClaim('CORE-503')])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClearinghouseUnavailableError);
      expect(error).toMatchObject({ retryable: true, status: 503 });
    } finally {
      await sim.close();
    }
  });

  it("maps the rule's codes onto the failure vocabulary", () => {
    expect(failureOf('Receiver.Unavailable', 'down')).toMatchObject({ retryable: true });
    expect(failureOf('ChecksumMismatched', 'bits flipped')).toMatchObject({ retryable: true });
    expect(failureOf('PayloadIDRequired', 'missing')).toMatchObject({ retryable: false, code: 'CLEARINGHOUSE_REJECTED', reason: 'PayloadIDRequired' });
    expect(failureOf('UnAuthorized', 'no')).toMatchObject({ retryable: false, code: 'CLEARINGHOUSE_REJECTED' });
  });
});
