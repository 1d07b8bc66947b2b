/**
 * The failure table is complete: every failure the code raises has a row, so no failure can
 * reach a visit or a client without a queue, a retry rule and (where it reaches one) an HTTP answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FAILURES, FailureType, isFailureType } from './failures';

const ROOT = join(__dirname, '..');
const SKIP = new Set(['node_modules', '.data', '.tools', 'dist', 'test-results', '.git']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * Error codes that never become a visit's failure or an API answer, each for its reason: they
 * stay inside the process that raises them (a CLI's usage line, start-up's config check), or are
 * transport trouble Temporal retries (an outside party down), which parks only as RetriesExhausted.
 */
const LOCAL_CODES: Record<string, string> = {
  CONFIG_INVALID: 'start-up stops with the config line',
  CODEC_KEY: 'the codec endpoint and worker refuse the payload; never an activity failure',
  CODEC_BINDING: 'the codec endpoint answers 422; a worker fails the workflow task of a copied payload',
  USAGE: 'the CLI prints usage and exits 2',
  BAD_INPUT: 'the CLI names the input and exits 1',
  DATA_FILE: 'a rule file the loader refuses (CLI or start-up)',
  HL7_PARSE: 'the MLLP listener answers AE/AR',
  HL7_UNSUPPORTED: 'the MLLP listener answers AR',
  HL7_MAPPING: 'the MLLP listener answers AE naming the field',
  MLLP_FRAME_TOO_LARGE: 'the MLLP listener closes the connection',
  X12VALID_MISSING: 'a developer tool is not installed',
  EHR_UNAVAILABLE: 'transport: retried by Temporal',
  PMS_UNAVAILABLE: 'transport: retried by Temporal',
  CLEARINGHOUSE_UNAVAILABLE: 'transport: retried by Temporal',
  SIM_NO_REVCYCLE_ENDPOINT: 'simulator only',
  SIM_NO_ACK: 'simulator only',
  SIM_STATE_UNREADABLE: 'simulator only',
  VISIT_NOT_PREPOPULATED: 'simulator only',
};

test('every failure type has one row in the table, with a queue, a retry rule and at most one HTTP answer', () => {
  for (const type of Object.values(FailureType)) {
    expect(FAILURES[type]).toEqual(expect.objectContaining({ queue: expect.any(String), retryable: expect.any(Boolean) }));
  }
  expect(Object.keys(FAILURES).sort()).toEqual(Object.values(FailureType).sort());
});

test('every error code and ApplicationFailure type in the source is in the vocabulary, or listed as local with its reason', () => {
  const outside: string[] = [];
  for (const file of sources(ROOT)) {
    const text = readFileSync(file, 'utf8');
    const where = relative(ROOT, file);
    for (const m of text.matchAll(/^\s*readonly code = ([^;\n]+);/gm)) {
      const value = m[1].trim();
      if (/^FailureType\.\w+$/.test(value)) continue;
      const literal = /^'([^']*)'$/.exec(value)?.[1];
      if (literal === undefined || !(literal in LOCAL_CODES)) outside.push(`${where}: readonly code = ${value}`);
    }
    for (const m of text.matchAll(/ApplicationFailure\.(?:create|nonRetryable|retryable)\(\{\s*type:\s*'([^']*)'/g)) {
      if (!isFailureType(m[1])) outside.push(`${where}: ApplicationFailure type '${m[1]}'`);
    }
  }
  expect(outside).toEqual([]);
});

test("refusals that a client can cause answer 4xx; the API's own trouble with Temporal answers 503/504 and is retryable", () => {
  for (const [type, rule] of Object.entries(FAILURES)) {
    if (!rule.http) continue;
    expect(rule.http.status >= 400 && rule.http.status < 600).toBe(true);
    expect(rule.http.status >= 500).toBe(type.startsWith('TEMPORAL_'));
    expect(rule.retryable).toBe(rule.http.status >= 500);
  }
});
