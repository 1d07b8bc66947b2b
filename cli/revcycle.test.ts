/** The CLI as a user runs it: spawned, reading files, printing to stdout, exiting with a status. */
import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { x12valid } from './x12valid';
import { parse837P } from '../domain/x12/parse-837p';
import { parse270 } from '../domain/x12/eligibility';
import { build835 } from '../domain/x12/remittance-build';
import { sampleEnvelope, sampleRemittance } from '../domain/x12/samples';

const BIN = resolve(__dirname, 'revcycle.js');
const EXAMPLES = resolve(__dirname, '../examples');

function revcycle(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'revcycle-cli-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('revcycle x12', () => {
  it('build-837 prints the 837P of the example claim, which reads back as that claim with REF*6R on every line', async () => {
    const { code, stdout } = await revcycle('x12', 'build-837', join(EXAMPLES, 'claim.json'));
    expect(code).toBe(0);
    const { envelope, ...batch } = JSON.parse(readFileSync(join(EXAMPLES, 'claim.json'), 'utf8'));
    expect(stdout.match(/^REF\*6R\*.*~$/gm)).toEqual(['REF*6R*V-1001-1~', 'REF*6R*V-1001-2~']);
    const withControlNumbers = batch.claims.map((c: { claimId: string; lines: object[] }) => ({
      ...c,
      lines: c.lines.map((l, i) => ({ ...l, lineItemControlNumber: `${c.claimId}-${i + 1}` })),
    }));
    expect(parse837P(stdout)).toEqual({ envelope, batch: { ...batch, claims: withControlNumbers }, warnings: [] });
  });

  it.each([
    ['batch.json', 3, ['V-1001', 'V-1002', 'V-1003']],
    ['secondary-claim.json', 1, ['V-1001']],
  ])('build-837 %s: one interchange, its claims in order, REF*6R on every line, and pyx12 accepts it', async (name, claims, ids) => {
    const { code, stdout } = await revcycle('x12', 'build-837', join(EXAMPLES, name));
    expect(code).toBe(0);
    expect(stdout.match(/^ISA\*/gm)).toHaveLength(1);
    expect(parse837P(stdout).batch.claims.map((c) => c.claimId)).toEqual(ids);
    expect(stdout.match(/^CLM\*/gm)).toHaveLength(claims);
    expect(stdout.match(/^REF\*6R\*/gm)).toHaveLength(stdout.match(/^LX\*/gm)!.length);
    const verdict = await x12valid(stdout);
    expect(verdict.errors).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it('build-270 prints the 270 of the example request', async () => {
    const { code, stdout } = await revcycle('x12', 'build-270', join(EXAMPLES, 'eligibility-request.json'));
    expect(code).toBe(0);
    const { envelope, ...request } = JSON.parse(readFileSync(join(EXAMPLES, 'eligibility-request.json'), 'utf8'));
    expect(parse270(stdout)).toEqual({ envelope, request, warnings: [] });
  });

  it('summary shows an 835 as a table: claims, paid, adjusted by CARC, denied', async () => {
    const { code, stdout } = await revcycle('x12', 'summary', file('era.835', build835([sampleRemittance()], sampleEnvelope(5))));
    expect(code).toBe(0);
    expect(stdout).toContain('Balanced');
    expect(stdout).toContain('Claims: 1   Charged: 150.00   Paid: 91.00   Patient responsibility: 29.00   Denied: 0');
    expect(stdout).toMatch(/CO-45\s+30\.00/);
    expect(stdout).toMatch(/PR-3\s+25\.00/);
  });

  it('parse prints typed JSON with amounts in cents', async () => {
    const { code, stdout } = await revcycle('x12', 'parse', file('era2.835', build835([sampleRemittance()], sampleEnvelope(6))));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ kind: '835', remittances: [{ payment: { amountCents: 9000 }, claims: [{ paidCents: 9100 }] }] });
  });

  it('validate passes a good file and fails one that does not balance, saying why', async () => {
    expect(await revcycle('x12', 'validate', file('ok.835', build835([sampleRemittance()], sampleEnvelope(7))))).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('835 OK'),
    });
    const r = sampleRemittance();
    r.payment.amountCents = 9500;
    const bad = await revcycle('x12', 'validate', file('bad.835', build835([r], sampleEnvelope(8))));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('does not balance: BPR02 pays 95.00');
  });

  it.each([
    [
      ['x12', 'parse', 'NAME'],
      'not-x12.txt',
      'hello',
      'revcycle: line 1: not an X12 interchange: it must start with an ISA segment (or, pasted from a guide, an ST)\n',
    ],
    [['x12', 'build-837', 'NAME'], 'bad-claim.json', '{"claims": []}', /^revcycle: .*bad-claim\.json: envelope /],
    [['x12', 'build-837', 'NAME'], 'not-json.json', '{', /is not JSON/],
  ])('exits 1 with a message and no stack trace on bad input: %p', async (args, name, content, message) => {
    const path = file(name, content);
    const { code, stderr } = await revcycle(...args.map((a) => (a === 'NAME' ? path : a)));
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it.each([[['x12', '--help']], [['--help']], [['x12', '-h']]])('%j prints the usage and exits 0', async (args) => {
    const { code, stdout, stderr } = await revcycle(...args);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('usage: revcycle x12');
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const { code, stderr } = await revcycle('x12', 'frobnicate');
    expect(code).toBe(2);
    expect(stderr).toContain('usage: revcycle x12');
  });
});
