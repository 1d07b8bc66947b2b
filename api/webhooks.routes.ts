/**
 * Notifications from outside: the EHR says an encounter was signed; the clearinghouse
 * delivers 999, 277CA and 835 files. Each is stored (or recognised as a redelivery)
 * before it is handed to the visit's workflow, and handing it over twice is harmless:
 * the workflow ignores a signal it has already seen. An 835 claim that matches no claim
 * attempt on every key is never handed to a visit: it waits in the posting queue.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { createHash } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { forgetInbound, saveInbound } from '../db/inbound';
import { submittedClaimMatches, visitIdsForControlNumber } from '../db/claims';
import { ehrRefsOfVisit, visitIdForAppointmentRef } from '../db/visits';
import { VisitId } from '../domain/visit';
import type { Db } from '../db/knex';
import { decideRemittanceFile, postRemittanceFile, queueUnbalancedFile, type ContractLookup } from '../db/posting';
import { queueStatusOf } from '../domain/billing/posting';
import { parseEncounterNotification, subscriptionNotificationType } from '../domain/fhir/notification';
import { claimMessagesFromX12, UnbalancedRemittanceError } from '../domain/claim-messages';
import { claimAcknowledgedSignal, encounterSignedSignal, remittanceReceivedSignal, visitWorkflowId } from '../workflows/definitions';
import { checkSignatureHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../domain/webhook-signature';
import { ROUTER_OPTIONS } from './access';
import { JSON_MAX_DEPTH, JSON_MAX_MEMBERS, mediaTypeOf, parseJsonBody, readRawBody } from './body';
import { ApiError, bodyIssue } from './errors';
import { EncounterSigned } from './schemas';

export interface WebhookSecrets {
  ehrSecret?: string;
  clearinghouseSecret?: string;
  toleranceSeconds: number;
}

/** What each sender may send: media types, the largest body (bigger: 413), and how it is read once its signature holds. */
const BODIES = {
  ehr: {
    types: ['application/json', 'application/fhir+json'],
    maxBytes: 1024 * 1024,
    read: (raw: Buffer) => parseJsonBody(raw, { maxDepth: JSON_MAX_DEPTH, maxMembers: JSON_MAX_MEMBERS }),
  },
  clearinghouse: { types: ['application/edi-x12', 'text/plain'], maxBytes: 5 * 1024 * 1024, read: (raw: Buffer) => raw.toString('utf8') },
} as const;

/**
 * The webhook's door, in the order that reads the least from a stranger: a sender with no secret
 * configured, missing or malformed signature headers or a timestamp outside the window are
 * refused (401) before a byte of the body is read; so is a media type the sender does not send
 * (415) or a declared length over the limit (413). Then the raw body is read, bounded; the
 * HMAC-SHA256 signature (domain/webhook-signature.ts) is checked over those exact bytes (401,
 * nothing stored); only then is the body parsed (JSON bounded in depth and width).
 */
function signedBy(sender: keyof typeof BODIES, secret: string | undefined, toleranceSeconds: number) {
  const body = BODIES[sender];
  const hint = `sign "timestamp.body" with HMAC-SHA256 and the ${sender} secret; send ${TIMESTAMP_HEADER} and ${SIGNATURE_HEADER}: v1=<hex>`;
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!secret) throw new ApiError(401, 'SIGNATURE_REQUIRED', `no secret is configured for ${sender} webhooks`, `set WEBHOOK_${sender.toUpperCase()}_SECRET`);
    const signature = { timestamp: req.header(TIMESTAMP_HEADER), signature: req.header(SIGNATURE_HEADER), toleranceSeconds };
    const headers = checkSignatureHeaders(signature);
    if (!headers.ok) throw new ApiError(401, 'SIGNATURE_INVALID', headers.reason, hint);
    if (!(body.types as readonly string[]).includes(mediaTypeOf(req))) {
      throw new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `send the body with content-type ${body.types.join(' or ')}`,
        undefined,
        bodyIssue(`content-type ${mediaTypeOf(req) || '(none)'} is not one the ${sender} sends`),
      );
    }
    const raw = await readRawBody(req, body.maxBytes);
    const verdict = verifySignature({ ...signature, secret, body: raw });
    if (!verdict.ok) throw new ApiError(401, 'SIGNATURE_INVALID', verdict.reason, hint);
    req.body = body.read(raw);
    next();
  };
}

