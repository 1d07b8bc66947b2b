/**
 * Why we frame MLLP ourselves. @medplum/hl7 4.5.2's Hl7Connection decides a frame has
 * ended only when the current TCP chunk ends with FS CR (connection.ts, the 'data'
 * handler). TCP does not preserve write boundaries, so two frames in one chunk, or a chunk
 * that ends inside the next frame, become one merged message. These tests assert that
 * library behaviour; when an upgrade fixes it they fail, and the choice can be revisited.
 * Our own deframer (domain/hl7/mllp.ts) is run on the same bytes for comparison.
 */
import type { Hl7Message } from '@medplum/core';
import { Hl7Connection, type Hl7MessageEvent, Hl7Server } from '@medplum/hl7';
import net from 'net';
import { frameMllp, MllpDeframer } from '../../domain/hl7/mllp';

const a = 'MSH|^~\\&|PMS||REVCYCLE||20260101||SIU^S12^SIU_S12|A1|P|2.5.1\rSCH|V1|V1';
const b = 'MSH|^~\\&|PMS||REVCYCLE||20260101||SIU^S15^SIU_S15|B2|P|2.5.1\rSCH|V2|V2';
const twoFrames = Buffer.concat([frameMllp(a), frameMllp(b)]);

/** Feeds chunks to a library connection over an unconnected socket, so chunk boundaries are exact. */
async function libraryReads(chunks: Buffer[]): Promise<string[]> {
  const socket = new net.Socket();
  const connection = new Hl7Connection(socket);
  const received: string[] = [];
  connection.addEventListener('message', (event: Hl7MessageEvent) => received.push(event.message.toString()));
  for (const chunk of chunks) socket.emit('data', chunk);
  await new Promise((resolve) => setImmediate(resolve));
  socket.destroy();
  return received;
}

const oursRead = (chunks: Buffer[]) => {
  const deframer = new MllpDeframer();
  return chunks.flatMap((chunk) => deframer.push(chunk));
};

const controlIds = (text: string) => [...text.matchAll(/\|(SIU\^S1\d\^SIU_S1\d)\|(\w+)\|/g)].map((m) => m[2]);

describe('@medplum/hl7 4.5.2 MLLP framing (the reason for domain/hl7/mllp.ts)', () => {
  it('reads one message split across writes when the last write ends the frame', async () => {
    const frame = frameMllp(a);
    const chunks = [frame.subarray(0, 20), frame.subarray(20)];
    expect(await libraryReads(chunks)).toEqual([a]);
    expect(oursRead(chunks)).toEqual([a]);
  });

  it('merges two messages that arrive in one chunk into one', async () => {
    const received = await libraryReads([twoFrames]);
    expect(received).toHaveLength(1);
    expect(controlIds(received[0])).toEqual(['A1', 'B2']);
    expect(oursRead([twoFrames])).toEqual([a, b]);
  });

  it('holds back a complete message while its chunk ends inside the next one, then merges them', async () => {
    const cut = frameMllp(a).length + 5;
    const chunks = [twoFrames.subarray(0, cut), twoFrames.subarray(cut)];
    const received = await libraryReads(chunks);
    expect(received).toHaveLength(1);
    expect(controlIds(received[0])).toEqual(['A1', 'B2']);
    expect(oursRead(chunks)).toEqual([a, b]);
  });

  it('over a real socket, its server takes two messages written at once for one', async () => {
    const received: Hl7Message[] = [];
    let first!: () => void;
    const arrived = new Promise<void>((resolve) => (first = resolve));
    const server = new Hl7Server((connection) => {
      connection.addEventListener('message', (event: Hl7MessageEvent) => {
        received.push(event.message);
        first();
      });
    });
    server.start(0);
    const listening = server.server!;
    await new Promise<void>((resolve) => (listening.listening ? resolve() : listening.once('listening', () => resolve())));
    const { port } = listening.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.write(twoFrames);
    await arrived;
    client.destroy();
    await server.stop({ forceDrainTimeoutMs: 0 });
    expect(received).toHaveLength(1);
    expect(controlIds(received[0].toString())).toEqual(['A1', 'B2']);
  });
});
