/**
 * The OpenAPI 3 document, generated from the same zod schemas the routes validate with.
 * Security comes from api/access.ts: each operation that needs credentials declares the
 * bearer scheme, its 401, 403 and 429, and the roles it allows.
 */
import { OpenApiGeneratorV3, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { accessOf } from './access';
import { fieldRolesOf, visitViewsTable, type VisitField } from './views';
import {
  AcceptSuggestion,
  AuditPage,
  AuditQuery,
  RemittancePage,
  RemittanceQuery,
  CancelVisit,
  CodedEncounter,
  Coverage,
  EncounterSigned,
  ErrorBody,
  Health,
  KpiQuery,
  PatientPayment,
  PatientPaymentReceipt,
  RetryVisit,
  StartVisit,
  VisitParams,
  VisitStarted,
  VisitStatusBody,
  VoidClaim,
  WorkQueueParams,
  WorkQueueQuery,
  WriteOffVisit,
} from './schemas';

/**
 * The visit as the API answers it, one schema for every role: each property names the roles
 * that get it (`x-roles`, and `x-roles-reduced` for the keys an analyst gets of it), and the
 * operation's description holds the role → fields table. Both come from api/views.ts.
 */
const Visit = z
  .object(
    Object.fromEntries(Object.entries(VisitStatusBody.shape).map(([field, schema]) => [field, (schema as z.ZodType).meta(fieldRolesOf(field as VisitField))])),
  )
  .meta({
    id: 'Visit',
    description: "A visit as the caller's roles may see it: a field a role does not get is absent (never null); a caller with several roles gets the union.",
  });
const VISIT_VIEWS = `What each role reads of a visit (a caller with several roles gets the union; the roles of each field are also in its \`x-roles\`):\n\n${visitViewsTable()}`;

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema } } });
/** Stateful links: a started visit's id feeds the operations on that visit (clients and fuzzers follow them). */
const visitLinks = {
  GetVisit: { operationId: 'getVisit', parameters: { visitId: '$response.body#/visitId' } },
  CancelVisit: { operationId: 'cancelVisit', parameters: { visitId: '$response.body#/visitId' } },
  CorrectCoverage: { operationId: 'correctCoverage', parameters: { visitId: '$response.body#/visitId' } },
  CorrectCoding: { operationId: 'correctCoding', parameters: { visitId: '$response.body#/visitId' } },
  AuditOfVisit: { operationId: 'listAudit', parameters: { visitId: '$response.body#/visitId' } },
};
const started = (description: string) => ({ ...json(VisitStarted, description), links: visitLinks });
const errors = {
  400: json(ErrorBody, 'Invalid request: issues name each field path and reason'),
  404: json(ErrorBody, 'No such visit'),
};
const bodyErrors = {
  413: json(ErrorBody, 'The body is larger than this route accepts'),
  415: json(ErrorBody, 'The body is missing or of a media type this route does not read'),
};
/** What a route that calls Temporal answers when Temporal cannot take the call (api/errors.ts). */
const temporalErrors = {
  503: {
    ...json(
      ErrorBody,
      'Nothing was changed: Temporal cannot be reached (TEMPORAL_UNAVAILABLE), or too many calls are waiting for it (TEMPORAL_BUSY); send it again after Retry-After seconds',
    ),
    headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' as const } } },
  },
  504: json(ErrorBody, 'Temporal did not answer within TEMPORAL_CALL_TIMEOUT_MS (TEMPORAL_TIMEOUT): read the visit, then send it again'),
};
const authErrors = {
  401: json(ErrorBody, 'No credentials, or credentials that are malformed, unknown, revoked or expired: the message says which'),
  403: json(ErrorBody, "The caller's role may not do this: the hint names the roles that may"),
  429: {
    ...json(ErrorBody, 'Too many requests for this key: wait Retry-After seconds'),
    headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' as const } } },
  },
};

/** A person's decision sent to a visit (a workflow update): the visit's status back, 409 when its stage does not allow it. */
function visitDecision(
  path: string,
  operationId: string,
  summary: string,
  schema: z.ZodType,
  ok: string,
  conflict: string,
  more: RouteConfig['responses'] = {},
): RouteConfig {
  return {
    method: 'post',
    path: `/visits/{visitId}/${path}`,
    operationId,
    summary,
    request: { params: VisitParams, body: body(schema) },
    responses: { 200: json(Visit, `${ok}: the visit as the caller's roles may see it`), ...errors, 409: json(ErrorBody, conflict), ...temporalErrors, ...more },
  };
}

