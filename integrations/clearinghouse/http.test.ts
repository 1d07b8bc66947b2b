/**
 * Contract tests: the HTTP client against the clearinghouse simulator over real sockets,
 * with a callback receiver standing in for revcycle's webhook.
 */
import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import { build837P } from '../../domain/x12/build-837p';
import { build276, parse277 } from '../../domain/x12/claim-status';
import { detectTransaction } from '../../domain/x12/detect';
import { build270, eligibilityResultFrom271, parse271 } from '../../domain/x12/eligibility';
import { parse999 } from '../../domain/x12/acknowledgment';
import type { ProfessionalClaim } from '../../domain/x12/professional-claim';
import { claimBalanceProblems, parse835, remittanceBalance } from '../../domain/x12/remittance';
import { sampleBatch, sampleClaim, sampleEligibilityRequest, sampleEnvelope, sampleMultiLineClaim, sampleSecondaryClaim } from '../../domain/x12/samples';
import { claimMessagesFromX12 } from '../../domain/claim-messages';
import { x12valid } from '../../cli/x12valid';
import { Faults } from '../../simulators/faults';
import { ClearinghouseSimulator, startClearinghouseSimulator } from '../../simulators/clearinghouse';
import { PLAN } from '../../simulators/clearinghouse/payer';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from './errors';
import { createHttpClearinghouseClient } from './http';

interface Received {
  kind: string;
  body: string;
}

