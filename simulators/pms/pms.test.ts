/**
 * Contract tests over real sockets: both PmsClients against the PMS simulator, and the
 * simulator's sender against revcycle's MLLP listener.
 */
import net from 'net';
import { acknowledgedOf, buildAck } from '../../domain/hl7/ack';
import { parseHl7 } from '../../domain/hl7/message';
import { frameMllp, MllpDeframer } from '../../domain/hl7/mllp';
import type { StartVisit } from '../../domain/visit';
import { PmsRejectedError, PmsUnavailableError } from '../../integrations/pms/errors';
import { createHl7PmsClient } from '../../integrations/pms/hl7';
import { type MllpListener, startMllpListener } from '../../integrations/pms/listener';
import { createRestPmsClient } from '../../integrations/pms/rest';
import type { ChargePost, PmsClient } from '../../integrations/pms/types';
import { Faults } from '../faults';
import { type PmsSimulator, startPmsSimulator } from '.';

const postFor = (visitId: string, key = `visit-${visitId}-charges-1`): ChargePost => ({
  visitId,
  idempotencyKey: key,
  patientId: 'MRN-1',
  serviceDate: '2026-04-01',
  renderingNpi: '1234567893',
  diagnoses: [
    { code: 'E119', rank: 2 },
    { code: 'M5450', rank: 1 },
  ],
  lines: [
    { lineNumber: 1, code: '99213', modifiers: ['25'], units: 1, chargeCents: 12000, diagnosisPointers: [1, 2] },
    { lineNumber: 2, code: '81002', modifiers: [], units: 1, chargeCents: 1050, diagnosisPointers: [2] },
  ],
});

type ClientKind = 'hl7' | 'rest';
const clientFor = (kind: ClientKind, sim: PmsSimulator, timeoutMs = 2000): PmsClient =>
  kind === 'hl7' ? createHl7PmsClient({ host: '127.0.0.1', port: sim.mllpPort, timeoutMs }) : createRestPmsClient({ baseUrl: sim.url, timeoutMs });

/** What Temporal does for the activity: retry while the PMS is unavailable, bounded. */
async function postUntilDone(client: PmsClient, post: ChargePost, maxAttempts = 25) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.postCharges(post);
    } catch (err) {
      if (!(err instanceof PmsUnavailableError) || attempt === maxAttempts) throw err;
    }
  }
}

describe.each<ClientKind>(['hl7', 'rest'])('%s PmsClient against the PMS simulator', (kind) => {
  let sim: PmsSimulator;
  afterEach(() => sim.close());

  it('posts each charge line with the codes, units and amounts given', async () => {
    sim = await startPmsSimulator();
    const result = await clientFor(kind, sim).postCharges(postFor('V-1'));
    expect(result.duplicate).toBe(false);
    const posted = sim.charges('V-1');
    expect(posted.map((c) => c.chargeId)).toEqual(result.pmsChargeIds);
    expect(
      posted.map(({ code, modifiers, units, chargeCents, diagnosisCodes, serviceDate, renderingNpi, patientId }) => ({
        code,
        modifiers,
        units,
        chargeCents,
        diagnosisCodes,
        serviceDate,
        renderingNpi,
        patientId,
      })),
    ).toEqual([
      {
        code: '99213',
        modifiers: ['25'],
        units: 1,
        chargeCents: 12000,
        diagnosisCodes: ['M5450', 'E119'],
        serviceDate: '2026-04-01',
        renderingNpi: '1234567893',
        patientId: 'MRN-1',
      },
      {
        code: '81002',
        modifiers: [],
        units: 1,
        chargeCents: 1050,
        diagnosisCodes: ['E119'],
        serviceDate: '2026-04-01',
        renderingNpi: '1234567893',
        patientId: 'MRN-1',
      },
    ]);
    const listed = (await fetch(`${sim.url}/charges?visitId=V-1`).then((r) => r.json())) as { charges: unknown[] };
    expect(listed.charges).toHaveLength(2);
  });

  it('posts a key once: the repeat is reported as a duplicate with the same ids', async () => {
    sim = await startPmsSimulator();
    const client = clientFor(kind, sim);
    const first = await client.postCharges(postFor('V-2'));
    const again = await client.postCharges(postFor('V-2'));
    expect(again).toEqual({ pmsChargeIds: first.pmsChargeIds, duplicate: true });
    expect(sim.charges('V-2')).toHaveLength(2);
  });

  it('refuses charges it cannot post with a non-retryable error', async () => {
    sim = await startPmsSimulator();
    const bad = { ...postFor('V-3'), lines: [{ ...postFor('V-3').lines[0], code: 'X1' }] };
    await expect(clientFor(kind, sim).postCharges(bad)).rejects.toThrow(PmsRejectedError);
    expect(sim.charges('V-3')).toEqual([]);
  });

  it('refuses the same key with other charges', async () => {
    sim = await startPmsSimulator();
    const client = clientFor(kind, sim);
    await client.postCharges(postFor('V-4'));
    const changed = { ...postFor('V-4'), lines: [{ ...postFor('V-4').lines[0], chargeCents: 1 }] };
    await expect(client.postCharges(changed)).rejects.toThrow(PmsRejectedError);
    expect(sim.charges('V-4')).toHaveLength(2);
  });

  it('reports a PMS that does not answer as unavailable', async () => {
    sim = await startPmsSimulator({ faults: new Faults({ timeoutRate: 1 }) });
    await expect(clientFor(kind, sim, 100).postCharges(postFor('V-5'))).rejects.toThrow(PmsUnavailableError);
    expect(sim.charges('V-5')).toEqual([]);
  });

  it('leaves exactly one charge per key and line when 20% fail and 10% of answers are lost', async () => {
    const faults = new Faults({ seed: 42, errorRate: 0.2, dropAckRate: 0.1 });
    sim = await startPmsSimulator({ faults });
    const client = clientFor(kind, sim);
    const visits = Array.from({ length: 30 }, (_, i) => `V-F${i}`);
    for (const visitId of visits) await postUntilDone(client, postFor(visitId));
    expect(faults.injected.error).toBeGreaterThan(0);
    expect(faults.injected.dropAck).toBeGreaterThan(0);
    for (const visitId of visits) expect(sim.charges(visitId).map((c) => c.lineNumber)).toEqual([1, 2]);
    expect(sim.charges()).toHaveLength(60);
  });
});

