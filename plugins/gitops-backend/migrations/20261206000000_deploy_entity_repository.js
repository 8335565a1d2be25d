// @ts-check

/**
 * The repository the entity of a deploy was registered from: an entity
 * registered later under the same name from another repository does not
 * see it.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_deploys', table => {
    table.string('entity_repository', 1024);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_deploys', table => {
    table.dropColumn('entity_repository');
  });
};
