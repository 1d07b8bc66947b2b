/** Request and response schemas of the REST API: validation and the OpenAPI document use these same objects. */
import { z } from 'zod';
import { CodedEncounter, Coverage, EncounterSigned, StartVisit, VisitId } from '../domain/visit';

export { CodedEncounter, Coverage, EncounterSigned, StartVisit, VisitId };

export const CancelVisit = z.object({ reason: z.string().min(1).max(200) });

/** A parked visit (needs_attention) runs its failed step again. */
export const RetryVisit = z.object({ note: z.string().max(500).optional() });
/** A parked visit is closed as written off; the reason stays on the record. */
export const WriteOffVisit = z.object({ reason: z.string().min(1).max(500) });

export const VisitParams = z.object({ visitId: VisitId });

export const VisitStarted = z.object({
  visitId: z.string(),
  workflowId: z.string(),
  /** false when the visit already existed: the same visit id never starts a second workflow. */
  created: z.boolean(),
});

export const ErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  postgres: z.enum(['up', 'down']),
  temporal: z.enum(['up', 'down']),
});

/** The visit's status as the workflow's `status` query returns it (see workflows/definitions.ts). */
export const VisitStatusBody = z.object({
  visitId: z.string(),
  stage: z.string(),
  outcome: z.string().optional(),
  awaitingAction: z.string().optional(),
  /** While parked in needs_attention: what failed (type from the shared failure vocabulary, step, message). */
  failure: z.object({ type: z.string(), step: z.string(), message: z.string(), exhausted: z.boolean(), at: z.string() }).optional(),
  history: z.array(z.object({ stage: z.string(), at: z.string() })),
  claim: z.record(z.string(), z.unknown()).optional(),
  claims: z.array(z.record(z.string(), z.unknown())),
  balance: z.record(z.string(), z.number()),
});