/** A webhook that records X12 deliveries; `failFirst` answers the first n with 503. */
async function startReceiver(failFirst = 0): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  let calls = 0;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (calls++ < failFirst) {
        res.statusCode = 503;
        return void res.end();
      }
      received.push({ kind: detectTransaction(body).kind, body });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/clearinghouse`, received, server };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

let control = 100;
const claimFile = (claims: ProfessionalClaim[]) => build837P(sampleBatch(claims), sampleEnvelope(++control));

describe('clearinghouse over HTTP', () => {
  let sim: ClearinghouseSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: ReturnType<typeof createHttpClearinghouseClient>;

  beforeEach(async () => {
    receiver = await startReceiver();
    sim = await startClearinghouseSimulator({ callbackUrl: receiver.url, ackDelayMs: 0, adjudicationDelayMs: 0, retry: { attempts: 3, backoffMs: 1 } });
    client = createHttpClearinghouseClient({ baseUrl: sim.url, timeoutMs: 5000 });
  });

  afterEach(async () => {
    await sim.close();
    await closeServer(receiver.server);
  });

  const delivered = (kind: string) => receiver.received.filter((r) => r.kind === kind);

  it('answers a 270 with the 271 of the plan the 835 will apply', async () => {
    const x271 = await client.eligibility(build270(sampleEligibilityRequest(), sampleEnvelope(1)));
    expect(eligibilityResultFrom271(parse271(x271).response)).toEqual({
      active: true,
      planName: PLAN.name,
      copayCents: PLAN.copayCents,
      deductibleCents: PLAN.deductibleCents,
      deductibleRemainingCents: PLAN.deductibleRemainingCents,
      coinsurancePercent: PLAN.coinsurancePercent,
      outOfPocketRemainingCents: PLAN.outOfPocketRemainingCents,
      messages: [],
    });
    expect(parse271(x271).response.traceNumber).toBe('V-1001-1');
  });

  it('reports INACT members inactive and UNKNOWN members not found', async () => {
    const ask = async (memberId: string) =>
      eligibilityResultFrom271(
        parse271(
          await client.eligibility(
            build270(sampleEligibilityRequest({ subscriber: { ...sampleEligibilityRequest().subscriber, memberId } }), sampleEnvelope(2)),
          ),
        ).response,
      );
    expect(await ask('INACT001')).toEqual({ active: false, messages: [] });
    expect(await ask('UNKNOWN01')).toEqual({ active: false, messages: ['Subscriber/insured not found (AAA 75)'] });
  });

  it('takes an 837P once per interchange control number, then answers 999, 277CA and a balanced 835', async () => {
    const file = claimFile([sampleClaim('C-1')]);
    const first = await client.submit(file);
    expect(first).toEqual({ submissionId: expect.stringMatching(/^SUB/), duplicate: false });
    expect(await client.submit(file)).toEqual({ submissionId: first.submissionId, duplicate: true });
    await sim.settled();
    expect(sim.submissions()).toHaveLength(1);
    expect(receiver.received.map((r) => r.kind)).toEqual(['999', '277CA', '835']);
    expect(parse999(delivered('999')[0].body).acks[0]).toMatchObject({ status: 'accepted', groupControlNumber: String(control) });
    const [ack] = parse277(delivered('277CA')[0].body).report.claims;
    expect(ack).toMatchObject({ patientControlNumber: 'C-1', rejected: false, payerClaimNumber: expect.stringMatching(/^SIM/) });

    const [remit] = parse835(delivered('835')[0].body).remittances;
    expect(remittanceBalance(remit).balanced).toBe(true);
    expect(claimBalanceProblems(remit)).toEqual([]);
    const [clp] = remit.claims;
    // 150.00 billed, 120.00 allowed: CO-45 30.00; copay 25.00, deductible 95.00 of the 200.00 left, nothing for coinsurance.
    expect(clp).toMatchObject({
      patientControlNumber: 'C-1',
      statusCode: '1',
      chargeCents: 15000,
      paidCents: 0,
      patientResponsibilityCents: 12000,
      payerClaimNumber: ack.payerClaimNumber,
    });
    expect(clp.lines[0].adjustments).toEqual([
      { group: 'CO', carc: '45', amountCents: 3000 },
      { group: 'PR', carc: '3', amountCents: 2500 },
      { group: 'PR', carc: '1', amountCents: 9500 },
    ]);
  });

  it('pays what the deductible leaves: PR-2 coinsurance and a payment', async () => {
    const claim = sampleClaim('C-BIG', {
      lines: [{ code: '99215', modifiers: [], units: 1, chargeCents: 100000, diagnosisPointers: [1], serviceDate: '2026-03-10' }],
    });
    await client.submit(claimFile([claim]));
    await sim.settled();
    const [remit] = parse835(delivered('835')[0].body).remittances;
    // allowed 800.00 − copay 25.00 − deductible 200.00 = 575.00; coinsurance 20% = 115.00; paid 460.00
    expect(remit.claims[0]).toMatchObject({ paidCents: 46000, patientResponsibilityCents: 34000 });
    expect(remit.payment).toMatchObject({ handling: 'I', amountCents: 46000 });
    const verdict = await x12valid(delivered('835')[0].body);
    expect(verdict.errors).toEqual([]);
  });

  it('answers a multi-claim interchange: one 999, every claim in a 277CA and an 835, each SVC echoing its REF*6R', async () => {
    const claims = [sampleClaim('V-B1'), sampleMultiLineClaim('V-B2'), sampleSecondaryClaim('V-B3')];
    const { submissionId } = await client.submit(claimFile(claims));
    await sim.settled();
    expect(
      sim
        .submissions()
        .find((x) => x.submissionId === submissionId)!
        .claims.map((c) => [c.claimId, c.status]),
    ).toEqual([
      ['V-B1', 'accepted'],
      ['V-B2', 'accepted'],
      ['V-B3', 'accepted'],
    ]);
    const acks = delivered('999');
    expect(acks).toHaveLength(1);
    expect(parse999(acks[0].body).acks[0]).toMatchObject({ groupControlNumber: String(control), status: 'accepted' });
    // 277CA and 835 are per payer: the primary payer's two claims together, the secondary's (Medicaid) on its own.
    const acknowledged = delivered('277CA').flatMap((d) => parse277(d.body).report.claims.map((c) => [c.patientControlNumber, c.rejected]));
    expect(acknowledged.sort()).toEqual([
      ['V-B1', false],
      ['V-B2', false],
      ['V-B3', false],
    ]);
    const remits = delivered('835').flatMap((d) => claimMessagesFromX12(d.body).remittances);
    expect(remits.map((r) => r.visitId).sort()).toEqual(['V-B1', 'V-B2', 'V-B3']);
    const lines = Object.fromEntries(remits.map((r) => [r.visitId, r.remittance.lines.map((l) => [l.lineNumber, l.lineControlNumber])]));
    expect(lines).toEqual({
      'V-B1': [[1, 'V-B1-1']],
      'V-B2': [
        [1, 'V-B2-1'],
        [2, 'V-B2-2'],
        [3, 'V-B2-3'],
      ],
      'V-B3': [
        [1, 'V-B3-1'],
        [2, 'V-B3-2'],
        [3, 'V-B3-3'],
      ],
    });
    expect(remits.find((r) => r.visitId === 'V-B3')!.remittance).toMatchObject({ claimStatusCode: '2', paidCents: 5500 });
    for (const d of delivered('835')) expect((await x12valid(d.body)).errors).toEqual([]);
  });

  it('rejects REJ members at the front end (277CA A7) and sends no 835 for them', async () => {
    const rejected = sampleClaim('C-REJ', { subscriber: { ...sampleClaim('x').subscriber, memberId: 'REJ123' } });
    await client.submit(claimFile([rejected, sampleClaim('C-OK')]));
    await sim.settled();
    const { claims } = parse277(delivered('277CA')[0].body).report;
    expect(claims.map((c) => [c.patientControlNumber, c.rejected, c.statuses[0].category])).toEqual([
      ['C-REJ', true, 'A7'],
      ['C-OK', false, 'A2'],
    ]);
    expect(parse835(delivered('835')[0].body).remittances[0].claims.map((c) => c.patientControlNumber)).toEqual(['C-OK']);
  });

  it('denies a DENY original with CO-16 and M51, then pays its replacement (7 with REF*F8)', async () => {
    const original = sampleClaim('C-D', { subscriber: { ...sampleClaim('x').subscriber, memberId: 'DENY42' } });
    await client.submit(claimFile([original]));
    await sim.settled();
    const [denied] = parse835(delivered('835')[0].body).remittances[0].claims;
    expect(denied).toMatchObject({ statusCode: '4', paidCents: 0 });
    expect(denied.lines[0]).toMatchObject({ adjustments: [{ group: 'CO', carc: '16', amountCents: 15000 }], remarks: ['M51', 'N290'] });

    await client.submit(claimFile([{ ...original, frequency: '7', payerClaimNumber: denied.payerClaimNumber }]));
    await sim.settled();
    const [replaced] = parse835(delivered('835')[1].body).remittances[0].claims;
    expect(replaced).toMatchObject({ statusCode: '1', frequency: '7', patientResponsibilityCents: 12000 });
  });

  it('reverses a paid claim on a void (8): CLP02 22, no money moved, the balance carried forward, still balanced', async () => {
    const big = sampleClaim('C-V', { lines: [{ ...sampleClaim('x').lines[0], chargeCents: 100000 }] });
    await client.submit(claimFile([big]));
    await sim.settled();
    const [paid] = parse835(delivered('835')[0].body).remittances[0].claims;
    await client.submit(claimFile([{ ...big, frequency: '8', payerClaimNumber: paid.payerClaimNumber }]));
    await sim.settled();
    const [reversal] = parse835(delivered('835')[1].body).remittances;
    expect(reversal.claims[0]).toMatchObject({ statusCode: '22', paidCents: -paid.paidCents });
    expect(reversal.payment).toMatchObject({ handling: 'H', amountCents: 0 });
    expect(reversal.providerAdjustments).toEqual([expect.objectContaining({ reasonCode: 'FB', amountCents: -paid.paidCents })]);
    expect(remittanceBalance(reversal).balanced).toBe(true);
    expect((await x12valid(delivered('835')[1].body)).errors).toEqual([]);
  });

  it('denies an exact duplicate sent under a new control number with CO-18', async () => {
    await client.submit(claimFile([sampleClaim('C-DUP')]));
    await client.submit(claimFile([sampleClaim('C-DUP')]));
    await sim.settled();
    const second = parse835(delivered('835')[1].body).remittances[0].claims[0];
    expect(second).toMatchObject({ statusCode: '4', paidCents: 0 });
    expect(second.lines[0].adjustments).toEqual([{ group: 'CO', carc: '18', amountCents: 15000 }]);
  });

  it('bundles venipuncture (CO-97) and answers a 276 with the 277 of the adjudicated claim', async () => {
    const claim = sampleClaim('C-LAB', {
      lines: [...sampleClaim('x').lines, { code: '36415', modifiers: [], units: 1, chargeCents: 1500, diagnosisPointers: [1], serviceDate: '2026-03-10' }],
    });
    await client.submit(claimFile([claim]));
    await sim.settled();
    const clp = parse835(delivered('835')[0].body).remittances[0].claims[0];
    expect(clp.lines[1]).toMatchObject({ paidCents: 0, adjustments: [{ group: 'CO', carc: '97', amountCents: 1500 }], remarks: ['M15'] });
    const status = await client.claimStatus(
      build276(
        {
          payer: { name: 'ACME HEALTH PLAN', id: '87726' },
          submitter: { name: 'NORTHSIDE', id: 'NORTHSIDE01' },
          provider: { name: 'NORTHSIDE', npi: '1234567893' },
          subscriber: { memberId: 'W100200300', firstName: 'ANA', lastName: 'RIVERA' },
          patientControlNumber: 'C-LAB',
          chargeCents: 16500,
          serviceDate: '2026-03-10',
        },
        sampleEnvelope(++control),
      ),
    );
    expect(parse277(status).report.claims[0]).toMatchObject({
      patientControlNumber: 'C-LAB',
      statuses: [{ category: 'F1', code: '65' }],
      paidCents: clp.paidCents,
    });
  });

  it('refuses a file that is not X12 with a typed, non-retryable error', async () => {
    const error = await client.submit('hello').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClearinghouseRejectedError);
    expect(error).toMatchObject({ status: 400, reason: 'X12_SYNTAX', retryable: false });
  });
});

describe('clearinghouse faults', () => {
  it('a 503 is a retryable error carrying the status; resending after it is safe', async () => {
    const receiver = await startReceiver();
    const faults = new Faults({ errorRate: 1 });
    const sim = await startClearinghouseSimulator({ callbackUrl: receiver.url, faults, ackDelayMs: 0, adjudicationDelayMs: 0 });
    try {
      const client = createHttpClearinghouseClient({ baseUrl: sim.url, timeoutMs: 5000 });
      const error = await client.submit(claimFile([sampleClaim('C-503')])).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClearinghouseUnavailableError);
      expect(error).toMatchObject({ status: 503, retryable: true });
      expect(sim.submissions()).toEqual([]);
    } finally {
      await sim.close();
      await closeServer(receiver.server);
    }
  });

  it('retries a callback the webhook answered with 503, and duplicates deliveries when told to', async () => {
    const receiver = await startReceiver(1);
    const sim = await startClearinghouseSimulator({
      callbackUrl: receiver.url,
      faults: new Faults({ duplicateRate: 1 }),
      ackDelayMs: 0,
      adjudicationDelayMs: 0,
      retry: { attempts: 3, backoffMs: 1 },
    });
    try {
      await createHttpClearinghouseClient({ baseUrl: sim.url, timeoutMs: 5000 }).submit(claimFile([sampleClaim('C-RETRY')]));
      await sim.settled();
      expect(sim.deliveries()[0]).toEqual({ kind: '999', status: 204, attempts: 2, duplicated: true });
      expect(receiver.received.map((r) => r.kind)).toEqual(['999', '999', '277CA', '277CA', '835', '835']);
    } finally {
      await sim.close();
      await closeServer(receiver.server);
    }
  });

  it('delivers a reordered batch out of order: the 835 before its 277CA and 999', async () => {
    const receiver = await startReceiver();
    const faults = new Faults({ reorderRate: 1 });
    const sim = await startClearinghouseSimulator({ callbackUrl: receiver.url, faults, ackDelayMs: 0, adjudicationDelayMs: 0 });
    try {
      await createHttpClearinghouseClient({ baseUrl: sim.url, timeoutMs: 5000 }).submit(claimFile([sampleClaim('C-REORDER')]));
      await sim.settled();
      expect(receiver.received.map((r) => r.kind)).toEqual(['835', '277CA', '999']);
      expect(faults.injected.reorder).toBe(1);
    } finally {
      await sim.close();
      await closeServer(receiver.server);
    }
  });
});
