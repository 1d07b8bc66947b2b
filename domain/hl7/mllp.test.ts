import { CR, FS, frameMllp, MAX_FRAME_BYTES, MllpDeframer, MllpFrameTooLargeError, VT } from './mllp';

const a = 'MSH|^~\\&|PMS||REVCYCLE||20260101||SIU^S12|A1|P|2.5.1\rPID|1||X^^^^MR';
const b = 'MSH|^~\\&|PMS||REVCYCLE||20260101||SIU^S15|B2|P|2.5.1\rSCH|V1|V1';

describe('MLLP framing', () => {
  it('wraps a message in VT ... FS CR', () => {
    const frame = frameMllp('MSH|x');
    expect([...frame.subarray(0, 1), ...frame.subarray(-2)]).toEqual([VT, FS, CR]);
    expect(frame.subarray(1, -2).toString()).toBe('MSH|x');
  });

  it('finds two messages in one chunk', () => {
    expect(new MllpDeframer().push(Buffer.concat([frameMllp(a), frameMllp(b)]))).toEqual([a, b]);
  });

  it('assembles a message delivered one byte at a time', () => {
    const deframer = new MllpDeframer();
    const bytes = frameMllp(a);
    const out = [...bytes].flatMap((byte) => deframer.push(Buffer.of(byte)));
    expect(out).toEqual([a]);
  });

  it('handles a chunk that ends inside the next frame, or between FS and CR', () => {
    const stream = Buffer.concat([frameMllp(a), frameMllp(b)]);
    const deframer = new MllpDeframer();
    const cutInB = frameMllp(a).length + 10;
    const cutBetweenFsCr = stream.length - 1;
    expect(deframer.push(stream.subarray(0, cutInB))).toEqual([a]);
    expect(deframer.push(stream.subarray(cutInB, cutBetweenFsCr))).toEqual([]);
    expect(deframer.push(stream.subarray(cutBetweenFsCr))).toEqual([b]);
  });

  it('keeps a UTF-8 character split across chunks intact', () => {
    const message = 'MSH|^~\\&|PMS\rPID|1||X||Muñoz^José';
    const frame = frameMllp(message);
    const cut = frame.indexOf(Buffer.from('ñ')) + 1;
    const deframer = new MllpDeframer();
    expect([...deframer.push(frame.subarray(0, cut)), ...deframer.push(frame.subarray(cut))]).toEqual([message]);
  });

  it('skips bytes between frames', () => {
    const stream = Buffer.concat([Buffer.from('\r\n'), frameMllp(a), Buffer.from('\n'), frameMllp(b)]);
    expect(new MllpDeframer().push(stream)).toEqual([a, b]);
  });

  it('refuses a frame that never ends instead of buffering without limit', () => {
    const deframer = new MllpDeframer();
    deframer.push(Buffer.of(VT));
    expect(() => deframer.push(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x41))).toThrow(MllpFrameTooLargeError);
  });
});
