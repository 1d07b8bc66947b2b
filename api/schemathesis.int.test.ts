/**
 * Fuzzing the running API against its own OpenAPI document with schemathesis (pinned in
 * scripts/tools.sh): the whole stack on ephemeral ports, an admin key, every phase
 * including the stateful one (POST /visits links to the operations on the visit).
 * Passes only with 0 server errors and 0 answers that contradict the document.
 * Bounded by SCHEMATHESIS_MAX_EXAMPLES (default 10 per operation) to stay within ~2 minutes.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '../app/tools';
import { startTestStack, type TestStack } from '../test/stack';

let stack: TestStack;
let reports: string;
beforeAll(async () => {
  stack = await startTestStack({ pmsMode: 'rest' });
  reports = mkdtempSync(join(tmpdir(), 'revcycle-schemathesis-'));
});
afterAll(async () => {
  await stack.stop();
  rmSync(reports, { recursive: true, force: true });
});

test('schemathesis finds no server error and no answer that contradicts /openapi.json', async () => {
  const maxExamples = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '10';
  const args = [
    '--config-file',
    join(__dirname, '..', 'schemathesis.toml'),
    'run',
    `${stack.apiUrl}/openapi.json`,
    '--header',
    `Authorization: Bearer ${stack.api.key}`,
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    maxExamples,
    '--seed',
    process.env.SCHEMATHESIS_SEED ?? '20261128',
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--suppress-health-check',
    'too_slow,filter_too_much',
    '--report',
    'junit',
    '--report-junit-path',
    join(reports, 'junit.xml'),
    '--output-truncate',
    'false',
  ];
  const { code, output } = await new Promise<{ code: number; output: string }>((done) => {
    execFile(
      toolPath('schemathesis'),
      args,
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', SCHEMATHESIS_HOOKS: '' } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
  if (code !== 0) process.stderr.write(`schemathesis exited ${code}:\n${output}\n`);
  else process.stderr.write(`schemathesis: ${/\d+ generated[^\n]*/.exec(output)?.[0] ?? 'no summary'}; ${/=+ (.*) =+\s*$/m.exec(output.trim())?.[1] ?? ''}\n`);
  const junitFile = join(reports, 'junit.xml');
  const junit = existsSync(junitFile) ? readFileSync(junitFile, 'utf8') : '';
  const failures = Number(/failures="(\d+)"/.exec(junit)?.[1] ?? NaN);
  const errors = Number(/errors="(\d+)"/.exec(junit)?.[1] ?? NaN);
  expect({ code, failures, errors }).toEqual({ code: 0, failures: 0, errors: 0 });
  expect(output).toMatch(/passed/);
}, 900_000); // bounded by --max-examples, not by time: a loaded CI machine is slower, not wrong
