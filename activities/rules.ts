/**
 * The rule tables (domain/billing/data/*.csv) as the activities read them: each file parsed
 * once per worker process, by the pure parser of its room in domain/billing. Changing a table
 * changes what the next activity decides, never how a recorded history replays.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const tables = new Map<string, unknown>();

export function ruleTable<T>(file: string, parse: (csv: string) => T): T {
  if (!tables.has(file)) tables.set(file, parse(readFileSync(join(__dirname, '..', 'domain', 'billing', 'data', file), 'utf8')));
  return tables.get(file) as T;
}
