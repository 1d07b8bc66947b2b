/** The OpenAPI 3 document, generated from the same zod schemas the routes validate with. */
import { OpenApiGeneratorV3, OpenAPIRegistry, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  AcceptSuggestion, CancelVisit, CodedEncounter, Coverage, EncounterSigned, ErrorBody, Health, StartVisit, VisitParams, VisitStarted, VisitStatusBody,
} from './schemas';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorBody, 'Invalid request: issues name each field path and reason'),
  404: json(ErrorBody, 'No such visit'),
};

export function openApiDocument(): object {
  const registry = new OpenAPIRegistry();
  const paths: RouteConfig[] = [
    {
      method: 'post', path: '/visits', summary: 'Start a visit (idempotent on visitId)',
      request: { body: { content: { 'application/json': { schema: StartVisit } } } },
      responses: { 201: json(VisitStarted, 'Started'), 200: json(VisitStarted, 'Already exists; nothing new started'), 400: errors[400] },
    },
    {
      method: 'get', path: '/visits/{visitId}', summary: 'The visit\'s stage, history, claim and balance',
      request: { params: VisitParams }, responses: { 200: json(VisitStatusBody, 'Status'), ...errors },
    },
    {
      method: 'post', path: '/visits/{visitId}/cancel', summary: 'Cancel a visit before its claim is submitted',
      request: { params: VisitParams, body: { content: { 'application/json': { schema: CancelVisit } } } },
      responses: { 200: json(VisitStatusBody, 'Cancelled'), ...errors, 409: json(ErrorBody, 'Too late to cancel') },
    },
    {
      method: 'post', path: '/visits/{visitId}/coverage', summary: 'Correct the coverage of a visit waiting for it',
      request: { params: VisitParams, body: { content: { 'application/json': { schema: Coverage } } } },
      responses: { 200: json(VisitStatusBody, 'Accepted'), ...errors, 409: json(ErrorBody, 'The visit is not waiting for coverage') },
    },
    {
      method: 'post', path: '/visits/{visitId}/coding', summary: 'A coder\'s corrected coding for a visit in coding review',
      request: { params: VisitParams, body: { content: { 'application/json': { schema: CodedEncounter } } } },
      responses: { 200: json(VisitStatusBody, 'Accepted'), ...errors, 409: json(ErrorBody, 'The visit is not in coding review') },
    },
    {
      method: 'post', path: '/visits/{visitId}/coding/suggestions', summary: 'Accept one of a scrubber finding\'s suggested fixes; the visit is re-scrubbed',
      request: { params: VisitParams, body: { content: { 'application/json': { schema: AcceptSuggestion } } } },
      responses: {
        200: json(VisitStatusBody, 'Accepted'), ...errors, 409: json(ErrorBody, 'The visit is not in coding review'),
        422: json(ErrorBody, 'No such finding, or the choice is not one of its options'),
      },
    },
    {
      method: 'post', path: '/webhooks/ehr/encounter-signed',
      summary: 'EHR notification that an encounter was signed: {visitId, encounterId}, or a FHIR Subscription notification Bundle',
      request: { body: { content: { 'application/json': { schema: EncounterSigned }, 'application/fhir+json': { schema: z.object({ resourceType: z.literal('Bundle') }) } } } },
      responses: { 202: json(z.object({ visitId: z.string(), encounterId: z.string() }), 'Delivered to the visit'), ...errors },
    },
    {
      method: 'post', path: '/webhooks/clearinghouse', summary: 'A 999, 277CA or 835 file from the clearinghouse (X12 body)',
      request: { body: { content: { 'application/edi-x12': { schema: z.string() } } } },
      responses: { 202: json(z.object({ transaction: z.string(), delivered: z.number() }), 'Stored and delivered'), 400: errors[400] },
    },
    { method: 'get', path: '/health', summary: 'Postgres and Temporal reachability', responses: { 200: json(Health, 'All up'), 503: json(Health, 'Something is down') } },
  ];
  for (const p of paths) registry.registerPath(p);
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: { title: 'revcycle API', version: '0.1.0', description: 'Start and steer visits; receive EHR and clearinghouse notifications.' },
  });
}
