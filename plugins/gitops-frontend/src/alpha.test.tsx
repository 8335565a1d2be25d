import plugin from './alpha';
import { gitopsPlugin } from './plugin';

describe('gitops frontend plugin', () => {
  it('serves the new frontend system under the gitops id', () => {
    expect(plugin.id).toBe('gitops');
  });

  it('keeps a legacy plugin for apps that have not migrated', () => {
    expect(gitopsPlugin.getId()).toBe('gitops');
  });
});
