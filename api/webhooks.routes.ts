/**
 * Notifications from outside: the EHR says an encounter was signed; the clearinghouse
 * delivers 999, 277CA and 835 files. Each is stored (or recognised as a redelivery)
 * before it is handed to the visit's workflow, and handing it over twice is harmless:
 * the workflow ignores a signal it has already seen.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { saveInbound, visitIdForAppointmentRef, visitIdForControlNumber } from '../db/billing';
import type { Db } from '../db/knex';
import { parseEncounterNotification } from '../domain/fhir/notification';
import { claimMessagesFromX12 } from '../domain/claim-messages';
import { claimAcknowledgedSignal, encounterSignedSignal, remittanceReceivedSignal } from '../workflows/definitions';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../domain/webhook-signature';
import { ApiError } from './errors';
import { EncounterSigned } from './schemas';
import { workflowIdOf } from './visits.service';

export interface WebhookSecrets {
  ehrSecret?: string;
  clearinghouseSecret?: string;
  toleranceSeconds: number;
}

/**
 * Refuses a webhook whose HMAC-SHA256 signature (domain/webhook-signature.ts) does not match the
 * raw body with the sender's secret, or whose timestamp is outside the window: 401, nothing stored.
 */
function signedBy(sender: string, secret: string | undefined, toleranceSeconds: number) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!secret) {
      next(new ApiError(401, 'SIGNATURE_REQUIRED', `no secret is configured for ${sender} webhooks`, `set WEBHOOK_${sender.toUpperCase()}_SECRET`));
      return;
    }
    const verdict = verifySignature({
      secret, toleranceSeconds,
      body: (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0),
      timestamp: req.header(TIMESTAMP_HEADER), signature: req.header(SIGNATURE_HEADER),
    });
    if (verdict.ok) next();
    else next(new ApiError(401, 'SIGNATURE_INVALID', verdict.reason, `sign "timestamp.body" with HMAC-SHA256 and the ${sender} secret; send ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}: v1=<hex>`));
  };
}

export function webhooksRouter({ temporal, db, secrets }: { temporal: Client; db: Db; secrets: WebhookSecrets }): Router {
  const router = Router();
  router.use('/webhooks/ehr', signedBy('ehr', secrets.ehrSecret, secrets.toleranceSeconds));
  router.use('/webhooks/clearinghouse', signedBy('clearinghouse', secrets.clearinghouseSecret, secrets.toleranceSeconds));

  router.post('/webhooks/ehr/encounter-signed', async (req, res) => {
    const { visitId, encounterId } = await encounterSignedFrom(req.body, db);
    await temporal.workflow.getHandle(workflowIdOf(visitId)).signal(encounterSignedSignal, { encounterId });
    res.status(202).json({ visitId, encounterId });
  });

  router.post('/webhooks/clearinghouse', async (req, res) => {
    if (typeof req.body !== 'string' || !req.body.trim()) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the X12 file as the body with content-type application/edi-x12');
    }
    const body: string = req.body;
    const messages = claimMessagesFromX12(body); // throws a 400 naming the line when the file is not valid X12
    const fileKey = createHash('sha256').update(body).digest('hex');
    await saveInbound(db, 'clearinghouse', fileKey, messages.transaction, body);
    let delivered = 0;
    for (const m of messages.acknowledgments) {
      const visitId = m.visitId ?? (m.ack.controlNumber !== undefined ? await visitIdForControlNumber(db, m.ack.controlNumber) : undefined);
      if (visitId && (await signalIfExists(temporal, visitId, (h) => h.signal(claimAcknowledgedSignal, m.ack)))) delivered++;
    }
    for (const m of messages.remittances) {
      if (await signalIfExists(temporal, m.visitId, (h) => h.signal(remittanceReceivedSignal, m.remittance))) delivered++;
    }
    res.status(202).json({ transaction: messages.transaction, delivered });
  });

  return router;
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

/** A file may name claims that are not ours (or long closed): those are stored, not delivered. */
async function signalIfExists(temporal: Client, visitId: string, send: (h: Handle) => Promise<void>): Promise<boolean> {
  try {
    await send(temporal.workflow.getHandle(workflowIdOf(visitId)));
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

async function encounterSignedFrom(body: unknown, db: Db): Promise<{ visitId: string; encounterId: string }> {
  if ((body as { resourceType?: string })?.resourceType !== 'Bundle') return EncounterSigned.parse(body);
  const n = parseEncounterNotification(body);
  const visitId = n.visitId ?? (n.appointmentRef ? await visitIdForAppointmentRef(db, n.appointmentRef) : undefined);
  if (!visitId) throw new ApiError(404, 'NOT_FOUND', `no visit for encounter ${n.encounterId}`, 'the encounter\'s appointment was not booked through revcycle');
  return { visitId, encounterId: n.encounterId };
}
