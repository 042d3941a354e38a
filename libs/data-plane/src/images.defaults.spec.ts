import { DEFAULT_DATA_PLANE_IMAGES, DEFAULT_JENKINS_PLUGINS, isPinnedImage, isPinnedPlugin } from './images.defaults';

describe('pinned images and plugins', () => {
  it.each(Object.entries(DEFAULT_DATA_PLANE_IMAGES))('the default %s image is pinned', (_, image) => {
    expect(isPinnedImage(image)).toBe(true);
  });

  it('pins every default plugin, and installs the ones the issue names', () => {
    for (const plugin of DEFAULT_JENKINS_PLUGINS) expect(isPinnedPlugin(plugin)).toBe(true);
    expect(DEFAULT_JENKINS_PLUGINS.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(
      ['kubernetes', 'workflow-aggregator', 'pipeline-stage-view', 'credentials', 'configuration-as-code']));
  });

  it.each([
    ['registry:3.0.0', true],
    ['localhost:5000/team/app:1.2', true],
    [`quay.io/minio/minio@sha256:${'a'.repeat(64)}`, true],
    [`minio/minio:v1@sha256:${'b'.repeat(64)}`, true],
    ['registry', false],
    ['registry:latest', false],
    ['localhost:5000/team/app', false],
    ['registry:3.0.0 --privileged', false],
    ['', false],
  ])('%s is pinned: %s', (image, pinned) => {
    expect(isPinnedImage(image)).toBe(pinned);
  });

  it.each([
    ['git:5.7.0', true],
    ['kubernetes:4371.vb_33b_086d54a_1', true],
    ['git', false],
    ['git:latest', false],
    ['git:experimental', false],
    ['git:5.7.0 --latest', false],
  ])('plugin %s is pinned: %s', (plugin, pinned) => {
    expect(isPinnedPlugin(plugin)).toBe(pinned);
  });
});
