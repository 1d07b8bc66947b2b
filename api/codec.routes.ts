/**
 * The remote codec endpoint the Temporal Web UI (and `temporal --codec-endpoint`) calls to
 * show sealed payloads in clear text to a person allowed to read them:
 *   POST /codec/decode, POST /codec/encode
 * with the body `{ "payloads": [{ "metadata": { "<key>": "<base64>" }, "data": "<base64>" }] }`
 * (Temporal's Payloads in proto3 JSON) and the same shape back. The UI sends `X-Namespace`;
 * only the namespace revcycle runs in is served. CORS admits only the configured Temporal UI
 * origins (preflight included), with credentials, so the UI can send the person's session
 * cookie (its settings say IncludeCredentials; app/temporal-ui-gateway.ts) or forward an
 * Authorization header.
 * Every decode, opened or refused, is written to the audit trail.
 *
 * Which workflow: the Temporal UI sends only `X-Namespace` (and its credentials), never the
 * workflow it shows. A sealed payload names its own workflow (temporal/codec.ts binds it, and
 * GCM authenticates the binding), so the audit records the workflows the opened payloads are
 * bound to; payloads sealed before binding name none, and the entry counts them as unbound.
 * A caller that says which workflow it reads (`X-Workflow-Id`, e.g. a script) gets only that
 * workflow's payloads opened: one bound to another workflow is refused (422 CODEC_BINDING).
 *
 * Two pieces, on either side of the app's door (api/app.ts): `codecCors` answers the UI's
 * CORS before it (a preflight carries no credentials, and reads no body); `codecRouter`'s
 * routes sit behind it, so a caller is authenticated (biller, admin; api/access.ts) before
 * a byte of the body is read, and the body is bounded in size and JSON depth (api/body.ts).
 * Both match the two paths exactly as written: `/CODEC/decode` is no codec path.
 */
import type { Payload } from '@temporalio/common';
import { Router, type Request, type Response, type NextFunction, type RequestHandler } from 'express';
import { z } from 'zod';
import { audit } from '../db/audit';
import type { Db } from '../db/knex';
import { AesGcmCodec, CodecBindingError, CodecKeyError, declaredBinding, KEY_ID_METADATA, type CodecKeys } from '../temporal/codec';
import { visitIdOfWorkflow } from '../workflows/definitions';
import { ROUTER_OPTIONS } from './access';
import { principalOf } from './auth';
import { jsonBody } from './body';
import { ApiError, zodIssues } from './errors';

const Base64 = z
  .string()
  .max(8 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const JsonPayload = z.object({
  metadata: z.record(z.string().max(256), Base64).optional(),
  data: Base64.optional(),
});
export const CodecBody = z.object({ payloads: z.array(JsonPayload).max(1000) });
type JsonPayload = z.infer<typeof JsonPayload>;

const fromB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const toB64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');

function toPayload(p: JsonPayload): Payload {
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, fromB64(v)])), data: fromB64(p.data ?? '') };
}

function toJson(p: Payload): JsonPayload {
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, toB64(v)])), data: toB64(p.data) };
}

export interface CodecRouterDeps {
  db: Db;
  keys: CodecKeys;
  namespace: string;
  /** Origins of the Temporal Web UI allowed to call the endpoint. */
  allowedOrigins: string[];
}

const CODEC_PATHS = ['/codec/decode', '/codec/encode'];

/** The largest batch the UI sends (bigger: 413), read only after the door let the caller in. */
const codecBody = jsonBody({ maxBytes: 4 * 1024 * 1024, types: ['application/json'] });

