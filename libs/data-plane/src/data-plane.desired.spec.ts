import type { KubeObject } from '@keelson/kube';
import { parse } from 'yaml';

import { DataPlaneError } from './data-plane.errors';
import { desiredDataPlane } from './data-plane.desired';
import { DATA_PLANE_SUFFIX } from './data-plane.names';
import { aDataPlaneInput, someCredentials } from './testing/data-plane.builders';

type Container = {
  name: string; image: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: unknown; livenessProbe?: unknown; securityContext?: Record<string, unknown>;
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  command?: string[]; volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodSpec = {
  containers: Container[]; initContainers?: Container[]; securityContext?: Record<string, unknown>; serviceAccountName?: string;
  automountServiceAccountToken?: boolean; volumes?: Array<Record<string, unknown>>;
};

const objects = (overrides = {}) => desiredDataPlane(aDataPlaneInput(overrides), someCredentials());
const find = (list: KubeObject[], kind: string, name: string, namespace = 'team-a-pipeline'): KubeObject => {
  const found = list.find((o) => o.kind === kind && o.metadata.name === name && (kind === 'Namespace' || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace}/${name}`);
  return found;
};
const podSpec = (d: KubeObject): PodSpec => (d.spec as { template: { spec: PodSpec } }).template.spec;
const deployments = (list: KubeObject[]) => list.filter((o) => o.kind === 'Deployment');
const allContainers = (list: KubeObject[]) => deployments(list).flatMap((d) => [...podSpec(d).containers, ...(podSpec(d).initContainers ?? [])]);
const secretData = (s: KubeObject): Record<string, string> =>
  Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

describe('desiredDataPlane', () => {
  it('puts every namespaced object into <project>-pipeline except the build RoleBindings', () => {
    const list = objects();
    expect(find(list, 'Namespace', 'team-a-pipeline').metadata.namespace).toBeUndefined();
    for (const obj of list.filter((o) => o.kind !== 'Namespace' && o.kind !== 'RoleBinding')) {
      expect(obj.metadata.namespace).toBe(`team-a${DATA_PLANE_SUFFIX}`);
    }
  });

  it('builds exactly the objects the issue lists, under the names other parts of Keelson rely on', () => {
    const names = objects().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
    expect(names).toEqual([
      'ConfigMap/team-a-pipeline/jenkins-casc',
      'Deployment/team-a-pipeline/jenkins',
      'Deployment/team-a-pipeline/minio',
      'Deployment/team-a-pipeline/registry',
      'Namespace//team-a-pipeline',
      'NetworkPolicy/team-a-pipeline/keelson-data-plane',
      'PersistentVolumeClaim/team-a-pipeline/jenkins-home',
      'PersistentVolumeClaim/team-a-pipeline/minio-data',
      'PersistentVolumeClaim/team-a-pipeline/registry-data',
      'Role/team-a-pipeline/jenkins-agents',
      'RoleBinding/team-a-pipeline/jenkins-agents',
      'RoleBinding/team-a/keelson-build-team-a',
      'Secret/team-a-pipeline/jenkins-admin',
      'Secret/team-a-pipeline/minio-root',
      'Secret/team-a-pipeline/registry-auth',
      'Secret/team-a-pipeline/registry-ca',
      'Secret/team-a-pipeline/registry-push',
      'Secret/team-a-pipeline/registry-tls',
      'Service/team-a-pipeline/jenkins',
      'Service/team-a-pipeline/minio',
      'Service/team-a-pipeline/registry',
      'ServiceAccount/team-a-pipeline/jenkins',
      'ServiceAccount/team-a-pipeline/keelson-build',
    ]);
  });

  it('labels every object as managed by and part of keelson, for its project', () => {
    for (const obj of objects()) {
      expect(obj.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'keelson', 'app.kubernetes.io/part-of': 'keelson', 'keelson.dev/project': 'team-a',
      });
    }
  });

  it('is deterministic, so a second apply has nothing to change', () => {
    expect(objects()).toEqual(objects());
  });

  it('runs only pinned images, never latest', () => {
    for (const c of allContainers(objects())) {
      expect(c.image).toMatch(/:[\w][\w.-]*$|@sha256:[a-f0-9]{64}$/);
      expect(c.image).not.toMatch(/:latest$/);
    }
    const images = allContainers(objects()).map((c) => c.image);
    expect(images).toEqual(expect.arrayContaining([expect.stringMatching(/^docker\.io\/jenkins\/jenkins:\d+\.\d+\.\d+-jdk17$/)]));
    expect(images).toEqual(expect.arrayContaining([expect.stringMatching(/registry:3\.\d+\.\d+$/)]));
  });

  it('gives every container requests, limits and a hardened security context, and every server probes', () => {
    const list = objects();
    for (const c of allContainers(list)) {
      expect(c.resources?.requests).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      expect(c.resources?.limits).toEqual(expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }));
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    for (const d of deployments(list)) {
      expect(podSpec(d).securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(podSpec(d).securityContext?.runAsUser).not.toBe(0);
      for (const c of podSpec(d).containers) {
        expect(c.readinessProbe).toBeDefined();
        expect(c.livenessProbe).toBeDefined();
      }
    }
  });

  describe('Jenkins', () => {
    const jenkins = () => podSpec(find(objects(), 'Deployment', 'jenkins'));

    it('installs the pinned plugins with jenkins-plugin-cli in an init container of the same official image', () => {
      const spec = jenkins();
      const init = spec.initContainers?.[0] as Container;
      expect(init.image).toBe(spec.containers[0].image);
      expect(init.command?.[0]).toBe('jenkins-plugin-cli');
      const plugins = (init.command ?? []).slice((init.command ?? []).indexOf('--plugins') + 1);
      expect(plugins.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(
        ['kubernetes', 'workflow-aggregator', 'pipeline-stage-view', 'credentials', 'configuration-as-code']));
      for (const p of plugins) expect(p).toMatch(/^[a-z0-9-]+:[A-Za-z0-9._-]+$/);
      expect(init.command).toEqual(expect.arrayContaining(['--latest', 'false']));
      // The download directory is the volume Jenkins mounts as its plugins directory.
      const downloadDir = (init.command ?? [])[(init.command ?? []).indexOf('--plugin-download-directory') + 1];
      const initMount = init.volumeMounts?.find((m) => m.mountPath === downloadDir);
      const mainMount = spec.containers[0].volumeMounts?.find((m) => m.name === initMount?.name);
      expect(mainMount?.mountPath).toBe('/var/jenkins_home/plugins');
    });

    it('skips the setup wizard, reads JCasC from the ConfigMap mount and the admin from the Secret', () => {
      const spec = jenkins();
      const env = spec.containers[0].env ?? [];
      expect(env.find((e) => e.name === 'JAVA_OPTS')?.value).toContain('-Djenkins.install.runSetupWizard=false');
      const casc = env.find((e) => e.name === 'CASC_JENKINS_CONFIG')?.value as string;
      const cascMount = spec.containers[0].volumeMounts?.find((m) => casc.startsWith(`${m.mountPath}/`));
      expect(spec.volumes).toContainEqual({ name: cascMount?.name, configMap: { name: 'jenkins-casc' } });
      expect(env.find((e) => e.name === 'JENKINS_ADMIN_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'jenkins-admin', key: 'password' });
      expect(env.find((e) => e.name === 'JENKINS_ADMIN_ID')?.valueFrom?.secretKeyRef).toEqual({ name: 'jenkins-admin', key: 'username' });
      expect(JSON.stringify(spec)).not.toContain('jenkins-password-1');
    });

    it('keeps JENKINS_HOME on its PVC and probes /login', () => {
      const spec = jenkins();
      expect(spec.volumes).toContainEqual({ name: 'jenkins-home', persistentVolumeClaim: { claimName: 'jenkins-home' } });
      expect(spec.containers[0].readinessProbe).toMatchObject({ httpGet: { path: '/login', port: 'http' } });
      expect(spec.serviceAccountName).toBe('jenkins');
    });

    it('exposes 8080 for HTTP and 50000 for agents', () => {
      const svc = find(objects(), 'Service', 'jenkins');
      expect((svc.spec as { ports: Array<{ name: string; port: number }> }).ports.map((p) => [p.name, p.port])).toEqual([['http', 8080], ['agent', 50000]]);
    });

    it('lets the jenkins ServiceAccount manage pods in its own namespace only', () => {
      const list = objects();
      const role = find(list, 'Role', 'jenkins-agents');
      const resources = (role.rules as Array<{ resources: string[] }>).flatMap((r) => r.resources);
      expect(resources).toEqual(expect.arrayContaining(['pods', 'pods/exec', 'pods/log']));
      expect(resources).not.toContain('secrets');
      const binding = find(list, 'RoleBinding', 'jenkins-agents');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'jenkins-agents' });
      expect(list.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'ClusterRole')).toEqual([]);
    });

    it('carries the project namespace, WebSocket agents and CSRF protection in a JCasC document that parses', () => {
      const cm = find(objects(), 'ConfigMap', 'jenkins-casc');
      const casc = parse((cm.data as Record<string, string>)['jenkins.yaml']);
      const cloud = casc.jenkins.clouds[0].kubernetes;
      expect(cloud).toMatchObject({ name: 'kubernetes', namespace: 'team-a-pipeline', webSocket: true, jenkinsUrl: 'http://jenkins.team-a-pipeline.svc:8080/', containerCapStr: '3' });
      expect(casc.jenkins.crumbIssuer).toEqual({ standard: { excludeClientIPFromCrumb: true } });
      expect(casc.jenkins.securityRealm.local.users).toEqual([{ id: '${JENKINS_ADMIN_ID}', password: '${JENKINS_ADMIN_PASSWORD}' }]);
      expect(casc.jenkins.authorizationStrategy.loggedInUsersCanDoAnything.allowAnonymousRead).toBe(false);
    });

    it('restarts Jenkins when its configuration changes (checksum annotation)', () => {
      const checksum = (o: KubeObject[]) => (find(o, 'Deployment', 'jenkins').spec as { template: { metadata: { annotations: Record<string, string> } } })
        .template.metadata.annotations['keelson.dev/config-checksum'];
      expect(checksum(objects())).toBe(checksum(objects()));
      expect(checksum(objects({ setting: { maxConcurrentExecutions: 7, historyLimit: 1, logRetentionDays: 1, allowPrivileged: false } }))).not.toBe(checksum(objects()));
    });
  });

  describe('registry', () => {
    it('serves TLS from registry-tls and checks htpasswd from registry-auth', () => {
      const spec = podSpec(find(objects(), 'Deployment', 'registry'));
      const env = Object.fromEntries((spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ REGISTRY_AUTH: 'htpasswd', REGISTRY_HTTP_ADDR: '0.0.0.0:5000' });
      expect(JSON.stringify(spec.volumes)).toContain('"secretName":"registry-tls"');
      expect(JSON.stringify(spec.volumes)).toContain('"secretName":"registry-auth"');
      expect(spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'registry-data' } });
    });

    it('gives build pods a dockerconfigjson for registry.<ns>.svc:5000 and the CA under ca.crt', () => {
      const list = objects();
      const push = find(list, 'Secret', 'registry-push');
      expect(push.type).toBe('kubernetes.io/dockerconfigjson');
      const config = JSON.parse(secretData(push)['.dockerconfigjson']);
      expect(config.auths['registry.team-a-pipeline.svc:5000']).toEqual({
        username: 'keelson', password: 'registry-password-1', auth: Buffer.from('keelson:registry-password-1').toString('base64'),
      });
      expect(secretData(find(list, 'Secret', 'registry-ca'))).toEqual({ 'ca.crt': someCredentials().registryTls.caCrt });
      expect(find(list, 'Secret', 'registry-tls').type).toBe('kubernetes.io/tls');
    });
  });

  it('runs MinIO with its root credentials from minio-root', () => {
    const spec = podSpec(find(objects(), 'Deployment', 'minio'));
    const env = spec.containers[0].env ?? [];
    expect(env.find((e) => e.name === 'MINIO_ROOT_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'minio-root', key: 'password' });
    expect(spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'minio-data' } });
  });

  it('stores generated credentials under the documented keys', () => {
    const list = objects();
    expect(secretData(find(list, 'Secret', 'jenkins-admin'))).toEqual({ username: 'admin', password: 'jenkins-password-1' });
    expect(Object.keys(secretData(find(list, 'Secret', 'minio-root'))).sort()).toEqual(['password', 'username']);
    expect(Object.keys(secretData(find(list, 'Secret', 'registry-auth'))).sort()).toEqual(['htpasswd', 'password', 'username']);
  });

  describe('build RBAC', () => {
    it('binds the deploy ClusterRole to keelson-build in each managed namespace and nowhere else', () => {
      const list = objects({ managedNamespaces: ['team-a', 'team-a-staging', 'team-a'] });
      const bindings = list.filter((o) => o.kind === 'RoleBinding' && (o.subjects as Array<{ name: string }>)[0].name === 'keelson-build');
      expect(bindings.map((b) => b.metadata.namespace)).toEqual(['team-a', 'team-a-staging']);
      for (const b of bindings) {
        expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' });
        expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'keelson-build', namespace: 'team-a-pipeline' }]);
      }
      expect(list.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
    });

    it('refuses to grant the build account anything in the data-plane namespace', () => {
      expect(() => objects({ managedNamespaces: ['team-a', 'team-a-pipeline'] })).toThrow(DataPlaneError);
    });

    it('gives the build ServiceAccount no token by default', () => {
      expect(find(objects(), 'ServiceAccount', 'keelson-build').automountServiceAccountToken).toBe(false);
    });
  });

  describe('NetworkPolicy', () => {
    it('admits only the namespace itself and the manager namespace to Jenkins, registry and MinIO', () => {
      const np = find(objects(), 'NetworkPolicy', 'keelson-data-plane');
      const spec = np.spec as { podSelector: unknown; policyTypes: string[]; ingress: Array<{ from: unknown[] }> };
      expect(spec.policyTypes).toEqual(['Ingress']);
      expect(spec.podSelector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['jenkins', 'registry', 'minio'] }] });
      expect(spec.ingress).toHaveLength(1);
      expect(spec.ingress[0].from).toEqual([
        { podSelector: {} },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keelson-system' } } },
      ]);
    });

    it('admits only the namespace itself when the manager runs outside the cluster', () => {
      const np = find(objects({ managerNamespace: undefined }), 'NetworkPolicy', 'keelson-data-plane');
      expect((np.spec as { ingress: Array<{ from: unknown[] }> }).ingress[0].from).toEqual([{ podSelector: {} }]);
    });

    it('selects the pods the components run', () => {
      const list = objects();
      for (const d of deployments(list)) {
        const labels = (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
        expect(['jenkins', 'registry', 'minio']).toContain(labels['app.kubernetes.io/name']);
      }
    });
  });

  describe('hostile input', () => {
    it.each([
      ['upper case', 'Team-A'],
      ['a YAML break', 'a\nb: c'],
      ['JCasC interpolation', '${JENKINS_ADMIN_PASSWORD}'],
      ['a path', '../kube-system'],
      ['empty', ''],
      ['too long once suffixed', 'a'.repeat(55)],
    ])('refuses a project name with %s', (_, project) => {
      expect(() => objects({ project, managedNamespaces: [] })).toThrow(expect.objectContaining({ code: 'InvalidName', retryable: false }));
    });

    it('accepts the longest project name whose data-plane namespace fits in 63 characters', () => {
      const project = 'a'.repeat(54);
      expect(find(objects({ project, managedNamespaces: [] }), 'Namespace', `${project}-pipeline`)).toBeDefined();
    });

    it('refuses a hostile managed or manager namespace', () => {
      expect(() => objects({ managedNamespaces: ['ok', 'x y'] })).toThrow(expect.objectContaining({ code: 'InvalidName' }));
      expect(() => objects({ managerNamespace: 'a"b' })).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    });

    it('refuses a namespace that is not the one derived from the project', () => {
      expect(() => objects({ namespace: 'kube-system' })).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    });

    it('refuses unpinned images and plugins', () => {
      expect(() => objects({ images: { jenkins: 'jenkins/jenkins' } })).toThrow(expect.objectContaining({ code: 'UnpinnedImage' }));
      expect(() => objects({ images: { minio: 'minio/minio:latest' } })).toThrow(expect.objectContaining({ code: 'UnpinnedImage' }));
      expect(() => objects({ jenkinsPlugins: ['kubernetes:latest'] })).toThrow(expect.objectContaining({ code: 'UnpinnedImage' }));
      expect(() => objects({ jenkinsPlugins: ['kubernetes'] })).toThrow(expect.objectContaining({ code: 'UnpinnedImage' }));
    });

    it('refuses storage sizes that are not quantities', () => {
      expect(() => objects({ storage: { jenkins: '8Gi; rm -rf /' } })).toThrow(expect.objectContaining({ code: 'InvalidName' }));
    });
  });

  it('uses the StorageClass and sizes it is given', () => {
    const pvc = find(objects({ storage: { storageClassName: 'fast', registry: '50Gi' } }), 'PersistentVolumeClaim', 'registry-data');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '50Gi' } }, storageClassName: 'fast' });
  });
});
