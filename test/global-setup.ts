/**
 * One embedded Postgres and one Temporal dev server (the pinned `temporal` CLI, with
 * the custom search attributes) for every integration test in the run. Each test
 * file makes its own database and task queue, so files do not see each other's data.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb } from '../db/knex';
import { migrateAsOwner } from '../db/roles';
import { loadBundled } from '../app/codesets';
import { startEmbeddedPostgres } from '../app/postgres';
import { toolPath } from '../app/tools';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { freePort } from './ports';

const TEMPLATE_DB = 'revcycle_template';

export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'revcycle-pg-'));
  const pgPort = await freePort();
  const pg = await startEmbeddedPostgres({ dir, port: pgPort, persistent: false });
  const temporal = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: toolPath('temporal') },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--log-level', 'error'],
    },
  });
  // Every test database is a copy of this template: migrated, with the bundled code sets
  // (the full ICD-10-CM April 2026 release included) loaded once per run, not per file.
  // Migrated as the owner of the tables, the app's user granted its rights, as npm start does:
  // every test then runs as the app (audit_log: INSERT and SELECT only).
  await pg.createDatabase(TEMPLATE_DB);
  await migrateAsOwner(pg.ownerUrl(TEMPLATE_DB), pg.appUrl(TEMPLATE_DB));
  const template = createDb(pg.ownerUrl(TEMPLATE_DB));
  try {
    await loadBundled(template);
  } finally {
    await template.destroy();
  }
  process.env.TEST_PG_ADMIN_URL = pg.url('postgres');
  process.env.TEST_PG_OWNER_URL = pg.ownerUrl('postgres');
  process.env.TEST_PG_APP_URL = pg.appUrl('postgres');
  process.env.TEST_PG_TEMPLATE = TEMPLATE_DB;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  Object.assign(globalThis, { __revcycle: { pg, temporal } });
}
