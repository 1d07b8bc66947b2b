/**
 * MLLP over mutual TLS, both ways, with certificates made here by openssl: revcycle's
 * listener takes messages only from a sender whose certificate its CA issued, and the PMS
 * client presents one to the PMS (the simulator's receiver, which checks it the same way).
 */
import { buildSiuS15 } from '../../domain/hl7/siu';
import { type PmsSimulator, startPmsSimulator } from '../../simulators/pms';
import { TestPki, type Pem } from '../../test/certs';
import { PmsUnavailableError } from './errors';
import { createHl7PmsClient } from './hl7';
import { type InboundHandlers, type MllpListener, startMllpListener } from './listener';
import { sendMllp } from './mllp';
import type { ChargePost } from './types';

const pki = new TestPki();
let practiceCa: Pem, strangerCa: Pem, revcycleCert: Pem, pmsCert: Pem, strangerCert: Pem;
beforeAll(() => {
  practiceCa = pki.ca('practice-ca');
  strangerCa = pki.ca('stranger-ca');
  revcycleCert = pki.leaf('revcycle', practiceCa);
  pmsCert = pki.leaf('pms', practiceCa);
  strangerCert = pki.leaf('stranger', strangerCa);
});
afterAll(() => pki.remove());

const handled: string[] = [];
const handlers: InboundHandlers = {
  appointmentBooked: async (_v, id) => void handled.push(id),
  appointmentRescheduled: async (_r, id) => void handled.push(id),
  appointmentCancelled: async (_c, id) => void handled.push(id),
  registration: async (_r, id) => void handled.push(id),
};
const seen = () => {
  const ids = new Set<string>();
  return { has: async (id: string) => ids.has(id), add: async (id: string) => void ids.add(id) };
};
const cancel = (controlId: string) => buildSiuS15({ visitId: 'V-1', reason: 'ill' }, { controlId, at: new Date('2026-03-01T00:00:00Z') }).toString();

describe("revcycle's MLLP listener with a client CA", () => {
  let listener: MllpListener;
  const events: string[] = [];
  beforeAll(async () => {
    listener = await startMllpListener({
      host: '127.0.0.1',
      handlers,
      seen: seen(),
      onEvent: (e) => void events.push(e),
      tls: { key: revcycleCert.key, cert: revcycleCert.cert, ca: practiceCa.cert },
    });
  });
  afterAll(() => listener.close());
  const to = (tls: Parameters<typeof sendMllp>[0]['tls']) => ({ host: '127.0.0.1', port: listener.port, timeoutMs: 5000, tls });

  it('acknowledges a sender whose certificate the CA issued', async () => {
    const ack = await sendMllp(to({ ca: practiceCa.cert, key: pmsCert.key, cert: pmsCert.cert }), cancel('M-OK'));
    expect(ack).toMatchObject({ code: 'AA', controlId: 'M-OK' });
    expect(handled).toContain('M-OK');
  });

  it('refuses a sender with no certificate: no ACK, nothing handled', async () => {
    await expect(sendMllp(to({ ca: practiceCa.cert }), cancel('M-NOCERT'))).rejects.toThrow(PmsUnavailableError);
    expect(handled).not.toContain('M-NOCERT');
    expect(events).toContain('mllp.tls_error');
  });

  it('refuses a sender whose certificate another CA issued', async () => {
    await expect(sendMllp(to({ ca: practiceCa.cert, key: strangerCert.key, cert: strangerCert.cert }), cancel('M-STRANGER'))).rejects.toThrow(
      PmsUnavailableError,
    );
    expect(handled).not.toContain('M-STRANGER');
  });

  it('a sender refuses a listener whose certificate its CA did not issue', async () => {
    await expect(sendMllp(to({ ca: strangerCa.cert, key: pmsCert.key, cert: pmsCert.cert }), cancel('M-WRONGSERVER'))).rejects.toThrow(/certificate/);
    expect(handled).not.toContain('M-WRONGSERVER');
  });
});

describe('the PMS simulator over mutual TLS, both ways', () => {
  let sim: PmsSimulator;
  let listener: MllpListener;
  beforeAll(async () => {
    listener = await startMllpListener({
      host: '127.0.0.1',
      handlers,
      seen: seen(),
      tls: { key: revcycleCert.key, cert: revcycleCert.cert, ca: practiceCa.cert },
    });
    sim = await startPmsSimulator({
      mllpTls: { key: pmsCert.key, cert: pmsCert.cert, ca: practiceCa.cert },
      revcycleMllp: { host: '127.0.0.1', port: listener.port },
      ackTimeoutMs: 2000,
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    await sim.close();
    await listener.close();
  });

  const post: ChargePost = {
    visitId: 'V-TLS',
    idempotencyKey: 'visit-V-TLS-charges-1',
    patientId: 'MRN-1',
    serviceDate: '2026-04-01',
    renderingNpi: '1234567893',
    diagnoses: [{ code: 'M5450', rank: 1 }],
    lines: [{ lineNumber: 1, code: '99213', modifiers: [], units: 1, chargeCents: 12000, diagnosisPointers: [1] }],
  };
  const client = (tls: Parameters<typeof createHl7PmsClient>[0]['tls']) => createHl7PmsClient({ host: '127.0.0.1', port: sim.mllpPort, timeoutMs: 5000, tls });

  it("revcycle's PMS client presents its certificate and the charges are posted", async () => {
    const result = await client({ ca: practiceCa.cert, key: revcycleCert.key, cert: revcycleCert.cert }).postCharges(post);
    expect(result.duplicate).toBe(false);
    expect(sim.charges('V-TLS').map((c) => c.code)).toEqual(['99213']);
  });

  it('the PMS refuses charges from a client without a certificate, or with one from another CA', async () => {
    const other = { ...post, visitId: 'V-TLS-2', idempotencyKey: 'visit-V-TLS-2-charges-1' };
    await expect(client({ ca: practiceCa.cert }).postCharges(other)).rejects.toThrow(PmsUnavailableError);
    await expect(client({ ca: practiceCa.cert, key: strangerCert.key, cert: strangerCert.cert }).postCharges(other)).rejects.toThrow(PmsUnavailableError);
    expect(sim.charges('V-TLS-2')).toEqual([]);
  });

  it("the simulator's sender presents its certificate to revcycle's listener", async () => {
    const ack = await sim.sendMessage(cancel('S-TLS-1'));
    expect(ack).toMatchObject({ code: 'AA', controlId: 'S-TLS-1' });
    expect(handled).toContain('S-TLS-1');
  });
});
