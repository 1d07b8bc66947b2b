/**
 * An in-memory FHIR R4 server standing in for the practice's EHR: read, search
 * (identifier, references, status, _lastUpdated, _include, _revinclude), create,
 * conditional create (If-None-Exist), update, conditional update (PUT by search criteria), versioned meta, OperationOutcome errors
 * and a CapabilityStatement. Seeded faults apply to the FHIR endpoints; the
 * clinician's /sim endpoints are the test harness and never fail on purpose.
 */
import type {
  Appointment,
  Bundle,
  CapabilityStatement,
  CapabilityStatementRestResource,
  OperationOutcome,
  OperationOutcomeIssue,
  Resource,
} from '@medplum/fhirtypes';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ZodError } from 'zod';
import { Faults, httpFaults } from '../faults';
import { type EhrSimulatorAuth, requireToken, smartConfiguration } from './auth';
import { SignEncounterInput, VisitNotPrepopulatedError, appointmentOfVisit, chartEncounter } from './clinician';
import { deliver, encounterSignedNotification } from './notify';
import { REFERENCE_PARAMS, SUPPORTED_TYPES, SearchError } from './search';
import { seedEhr } from './seed';
import { openPersisted } from '../persist';
import { FhirSnapshot, FhirStore } from './store';

export interface EhrSimulatorOptions {
  port?: number;
  host?: string;
  /** Where "encounter signed" notifications go; none are sent without it. */
  webhookUrl?: string;
  /** The secret notifications are signed with (revcycle's WEBHOOK_EHR_SECRET); required with webhookUrl. */
  webhookSecret?: string;
  faults?: Faults;
  /** Synthetic patients with signed encounters that revcycle never booked (default true); only into an empty store. */
  seed?: boolean;
  /** JSON file the resources are kept in across restarts (loaded at start, saved after each write); in memory only without it. */
  dataFile?: string;
  /** SMART Backend Services: FHIR requests need a token this authorization server issued (EHR_AUTH=smart). Open without it. */
  auth?: EhrSimulatorAuth;
}

export interface EhrSimulator {
  /** The FHIR base URL; the /sim endpoints hang off it too. */
  url: string;
  close(): Promise<void>;
  count(resourceType: string): number;
  signEncounter(input: SignEncounterInput): Promise<{ encounterId: string }>;
  /** Notifications: delivered, and given up after retries. */
  notifications: { delivered: number; failed: number };
}

const FHIR_JSON = 'application/fhir+json';

class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly issueCode: IssueCode,
    message: string,
  ) {
    super(message);
  }
}

type IssueCode = OperationOutcomeIssue['code'];

const outcome = (severity: 'error' | 'information', code: IssueCode, diagnostics: string): OperationOutcome => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity, code, diagnostics }],
});

function sendFhir(res: Response, status: number, body: Resource): void {
  res.status(status).type(FHIR_JSON).send(JSON.stringify(body));
}

function sendResource(req: Request, res: Response, status: number, resource: Resource): void {
  const location = `${baseOf(req)}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`;
  res.setHeader('ETag', `W/"${resource.meta?.versionId}"`);
  res.setHeader('Last-Modified', new Date(resource.meta?.lastUpdated ?? Date.now()).toUTCString());
  if (status === 201) res.setHeader('Location', location);
  sendFhir(res, status, resource);
}

const baseOf = (req: Request) => `${req.protocol}://${req.get('host')}`;

function knownType(type: string): string {
  if (!SUPPORTED_TYPES.includes(type)) throw new FhirError(404, 'not-supported', `resource type ${type} is not supported`);
  return type;
}

function resourceBody(req: Request, type: string): Resource {
  const body = req.body as Resource | undefined;
  if (body?.resourceType !== type) throw new FhirError(400, 'invalid', `the body must be a ${type} resource`);
  return body;
}

