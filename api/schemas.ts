/** Request and response schemas of the REST API: validation and the OpenAPI document use these same objects. */
import { z } from 'zod';
import { CodedEncounter, Coverage, EncounterSigned, StartVisit, VisitId } from '../domain/visit';

export { CodedEncounter, Coverage, EncounterSigned, StartVisit, VisitId };

export const CancelVisit = z.object({ reason: z.string().min(1).max(200) });

/** Accept one of a scrubber finding's suggested fixes (GET /visits/{visitId} lists findings with their options). */
export const AcceptSuggestion = z.object({
  findingId: z.string().min(1).max(200),
  /** One of the finding's suggestion.options: a code (M54.50 or M5450), a modifier, or a number of units. */
  choice: z.string().min(1).max(20),
});

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
  history: z.array(z.object({ stage: z.string(), at: z.string(), rulesetVersion: z.string().optional(), findings: z.number().optional() })),
  /** The scrubber's findings on the current coding; errors hold the visit in coding review. */
  findings: z.array(z.object({
    id: z.string(), ruleId: z.string(), severity: z.enum(['error', 'warning']), line: z.number().optional(), path: z.string(), message: z.string(),
    suggestion: z.object({ field: z.enum(['code', 'modifier', 'units']), path: z.string(), options: z.array(z.string()) }).optional(),
  })),
  rulesetVersion: z.string().optional(),
  claim: z.record(z.string(), z.unknown()).optional(),
  claims: z.array(z.record(z.string(), z.unknown())),
  balance: z.record(z.string(), z.number()),
});
