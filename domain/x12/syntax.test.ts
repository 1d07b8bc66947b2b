import { parseInterchange } from './envelope';
import { X12Writer } from './writer';
import { X12BuildError, X12SyntaxError } from './errors';
import { build837P } from './build-837p';
import { sampleBatch, sampleClaim, sampleEnvelope } from './samples';
import { readDelimiters, scan, tokenize } from './syntax';
import { amountToCents, centsToAmount } from './values';

const claimFile = build837P(sampleBatch([sampleClaim('C-1')]), sampleEnvelope(7));

function syntaxError(fn: () => unknown): X12SyntaxError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(X12SyntaxError);
    return e as X12SyntaxError;
  }
  throw new Error('expected an X12SyntaxError');
}

describe('delimiters and tokens', () => {
  it('reads the delimiters from the ISA, whatever they are', () => {
    const odd = claimFile.replace(/\*/g, '|').replace(/~/g, '!').replace(/:/g, '>').replace('|^|', '|#|');
    expect(readDelimiters(odd)).toEqual({ element: '|', component: '>', repetition: '#', segment: '!' });
    expect(tokenize(odd).map((s) => s.id)).toEqual(tokenize(claimFile).map((s) => s.id));
  });

  it('reads files with and without line breaks alike, numbering lines when there are some', () => {
    const flat = claimFile.replace(/\n/g, '');
    const crlf = claimFile.replace(/\n/g, '\r\n');
    expect(tokenize(flat).map(String)).toEqual(tokenize(claimFile).map(String));
    expect(tokenize(crlf).map(String)).toEqual(tokenize(claimFile).map(String));
    expect(tokenize(claimFile)[20].line).toBe(21);
    expect(tokenize(flat)[20].line).toBe(21);
  });

  it('treats the 4010 U in ISA11 as no repetition separator', () => {
    expect(readDelimiters(claimFile.replace('*^*00501', '*U*00501')).repetition).toBeUndefined();
  });

  it.each([
    ['945.00', 94500],
    ['-1.27', -127],
    ['.5', 50],
    ['10', 1000],
    ['125.0', 12500],
    ['0', 0],
  ])('reads the amount %s as %d cents', (text, cents) => {
    expect(amountToCents(text)).toBe(cents);
  });

  it.each([
    [12500, '125'],
    [12550, '125.5'],
    [12555, '125.55'],
    [-127, '-1.27'],
    [7, '0.07'],
    [0, '0'],
  ])('writes %d cents as %s', (cents, text) => {
    expect(centsToAmount(cents)).toBe(text);
    expect(amountToCents(text)).toBe(cents);
  });
});

