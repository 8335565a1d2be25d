// @ts-check

/**
 * Health reports and the audit log of repairs.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_health_reports', table => {
    table.comment('Health checks of clusters, newest last');
    table.string('id').primary();
    table.string('cluster').notNullable();
    table.string('status').notNullable();
    table.string('trigger').notNullable();
    table.string('triggered_by');
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).notNullable();
    table.text('report').notNullable();
    table.index(
      ['cluster', 'finished_at'],
      'gitops_health_reports_cluster_idx',
    );
  });
  await knex.schema.createTable('gitops_repair_audit', table => {
    table.comment('Repairs applied from the portal: who, when, what');
    table.string('id').primary();
    table.string('cluster').notNullable();
    table.string('type').notNullable();
    table.string('target');
    table.string('actor').notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.string('outcome').notNullable();
    table.text('error');
    table.text('plan').notNullable();
    table.index(['at'], 'gitops_repair_audit_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_repair_audit');
  await knex.schema.dropTable('gitops_health_reports');
};
