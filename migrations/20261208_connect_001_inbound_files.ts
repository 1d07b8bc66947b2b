/**
 * Files read from a clearinghouse's batch mailbox (SFTP outbound folder, CORE batch retrieval):
 * one row per file, keyed by where it came from, its name there and the SHA-256 of its bytes,
 * so a file is never taken twice (a name reused for other bytes is a new file). The body is
 * kept until it has been handed to the visits (`delivered_at`), so a crash between reading
 * and delivering loses nothing. A file that is not valid X12 is set aside (`refused`), so it
 * cannot hold back the files behind it.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbound_files', (t) => {
    t.bigIncrements('id');
    t.text('source').notNullable(); // sftp | core
    t.text('name').notNullable();
    t.text('sha256').notNullable();
    t.text('body');
    t.integer('bytes').notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('archived_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
    /** Why the file could not be delivered (not valid X12): kept with its body for a person, never retried. */
    t.text('refused');
    t.unique(['source', 'name', 'sha256']);
    t.index(['delivered_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('inbound_files');
}
