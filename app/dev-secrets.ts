/**
 * `npm start` in development: the secrets revcycle needs (the PHI codec key ring, the webhook
 * secrets) are generated once into DATA_DIR/secrets/ (mode 0600) when none is configured, and
 * handed to the config as `<VAR>_FILE`, so every process of the stack and every restart uses
 * the same ones. Production never gets here: a missing secret stops start-up (config/index.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKeyRingSpec } from '../temporal/codec';

const GENERATED: Record<string, () => string> = {
  TEMPORAL_CODEC_KEYS: () => newKeyRingSpec('dev-1'),
  WEBHOOK_EHR_SECRET: () => randomBytes(32).toString('hex'),
  WEBHOOK_CLEARINGHOUSE_SECRET: () => randomBytes(32).toString('hex'),
};

/** Returns the variables it pointed at generated files (for the start-up message). */
export function ensureDevSecrets(dataDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  if ((env.NODE_ENV ?? 'development') === 'production') return [];
  const dir = join(dataDir, 'secrets');
  const used: string[] = [];
  for (const [name, generate] of Object.entries(GENERATED)) {
    if (env[name] || env[`${name}_FILE`]) continue;
    const file = join(dir, name.toLowerCase());
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${generate()}\n`, { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    env[`${name}_FILE`] = file;
    used.push(name);
  }
  return used;
}
