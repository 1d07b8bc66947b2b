/** Where the pinned outside tools live (installed by scripts/tools.sh). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

export function toolPath(name: 'temporal' | 'x12valid' | 'schemathesis'): string {
  const path = join(root, '.tools', 'venv', 'bin', name);
  if (!existsSync(path)) throw new Error(`${name} not found at ${path}: run scripts/tools.sh (npm start and npm test do)`);
  return path;
}
