import { KubeClient } from '@keelson/kube';

import { DataPlaneEndpointResolver } from './endpoint-resolver';

// No request is made by these tests: URLs are computed without the apiserver.
const kube = new KubeClient({ server: 'https://127.0.0.1:1', token: 't' });

describe('DataPlaneEndpointResolver', () => {
  it('resolves Service DNS names in the cluster', () => {
    const resolver = new DataPlaneEndpointResolver(kube);
    expect(resolver.jenkinsUrl('team-a-pipeline')).toBe('http://jenkins.team-a-pipeline.svc:8080');
    expect(resolver.minioUrl('team-a-pipeline')).toBe('http://minio.team-a-pipeline.svc:9000');
    expect(resolver.registryUrl('team-a-pipeline')).toBe('https://registry.team-a-pipeline.svc:5000');
    expect(resolver.registryHost('team-a-pipeline')).toBe('registry.team-a-pipeline.svc:5000');
  });

  it('uses override templates in tests and local mode, without a trailing slash', () => {
    const resolver = new DataPlaneEndpointResolver(kube, { jenkins: 'http://127.0.0.1:8089/{namespace}/', minio: 'http://127.0.0.1:9000' });
    expect(resolver.jenkinsUrl('team-a-pipeline')).toBe('http://127.0.0.1:8089/team-a-pipeline');
    expect(resolver.minioUrl('team-b-pipeline')).toBe('http://127.0.0.1:9000');
    // Build pods always push through Service DNS: an override is for the manager only.
    expect(resolver.registryHost('team-a-pipeline')).toBe('registry.team-a-pipeline.svc:5000');
  });

  it('refuses an override that is not an http(s) URL when it is configured, not at first use', () => {
    expect(() => new DataPlaneEndpointResolver(kube, { jenkins: 'file:///etc/passwd' })).toThrow(expect.objectContaining({ code: 'InvalidEndpoint' }));
    expect(() => new DataPlaneEndpointResolver(kube, { minio: 'not a url {namespace}' })).toThrow(expect.objectContaining({ code: 'InvalidEndpoint' }));
  });
});
