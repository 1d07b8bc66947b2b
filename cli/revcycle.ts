/**
 * revcycle — command line for billers and integrators.
 *
 *   revcycle x12 parse FILE [--tolerate-counts]     typed JSON of any supported transaction
 *   revcycle x12 summary FILE [--tolerate-counts]   a human table (835: claims, paid, adjusted by CARC, denied)
 *   revcycle x12 build-837 CLAIM.json               prints an 837P interchange
 *   revcycle x12 build-270 REQUEST.json             prints a 270 interchange
 *   revcycle x12 validate FILE [--pyx12]            structure, segment counts, 835 balancing (and pyx12)
 *   revcycle keys create --role ROLE --name NAME    an API key, printed once (cli/keys.ts)
 *   revcycle keys revoke ID | keys rotate ID | keys list
 *   revcycle audit verify                           the audit trail's hash chain (cli/audit.ts)
 *   revcycle codesets load|list, fees load, scrub   rule data in Postgres (cli/data.ts)
 *
 * Exits 1 with a one-line message on bad input (never a stack trace), 2 on bad usage.
 */
import { readFileSync } from 'fs';
import { z } from 'zod';
import { build837P } from '../domain/x12/build-837p';
import { detectTransaction } from '../domain/x12/detect';
import { build270 } from '../domain/x12/eligibility';
import type { ReadOptions } from '../domain/x12/envelope';
import { parseX12 } from '../domain/x12/read';
import { claimBalanceProblems, remittanceBalance } from '../domain/x12/remittance';
import { check270Structure } from '../domain/x12/structure';
import { InputError, UsageError } from './errors';
import { DATA_USAGE, runDataCommand } from './data';
import { ClaimFile, EligibilityFile } from './inputs';
import { KEYS_USAGE, runKeys } from './keys';
import { AUDIT_USAGE, runAudit } from './audit';
import { summarize } from './summary';
import { x12valid } from './x12valid';

const USAGE = `usage: revcycle x12 <command> FILE
  parse FILE [--tolerate-counts]    print the file as typed JSON (amounts in cents)
  summary FILE [--tolerate-counts]  print a human summary (835: claims, paid, adjusted by CARC, denied)
  build-837 CLAIM.json              print an 837P (005010X222A1) built from a claim file
  build-270 REQUEST.json            print a 270 (005010X279A1) built from a request file
  validate FILE [--pyx12]           check envelopes, segment counts and 835 balancing; --pyx12 also runs x12valid
${KEYS_USAGE}
${AUDIT_USAGE}
${DATA_USAGE}
  --help                            this text`;

function readInput(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readJson<T extends z.ZodTypeAny>(path: string, schema: T): z.infer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(readInput(path));
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${path} is not JSON: ${(e as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Structure problems and, for an 835, every remittance and claim that does not balance. */
function validate(text: string): string[] {
  const parsed = parseX12(text);
  const problems = [...parsed.warnings];
  if (parsed.kind === '835') {
    for (const r of parsed.remittances) {
      const balance = remittanceBalance(r);
      if (!balance.balanced) problems.push(balance.message!);
      problems.push(...claimBalanceProblems(r));
    }
  }
  if (parsed.kind === '270') problems.push(...check270Structure(text));
  return problems;
}

async function run(argv: string[], out: (s: string) => void): Promise<number> {
  if (argv[0] === 'keys') return runKeys(argv.slice(1), out);
  if (argv[0] === 'audit') return runAudit(argv.slice(1), out);
  if (['codesets', 'fees', 'scrub'].includes(argv[0])) return runDataCommand(argv, out);
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  // Asking for help is not a mistake: the usage on stdout, exit 0.
  if (flags.has('--help') || argv.includes('-h') || argv[0] === 'help' || argv[1] === 'help') {
    out(`${USAGE}\n`);
    return 0;
  }
  const [area, command, file, ...rest] = argv.filter((a) => !a.startsWith('--'));
  if (area !== 'x12' || !command || !file || rest.length) throw new UsageError(USAGE);
  const options: ReadOptions = { tolerateCounts: flags.has('--tolerate-counts') };
  switch (command) {
    case 'build-837': {
      const { envelope, ...batch } = readJson(file, ClaimFile);
      out(build837P(batch, envelope));
      return 0;
    }
    case 'build-270': {
      const { envelope, ...request } = readJson(file, EligibilityFile);
      out(build270(request, envelope));
      return 0;
    }
  }
  const text = readInput(file);
  const kind = detectTransaction(text).kind;
  switch (command) {
    case 'parse':
      out(`${JSON.stringify(parseX12(text, options), null, 2)}\n`);
      return 0;
    case 'summary':
      out(`${summarize(kind, text, options)}\n`);
      return 0;
    case 'validate': {
      const problems = validate(text);
      if (flags.has('--pyx12')) problems.push(...(await pyx12Problems(text)));
      out(problems.length ? `${file}: ${kind} has ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n` : `${file}: ${kind} OK\n`);
      return problems.length ? 1 : 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}

async function pyx12Problems(text: string): Promise<string[]> {
  const verdict = await x12valid(text);
  return verdict.ok ? [] : ['pyx12: Failure', ...verdict.errors.map((e) => `pyx12: ${e.replace(/^\S+ \S+ /, '')}`)];
}

run(process.argv.slice(2), (s) => process.stdout.write(s)).then(
  (code) => (process.exitCode = code),
  (e: Error & { code?: string }) => {
    process.stderr.write(`revcycle: ${e.message}\n`);
    process.exitCode = e.code === 'USAGE' ? 2 : 1;
  },
);
