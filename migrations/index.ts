/**
 * Migrations listed in code rather than discovered on disk, so they run the same
 * under tsx, jest and compiled JavaScript. Append new ones; never edit a shipped one.
 */
import type { Knex } from 'knex';
import * as billingRecord from './20261127_001_billing_record';
import * as reportingVisitEvents from './20261128_reporting_001_visit_events';

const migrations: Record<string, Knex.Migration> = {
  '20261127_001_billing_record': billingRecord,
  '20261128_reporting_001_visit_events': reportingVisitEvents,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