const visit: StartVisit = {
  visitId: 'V-100',
  patient: {
    patientId: 'MRN-1',
    firstName: 'Ana',
    lastName: 'Lee',
    birthDate: '1980-01-02',
    sex: 'F',
    address: { line1: '1 Main St', city: 'Madison', state: 'WI', postalCode: '53703' },
  },
  coverage: { payerId: '87726', payerName: 'UHC', memberId: 'M-1', relationship: 'self' },
  appointment: { appointmentId: 'A-100', serviceDate: '2026-04-01', providerNpi: '1234567893', placeOfService: '11' },
};

describe('PMS simulator sending to revcycle', () => {
  let listener: MllpListener;
  let sim: PmsSimulator;
  const booked: Array<[string, string]> = [];
  const cancelled: string[] = [];
  const seenIds = new Set<string>();

  beforeAll(async () => {
    listener = await startMllpListener({
      host: '127.0.0.1',
      handlers: {
        appointmentBooked: async (v, controlId) => void booked.push([v.visitId, controlId]),
        appointmentRescheduled: async () => undefined,
        appointmentCancelled: async (c) => void cancelled.push(c.visitId),
        registration: async () => undefined,
      },
      seen: { has: async (id) => seenIds.has(id), add: async (id) => void seenIds.add(id) },
    });
  });
  afterAll(() => listener.close());
  afterEach(() => sim.close());

  it('books and cancels an appointment, each delivered twice and handled once', async () => {
    sim = await startPmsSimulator({ revcycleMllp: { host: '127.0.0.1', port: listener.port }, faults: new Faults({ duplicateRate: 1 }) });
    expect((await sim.bookAppointment(visit)).code).toBe('AA');
    expect((await sim.cancelAppointment({ visitId: 'V-100', reason: 'ill' })).code).toBe('AA');
    expect(booked.map(([visitId]) => visitId)).toEqual(['V-100']);
    expect(cancelled).toEqual(['V-100']);
  });

  it('returns revcycle’s AE for a message it cannot use', async () => {
    sim = await startPmsSimulator({ revcycleMllp: { host: '127.0.0.1', port: listener.port } });
    const noNpi = { ...visit, appointment: { ...visit.appointment, providerNpi: '123' } };
    const ack = await sim.bookAppointment(noNpi);
    expect(ack).toMatchObject({ code: 'AE', error: { message: 'AIP-3/PV1-7: must be a 10-digit NPI' } });
  });
});

describe('PMS simulator resending', () => {
  it('sends again on a new connection when the ACK does not come', async () => {
    const received: string[] = [];
    const silentOnce = net.createServer((socket) => {
      const deframer = new MllpDeframer();
      socket.on('data', (chunk) => {
        for (const text of deframer.push(chunk)) {
          received.push(text);
          if (received.length === 1) socket.destroy();
          else socket.write(frameMllp(buildAck(acknowledgedOf(parseHl7(text)), { code: 'AA' }).toString()));
        }
      });
    });
    await new Promise<void>((resolve) => silentOnce.listen(0, '127.0.0.1', resolve));
    const sim = await startPmsSimulator({ revcycleMllp: { host: '127.0.0.1', port: (silentOnce.address() as net.AddressInfo).port } });
    const ack = await sim.bookAppointment(visit);
    await sim.close();
    await new Promise((resolve) => silentOnce.close(resolve));
    expect(ack.code).toBe('AA');
    expect(received).toHaveLength(2);
    expect(received[1]).toBe(received[0]);
  });
});
