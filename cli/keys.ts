/**
 * `revcycle keys`: API keys for the REST API, in the database the configuration names
 * (DATABASE_URL, else the embedded Postgres `npm start` runs). Every change is audited
 * with the operating-system user as the actor.
 *
 *   revcycle keys create --role ROLE --name NAME [--expires-in 30d]   prints the key once (it is stored hashed)
 *   revcycle keys rotate ID [--grace 24h] [--expires-in 30d]           a new key; the old one works until the grace ends
 *   revcycle keys revoke ID                        the key stops working at once
 *   revcycle keys list                             id, role, created, state (active, expires, expired, revoked), name
 */
import { userInfo } from 'node:os';
import { loadConfig } from '../config';
import { createApiKey, listApiKeys, revokeApiKey, rotateApiKey } from '../db/api-keys';
import type { Db } from '../db/knex';
import { isRole, ROLES } from '../domain/roles';
import { openCliDatabase } from './database';
import { InputError, UsageError } from './errors';

export const KEYS_USAGE = `usage: revcycle keys <command>
  create --role ROLE --name NAME [--expires-in 30d]
                                    create an API key (roles: ${ROLES.join(', ')}); prints it once;
                                    --expires-in: it stops working after this long (d, h or m)
  rotate ID [--grace 24h] [--expires-in 30d]
                                    a new key with the same name and role; the old one keeps working
                                    for the grace period (default 24h), then answers 401 "expired"
  revoke ID                         revoke the key with this id (the part after rck_)
  list                              list keys (never their secrets)`;

/** `--flag value` pairs and the remaining words; a flag without a value is a usage error. */
function options(args: string[]): { flags: Map<string, string>; words: string[] } {
  const flags = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      words.push(a);
      continue;
    }
    const [name, inline] = a.slice(2).split('=', 2);
    const value = inline ?? args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value\n${KEYS_USAGE}`);
    flags.set(name, value);
  }
  return { flags, words };
}

const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,79}$/;

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;

/** `30d`, `12h`, `90m`: a positive whole number and a unit, at most ten years. */
export function parseDuration(flag: string, value: string): number {
  const m = /^(\d{1,6})([dhm])$/.exec(value);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : 0;
  if (!m || ms <= 0 || ms > 3650 * UNIT_MS.d)
    throw new InputError(`--${flag} "${value}" is not a duration: a whole number of days, hours or minutes, e.g. 30d, 12h, 90m`);
  return ms;
}

const state = (k: { revoked_at: Date | null; expires_at: Date | null; rotated_to?: string | null }) => {
  if (k.revoked_at) return `revoked ${new Date(k.revoked_at).toISOString()}`;
  if (k.expires_at)
    return `${new Date(k.expires_at).getTime() <= Date.now() ? 'expired' : 'expires'} ${new Date(k.expires_at).toISOString()}${k.rotated_to ? ` (rotated to ${k.rotated_to})` : ''}`;
  return 'active';
};
const KEY_ID = /^(?:rck_)?([a-f0-9]{16})(?:_.*)?$/;

export async function runKeys(args: string[], out: (s: string) => void, connect: () => Promise<Db> = connectFromConfig): Promise<number> {
  const { flags, words } = options(args);
  const [command, ...rest] = words;
  const actor = { actor: `cli:${userInfo().username}`, source: 'cli' };
  switch (command) {
    case 'create': {
      const unknown = [...flags.keys()].filter((f) => f !== 'role' && f !== 'name' && f !== 'expires-in');
      if (rest.length || unknown.length) throw new UsageError(KEYS_USAGE);
      const role = flags.get('role');
      const name = flags.get('name');
      if (!role || !name) throw new UsageError(`keys create needs --role and --name\n${KEYS_USAGE}`);
      if (!isRole(role)) throw new InputError(`unknown role "${role}": use one of ${ROLES.join(', ')}`);
      if (!KEY_NAME.test(name)) throw new InputError(`bad name "${name}": 1-80 letters, digits, spaces or . _ @ -, starting with a letter or digit`);
      const expiresIn = flags.has('expires-in') ? parseDuration('expires-in', flags.get('expires-in')!) : undefined;
      return withDb(connect, async (db) => {
        const { id, key, expiresAt } = await createApiKey(db, {
          name,
          role,
          createdBy: actor.actor,
          source: actor.source,
          expiresAt: expiresIn ? new Date(Date.now() + expiresIn) : undefined,
        });
        out(`created key ${id} (${role}, "${name}"${expiresAt ? `, expires ${expiresAt.toISOString()}` : ''}); it is shown only now:\n${key}\n`);
        return 0;
      });
    }
    case 'rotate': {
      const unknown = [...flags.keys()].filter((f) => f !== 'grace' && f !== 'expires-in');
      if (rest.length !== 1 || unknown.length) throw new UsageError(`keys rotate needs exactly one key id\n${KEYS_USAGE}`);
      const m = KEY_ID.exec(rest[0]);
      if (!m) throw new InputError(`"${rest[0]}" is not a key id (16 hex digits, as \`revcycle keys list\` shows)`);
      const graceMs = flags.has('grace') ? parseDuration('grace', flags.get('grace')!) : UNIT_MS.h * 24;
      const expiresInMs = flags.has('expires-in') ? parseDuration('expires-in', flags.get('expires-in')!) : undefined;
      return withDb(connect, async (db) => {
        const r = await rotateApiKey(db, m[1], { graceMs, expiresInMs, ...actor });
        if (!r.ok) throw new InputError(`no active key ${m[1]} to rotate: ${r.why === 'rotated' ? 'it was already rotated' : r.why}`);
        out(
          `rotated key ${r.old.id}: it works until ${r.old.expiresAt.toISOString()}; the new key ${r.id}${r.expiresAt ? ` (expires ${r.expiresAt.toISOString()})` : ''} is shown only now:\n${r.key}\n`,
        );
        return 0;
      });
    }
    case 'revoke': {
      if (rest.length !== 1 || flags.size) throw new UsageError(`keys revoke needs exactly one key id\n${KEYS_USAGE}`);
      const m = KEY_ID.exec(rest[0]);
      if (!m) throw new InputError(`"${rest[0]}" is not a key id (16 hex digits, as \`revcycle keys list\` shows)`);
      return withDb(connect, async (db) => {
        if (!(await revokeApiKey(db, m[1], actor))) throw new InputError(`no active key ${m[1]}: unknown or already revoked`);
        out(`revoked key ${m[1]}\n`);
        return 0;
      });
    }
    case 'list': {
      if (rest.length || flags.size) throw new UsageError(KEYS_USAGE);
      return withDb(connect, async (db) => {
        const rows = await listApiKeys(db);
        out(
          rows.length
            ? `${rows.map((k) => `${k.id}  ${k.role.padEnd(10)}  ${new Date(k.created_at).toISOString()}  ${state(k)}  ${k.name}`).join('\n')}\n`
            : 'no keys\n',
        );
        return 0;
      });
    }
    default:
      throw new UsageError(KEYS_USAGE);
  }
}

/** This checkout's database, or DATABASE_URL's; which one is printed on stderr. */
export function connectFromConfig(): Promise<Db> {
  return openCliDatabase(loadConfig(), (line) => process.stderr.write(line));
}

async function withDb<T>(connect: () => Promise<Db>, use: (db: Db) => Promise<T>): Promise<T> {
  const db = await connect();
  try {
    return await use(db);
  } finally {
    await db.destroy();
  }
}