export function openApiDocument(): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (`rck_...`, from `revcycle keys create --role ROLE --name NAME`) or, when OIDC is configured, an access token of the configured issuer.',
  });
  registry.registerComponent('securitySchemes', 'webhookSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'x-revcycle-signature',
    description:
      'Webhooks are signed by their sender, not sent with a bearer key: `x-revcycle-timestamp: <unix seconds>` and `x-revcycle-signature: v1=<hex HMAC-SHA256 of "timestamp.body" with the sender\'s secret>`; a missing, wrong or stale signature is 401 and nothing is stored.',
  });
  const paths: RouteConfig[] = [
    {
      method: 'post',
      path: '/visits',
      operationId: 'startVisit',
      summary: 'Start a visit (idempotent on visitId)',
      request: { body: body(StartVisit) },
      responses: { 201: started('Started'), 200: started('Already exists; nothing new started'), 400: errors[400], ...temporalErrors },
    },
    {
      method: 'get',
      path: '/visits/{visitId}',
      operationId: 'getVisit',
      summary: "The visit's stage, history, claim and balance",
      description: VISIT_VIEWS,
      request: { params: VisitParams },
      responses: { 200: json(Visit, "The visit as the caller's roles may see it"), ...errors, ...temporalErrors },
    },
    visitDecision(
      'cancel',
      'cancelVisit',
      'Cancel a visit before its claim is submitted, or a parked visit (needs_attention)',
      CancelVisit,
      'Cancelled',
      'Too late to cancel',
    ),
    visitDecision(
      'retry',
      'retryVisit',
      'Run the failed step of a parked visit (stage needs_attention) again',
      RetryVisit,
      'Retrying',
      'The visit is not parked',
    ),
    visitDecision(
      'write-off',
      'writeOffVisit',
      'Close a parked visit as written off, or write off the patient balance of a visit in patient_balance, with a reason',
      WriteOffVisit,
      'Written off',
      'The visit is not parked nor in patient_balance',
    ),
    visitDecision(
      'void',
      'voidClaim',
      'Void the claim the payer accepted (837P frequency 8, REF*F8): the payer takes back what it paid and the visit closes as voided',
      VoidClaim,
      'Void under way',
      'No claim the payer accepted, already voided, or the visit is closed',
    ),
    {
      method: 'post',
      path: '/visits/{visitId}/patient-payments',
      operationId: 'takePatientPayment',
      summary: "A patient's payment toward the visit's patient balance (stage patient_balance); idempotent by reference",
      request: { params: VisitParams, body: body(PatientPayment) },
      responses: {
        201: json(PatientPaymentReceipt, 'Taken: the payment and the balance after it'),
        200: json(PatientPaymentReceipt, 'The same payment (reference, amount and method) again: nothing changed'),
        ...errors,
        409: json(
          ErrorBody,
          'Refused: more than the open balance, a reference already used for another payment, or no open patient balance (the message says which)',
        ),
      },
    },
    visitDecision(
      'coverage',
      'correctCoverage',
      'Correct the coverage of a visit waiting for it',
      Coverage,
      'Accepted',
      'The visit is not waiting for coverage',
    ),
    visitDecision(
      'coding',
      'correctCoding',
      "A coder's corrected coding for a visit in coding review",
      CodedEncounter,
      'Accepted',
      'The visit is not in coding review',
    ),
    visitDecision(
      'coding/suggestions',
      'acceptSuggestion',
      "Accept one of a scrubber finding's suggested fixes; the visit is re-scrubbed",
      AcceptSuggestion,
      'Accepted',
      'The visit is not in coding review',
      { 422: json(ErrorBody, 'No such finding, or the choice is not one of its options') },
    ),
    {
      method: 'get',
      path: '/audit',
      operationId: 'listAudit',
      summary: 'The audit trail, newest first: who read or decided what, about which visit, when and from where',
      request: { query: AuditQuery },
      responses: { 200: json(AuditPage, 'One page of entries'), 400: errors[400] },
    },
    {
      method: 'post',
      path: '/webhooks/ehr/encounter-signed',
      summary: 'EHR notification that an encounter was signed: {visitId, encounterId}, or a FHIR Subscription notification Bundle',
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: EncounterSigned }, 'application/fhir+json': { schema: z.object({ resourceType: z.literal('Bundle') }) } },
        },
      },
      responses: { 202: json(z.object({ visitId: z.string(), encounterId: z.string() }), 'Delivered to the visit'), ...errors, ...bodyErrors },
    },
    {
      method: 'post',
      path: '/webhooks/ehr/subscription',
      summary:
        "The EHR's FHIR R4 Subscriptions Backport rest-hook endpoint: a history Bundle whose first entry is the SubscriptionStatus (Parameters); handshake and heartbeat are answered 200, an encounter-signed event is delivered to its visit",
      request: {
        body: {
          required: true,
          content: {
            'application/fhir+json': { schema: z.object({ resourceType: z.literal('Bundle'), type: z.literal('history') }) },
            'application/json': { schema: z.object({ resourceType: z.literal('Bundle'), type: z.literal('history') }) },
          },
        },
      },
      responses: {
        202: json(z.object({ visitId: z.string(), encounterId: z.string() }), 'Delivered to the visit'),
        200: json(
          z.object({ type: z.string().optional(), visitId: z.string().optional(), encounterId: z.string().optional(), duplicate: z.boolean().optional() }),
          'A handshake or heartbeat (nothing delivered), or an event already delivered',
        ),
        ...errors,
        ...bodyErrors,
      },
    },
    {
      method: 'post',
      path: '/webhooks/clearinghouse',
      summary: 'A 999, 277CA or 835 file from the clearinghouse (X12 body)',
      request: { body: { required: true, content: { 'application/edi-x12': { schema: z.string() }, 'text/plain': { schema: z.string() } } } },
      responses: {
        202: json(
          z.object({
            transaction: z.string(),
            delivered: z.number().int().describe('Claims handed to their running visit'),
            unmatched: z
              .number()
              .int()
              .describe('Answers that match no claim we sent; 835 claims queued for a biller (GET /remittances?status=unmatched), no payment written'),
            posted: z.number().int().optional().describe('835: claims posted now to a visit no longer running (late)'),
            unbalanced: z.number().int().optional().describe('835: matched claims whose amounts do not balance, queued (GET /remittances?status=unbalanced)'),
            alreadyPosted: z.number().int().optional().describe('835: claims already posted or queued from an earlier file'),
          }),
          'Stored; each claim delivered, posted or queued',
        ),
        200: json(
          z.object({ transaction: z.string(), delivered: z.number().int(), unmatched: z.number().int(), duplicate: z.literal(true) }),
          'The same file again: nothing stored or delivered twice',
        ),
        400: errors[400],
        ...bodyErrors,
      },
    },
    {
      method: 'get',
      path: '/reports/kpis',
      operationId: 'getKpis',
      summary: 'KPIs over dates of service (docs/analytics.md): JSON, or CSV with Accept: text/csv; `from` after `to` is 400',
      request: { query: KpiQuery },
      responses: {
        200: { description: 'The KPIs', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) }, 'text/csv': { schema: z.string() } } },
        400: errors[400],
      },
    },
    {
      method: 'get',
      path: '/work-queues',
      operationId: 'listWorkQueues',
      summary: 'Open visits per work queue (Temporal visibility and Postgres)',
      responses: { 200: json(z.object({ queues: z.array(z.record(z.string(), z.unknown())) }), 'Counts per queue') },
    },
    {
      method: 'get',
      path: '/work-queues/{queue}',
      operationId: 'getWorkQueue',
      summary: "A work queue's visits, oldest first, with reason, age, deadline and action",
      description:
        "Billers, coders (coding review in the workbench) and admins get each visit's `visitId`, its `action` with the id filled in and its `temporalUiUrl`; analysts get the queue's facts without them (no id that leads to the patient): `awaitingAction`, `stage`, `payerId`, `serviceDate`, `awaitingSince`, `ageHours`, `deadline`, `overdue`, `reason`.",
      request: { params: WorkQueueParams, query: WorkQueueQuery },
      responses: {
        200: json(z.object({ visits: z.array(z.record(z.string(), z.unknown())) }).passthrough(), 'The queue'),
        400: errors[400],
        404: json(ErrorBody, 'No such queue'),
      },
    },
    {
      method: 'get',
      path: '/remittances',
      operationId: 'listRemittances',
      summary:
        'The remittance work queue, newest first: 835 claims not posted (unmatched: no claim attempt agrees on control number, payer and charge; unbalanced) or posted, with reason, payer, control number, amounts and file',
      request: { query: RemittanceQuery },
      responses: { 200: json(RemittancePage, 'One page of entries'), 400: errors[400] },
    },
    {
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'The public key revcycle signs its SMART Backend Services client assertions with (JWKS; empty unless EHR_AUTH=smart)',
      responses: {
        200: {
          description: 'The JWK Set',
          content: { 'application/jwk-set+json': { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) } },
        },
      },
    },
    {
      method: 'get',
      path: '/health',
      summary: 'Postgres and Temporal reachability',
      responses: { 200: json(Health, 'All up'), 503: json(Health, 'Something is down') },
    },
  ];
  for (const p of paths) registry.registerPath(withSecurity(p));
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'revcycle API',
      version: '0.1.0',
      description:
        'Start and steer visits; receive EHR and clearinghouse notifications. Every operation but /health and the webhooks needs `Authorization: Bearer <API key or token>`; each names the roles it allows.',
    },
  });
}

/** Adds the bearer requirement, the roles and the 401/403/429 answers to every operation the access table protects. */
function withSecurity(p: RouteConfig): RouteConfig {
  const access = accessOf(p.method, p.path);
  if (!access) throw new Error(`${p.method.toUpperCase()} ${p.path} is documented but missing from api/access.ts`);
  if (access.kind === 'webhook') {
    return {
      ...p,
      security: [{ webhookSignature: [] }],
      responses: { ...p.responses, 401: json(ErrorBody, 'No valid signature from the sender (SIGNATURE_REQUIRED, SIGNATURE_INVALID)') },
    };
  }
  if (access.kind !== 'roles') return { ...p, security: [] };
  const decision = access.update ? ` (workflow update \`${access.update}\`)` : '';
  return {
    ...p,
    description: `Roles: ${access.roles.join(', ')}${decision}.${p.description ? `\n\n${p.description}` : ''}`,
    security: [{ bearer: [] }],
    responses: { ...p.responses, ...authErrors },
  };
}
