// @ts-check

/**
 * The deploy history: one row per deployment, whatever its method.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_deploys', table => {
    table.comment(
      'Deployments of entities: gitops-ui, gitops-git, pipeline, manual',
    );
    table.increments('id');
    table.string('entity_ref');
    table.string('environment').notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.string('kustomization').notNullable();
    table.string('method').notNullable();
    table.string('status').notNullable();
    table.string('reason');
    table.text('message');
    table.string('revision');
    table.string('commit_sha', 64);
    table.text('commit_message');
    table.string('commit_author');
    table.string('commit_url', 1024);
    table.string('triggered_by').notNullable();
    table.string('pipeline_url', 1024);
    table.integer('rollback_of');
    table.text('details');
    // Identifies a change detected in the cluster (a manual edit), so that
    // two replicas never record it twice.
    table.string('external_key');
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true });
    table.unique(['cluster', 'namespace', 'kustomization', 'commit_sha'], {
      indexName: 'gitops_deploys_commit_uniq',
    });
    table.unique(['external_key'], {
      indexName: 'gitops_deploys_external_uniq',
    });
    table.index(['entity_ref', 'created_at'], 'gitops_deploys_entity_idx');
    table.index(['status'], 'gitops_deploys_status_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_deploys');
};
