/** Where the pinned outside tools live (installed by scripts/tools.sh). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from './startup-error';

const root = join(__dirname, '..');

export function toolPath(name: 'temporal' | 'x12valid' | 'schemathesis'): string {
  const path = join(root, '.tools', 'venv', 'bin', name);
  if (!existsSync(path)) throw new StartupError(`${name} (pinned tool)`, `not installed at ${path}`, 'run bash scripts/tools.sh; npm start and npm test run it first');
  return path;
}
