// @ts-check

/**
 * What replicas sharing the plugin's database need to agree on: which
 * replica is pushing a deploy's commit and when each replica last said it
 * was alive (a deploy whose replica stopped before its push ended is
 * settled by another), and which failure notices were sent already (each
 * replica watches the clusters and sees every change).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_replicas', table => {
    table.string('id', 64).primary();
    table.timestamp('heartbeat_at', { useTz: true }).notNullable();
  });
  await knex.schema.alterTable('gitops_deploys', table => {
    table.string('pushing_replica', 64).nullable();
  });
  await knex.schema.createTable('gitops_notices', table => {
    table.string('id', 64).primary();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['created_at'], 'gitops_notices_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_notices');
  await knex.schema.alterTable('gitops_deploys', table => {
    table.dropColumn('pushing_replica');
  });
  await knex.schema.dropTable('gitops_replicas');
};
