import { parseInterchange } from './envelope';
import { X12BuildError, X12SyntaxError } from './errors';
import { build837P } from './build-837p';
import { sampleBatch, sampleClaim, sampleEnvelope } from './samples';
import { amountToCents, centsToAmount, readDelimiters, tokenize } from './syntax';

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
    ['945.00', 94500], ['-1.27', -127], ['.5', 50], ['10', 1000], ['125.0', 12500], ['0', 0],
  ])('reads the amount %s as %d cents', (text, cents) => {
    expect(amountToCents(text)).toBe(cents);
  });

  it.each([[12500, '125'], [12550, '125.5'], [12555, '125.55'], [-127, '-1.27'], [7, '0.07'], [0, '0']])('writes %d cents as %s', (cents, text) => {
    expect(centsToAmount(cents)).toBe(text);
    expect(amountToCents(text)).toBe(cents);
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
