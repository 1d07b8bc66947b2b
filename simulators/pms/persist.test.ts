/**
 * The PMS keeps its ledger in `dataFile`: after a restart a key it already posted is
 * still a duplicate (on either channel), and new charge ids never repeat old ones.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHl7PmsClient } from '../../integrations/pms/hl7';
import { createRestPmsClient } from '../../integrations/pms/rest';
import type { ChargePost, PmsClient } from '../../integrations/pms/types';
import { SimulatorStateError } from '../persist';
import { type PmsSimulator, startPmsSimulator } from '.';

const postFor = (visitId: string): ChargePost => ({
  visitId,
  idempotencyKey: `visit-${visitId}-charges-1`,
  patientId: 'MRN-1',
  serviceDate: '2026-04-01',
  renderingNpi: '1234567893',
  diagnoses: [{ code: 'M5450', rank: 1 }],
  lines: [
    { lineNumber: 1, code: '99213', modifiers: [], units: 1, chargeCents: 12000, diagnosisPointers: [1] },
    { lineNumber: 2, code: '81002', modifiers: [], units: 1, chargeCents: 1050, diagnosisPointers: [1] },
  ],
});

const clientFor = (kind: 'hl7' | 'rest', sim: PmsSimulator): PmsClient =>
  kind === 'hl7' ? createHl7PmsClient({ host: '127.0.0.1', port: sim.mllpPort, timeoutMs: 2000 }) : createRestPmsClient({ baseUrl: sim.url, timeoutMs: 2000 });

describe('PMS simulator with a data file', () => {
  let dir: string;
  let dataFile: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pms-sim-'));
    dataFile = join(dir, 'pms.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['hl7', 'rest'] as const)('over %s, refuses a second post of a key it posted before a restart', async (kind) => {
    const before = await startPmsSimulator({ dataFile });
    const first = await clientFor(kind, before).postCharges(postFor('V-1'));
    await before.close();

    const after = await startPmsSimulator({ dataFile });
    try {
      expect(after.charges('V-1').map((c) => c.chargeId)).toEqual(first.pmsChargeIds);
      expect(await clientFor(kind, after).postCharges(postFor('V-1'))).toEqual({ pmsChargeIds: first.pmsChargeIds, duplicate: true });
      expect(after.charges('V-1')).toHaveLength(2);
      const next = await clientFor(kind, after).postCharges(postFor('V-2'));
      expect(next.pmsChargeIds.filter((id) => first.pmsChargeIds.includes(id))).toEqual([]);
    } finally {
      await after.close();
    }
  });

  it('refuses to start on a corrupt data file, naming it', async () => {
    writeFileSync(dataFile, 'not json');
    await expect(startPmsSimulator({ dataFile })).rejects.toThrow(SimulatorStateError);
    await expect(startPmsSimulator({ dataFile })).rejects.toThrow(`${dataFile} is unusable (not JSON`);
  });
});
