/**
 * Runs pyx12's `x12valid` (the HIPAA validator scripts/tools.sh installs) on X12 text.
 * Test and CLI support only: it writes a temp file and spawns a process, so it is kept
 * out of the pure domain. Its exit status is not the verdict (it has been seen exiting
 * non-zero on files it calls OK): the verdict is its last line, `FILE: OK` or
 * `FILE: Failure`, with ERROR lines before it.
 */
import { execFile } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

export const X12VALID = resolve(__dirname, '../.tools/venv/bin/x12valid');

/**
 * ERROR lines about pyx12 itself, not the file: pyx12 4.0.0 cannot write its own 999
 * for an 835 without ST03 ("err_st.vriic was not set"), yet X221A1 marks ST03 not used.
 */
const TOOL_DEFECTS = [/ERROR Failed to create 999 response/];

export interface Verdict {
  ok: boolean;
  errors: string[];
  output: string;
}

export class ValidatorMissingError extends Error {
  readonly code = 'X12VALID_MISSING';
  constructor() {
    super(`${X12VALID} is missing: run scripts/tools.sh to install pyx12`);
    this.name = 'ValidatorMissingError';
  }
}

export async function x12valid(text: string): Promise<Verdict> {
  if (!existsSync(X12VALID)) throw new ValidatorMissingError();
  const dir = mkdtempSync(join(tmpdir(), 'x12valid-'));
  const file = join(dir, 'input.x12');
  try {
    writeFileSync(file, text);
    const output = await run(file);
    const lines = output.trim().split('\n');
    const errors = lines.filter((l) => /ERROR/.test(l) && !TOOL_DEFECTS.some((d) => d.test(l)));
    return { ok: lines[lines.length - 1].endsWith(': OK') && errors.length === 0, errors, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(file: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(X12VALID, ['-x', 'remark_code', file], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const output = `${stderr}${stdout}`;
      if (error && output.trim() === '') fail(error);
      else done(output);
    });
  });
}
