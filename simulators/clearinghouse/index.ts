/**
 * The clearinghouse simulator: one endpoint, `POST /x12`, taking an X12 interchange.
 * - 270 → the 271 at once (200, application/edi-x12);
 * - 276 → the 277 at once;
 * - 837P → 202 `{ submissionId, duplicate: false }`; the same ISA06 sender and ISA13
 *   control number again → 200 with the first submissionId and duplicate=true, nothing
 *   more. Then, in the background: a 999, a 277CA per payer, and after the
 *   adjudication delay an 835 per payer for the claims the front end accepted, each
 *   POSTed to `callbackUrl`.
 * - not X12, or broken envelopes → 400 `{ code: 'X12_SYNTAX', message }`; another
 *   transaction → 422.
 * Payer rules are in ./payer.ts. Faults (5xx, hangs, dropped answers, duplicate
 * callbacks) come only from the seeded `Faults`.
 */
import express from 'express';
import type { Server } from 'http';
import { detectTransaction } from '../../domain/x12/detect';
import { X12ContentError, X12SyntaxError, X12WrongTransactionError } from '../../domain/x12/errors';
import { RemittanceClaim } from '../../domain/x12/remittance';
import { Faults, httpFaults } from '../faults';
import { openPersisted } from '../persist';
import { CallbackSender, DeliveryRecord } from './callbacks';
import { ClearinghouseSnapshot, SubmissionRecord } from './state';
import { AppealRefused, Clearinghouse, type ClearinghouseSimulatorOptions } from './clearinghouse';
import { CoreEndpoint, coreRoutes, Mailbox, sftpFolders, sweepInbound, writeOutbound } from './core';

export type { ClearinghouseSimulatorOptions } from './clearinghouse';

export type { SubmissionRecord } from './state';

export interface ClearinghouseSimulator {
  url: string;
  /** Takes the 837 files waiting in the SFTP root's inbound/ now (as the sweep does), answering how many. */
  sweepInbound(): number;
  /** Answers the mailbox holds for CORE retrieval. */
  mailboxWaiting(): number;
  close(): Promise<void>;
  submissions(): SubmissionRecord[];
  deliveries(): DeliveryRecord[];
  /** Every claim the payers adjudicated (one per payer claim number): the payer's side of the money. */
  remittances(): RemittanceClaim[];
  /** Resolves when every background answer started so far has been delivered or given up. */
  settled(): Promise<void>;
}

function app(ch: Clearinghouse, faults: Faults, core: CoreEndpoint): express.Express {
  const a = express();
  a.get('/health', (_req, res) => void res.json({ ok: true }));
  // The payers' side of the money (one CLP per payer claim number, the latest), for cycle:check.
  a.get('/sim/remittances', (_req, res) => void res.json(ch.adjudicated()));
  a.use(httpFaults(faults));
  a.use(coreRoutes(core));
  a.post('/appeals', express.json({ limit: '20mb' }), (req, res) => {
    try {
      const result = ch.appeal(req.body ?? {});
      res.status(result.duplicate ? 200 : 202).json(result);
    } catch (e) {
      if (!(e instanceof AppealRefused)) throw e;
      res.status(404).json({ code: 'APPEAL_REFUSED', message: e.message });
    }
  });
  a.post('/x12', express.text({ type: ['application/edi-x12', 'application/x12', 'text/plain'], limit: '50mb' }), (req, res) => {
    const body = typeof req.body === 'string' ? req.body : '';
    try {
      const kind = detectTransaction(body).kind;
      if (kind === '270') return void res.type('application/edi-x12').send(ch.eligibility(body));
      if (kind === '276') return void res.type('application/edi-x12').send(ch.claimStatus(body));
      if (kind === '837P') {
        const result = ch.submit(body);
        return void res.status(result.duplicate ? 200 : 202).json(result);
      }
      res.status(422).json({ code: 'UNSUPPORTED_TRANSACTION', message: `this clearinghouse takes 270, 276 and 837P, not ${kind}` });
    } catch (e) {
      if (e instanceof X12SyntaxError || e instanceof X12ContentError || e instanceof X12WrongTransactionError) {
        return void res.status(400).json({ code: e.code, message: e.message });
      }
      throw e;
    }
  });
  return a;
}

export async function startClearinghouseSimulator(opts: ClearinghouseSimulatorOptions): Promise<ClearinghouseSimulator> {
  const faults = opts.faults ?? Faults.none();
  const mailbox = new Mailbox();
  const root = opts.sftpRoot;
  if (opts.delivery === 'folder' && !root) throw new Error('the folder delivery needs sftpRoot');
  if (root) sftpFolders(root); // the partner's folders exist before anyone logs in
  const sink =
    opts.delivery === 'mailbox'
      ? async (kind: string, x12: string) => mailbox.put(kind, x12)
      : opts.delivery === 'folder'
        ? async (kind: string, x12: string) => void writeOutbound(root!, kind, x12)
        : undefined;
  const sender = new CallbackSender(opts.callbackUrl, opts.callbackSecret ?? '', faults, opts.retry ?? { attempts: 5, backoffMs: 200 }, sink);
  const { state: ch, flush } = openPersisted(opts.dataFile, ClearinghouseSnapshot, (changed) => new Clearinghouse(sender, opts, changed));
  const core = new CoreEndpoint(ch, mailbox, opts.core ?? { username: 'revcycle', password: 'revcycle-sim' }, opts.now);
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app(ch, faults, core).listen(opts.port ?? 0, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const sweep = () => (root ? sweepInbound(root, ch) : 0);
  const sweeper = root ? setInterval(sweep, opts.sftpSweepMs ?? 250) : undefined;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://${host}:${port}`,
    sweepInbound: sweep,
    mailboxWaiting: () => mailbox.waiting(),
    submissions: () => ch.submissions(),
    deliveries: () => sender.deliveries.map((d) => ({ ...d })),
    remittances: () => ch.adjudicated(),
    settled: async () => {
      while (ch.pending.size) await Promise.all([...ch.pending]);
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      sender.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      flush();
    },
  };
}
