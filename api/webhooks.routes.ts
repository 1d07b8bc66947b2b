/**
 * Notifications from outside: the EHR says an encounter was signed; the clearinghouse
 * delivers 999, 277CA and 835 files. Each is stored (or recognised as a redelivery)
 * before it is handed to the visit's workflow, and handing it over twice is harmless:
 * the workflow ignores a signal it has already seen.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { saveInbound, visitIdForAppointmentRef, visitIdForControlNumber } from '../db/billing';
import type { Db } from '../db/knex';
import { parseEncounterNotification } from '../domain/fhir/notification';
import { claimMessagesFromX12 } from '../domain/claim-messages';
import { claimAcknowledgedSignal, encounterSignedSignal, remittanceReceivedSignal } from '../workflows/definitions';
import { ApiError } from './errors';
import { EncounterSigned } from './schemas';
import { workflowIdOf } from './visits.service';

export function webhooksRouter({ temporal, db }: { temporal: Client; db: Db }): Router {
  // Not behind bearer auth (kind 'webhook' in api/access.ts): each sender is to be authenticated here, by its HMAC signature (issue 9 item 2; until it lands the webhooks are open).
  const router = Router();

  router.post('/webhooks/ehr/encounter-signed', async (req, res) => {
    const { visitId, encounterId } = await encounterSignedFrom(req.body, db);
    await temporal.workflow.getHandle(workflowIdOf(visitId)).signal(encounterSignedSignal, { encounterId });
    res.status(202).json({ visitId, encounterId });
  });

  router.post('/webhooks/clearinghouse', async (req, res) => {
    if (typeof req.body !== 'string') {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the X12 file as the body with content-type application/edi-x12');
    }
    if (!req.body.trim()) throw new ApiError(400, 'EMPTY_BODY', 'the body is empty: send the X12 file', 'the file was not stored');
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
