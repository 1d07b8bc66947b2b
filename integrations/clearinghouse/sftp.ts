/**
 * ClearinghouseClient over SFTP batch (ssh2-sftp-client on ssh2, key authentication only):
 * - submit: the 837P goes into the partner's inbound folder under a unique name derived from
 *   the interchange (sender, ISA13, a hash of the bytes), first as a dot-prefixed temporary
 *   name, then renamed: the partner never sees a partial file, and a connection dropped
 *   mid-transfer leaves only a temporary file the retry overwrites. The same bytes again are
 *   the same name (a resend is recognised; the partner also de-duplicates by ISA13).
 * - retrieve: every complete file in the outbound folder (999, 277CA, 835), each read whole
 *   (a read cut short throws, and the file is read again whole on the next poll);
 *   archive: moves a file recorded as received into the archive folder.
 * Each call opens its own connection and closes it: a dropped connection costs one call.
 * Eligibility and claim status are real-time: SFTP has none, so they go over `realTime`
 * (the partner's HTTP or CORE real-time endpoint), as do appeals.
 */
import { createHash } from 'node:crypto';
import SftpClient from 'ssh2-sftp-client';
import { ClearinghouseRejectedError, ClearinghouseUnavailableError } from './errors';
import type { ClearinghouseClient, ClearinghouseMailbox, MailboxFile } from './types';

export interface SftpClearinghouseOptions {
  host: string;
  port: number;
  username: string;
  /** OpenSSH or PEM private key text. */
  privateKey: string;
  passphrase?: string;
  /**
   * The server's host key fingerprint, `SHA256:<base64>` as `ssh-keygen -lf` prints it; a
   * server presenting another key is refused. Unset: any key is accepted (development only).
   */
  hostKeySha256?: string;
  inboundDir: string;
  outboundDir: string;
  archiveDir: string;
  /** The 837 file name: {sender}, {control}, {date}, {time}, {hash} are replaced from the interchange. */
  fileName: string;
  timeoutMs: number;
  /** Eligibility, claim status and appeals: SFTP carries batch files only. */
  realTime: Pick<ClearinghouseClient, 'eligibility' | 'claimStatus' | 'appeal'>;
}

/** The interchange's own facts a file name may carry (ISA is fixed-width; its 4th character separates elements). */
export function interchangeFacts(x12: string): { sender: string; control: string; date: string; time: string; hash: string } {
  const isa = x12.trimStart().slice(0, 106);
  const el = isa.split(isa.charAt(3));
  if (!isa.startsWith('ISA') || el.length < 16) throw new ClearinghouseRejectedError('the file does not start with an ISA segment', 400, 'X12_SYNTAX');
  const hash = createHash('sha256').update(x12, 'utf8').digest('hex').slice(0, 12);
  return { sender: el[6].trim(), control: el[13].trim(), date: el[9].trim(), time: el[10].trim(), hash };
}

export function fileNameFor(pattern: string, x12: string): string {
  const facts = interchangeFacts(x12);
  const name = pattern.replace(/\{(sender|control|date|time|hash)\}/g, (_m, k: keyof typeof facts) => facts[k]);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name))
    throw new ClearinghouseRejectedError(`the file name ${JSON.stringify(name)} is not a plain file name`, 400, 'FILE_NAME');
  return name;
}

export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

export function createSftpClearinghouseClient(opts: SftpClearinghouseOptions): ClearinghouseClient & ClearinghouseMailbox {
  const expected = opts.hostKeySha256?.replace(/=+$/, '');

  async function withSftp<T>(what: string, work: (sftp: SftpClient) => Promise<T>): Promise<T> {
    const sftp = new SftpClient('revcycle-clearinghouse');
    try {
      await sftp.connect({
        host: opts.host,
        port: opts.port,
        username: opts.username,
        privateKey: opts.privateKey,
        passphrase: opts.passphrase,
        readyTimeout: opts.timeoutMs,
        timeout: opts.timeoutMs,
        retries: 0,
        ...(expected ? { hostVerifier: (key: Buffer) => fingerprintOf(key) === expected } : {}),
      });
      return await work(sftp);
    } catch (err) {
      if (err instanceof ClearinghouseRejectedError || err instanceof ClearinghouseUnavailableError) throw err;
      const message = (err as Error).message;
      if (/authentication|permission denied/i.test(message))
        throw new ClearinghouseRejectedError(`clearinghouse SFTP ${what}: ${message}`, 401, 'UnAuthorized');
      throw new ClearinghouseUnavailableError(`clearinghouse SFTP ${what}: ${message}`, undefined, { cause: err });
    } finally {
      await sftp.end().catch(() => undefined);
    }
  }

  return {
    eligibility: (x12) => opts.realTime.eligibility(x12),
    claimStatus: (x12) => opts.realTime.claimStatus(x12),
    appeal: (packet) => opts.realTime.appeal(packet),
    async submit(x12) {
      const name = fileNameFor(opts.fileName, x12);
      return withSftp(`put ${name}`, async (sftp) => {
        const final = `${opts.inboundDir}/${name}`;
        if (await sftp.exists(final)) return { submissionId: name, duplicate: true };
        const temp = `${opts.inboundDir}/.${name}.part`;
        await sftp.put(Buffer.from(x12, 'utf8'), temp);
        const written = await sftp.stat(temp);
        if (written.size !== Buffer.byteLength(x12, 'utf8'))
          throw new ClearinghouseUnavailableError(`clearinghouse SFTP: ${temp} has ${written.size} bytes, not ${Buffer.byteLength(x12, 'utf8')}`);
        try {
          await sftp.rename(temp, final);
        } catch (err) {
          // SFTP rename never overwrites: the final name appeared meanwhile, this file is already there.
          if (await sftp.exists(final)) {
            await sftp.delete(temp, true);
            return { submissionId: name, duplicate: true };
          }
          throw err;
        }
        return { submissionId: name, duplicate: false };
      });
    },
    async retrieve() {
      return withSftp(`list ${opts.outboundDir}`, async (sftp) => {
        const entries = (await sftp.list(opts.outboundDir))
          .filter((e) => e.type === '-' && !e.name.startsWith('.'))
          .sort((a, b) => a.modifyTime - b.modifyTime || a.name.localeCompare(b.name));
        const files: MailboxFile[] = [];
        for (const e of entries) {
          const bytes = (await sftp.get(`${opts.outboundDir}/${e.name}`)) as Buffer;
          if (bytes.length !== e.size) throw new ClearinghouseUnavailableError(`clearinghouse SFTP: read ${bytes.length} of ${e.size} bytes of ${e.name}`);
          files.push({ name: e.name, body: bytes.toString('utf8') });
        }
        return files;
      });
    },
    async archive(file) {
      await withSftp(`archive ${file.name}`, async (sftp) => {
        if (!(await sftp.exists(opts.archiveDir))) await sftp.mkdir(opts.archiveDir, true);
        const from = `${opts.outboundDir}/${file.name}`;
        if (!(await sftp.exists(from))) return; // archived already
        const taken = await sftp.exists(`${opts.archiveDir}/${file.name}`);
        const to = taken
          ? `${opts.archiveDir}/${file.name}.${createHash('sha256').update(file.body).digest('hex').slice(0, 12)}`
          : `${opts.archiveDir}/${file.name}`;
        await sftp.rename(from, to);
      });
    },
  };
}