function searchBundle(req: Request, store: FhirStore, type: string, params: URLSearchParams): Bundle {
  const { matches, included } = store.search(type, params);
  const entry = (r: Resource, mode: 'match' | 'include') => ({ fullUrl: `${baseOf(req)}/${r.resourceType}/${r.id}`, resource: r, search: { mode } });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: matches.length,
    link: [{ relation: 'self', url: `${baseOf(req)}${req.originalUrl}` }],
    entry: [...matches.map((r) => entry(r, 'match')), ...included.map((r) => entry(r, 'include'))],
  };
}

function capabilityStatement(): CapabilityStatement {
  const includes = Object.entries(REFERENCE_PARAMS).flatMap(([type, params]) => Object.keys(params).map((p) => `${type}:${p}`));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: [FHIR_JSON],
    software: { name: 'revcycle EHR simulator' },
    rest: [
      {
        mode: 'server',
        resource: SUPPORTED_TYPES.map((type): CapabilityStatementRestResource => ({
          type: type as CapabilityStatementRestResource['type'],
          interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }, { code: 'update' }],
          versioning: 'versioned',
          updateCreate: true,
          conditionalCreate: true,
          conditionalUpdate: true,
          searchParam: [
            { name: '_id', type: 'token' },
            { name: '_lastUpdated', type: 'date' },
            { name: 'identifier', type: 'token' },
            { name: 'status', type: 'token' },
            ...Object.keys(REFERENCE_PARAMS[type]).map((name) => ({ name, type: 'reference' as const })),
          ],
          searchInclude: includes.filter((i) => i.startsWith(`${type}:`)),
          searchRevInclude: includes.filter((i) => !i.startsWith(`${type}:`)),
        })),
      },
    ],
  };
}

function fhirRoutes(store: FhirStore): express.Router {
  const fhir = express.Router();
  fhir.get('/metadata', (_req, res) => sendFhir(res, 200, capabilityStatement()));
  fhir.get('/:type', (req, res) => {
    const type = knownType(req.params.type);
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    sendFhir(res, 200, searchBundle(req, store, type, new URLSearchParams(query)));
  });
  fhir.get('/:type/:id', (req, res) => {
    const resource = store.read(knownType(req.params.type), req.params.id);
    if (!resource) throw new FhirError(404, 'not-found', `${req.params.type}/${req.params.id} is not known`);
    sendResource(req, res, 200, resource);
  });
  fhir.post('/:type', (req, res) => {
    const type = knownType(req.params.type);
    const resource = resourceBody(req, type);
    const criteria = req.get('if-none-exist');
    if (criteria) {
      const { matches } = store.search(type, new URLSearchParams(criteria.replace(/^[^?]*\?/, '')));
      if (matches.length > 1) throw new FhirError(412, 'duplicate', `${matches.length} ${type} resources match If-None-Exist`);
      if (matches.length === 1) return sendResource(req, res, 200, matches[0]);
    }
    sendResource(req, res, 201, store.create({ ...resource, id: undefined }));
  });
  // Conditional update (FHIR R4 3.1.0.4.3): no match creates, one match is updated in place, several are 412.
  fhir.put('/:type', (req, res) => {
    const type = knownType(req.params.type);
    const resource = resourceBody(req, type);
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    if (!query) throw new FhirError(400, 'invalid', `a conditional update of ${type} needs search criteria`);
    const { matches } = store.search(type, new URLSearchParams(query));
    if (matches.length > 1) throw new FhirError(412, 'multiple-matches', `${matches.length} ${type} resources match the criteria`);
    const id = matches[0]?.id;
    if (resource.id && resource.id !== id) throw new FhirError(400, 'invalid', `the body's id ${resource.id} is not the matching resource's`);
    if (!id) return sendResource(req, res, 201, store.create({ ...resource, id: undefined }));
    sendResource(req, res, 200, store.update({ ...resource, id }).resource);
  });
  fhir.put('/:type/:id', (req, res) => {
    const resource = resourceBody(req, knownType(req.params.type));
    if (resource.id !== req.params.id) throw new FhirError(400, 'invalid', `the body's id must be ${req.params.id}`);
    const { resource: stored, created } = store.update({ ...resource, id: req.params.id });
    sendResource(req, res, created ? 201 : 200, stored);
  });
  return fhir;
}

