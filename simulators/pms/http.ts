/**
 * The simulated PMS's JSON API: `POST /charges` with an Idempotency-Key header posts a
 * visit's charges once (201; 200 with the original ids for a repeat; 409 when the key
 * comes back with other charges); `GET /charges?visitId=` lists what was posted.
 * Faults (latency, 503, hung requests, dropped answers) apply to POST only: GET is how
 * tests and people look at the ledger.
 */
import express from 'express';
import { z } from 'zod';
import { ChargeLineSchema } from '../../domain/hl7/dft';
import { CalendarDate, Diagnosis, Npi, VisitId } from '../../domain/visit';
import { type Faults, httpFaults } from '../faults';
import type { ChargeStore } from './store';

const ChargePostBody = z.object({
  visitId: VisitId,
  patientId: z.string().min(1).max(30),
  serviceDate: CalendarDate,
  renderingNpi: Npi,
  diagnoses: z.array(Diagnosis).min(1).max(12),
  lines: z.array(ChargeLineSchema).min(1),
});

export function pmsHttpApp(store: ChargeStore, faults: Faults): express.Express {
  const app = express();
  // REST charge ids continue after those already in the ledger, which may have outlived a restart.
  let sequence = store.list().filter((c) => c.channel === 'rest').length;
  app.use(express.json({ limit: '1mb' }));

  app.post('/charges', httpFaults(faults), (req, res) => {
    const key = req.get('idempotency-key');
    if (!key) {
      res.status(400).json({ code: 'IDEMPOTENCY_KEY_REQUIRED', message: 'the Idempotency-Key header is required' });
      return;
    }
    const body = ChargePostBody.safeParse(req.body);
    if (!body.success) {
      res
        .status(400)
        .json({ code: 'INVALID_CHARGES', message: 'the charges are not valid', issues: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    const charges = { ...body.data, diagnoses: [...body.data.diagnoses].sort((a, b) => a.rank - b.rank) };
    const result = store.post('rest', key, charges, () => `CHG-${String(++sequence).padStart(6, '0')}`);
    if (result.outcome === 'conflict') {
      res.status(409).json({ code: 'IDEMPOTENCY_KEY_REUSED', message: 'this Idempotency-Key was used with other charges' });
      return;
    }
    res.status(result.outcome === 'posted' ? 201 : 200).json({ pmsChargeIds: result.chargeIds });
  });

  app.get('/charges', (req, res) => {
    const visitId = typeof req.query.visitId === 'string' ? req.query.visitId : undefined;
    res.json({ charges: store.list(visitId) });
  });

  app.get('/sim/stats', (_req, res) => {
    res.json({ charges: store.count, injected: faults.injected });
  });

  return app;
}
