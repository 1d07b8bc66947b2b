/**
 * The simulator's own SFTP server (ssh2), used by `npm start` with CLEARINGHOUSE_TRANSPORT=sftp,
 * driven by revcycle's SFTP client: a submission swept, its answers listed, read and archived.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { build837P } from '../../domain/x12/build-837p';
import { detectTransaction } from '../../domain/x12/detect';
import { sampleBatch, sampleClaim, sampleEnvelope } from '../../domain/x12/samples';
import { createSftpClearinghouseClient } from '../../integrations/clearinghouse/sftp';
import { startClearinghouseSimulator } from '.';
import { startSftpServer } from './sftp-server';

test('an 837 put over SFTP is taken by the simulator; its 999, 277CA and 835 are read and archived; nothing outside the root can be named', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sim-sftp-'));
  const host = utils.generateKeyPairSync('ed25519');
  const user = utils.generateKeyPairSync('ed25519');
  const sim = await startClearinghouseSimulator({
    callbackUrl: 'http://127.0.0.1:9/unused',
    delivery: 'folder',
    sftpRoot: root,
    sftpSweepMs: 3_600_000,
    ackDelayMs: 0,
    adjudicationDelayMs: 0,
  });
  const server = await startSftpServer({ host: '127.0.0.1', port: 0, root, username: 'revcycle', hostKey: host.private, authorizedKey: user.public });
  const client = (privateKey = user.private, outboundDir = 'outbound') =>
    createSftpClearinghouseClient({
      host: '127.0.0.1',
      port: server.port,
      username: 'revcycle',
      privateKey,
      inboundDir: 'inbound',
      outboundDir,
      archiveDir: 'archive',
      fileName: '{sender}_{control}.837',
      timeoutMs: 5000,
      realTime: { eligibility: async () => '', claimStatus: async () => '', appeal: async () => ({ appealId: '', duplicate: false }) },
    });
  try {
    const { submissionId } = await client().submit(build837P(sampleBatch([sampleClaim('SIMSFTP')]), sampleEnvelope(901)));
    expect(sim.sweepInbound()).toBe(1);
    await sim.settled();
    const files = await client().retrieve();
    expect(files.map((f) => detectTransaction(f.body).kind).sort()).toEqual(['277CA', '835', '999']);
    for (const f of files) await client().archive(f);
    expect(readdirSync(join(root, 'outbound'))).toEqual([]);
    expect(readdirSync(join(root, 'archive'))).toHaveLength(3);
    expect(readdirSync(join(root, 'processed'))[0]).toContain(submissionId);
    await expect(client(user.private, '../..').retrieve()).rejects.toThrow(/clearinghouse SFTP/);
    await expect(client(utils.generateKeyPairSync('ed25519').private).retrieve()).rejects.toMatchObject({ reason: 'UnAuthorized' });
  } finally {
    await server.close();
    await sim.close();
    rmSync(root, { recursive: true, force: true });
  }
});
