/**
 * The clearinghouse keeps its memory in `dataFile`: after a restart it still knows the
 * interchanges it accepted, each claim's payer claim number, what it paid, and its counters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build837P } from '../../domain/x12/build-837p';
import { detectTransaction } from '../../domain/x12/detect';
import type { ProfessionalClaim } from '../../domain/x12/professional-claim';
import { parse835 } from '../../domain/x12/remittance';
import { sampleBatch, sampleClaim, sampleEnvelope } from '../../domain/x12/samples';
import { SimulatorStateError } from '../persist';
import { type ClearinghouseSimulator, startClearinghouseSimulator } from '.';

/** revcycle's webhook: keeps each 835 delivered. */
async function startReceiver(): Promise<{ url: string; remittances: string[]; server: Server }> {
  const remittances: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (detectTransaction(body).kind === '835') remittances.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/clearinghouse`, remittances, server };
}

// 1000.00 billed so the payer pays something a void must take back.
const claim = (overrides: Partial<ProfessionalClaim> = {}) =>
  sampleClaim('C-1', { lines: [{ ...sampleClaim('x').lines[0], chargeCents: 100000 }], ...overrides });

const submit = async (sim: ClearinghouseSimulator, claims: ProfessionalClaim[], controlNumber: number) => {
  const res = await fetch(`${sim.url}/x12`, {
    method: 'POST',
    headers: { 'content-type': 'application/edi-x12' },
    body: build837P(sampleBatch(claims), sampleEnvelope(controlNumber)),
  });
  return { status: res.status, body: (await res.json()) as { submissionId: string; duplicate: boolean } };
};

describe('clearinghouse simulator with a data file', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const start = () =>
    startClearinghouseSimulator({ callbackUrl: receiver.url, ackDelayMs: 0, adjudicationDelayMs: 0, dataFile: join(dir, 'clearinghouse.json') });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ch-sim-'));
    receiver = await startReceiver();
  });
  afterEach(async () => {
    receiver.server.closeAllConnections();
    await new Promise<void>((r) => receiver.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('after a restart recognises an interchange it accepted, voids the claim it paid, and continues its numbers', async () => {
    const before = await start();
    const first = await submit(before, [claim()], 501);
    await before.settled();
    await before.close();
    const [paid] = parse835(receiver.remittances[0]).remittances[0].claims;

    const after = await start();
    try {
      expect(after.submissions()).toEqual([
        {
          submissionId: first.body.submissionId,
          senderId: 'NORTHSIDE01',
          controlNumber: '501',
          claims: [{ claimId: 'C-1', frequency: '1', payerClaimNumber: paid.payerClaimNumber, status: 'accepted' }],
        },
      ]);
      expect(await submit(after, [claim()], 501)).toEqual({ status: 200, body: { submissionId: first.body.submissionId, duplicate: true } });

      const voided = await submit(after, [claim({ frequency: '8', payerClaimNumber: paid.payerClaimNumber })], 502);
      expect(voided).toEqual({ status: 202, body: { submissionId: 'SUB000002', duplicate: false } });
      await after.settled();
      const reversal = parse835(receiver.remittances[1]);
      expect(paid.paidCents).toBeGreaterThan(0);
      expect(reversal.remittances[0].claims[0]).toMatchObject({
        statusCode: '22',
        payerClaimNumber: paid.payerClaimNumber,
        chargeCents: -100000,
        paidCents: -paid.paidCents,
      });
      expect(after.submissions()[1].claims[0].payerClaimNumber).toBe('SIM000000002');
      expect(reversal.envelope.controlNumber).toBeGreaterThan(parse835(receiver.remittances[0]).envelope.controlNumber);
    } finally {
      await after.close();
    }
  });

  it('refuses to start on a corrupt data file, naming it', async () => {
    writeFileSync(join(dir, 'clearinghouse.json'), '{"submissions": [');
    await expect(start()).rejects.toThrow(SimulatorStateError);
    await expect(start()).rejects.toThrow(join(dir, 'clearinghouse.json'));
  });
});