export function webhooksRouter({
  temporal,
  db,
  secrets,
  contracted,
}: {
  temporal: Client;
  db: Db;
  secrets: WebhookSecrets;
  contracted?: ContractLookup;
}): Router {
  // Not behind bearer auth (kind 'webhook' in api/access.ts): each sender is authenticated here, by its HMAC signature (signedBy).
  const router = Router(ROUTER_OPTIONS);

  /** One encounter signed, from either EHR route: delivered to its visit once, however often the EHR calls. */
  const deliverEncounterSigned = async (body: unknown, res: Response) => {
    const { visitId, encounterId } = await encounterSignedFrom(body, db);
    // A notification already received (EHRs redeliver, and resend on every amendment) is never signalled again:
    // the visit's history holds one signal per encounter, however often the EHR calls.
    const key = `encounter-signed:${visitId}:${encounterId}`;
    if (!(await saveInbound(db, 'ehr', key, 'encounter-signed', ''))) {
      res.status(200).json({ visitId, encounterId, duplicate: true });
      return;
    }
    try {
      await temporal.workflow.getHandle(visitWorkflowId(visitId)).signal(encounterSignedSignal, { encounterId });
    } catch (err) {
      await forgetInbound(db, 'ehr', key); // not delivered: the EHR's retry is then delivered in full
      throw err;
    }
    res.status(202).json({ visitId, encounterId });
  };

  router.post('/webhooks/ehr/encounter-signed', signedBy('ehr', secrets.ehrSecret, secrets.toleranceSeconds), async (req, res) => {
    await deliverEncounterSigned(req.body, res);
  });

  // The EHR's Subscription endpoint (R4 Subscriptions Backport rest-hook): notification Bundles only. A
  // handshake or heartbeat carries no event and is answered 200, or the EHR would take the endpoint for broken.
  router.post('/webhooks/ehr/subscription', signedBy('ehr', secrets.ehrSecret, secrets.toleranceSeconds), async (req, res) => {
    const type = subscriptionNotificationType(req.body);
    if (type === 'handshake' || type === 'heartbeat') {
      res.status(200).json({ type });
      return;
    }
    await deliverEncounterSigned(req.body, res);
  });

  router.post('/webhooks/clearinghouse', signedBy('clearinghouse', secrets.clearinghouseSecret, secrets.toleranceSeconds), async (req, res) => {
    if (typeof req.body !== 'string') {
      throw new ApiError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        'send the X12 file as the body with content-type application/edi-x12',
        undefined,
        bodyIssue('not an X12 body (content-type application/edi-x12 or text/plain)'),
      );
    }
    if (!req.body.trim()) throw new ApiError(400, 'EMPTY_BODY', 'the body is empty: send the X12 file', 'the file was not stored', bodyIssue('empty'));
    const result = await deliverClearinghouseFile({ temporal, db, contracted }, req.body);
    res.status(result.duplicate ? 200 : 202).json(result);
  });

  return router;
}

type Handle = ReturnType<Client['workflow']['getHandle']>;

/**
 * One X12 file from the clearinghouse (a 999, 277CA or 835), however it came: the webhook, or
 * the batch mailbox poll (CORE retrieval, SFTP outbound). Throws X12 errors (a 400 for the
 * webhook) when the file is not valid X12; a file already received is a duplicate, not
 * handed to a visit again.
 */