/** Every FHIR failure as an OperationOutcome with its proper status. */
function fhirErrors(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof FhirError) return sendFhir(res, err.status, outcome('error', err.issueCode, err.message));
  if (err instanceof SearchError) return sendFhir(res, 400, outcome('error', 'not-supported', err.message));
  const status = (err as { status?: number }).status;
  if (status === 400 || status === 413 || status === 415) return sendFhir(res, status, outcome('error', 'invalid', (err as Error).message));
  sendFhir(res, 500, outcome('error', 'exception', (err as Error).message));
}

export async function startEhrSimulator(opts: EhrSimulatorOptions = {}): Promise<EhrSimulator> {
  const faults = opts.faults ?? Faults.none();
  const { store, flush } = openStore(opts);
  const notifications = { delivered: 0, failed: 0, sent: 0 };
  let url = '';

  async function signEncounter(input: SignEncounterInput): Promise<{ encounterId: string }> {
    const signed = SignEncounterInput.parse(input);
    const appointment = appointmentOfVisit(store, signed.visitId);
    const encounter = chartEncounter(store, appointment, signed);
    if (opts.webhookUrl) await notify(opts.webhookUrl, encounterSignedNotification(url, encounter, appointment as Appointment, ++notifications.sent));
    return { encounterId: encounter.id as string };
  }

  async function notify(webhookUrl: string, bundle: Bundle): Promise<void> {
    const copies = faults.duplicate() ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const { delivered } = await deliver(webhookUrl, opts.webhookSecret ?? '', bundle);
      notifications[delivered ? 'delivered' : 'failed']++;
    }
  }

  const app = express();
  app.set('query parser', 'simple');
  const auth = opts.auth;
  if (auth) {
    app.get('/.well-known/smart-configuration', (_req, res) => void res.json(smartConfiguration(auth)));
    // Before the body is parsed: an unauthenticated request costs nothing but the check.
    const guard = requireToken(auth);
    app.use((req, res, next) => (req.path.startsWith('/sim/') ? next() : guard(req, res, next)));
  }
  app.use(express.json({ type: ['application/json', FHIR_JSON], limit: '5mb' }));
  app.post('/sim/encounters', async (req, res) => res.status(201).json(await signEncounter(req.body)));
  app.get('/sim/stats', (_req, res) => {
    res.json({ counts: Object.fromEntries(SUPPORTED_TYPES.map((t) => [t, store.count(t)])), faults: faults.injected, notifications });
  });
  app.use('/sim', simErrors);
  app.use(httpFaults(faults), fhirRoutes(store), fhirErrors);

  const server = await listen(app, opts.port ?? 0, opts.host ?? '127.0.0.1');
  const { address, port } = server.address() as AddressInfo;
  url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return {
    url,
    notifications,
    count: (type) => store.count(type),
    signEncounter,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))).finally(flush);
    },
  };
}

/** The store, restored from `dataFile` when it has one, else seeded; writes saved to `dataFile` (flush() on close). */
function openStore(opts: EhrSimulatorOptions): { store: FhirStore; flush(): void } {
  const { state: store, restored, flush } = openPersisted(opts.dataFile, FhirSnapshot, (changed) => new FhirStore(undefined, changed));
  if (!restored && (opts.seed ?? true)) seedEhr(store);
  return { store, flush };
}

function simErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (err instanceof VisitNotPrepopulatedError) res.status(404).json({ code: err.code, message: err.message });
  else if (err instanceof ZodError) res.status(400).json({ code: 'VALIDATION_FAILED', message: 'the signed encounter is not valid', issues: err.issues });
  else next(err);
}

function listen(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
