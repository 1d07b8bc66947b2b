/**
 * The SFTP transport against a real OpenSSH sshd (test/sshd.ts), with the clearinghouse
 * simulator working the same folders, and the mailbox poll recording files in Postgres.
 * Connections are dropped mid-transfer by a relay in front of the real server.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollClearinghouseMailbox } from '../../activities/clearinghouse-mailbox';
import type { Db } from '../../db/knex';
import { build837P } from '../../domain/x12/build-837p';
import { detectTransaction } from '../../domain/x12/detect';
import { parse835 } from '../../domain/x12/remittance';
import { sampleBatch, sampleClaim, sampleEnvelope } from '../../domain/x12/samples';
import { startClearinghouseSimulator, type ClearinghouseSimulator } from '../../simulators/clearinghouse';
import { sftpFolders } from '../../simulators/clearinghouse/core';
import { startCuttingRelay, sshdUnavailable, startSshd, type Sshd } from '../../test/sshd';
import { createTestDb } from '../../test/support';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from './errors';
import { createSftpClearinghouseClient, type SftpClearinghouseOptions } from './sftp';

const why = sshdUnavailable();
if (why) console.warn(`SFTP tests skipped: ${why}`);
const describeSshd = why ? describe.skip : describe;

let control = 700;
const file837 = (n: number, prefix: string) =>
  build837P(sampleBatch(Array.from({ length: n }, (_, i) => sampleClaim(`${prefix}-${i}`))), sampleEnvelope(++control));

describeSshd('clearinghouse over SFTP (real sshd)', () => {
  let sshd: Sshd;
  let database: Awaited<ReturnType<typeof createTestDb>>;
  let db: Db;
  let sim: ClearinghouseSimulator;
  let folders: ReturnType<typeof sftpFolders>;
  let archive: string;
  const delivered: string[] = [];

  const clientOn = (port: number, extra: Partial<SftpClearinghouseOptions> = {}) =>
    createSftpClearinghouseClient({
      host: sshd.host,
      port,
      username: sshd.username,
      privateKey: sshd.privateKey,
      hostKeySha256: sshd.hostKeySha256,
      inboundDir: folders.inbound,
      outboundDir: folders.outbound,
      archiveDir: archive,
      fileName: '{sender}_{control}_{hash}.837',
      timeoutMs: 10_000,
      realTime: { eligibility: async () => '', claimStatus: async () => '', appeal: async () => ({ appealId: '', duplicate: false }) },
      ...extra,
    });
  const poll = (port = sshd.port) =>
    pollClearinghouseMailbox({ db, mailbox: clientOn(port), source: 'sftp', deliver: async (x12) => void delivered.push(x12) });

  beforeAll(async () => {
    sshd = await startSshd();
    database = await createTestDb();
    db = database.db;
    folders = sftpFolders(sshd.root);
    archive = join(sshd.root, 'archive');
    // The simulator sweeps only when told (sweepInbound), so each test says when the partner looks.
    sim = await startClearinghouseSimulator({
      callbackUrl: 'http://127.0.0.1:9/unused',
      delivery: 'folder',
      sftpRoot: sshd.root,
      sftpSweepMs: 3_600_000,
      ackDelayMs: 0,
      adjudicationDelayMs: 0,
    });
  });
  afterAll(async () => {
    await sim?.close();
    await database?.drop();
    await sshd?.stop();
  });
  beforeEach(() => void (delivered.length = 0));

  it('puts the 837 under its final name only when whole, once; the partner answers 999, 277CA, 835 into outbound; each is taken once and archived', async () => {
    const client = clientOn(sshd.port);
    const x12 = file837(1, 'SF');
    const first = await client.submit(x12);
    expect(first).toEqual({ submissionId: expect.stringMatching(/^NORTHSIDE01_\d{9}_[0-9a-f]{12}\.837$/), duplicate: false });
    expect(readdirSync(folders.inbound)).toEqual([first.submissionId]);
    expect(readFileSync(join(folders.inbound, first.submissionId), 'utf8')).toBe(x12);
    expect(await client.submit(x12)).toEqual({ ...first, duplicate: true });

    expect(sim.sweepInbound()).toBe(1);
    await sim.settled();
    expect(sim.submissions()).toHaveLength(1);
    expect(readdirSync(folders.outbound)).toHaveLength(3);

    expect(await poll()).toEqual({ read: 3, received: 3, delivered: 3 });
    expect(delivered.map((d) => detectTransaction(d).kind).sort()).toEqual(['277CA', '835', '999']);
    expect(parse835(delivered.find((d) => detectTransaction(d).kind === '835')!).remittances[0].claims[0].patientControlNumber).toBe('SF-0');
    expect(readdirSync(folders.outbound)).toEqual([]);
    expect(readdirSync(archive)).toHaveLength(3);
    expect(await poll()).toEqual({ read: 0, received: 0, delivered: 0 });
  });

  it('never takes a file twice: the same name and bytes put back in outbound is read, archived again, not delivered', async () => {
    const [name] = readdirSync(archive).filter((n) => n.startsWith('835_'));
    writeFileSync(join(folders.outbound, name), readFileSync(join(archive, name)));
    expect(await poll()).toEqual({ read: 1, received: 0, delivered: 0 });
    expect(readdirSync(folders.outbound)).toEqual([]);
    expect(readdirSync(archive).filter((n) => n.startsWith(name))).toHaveLength(2);
  });

  it('a connection dropped mid-upload leaves no file under the final name; the retry puts it whole', async () => {
    const x12 = file837(300, 'BIG');
    const relay = await startCuttingRelay(sshd.port, 'up', 64 * 1024);
    try {
      const error = await clientOn(relay.port)
        .submit(x12)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClearinghouseUnavailableError);
      expect(relay.cuts).toBe(1);
    } finally {
      await relay.close();
    }
    expect(readdirSync(folders.inbound).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(sim.sweepInbound()).toBe(0);
    const { submissionId } = await clientOn(sshd.port).submit(x12);
    expect(readFileSync(join(folders.inbound, submissionId), 'utf8')).toBe(x12);
    expect(readdirSync(folders.inbound)).toEqual([submissionId]);
    expect(sim.sweepInbound()).toBe(1);
    await sim.settled();
    await poll(); // takes this submission's answers, so the next test starts from an empty outbound
  });

  it('a read cut short records nothing; the next poll reads the file again whole', async () => {
    const big = file837(300, 'READ'); // any large file stands in for a large 835
    writeFileSync(join(folders.outbound, '835_BIG.x12'), big);
    const relay = await startCuttingRelay(sshd.port, 'down', 64 * 1024);
    try {
      await expect(poll(relay.port)).rejects.toBeInstanceOf(ClearinghouseUnavailableError);
    } finally {
      await relay.close();
    }
    expect(await db('inbound_files').where({ name: '835_BIG.x12' }).count<{ count: string }[]>('id as count')).toEqual([{ count: '0' }]);
    expect(existsSync(join(folders.outbound, '835_BIG.x12'))).toBe(true);
    expect(await poll()).toEqual({ read: 1, received: 1, delivered: 1 });
    expect(delivered).toEqual([big]);
  });

  it('a file that is not X12 is set aside with its reason and does not hold back the file behind it', async () => {
    writeFileSync(join(folders.outbound, '835_A_BROKEN.x12'), 'not an interchange');
    writeFileSync(
      join(folders.outbound, '835_B_GOOD.x12'),
      readFileSync(
        join(
          archive,
          readdirSync(archive).find((n) => n.startsWith('835_'))!,
        ),
      )
        .toString()
        .replace('~', '~ '),
    );
    const deliverOrRefuse = async (x12: string) =>
      x12.startsWith('ISA') ? void delivered.push(x12) : { refused: 'X12_SYNTAX: the file does not start with ISA' };
    expect(await pollClearinghouseMailbox({ db, mailbox: clientOn(sshd.port), source: 'sftp', deliver: deliverOrRefuse })).toEqual({
      read: 2,
      received: 2,
      delivered: 1,
      refused: 1,
    });
    expect(await db('inbound_files').where({ name: '835_A_BROKEN.x12' }).first('refused', 'body')).toEqual({
      refused: 'X12_SYNTAX: the file does not start with ISA',
      body: 'not an interchange',
    });
    expect(await poll()).toEqual({ read: 0, received: 0, delivered: 0 });
  });

  it('refuses a server whose host key is not the pinned one, and a key the server does not know', async () => {
    const wrongHost = await clientOn(sshd.port, { hostKeySha256: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
      .retrieve()
      .catch((e: unknown) => e);
    expect(wrongHost).toBeInstanceOf(ClearinghouseUnavailableError);
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const wrongUser = await clientOn(sshd.port, { privateKey: stranger })
      .retrieve()
      .catch((e: unknown) => e);
    expect(wrongUser).toBeInstanceOf(ClearinghouseRejectedError);
    expect(wrongUser).toMatchObject({ reason: 'UnAuthorized', retryable: false });
  });
});