export async function deliverClearinghouseFile(
  { temporal, db, contracted }: { temporal: Client; db: Db; contracted?: ContractLookup },
  body: string,
): Promise<{ transaction: string; delivered: number; unmatched: number; duplicate?: true; posted?: number; unbalanced?: number; alreadyPosted?: number }> {
  const fileKey = createHash('sha256').update(body).digest('hex');
  let messages: ReturnType<typeof claimMessagesFromX12>;
  try {
    messages = claimMessagesFromX12(body); // throws a 400 naming the line when the file is not valid X12
  } catch (err) {
    // An 835 that does not balance is refused (422) but kept, once, and its claims wait in the posting queue.
    if (err instanceof UnbalancedRemittanceError) {
      await saveInbound(db, 'clearinghouse', fileKey, '835', body);
      await queueUnbalancedFile(db, fileKey, err.message);
    }
    throw err;
  }
  // A file already received is never handed to a visit again.
  if (!(await saveInbound(db, 'clearinghouse', fileKey, messages.transaction, body))) {
    return { transaction: messages.transaction, delivered: 0, unmatched: 0, duplicate: true };
  }
  let delivered = 0;
  let unmatched = 0;
  // 835 claims handed to a running visit: that visit's posting activity posts them.
  const handed = new Set<string>();
  try {
    // Only answers about claims we submitted reach a visit: the 999 by our control number (ISA13, which
    // may have carried several visits' claims), the 277CA by visit and charge (and, when it echoes our
    // BHT03, by submission), each 835 claim by the one posting rule (decidePosting: control number,
    // payer, and charge or the payer claim number of an earlier answer). The rest is kept, not signalled.
    for (const m of messages.acknowledgments) {
      const visitIds =
        m.visitId !== undefined
          ? (await claimOfOurs(db, m.visitId, { chargeCents: m.chargeCents }))
            ? [m.visitId]
            : []
          : m.ack.controlNumber !== undefined
            ? await visitIdsForControlNumber(db, m.ack.controlNumber)
            : [];
      if (!visitIds.length) unmatched++;
      // A 277CA that echoes the 837's BHT03 names the submission it answers, when that interchange carried the visit's claim.
      const ack =
        m.batchControlNumber !== undefined && m.visitId !== undefined && (await visitIdsForControlNumber(db, m.batchControlNumber)).includes(m.visitId)
          ? { ...m.ack, controlNumber: m.batchControlNumber }
          : m.ack;
      for (const visitId of visitIds) {
        if (await signalIfExists(temporal, visitId, (h) => h.signal(claimAcknowledgedSignal, ack))) delivered++;
      }
    }
    const decisions = messages.remittances.length ? await decideRemittanceFile(db, body) : [];
    for (const [i, m] of messages.remittances.entries()) {
      const d = decisions[i];
      if (!d?.decision.matched) continue; // refused: queued with its reason below, never signalled
      const r = { ...m.remittance, documentKey: fileKey };
      if (await signalIfExists(temporal, d.decision.attempt.visitId, (h) => h.signal(remittanceReceivedSignal, r))) {
        delivered++;
        handed.add(d.postingKey);
      }
    }
  } catch (err) {
    await forgetInbound(db, 'clearinghouse', fileKey); // the sender's retry is then handled in full
    throw err;
  }
  // 835 claims no running visit took are posted now, and the counts are what was stored: late ones
  // (visit closed) to their visit's record, refused ones (unmatched, unbalanced) to the posting queue
  // with their reason and an audit entry, never lost. Both use the same idempotent posting.
  const counts = { posted: 0, unbalanced: 0, alreadyPosted: 0 };
  if (messages.remittances.length > handed.size) {
    for (const p of await postRemittanceFile(db, fileKey, contracted, handed)) {
      if (p.outcome === 'posted') counts.posted++;
      else if (p.outcome === 'duplicate') counts.alreadyPosted++;
      else if (p.queueReason && queueStatusOf(p.queueReason) === 'unbalanced') counts.unbalanced++;
      else unmatched++;
    }
  }
  return { transaction: messages.transaction, delivered, unmatched, ...(messages.transaction === '835' ? counts : {}) };
}

/** A patient control number is one of our visit ids, or the claim is not ours. */
async function claimOfOurs(db: Db, visitId: string, m: { payerId?: string; chargeCents?: number }): Promise<boolean> {
  return VisitId.safeParse(visitId).success && submittedClaimMatches(db, visitId, m);
}

/** A file may name claims that are not ours (or long closed): those are stored, not delivered. */
async function signalIfExists(temporal: Client, visitId: string, send: (h: Handle) => Promise<void>): Promise<boolean> {
  try {
    await send(temporal.workflow.getHandle(visitWorkflowId(visitId)));
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
  if (!visitId)
    throw new ApiError(404, 'NOT_FOUND', `no visit for encounter ${n.encounterId}`, "the encounter's appointment was not booked through revcycle", [
      { path: 'entry.Encounter.appointment', message: 'names no appointment booked through revcycle' },
    ]);
  if (!VisitId.safeParse(visitId).success)
    throw new ApiError(400, 'VALIDATION_FAILED', "the Appointment's visit identifier is not a revcycle visit id", undefined, [
      { path: 'entry.Appointment.identifier', message: 'not a revcycle visit id' },
    ]);
  // The encounter must be of the visit's patient and appointment, as pre-population recorded them in the EHR.
  const refs = await ehrRefsOfVisit(db, visitId);
  if (!refs) throw new ApiError(404, 'NOT_FOUND', `no visit ${visitId}`, undefined, [{ path: 'visitId', message: 'no such visit' }]);
  const mismatch = [
    refs.patientRef &&
      n.patientRef &&
      refs.patientRef !== n.patientRef &&
      `the encounter's subject is ${n.patientRef}, the visit's patient is ${refs.patientRef}`,
    refs.appointmentRef &&
      n.appointmentRef &&
      refs.appointmentRef !== n.appointmentRef &&
      `the encounter's appointment is ${n.appointmentRef}, the visit's is ${refs.appointmentRef}`,
  ].filter((x): x is string => !!x);
  if (mismatch.length)
    throw new ApiError(
      409,
      'ENCOUNTER_MISMATCH',
      mismatch.join('; '),
      'the notification was not delivered to the visit',
      mismatch.map((message) => ({ path: 'entry.Encounter', message })),
    );
  return { visitId, encounterId: n.encounterId };
}