export function codecRouter(deps: CodecRouterDeps): Router {
  const codec = new AesGcmCodec(deps.keys);
  // Mounted without a prefix, behind the app's door, which has authenticated the caller for the full path (/codec/decode).
  const router = Router(ROUTER_OPTIONS);

  const handle = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const namespace = req.header('x-namespace');
    if (namespace !== undefined && namespace !== deps.namespace) {
      throw new ApiError(403, 'NAMESPACE_NOT_SERVED', `this codec serves namespace "${deps.namespace}", not "${namespace}"`);
    }
    const parsed = CodecBody.safeParse(req.body);
    if (!parsed.success)
      throw new ApiError(400, 'VALIDATION_FAILED', 'the body is not {"payloads":[…]}', 'send Temporal Payloads as proto3 JSON', zodIssues(parsed.error));
    const payloads = parsed.data.payloads.map(toPayload);
    let out: Payload[];
    if (direction === 'encode') {
      try {
        out = await codec.encode(payloads);
      } catch (err) {
        if (err instanceof CodecKeyError) throw new ApiError(422, 'CODEC_KEY', err.message, 'the key that sealed this payload is not in TEMPORAL_CODEC_KEYS');
        throw err;
      }
    } else {
      out = await decodeAudited(req, res, payloads);
    }
    res.json({ payloads: out.map(toJson) });
  };

  /**
   * Opens the payloads and writes the audit entry before the answer leaves, refused or not:
   * the workflows and visits read (as the payloads' bindings name them, authenticated once
   * opened), the keys used, and why a refusal was refused.
   */
  async function decodeAudited(req: Request, res: Response, payloads: Payload[]): Promise<Payload[]> {
    const claimed = req.header('x-workflow-id') || undefined;
    const bindings = payloads.map(declaredBinding);
    // Temporal's workflow ids are at most 1000 characters; a longer one is a forgery, recorded by its length only.
    const workflowIds = [...new Set(bindings.flatMap((b) => (b ? [b.workflowId.length <= 1000 ? b.workflowId : `(${b.workflowId.length} characters)`] : [])))];
    const visitIds = [...new Set(workflowIds.flatMap((id) => visitIdOfWorkflow(id) ?? []))];
    const keyIds = [
      ...new Set(
        payloads
          .map((p) => p.metadata?.[KEY_ID_METADATA])
          .filter(Boolean)
          .map((b) => Buffer.from(b!).toString('utf8')),
      ),
    ];
    let refusal: ApiError | undefined;
    let out: Payload[] = [];
    try {
      const expected = claimed === undefined ? undefined : { namespace: deps.namespace, workflowId: claimed };
      out = payloads.map((p, i) => {
        const opened = codec.open(p, expected, i);
        const bound = bindings[i];
        if (bound && bound.namespace !== deps.namespace)
          throw new CodecBindingError(`payload ${i} belongs to namespace "${bound.namespace}", not "${deps.namespace}"`, i);
        return opened;
      });
    } catch (err) {
      if (err instanceof CodecBindingError)
        refusal = new ApiError(422, 'CODEC_BINDING', err.message, "a payload opens only for the workflow it was sealed for: ask with that workflow's id", [
          { path: `payloads.${err.index}.metadata.encryption-workflow-id`, message: 'bound to another workflow' },
        ]);
      else if (err instanceof CodecKeyError)
        refusal = new ApiError(422, 'CODEC_KEY', err.message, 'the key that sealed this payload is not in TEMPORAL_CODEC_KEYS');
      else throw err;
    }
    // Behind the door: the caller is always known here.
    const principal = principalOf(res);
    await audit(
      deps.db,
      principal.actor,
      refusal ? 'codec.decode_refused' : 'codec.decode',
      visitIds.length === 1 ? visitIds[0] : null,
      {
        namespace: deps.namespace,
        payloads: payloads.length,
        keyIds,
        workflowIds,
        visitIds,
        unbound: bindings.filter((b) => b === undefined).length,
        ...(claimed !== undefined && { claimedWorkflowId: claimed }),
        // On a refusal the ids are what the payloads declare; nothing was opened to authenticate them.
        ...(refusal && { refused: refusal.code, idsAuthenticated: false }),
      },
      { role: principal.roles.join(','), source: req.ip },
    );
    if (refusal) throw refusal;
    return out;
  }

  router.post('/codec/decode', codecBody, handle('decode'));
  router.post('/codec/encode', codecBody, handle('encode'));
  return router;
}

/**
 * CORS for the codec only, mounted before the door: the listed origins, credentials allowed, the
 * headers the Temporal UI sends; a preflight is answered here (204) without reading a body. Only
 * the two codec paths exactly as written; any other spelling goes on to the API's CORS and the door.
 */
export function codecCors(allowedOrigins: string[]): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!CODEC_PATHS.includes(req.path)) return next();
    const origin = req.header('origin');
    res.vary('Origin');
    if (origin !== undefined) {
      if (!allowedOrigins.includes(origin)) {
        next(new ApiError(403, 'ORIGIN_NOT_ALLOWED', `origin ${origin} may not call the codec`, 'add it to TEMPORAL_UI_ORIGINS'));
        return;
      }
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
        'Access-Control-Max-Age': '600',
      });
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}