describe('reading elements off the text', () => {
  const file = (body: string) => `${claimFile.slice(0, claimFile.indexOf('ST*'))}ST*835*0001~${body}~SE*3*0001~GE*1*1~IEA*1*000000007~`;
  const first = (body: string) => tokenize(file(body))[3];

  it.each([
    ['left to right', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['right to left', [8, 7, 6, 5, 4, 3, 2, 1]],
    ['repeating and jumping', [3, 3, 1, 6, 2, 8, 4, 0]],
  ])('reads elements %s as el() cuts them out', (_order, order) => {
    const s = first('CAS*PR*3*25**2*4.5*1');
    const values = ['CAS', 'PR', '3', '25', '', '2', '4.5', '1', ''];
    expect(order.map((n) => [s.el(n), s.code(n), s.has(n), s.is(n, values[n]), s.is(n, `${values[n]}X`)])).toEqual(
      order.map((n) => [values[n], values[n], values[n] !== '', true, false]),
    );
  });

  it('reads amounts off the text, an empty or absent element as undefined', () => {
    const s = first('CAS*PR*3*25**2*-4.5*1*.07');
    expect([3, 4, 6, 8, 20].map((n) => s.cents(n))).toEqual([2500, undefined, -450, 7, undefined]);
  });

  it('cuts codes and dates out as el() does (whether equal values share one string is not observable here)', () => {
    const table = scan(file('SVC*HC:99214:25:59*150*91~DTM*472*20260310~SVC*HC:99214:25*150*91~DTM*472*20260310~SVC*HC::RT*1~SVC*HC*1'));
    const [a, dtm, b, dtm2, c, d] = table.slice(3, 9);
    expect(a.codes(1)).toEqual(['HC', '99214', '25', '59']);
    expect(c.codes(1)).toEqual(['HC', '', 'RT']);
    expect(d.codes(1)).toEqual(['HC']);
    expect(a.codes(4)).toEqual([]);
    expect(b.codes(1)).toEqual(['HC', '99214', '25']);
    expect([dtm.sharedDate(2), dtm2.sharedDate(2)]).toEqual(['2026-03-10', '2026-03-10']);
  });

  it('holds more segments than its first guess from the file size (segments shorter than 16 characters)', () => {
    const body = Array.from({ length: 500 }, (_, i) => `N3*${i}`).join('~\n');
    const table = scan(file(body));
    expect(table.length).toBe(500 + 6);
    expect(table.segment(502).el(1)).toBe('499');
    expect(table.segment(502).line).toBe(502);
  });

  it('refuses a bad amount or date read off the text as el() would', () => {
    const s = first('AMT*B6*1.234*2026031*2026-0310');
    expect(() => s.cents(2)).toThrow(/AMT02: "1.234" has more than two decimals/);
    expect(() => s.sharedDate(3)).toThrow(/AMT03: "2026031" is not a date/);
    expect(() => s.sharedDate(4)).toThrow(/AMT04: "2026-0310" is not a date/);
  });
});

describe('refusals name the line and element', () => {
  it('refuses text that is not X12', () => {
    const e = syntaxError(() => parseInterchange('{"claim": 1}'));
    expect(e.reason).toBe('NOT_X12');
    expect(e.message).toMatch(/line 1: not an X12 interchange/);
  });

  it('refuses a wrong SE count, naming the SE line and SE01', () => {
    const bad = claimFile.replace(/SE\*\d+\*0001/, 'SE*5*0001');
    const e = syntaxError(() => parseInterchange(bad));
    expect(e.reason).toBe('SEGMENT_COUNT');
    expect(e.location).toEqual({ line: 28, segment: 'SE', element: 1 });
    expect(e.message).toBe('line 28, SE01: SE01 says 5, the transaction set has 26 segments (ST to SE)');
  });

  it('reads a wrong count as a warning only when asked to tolerate counts', () => {
    const bad = claimFile.replace(/SE\*\d+\*0001/, 'SE*5*0001');
    expect(parseInterchange(bad, { tolerateCounts: true }).warnings).toEqual(['line 28, SE01: SE01 says 5, the transaction set has 26 segments (ST to SE)']);
  });

  it('refuses a truncated file, naming the last line read', () => {
    const cut = claimFile.split('\n').slice(0, 15).join('\n');
    const e = syntaxError(() => parseInterchange(cut));
    expect(e.reason).toBe('TRUNCATED');
    expect(e.message).toMatch(/^line 15, SBR: the file ends after SBR without its SE: truncated\?$/);
  });

  it('refuses a cut-short ISA', () => {
    expect(syntaxError(() => parseInterchange('ISA*00*   *00')).reason).toBe('TRUNCATED');
  });

  it('refuses a segment id that is not one', () => {
    const e = syntaxError(() => parseInterchange(claimFile.replace('NM1*41', 'nm1*41')));
    expect(e.reason).toBe('BAD_SEGMENT');
    expect(e.location.line).toBe(5);
  });

  it('refuses a builder value holding a delimiter instead of shifting elements', () => {
    const claim = sampleClaim('C-1');
    claim.subscriber.lastName = "O'NEIL*SMITH";
    expect(() => build837P(sampleBatch([claim]), sampleEnvelope(1))).toThrow(X12BuildError);
    expect(() => build837P(sampleBatch([claim]), sampleEnvelope(1))).toThrow(/^NM103: contains an X12 delimiter$/); // the value (a name) stays out of the message
  });
});

describe('envelopes', () => {
  it('derives GS06 and ST02 from the one control number given', () => {
    const ic = parseInterchange(build837P(sampleBatch([sampleClaim('C-1')]), sampleEnvelope(123456789, { usage: 'P' })));
    expect(ic.controlNumber).toBe('123456789');
    expect(ic.groups[0].controlNumber).toBe('123456789');
    expect(ic.groups[0].transactions[0].controlNumber).toBe('0001');
    expect(ic.envelope).toEqual(sampleEnvelope(123456789, { usage: 'P' }));
  });

  it.each([[0], [1e9], [1.5]])('refuses the control number %p', (n) => {
    expect(() => build837P(sampleBatch([sampleClaim('C-1')]), sampleEnvelope(n))).toThrow(X12BuildError);
  });
});

describe('writing segments (X12Writer)', () => {
  it('drops trailing empty elements and components, and keeps the empty ones between values', () => {
    const w = new X12Writer();
    w.begin('NM1*41*2').el('A').skip(2).el('').el('B').el('HC').component('').component('X').component('').el('').end();
    w.begin('SV1').el('HC').component('').component('').skip(2).end();
    w.begin('OI***Y***Y').end();
    expect(w.toString()).toBe('NM1*41*2*A****B*HC::X~\nSV1*HC~\nOI***Y***Y~\n');
    expect(w.count).toBe(3);
  });

  it('writes element arrays: composites, and repeats whose empty repetitions hold their place unless the element is last', () => {
    const w = new X12Writer(undefined, false);
    w.segment(['EB', '1', { repeat: ['30', '', '1'] }, { repeat: ['', ''] }, ['', 'B', ''], ['', ''], 'Y', { repeat: ['', ''] }, ['', '']]);
    expect(w.toString()).toBe('EB*1*30^^1*^*:B**Y~');
  });

  it('writes a head in its own delimiters and refuses a value holding one of them, naming the element', () => {
    const w = new X12Writer({ element: '|', component: '>', repetition: '!', segment: '~' }, false);
    w.begin('NM1*85*2').el('A*B').skip(4).el('XX').end();
    expect(w.toString()).toBe('NM1|85|2|A*B|||||XX~');
    expect(() => w.begin('NM1*85*2').el('A').el('B|C')).toThrow(/^NM104: contains an X12 delimiter$/);
  });

  it('writes characters above U+00FF as given, and finds a delimiter among them', () => {
    const w = new X12Writer();
    w.begin('NM1*IL*1').el('MÜLLER').el('李').skip(3).el('MI').el('\u{1F600}x').end();
    w.begin('N3').el('ÿ').end();
    expect(w.toString()).toBe('NM1*IL*1*MÜLLER*李****MI*\u{1F600}x~\nN3*ÿ~\n');
    expect(() => w.begin('N4').el('李*')).toThrow(/^N401: contains an X12 delimiter$/);
  });
});
