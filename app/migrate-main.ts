/**
 * The `migrate` service of the production shape (docker-compose): runs the migrations as the
 * owner of revcycle's tables (DATABASE_MIGRATION_URL), grants DATABASE_URL's user the app's
 * rights (audit_log: INSERT and SELECT only), and exits. The api and workers start after it.
 */
import { ConfigError, loadConfig } from '../config';
import { runMain } from './main';
import { migrateDatabase } from './services';

runMain('migrate', async () => {
  const config = loadConfig();
  const { url, migrationUrl } = config.database;
  if (!url || !migrationUrl) throw new ConfigError(["DATABASE_URL, DATABASE_MIGRATION_URL: both required (the app's user, and the owner who migrates)"]);
  const applied = await migrateDatabase(migrationUrl, url);
  console.log(`revcycle migrations: ${applied.length ? `applied ${applied.join(', ')}` : 'none to apply'}; app rights granted`);
});
