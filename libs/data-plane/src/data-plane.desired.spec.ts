import type { KubeObject } from '@keelson/kube';
import { parse } from 'yaml';

import { desiredDataPlane } from './data-plane.desired';
import { resolveDataPlaneInput } from './data-plane.input';
import { desiredRegistryProxyCa, registryProxyCaBundle } from './registry.desired';
import { DATA_PLANE_SUFFIX } from './data-plane.names';
import { PRIVATE_IPV4, PRIVATE_IPV6 } from './network-policy.desired';
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
  const clusterScoped = kind === 'Namespace' || kind === 'ClusterRole';
  const found = list.find((o) => o.kind === kind && o.metadata.name === name && (clusterScoped || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace}/${name}`);
  return found;
};
const podSpec = (d: KubeObject): PodSpec => (d.spec as { template: { spec: PodSpec } }).template.spec;
const deployments = (list: KubeObject[]) => list.filter((o) => o.kind === 'Deployment');
const allContainers = (list: KubeObject[]) => deployments(list).flatMap((d) => [...podSpec(d).containers, ...(podSpec(d).initContainers ?? [])]);
const secretData = (s: KubeObject): Record<string, string> =>
  Object.fromEntries(Object.entries(s.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type Peer = { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels?: Record<string, string> }; ipBlock?: { cidr: string; except: string[] } };
type PolicySpec = {
  podSelector: Record<string, unknown>; policyTypes: string[];
  ingress?: Array<{ from: Peer[]; ports?: Array<{ protocol: string; port: number }> }>;
  egress?: Array<{ to: Peer[]; ports?: Array<{ protocol: string; port: number }> }>;
};
const policy = (list: KubeObject[], name: string, namespace: string) => find(list, 'NetworkPolicy', name, namespace).spec as PolicySpec;
const inNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

describe('desiredDataPlane', () => {
  it('keeps Jenkins, the registry and MinIO in <project>-pipeline and everything builds touch in <project>-builds', () => {
    const list = objects();
    expect(find(list, 'Namespace', 'team-a-pipeline').metadata.namespace).toBeUndefined();
    expect(find(list, 'Namespace', 'team-a-builds').metadata.namespace).toBeUndefined();
    const inBuilds = list.filter((o) => o.metadata.namespace === 'team-a-builds').map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(inBuilds).toEqual([
      'NetworkPolicy/keelson-build-egress', 'NetworkPolicy/keelson-default-deny', 'NetworkPolicy/keelson-fork-build-egress',
      'Role/jenkins-agents', 'RoleBinding/jenkins-agents',
      'Secret/registry-ca', 'Secret/registry-push', 'ServiceAccount/keelson-build',
    ]);
    const elsewhere = list.filter((o) => o.kind !== 'Namespace' && o.kind !== 'ClusterRole' && o.metadata.namespace !== 'team-a-builds'
      && !(o.kind === 'RoleBinding' && o.metadata.name === 'keelson-build-team-a'));
    for (const obj of elsewhere) expect(obj.metadata.namespace).toBe(`team-a${DATA_PLANE_SUFFIX}`);
  });

  it('leaves nothing a build uses in <project>-pipeline: only the data plane\'s own Secrets stay there', () => {
    const list = objects();
    const pipelineSecrets = list.filter((o) => o.kind === 'Secret' && o.metadata.namespace === 'team-a-pipeline').map((o) => o.metadata.name).sort();
    expect(pipelineSecrets).toEqual(['jenkins-admin', 'minio-root', 'registry-auth', 'registry-htpasswd', 'registry-pull-auth', 'registry-tls']);
    expect(list.filter((o) => o.metadata.namespace === 'team-a-pipeline' && ['Role', 'RoleBinding'].includes(o.kind as string))).toEqual([]);
    expect(list.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'keelson-build' && o.metadata.namespace === 'team-a-pipeline')).toBe(false);
  });

  it('builds exactly the objects the issue lists, under the names other parts of Keelson rely on', () => {
    const names = objects().map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
    expect(names).toEqual([
      'ClusterRole//keelson-deploy',
      'ConfigMap/team-a-pipeline/jenkins-casc',
      'Deployment/team-a-pipeline/jenkins',
      'Deployment/team-a-pipeline/minio',
      'Deployment/team-a-pipeline/registry',
      'Namespace//team-a-builds',
      'Namespace//team-a-pipeline',
      'NetworkPolicy/team-a-builds/keelson-build-egress',
      'NetworkPolicy/team-a-builds/keelson-default-deny',
      'NetworkPolicy/team-a-builds/keelson-fork-build-egress',
      'NetworkPolicy/team-a-pipeline/keelson-data-plane',
      'NetworkPolicy/team-a-pipeline/keelson-minio',
      'PersistentVolumeClaim/team-a-pipeline/jenkins-home',
      'PersistentVolumeClaim/team-a-pipeline/minio-data',
      'PersistentVolumeClaim/team-a-pipeline/registry-data',
      'Role/team-a-builds/jenkins-agents',
      'RoleBinding/team-a-builds/jenkins-agents',
      'RoleBinding/team-a/keelson-build-team-a',
      'Secret/team-a-builds/registry-ca',
      'Secret/team-a-builds/registry-push',
      'Secret/team-a-pipeline/jenkins-admin',
      'Secret/team-a-pipeline/minio-root',
      'Secret/team-a-pipeline/registry-auth',
      'Secret/team-a-pipeline/registry-htpasswd',
      'Secret/team-a-pipeline/registry-pull-auth',
      'Secret/team-a-pipeline/registry-tls',
      'Service/team-a-pipeline/jenkins',
      'Service/team-a-pipeline/minio',
      'Service/team-a-pipeline/registry',
      'ServiceAccount/team-a-builds/keelson-build',
      'ServiceAccount/team-a-pipeline/jenkins',
    ]);
  });

  it('labels every object as managed by and part of keelson, and every project object with its project', () => {
    for (const obj of objects()) {
      expect(obj.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'keelson', 'app.kubernetes.io/part-of': 'keelson' });
      // The deploy ClusterRole is shared by every project: a project label would flip at each project's apply.
      if (obj.kind === 'ClusterRole') expect(obj.metadata.labels).not.toHaveProperty(['keelson.dev/project']);
      else expect(obj.metadata.labels).toMatchObject({ 'keelson.dev/project': 'team-a' });
    }
  });

  it('applies namespaces first, NetworkPolicies before any pod can run, and the ClusterRole before the RoleBindings that bind it', () => {
    const order = objects({ managedNamespaces: ['team-a', 'team-a-staging'] }).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(order.slice(0, 2)).toEqual(['Namespace/team-a-pipeline', 'Namespace/team-a-builds']);
    expect(order.indexOf('NetworkPolicy/keelson-default-deny')).toBeLessThan(order.indexOf('Deployment/jenkins'));
    const clusterRole = order.indexOf('ClusterRole/keelson-deploy');
    const bindings = order.flatMap((o, i) => (o === 'RoleBinding/keelson-build-team-a' ? [i] : []));
    expect(bindings).toHaveLength(2);
    for (const i of bindings) expect(clusterRole).toBeLessThan(i);
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

    it('lets the jenkins ServiceAccount of <project>-pipeline manage pods in <project>-builds only, and touch no Secret', () => {
      const list = objects();
      const role = find(list, 'Role', 'jenkins-agents', 'team-a-builds');
      const resources = (role.rules as Rule[]).flatMap((r) => r.resources);
      expect(resources.sort()).toEqual(['events', 'pods', 'pods/exec', 'pods/log']);
      expect((role.rules as Rule[]).flatMap((r) => r.apiGroups)).toEqual(['', '', '', '']);
      const binding = find(list, 'RoleBinding', 'jenkins-agents', 'team-a-builds');
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'jenkins-agents' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'jenkins', namespace: 'team-a-pipeline' }]);
      expect(find(list, 'ServiceAccount', 'jenkins').metadata.namespace).toBe('team-a-pipeline');
      expect(list.filter((o) => o.kind === 'ClusterRoleBinding')).toEqual([]);
      // No rule anywhere mentions Secrets.
      for (const r of list.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole')) {
        expect((r.rules as Rule[]).flatMap((rule) => rule.resources)).not.toContain('secrets');
      }
    });

    it('carries the project namespace, WebSocket agents and CSRF protection in a JCasC document that parses', () => {
      const cm = find(objects(), 'ConfigMap', 'jenkins-casc');
      const casc = parse((cm.data as Record<string, string>)['jenkins.yaml']);
      const cloud = casc.jenkins.clouds[0].kubernetes;
      expect(cloud).toMatchObject({ name: 'kubernetes', namespace: 'team-a-builds', webSocket: true, jenkinsUrl: 'http://jenkins.team-a-pipeline.svc:8080/', containerCapStr: '3' });
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
    it('serves TLS from registry-tls and checks htpasswd from registry-htpasswd', () => {
      const spec = podSpec(find(objects(), 'Deployment', 'registry'));
      const env = Object.fromEntries((spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
      expect(env).toMatchObject({ REGISTRY_AUTH: 'htpasswd', REGISTRY_HTTP_ADDR: '0.0.0.0:5000' });
      expect(JSON.stringify(spec.volumes)).toContain('"secretName":"registry-tls"');
      expect(JSON.stringify(spec.volumes)).toContain('"secretName":"registry-htpasswd"');
      expect(spec.volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'registry-data' } });
    });

    it('knows the push user and the pull-only user, one htpasswd line each, and restarts when either changes', () => {
      const list = objects();
      expect(secretData(find(list, 'Secret', 'registry-htpasswd')).htpasswd)
        .toBe('keelson:$2b$10$abcdefghijklmnopqrstuv\nkeelson-pull:$2b$10$zyxwvutsrqponmlkjihgfe\n');
      const checksum = (l: KubeObject[]) => (find(l, 'Deployment', 'registry').spec as { template: { metadata: { annotations: Record<string, string> } } })
        .template.metadata.annotations['keelson.dev/config-checksum'];
      const credentials = someCredentials();
      const other = desiredDataPlane(aDataPlaneInput(), { ...credentials, registryPull: { ...credentials.registryPull, htpasswd: 'keelson-pull:$2b$10$other\n' } });
      expect(checksum(other)).not.toBe(checksum(list));
    });

    it('without the node-local proxy, puts no pull Secret anywhere', () => {
      expect(objects().filter((o) => o.metadata.name === 'keelson-registry-pull')).toEqual([]);
    });

    it('with the proxy, gives <project>-builds and every owned namespace the pull user for 127.0.0.1:<port>, never the push user', () => {
      const list = objects({ managedNamespaces: ['team-a', 'team-a-staging'], registryProxy: { port: 34362 } });
      const pulls = list.filter((o) => o.metadata.name === 'keelson-registry-pull');
      expect(pulls.map((o) => o.metadata.namespace).sort()).toEqual(['team-a', 'team-a-builds', 'team-a-staging']);
      for (const secret of pulls) {
        expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
        const config = JSON.parse(secretData(secret)['.dockerconfigjson']);
        expect(Object.keys(config.auths)).toEqual(['127.0.0.1:34362']);
        expect(config.auths['127.0.0.1:34362']).toEqual({
          username: 'keelson-pull', password: 'registry-pull-password-1', auth: Buffer.from('keelson-pull:registry-pull-password-1').toString('base64'),
        });
        expect(JSON.stringify(config)).not.toContain('registry-password-1');
      }
    });

    it('refuses a proxy port or CA ConfigMap that is not a plain value', () => {
      expect(() => objects({ registryProxy: { port: 0 } })).toThrow(/registry proxy port 0 is not a port number/);
      expect(() => objects({ registryProxy: { port: 34362.5 } })).toThrow(/not a port number/);
      expect(() => objects({ registryProxy: { port: 34362, caConfigMap: { namespace: 'keelson-system', name: 'a"b' } } })).toThrow(/CA ConfigMap "a\\"b" is not a valid name/);
      expect(() => objects({ registryProxy: { port: 34362, caConfigMap: { namespace: 'Bad NS', name: 'cas' } } })).toThrow(/registry proxy CA ConfigMap namespace/);
    });

    it('gives build pods, in <project>-builds, a dockerconfigjson for registry.<project>-pipeline.svc:5000 and the CA under ca.crt', () => {
      const list = objects();
      const push = find(list, 'Secret', 'registry-push', 'team-a-builds');
      expect(push.type).toBe('kubernetes.io/dockerconfigjson');
      const config = JSON.parse(secretData(push)['.dockerconfigjson']);
      expect(config.auths['registry.team-a-pipeline.svc:5000']).toEqual({
        username: 'keelson', password: 'registry-password-1', auth: Buffer.from('keelson:registry-password-1').toString('base64'),
      });
      expect(secretData(find(list, 'Secret', 'registry-ca', 'team-a-builds'))).toEqual({ 'ca.crt': someCredentials().registryTls.caCrt });
      expect(find(list, 'Secret', 'registry-tls').type).toBe('kubernetes.io/tls');
    });

    const notification = { url: 'https://keelson.example.com/hooks/registry/team-a', token: 'a'.repeat(64) };
    const checksumOf = (list: KubeObject[]) => (find(list, 'Deployment', 'registry').spec as { template: { metadata: { annotations: Record<string, string> } } })
      .template.metadata.annotations['keelson.dev/config-checksum'];

    it('notifies the manager of manifest pushes with the project token, which only a Secret of <project>-pipeline holds', () => {
      const list = objects({ registryNotification: notification });
      const container = podSpec(find(list, 'Deployment', 'registry')).containers[0];
      expect(container.env).toContainEqual({ name: 'REGISTRY_NOTIFICATIONS_ENDPOINTS', valueFrom: { secretKeyRef: { name: 'registry-notifications', key: 'endpoints' } } });
      expect(JSON.stringify(find(list, 'Deployment', 'registry'))).not.toContain(notification.token);
      const endpoints = parse(secretData(find(list, 'Secret', 'registry-notifications'))['endpoints']);
      expect(endpoints).toEqual([{
        name: 'keelson', url: notification.url, headers: { Authorization: [`Bearer ${notification.token}`] }, timeout: '5s', threshold: 3, backoff: '10s',
        ignore: { actions: ['pull', 'mount'], mediatypes: ['application/octet-stream'] },
      }]);
      expect(list.filter((o) => o.kind === 'Secret' && o.metadata.namespace === 'team-a-builds').map((o) => o.metadata.name)).not.toContain('registry-notifications');
    });

    it('restarts the registry when the endpoint or token changes, and has no endpoint without one', () => {
      const base = checksumOf(objects({ registryNotification: notification }));
      expect(checksumOf(objects({ registryNotification: { ...notification, token: 'b'.repeat(64) } }))).not.toBe(base);
      expect(checksumOf(objects({ registryNotification: { ...notification, url: 'http://keelson.keelson-system.svc:8080/hooks/registry/team-a' } }))).not.toBe(base);
      const without = objects();
      expect(without.some((o) => o.metadata.name === 'registry-notifications')).toBe(false);
      expect(podSpec(find(without, 'Deployment', 'registry')).containers[0].env?.map((e) => e.name)).not.toContain('REGISTRY_NOTIFICATIONS_ENDPOINTS');
    });

    it('refuses a notification URL that is not plain http(s) and a token that is not URL-safe, without echoing the token', () => {
      expect(() => objects({ registryNotification: { ...notification, url: 'file:///etc/passwd' } })).toThrow(/registry notification URL "file:\/\/\/etc\/passwd"/);
      expect(() => objects({ registryNotification: { ...notification, url: 'https://user:pw@example.com/h' } })).toThrow(/without credentials/);
      const hostile = `${'x'.repeat(20)}\nX-Evil: 1`;
      expect(() => objects({ registryNotification: { ...notification, token: hostile } })).toThrow(/^the registry notification token must be 16 to 512 URL-safe characters$/);
      expect(() => objects({ registryNotification: { ...notification, token: 'short' } })).toThrow(/token/);
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
    it('binds keelson-deploy to keelson-build of <project>-builds in each managed namespace and nowhere else', () => {
      const list = objects({ managedNamespaces: ['team-a', 'team-a-staging', 'team-a'] });
      const bindings = list.filter((o) => o.kind === 'RoleBinding' && (o.subjects as Array<{ name: string }>)[0].name === 'keelson-build');
      expect(bindings.map((b) => b.metadata.namespace)).toEqual(['team-a', 'team-a-staging']);
      for (const b of bindings) {
        expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'keelson-deploy' });
        expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'keelson-build', namespace: 'team-a-builds' }]);
        expect(b.metadata.labels).toMatchObject({ 'keelson.dev/build-binding-of': 'team-a-builds' });
      }
      expect(list.some((o) => o.kind === 'ClusterRoleBinding')).toBe(false);
    });

    it('lets deploy steps manage workloads and their config, but never Secrets, RBAC, exec, tokens, bare pods or ServiceAccounts', () => {
      const role = find(objects(), 'ClusterRole', 'keelson-deploy');
      expect(role.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'keelson' });
      const rules = role.rules as Rule[];
      const granted = (group: string, resource: string) => rules.filter((r) => r.apiGroups.includes(group) && r.resources.includes(resource)).flatMap((r) => r.verbs);
      const all = ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'];
      for (const [group, resource] of [
        ['apps', 'deployments'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['apps', 'replicasets'], ['batch', 'jobs'], ['batch', 'cronjobs'],
        ['', 'services'], ['', 'configmaps'], ['', 'persistentvolumeclaims'],
        ['networking.k8s.io', 'ingresses'], ['autoscaling', 'horizontalpodautoscalers'], ['policy', 'poddisruptionbudgets'],
      ]) {
        expect([`${group}/${resource}`, granted(group, resource).sort()]).toEqual([`${group}/${resource}`, [...all].sort()]);
      }
      // A pod it wrote could mount any Secret of the namespace and run as any ServiceAccount there.
      expect(granted('', 'pods').sort()).toEqual(['delete', 'get', 'list', 'watch']);
      expect(granted('', 'serviceaccounts').sort()).toEqual(['get', 'list', 'watch']);
      expect(granted('', 'pods/log').sort()).toEqual(['get', 'list', 'watch']);
      const resources = rules.flatMap((r) => r.resources);
      for (const forbidden of ['secrets', 'pods/exec', 'pods/attach', 'pods/portforward', 'serviceaccounts/token', 'roles', 'rolebindings', '*']) {
        expect(resources).not.toContain(forbidden);
      }
      const groups = rules.flatMap((r) => r.apiGroups);
      expect(groups).not.toContain('rbac.authorization.k8s.io');
      expect(groups).not.toContain('*');
      expect(rules.flatMap((r) => r.verbs)).not.toEqual(expect.arrayContaining(['*']));
      expect(rules.flatMap((r) => r.verbs).filter((v) => ['escalate', 'bind', 'impersonate'].includes(v))).toEqual([]);
    });

    it('binds another ClusterRole when the operator names one, and then applies no ClusterRole of its own', () => {
      const list = objects({ deployClusterRole: 'edit' });
      expect(find(list, 'RoleBinding', 'keelson-build-team-a', 'team-a').roleRef).toMatchObject({ kind: 'ClusterRole', name: 'edit' });
      expect(list.filter((o) => o.kind === 'ClusterRole')).toEqual([]);
    });

    it('binds the chart\'s deploy role as is, even when it carries the default name, and applies no ClusterRole', () => {
      for (const name of ['keelson-deploy', 'ci-keelson-deploy']) {
        const list = objects({ deployClusterRole: name });
        expect(find(list, 'RoleBinding', 'keelson-build-team-a', 'team-a').roleRef).toMatchObject({ kind: 'ClusterRole', name });
        expect(list.filter((o) => o.kind === 'ClusterRole')).toEqual([]);
      }
    });

    it('binds the manager\'s own roles in both namespaces right after them, only when asked', () => {
      const managerAccess = { serviceAccount: { namespace: 'keelson-system', name: 'keelson-manager' }, dataPlaneClusterRole: 'ci-keelson-data-plane', buildsClusterRole: 'ci-keelson-builds' };
      const list = objects({ managerAccess });
      expect(list.slice(0, 4).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
        'Namespace//team-a-pipeline', 'Namespace//team-a-builds', 'RoleBinding/team-a-pipeline/keelson-manager', 'RoleBinding/team-a-builds/keelson-manager',
      ]);
      const subjects = [{ kind: 'ServiceAccount', name: 'keelson-manager', namespace: 'keelson-system' }];
      expect(find(list, 'RoleBinding', 'keelson-manager', 'team-a-pipeline')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'ci-keelson-data-plane' }, subjects });
      expect(find(list, 'RoleBinding', 'keelson-manager', 'team-a-builds')).toMatchObject({ roleRef: { kind: 'ClusterRole', name: 'ci-keelson-builds' }, subjects });
      expect(objects().filter((o) => o.metadata.name === 'keelson-manager')).toEqual([]);
    });

    it('refuses a manager access with a bad name, naming the field', () => {
      const access = (sa: string, role: string) => ({ managerAccess: { serviceAccount: { namespace: 'keelson-system', name: sa }, dataPlaneClusterRole: role, buildsClusterRole: 'b' } });
      expect(() => objects(access('Bad Name', 'r'))).toThrow(expect.objectContaining({ code: 'InvalidName', message: expect.stringContaining('manager ServiceAccount') }));
      expect(() => objects(access('sa', 'r r'))).toThrow(expect.objectContaining({ code: 'InvalidName', message: expect.stringContaining('data-plane ClusterRole of the manager') }));
    });

    it.each(['team-a-pipeline', 'team-a-builds'])('refuses to grant the build account anything in %s', (ns) => {
      expect(() => objects({ managedNamespaces: ['team-a', ns] })).toThrow(expect.objectContaining({ code: 'InvalidName', message: expect.stringContaining(ns) }));
    });

    it('gives the build ServiceAccount no token by default', () => {
      expect(find(objects(), 'ServiceAccount', 'keelson-build', 'team-a-builds').automountServiceAccountToken).toBe(false);
    });
  });

  describe('Pod Security', () => {
    const labels = (list: KubeObject[], ns: string) => find(list, 'Namespace', ns).metadata.labels ?? {};
    const level = (l: string) => ({
      'pod-security.kubernetes.io/enforce': l, 'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': l, 'pod-security.kubernetes.io/warn-version': 'latest',
      'pod-security.kubernetes.io/audit': l, 'pod-security.kubernetes.io/audit-version': 'latest',
    });

    it('enforces restricted on <project>-pipeline and baseline on <project>-builds', () => {
      const list = objects();
      expect(labels(list, 'team-a-pipeline')).toMatchObject(level('restricted'));
      expect(labels(list, 'team-a-builds')).toMatchObject(level('baseline'));
    });

    it('makes <project>-builds privileged only when the operator allowed it, whatever the setting says', () => {
      expect(labels(objects({ allowPrivileged: true }), 'team-a-builds')).toMatchObject(level('privileged'));
      expect(labels(objects({ allowPrivileged: true }), 'team-a-pipeline')).toMatchObject(level('restricted'));
      const tenantAsks = objects({ setting: { maxConcurrentExecutions: 3, historyLimit: 100, logRetentionDays: 30, allowPrivileged: true } });
      expect(labels(tenantAsks, 'team-a-builds')).toMatchObject(level('baseline'));
    });

    it('gives every pod template of <project>-pipeline what restricted demands, init containers included', () => {
      for (const d of deployments(objects())) {
        const spec = podSpec(d);
        expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
        for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
          expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
          expect(c.securityContext).not.toHaveProperty('privileged');
          expect(c.securityContext).not.toHaveProperty(['capabilities', 'add']);
        }
        const kinds = (spec.volumes ?? []).map((v) => Object.keys(v).find((k) => k !== 'name'));
        for (const kind of kinds) expect(['configMap', 'emptyDir', 'persistentVolumeClaim', 'secret', 'projected']).toContain(kind);
      }
    });
  });

  describe('NetworkPolicies', () => {
    it('admits the build pods to Jenkins and the registry, and the manager namespace to all three', () => {
      const list = objects();
      const np = policy(list, 'keelson-data-plane', 'team-a-pipeline');
      expect(np.policyTypes).toEqual(['Ingress']);
      expect(np.podSelector).toEqual({ matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['jenkins', 'registry'] }] });
      const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
      expect(np.ingress).toEqual([
        { from: [inNamespace('team-a-builds')], ports: tcp(8080, 50000, 5000) },
        { from: [inNamespace('keelson-system')], ports: tcp(8080, 50000, 5000) },
      ]);
      const minio = policy(list, 'keelson-minio', 'team-a-pipeline');
      expect(minio.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'minio', 'app.kubernetes.io/component': 'log-store' } });
      expect(minio.ingress).toEqual([{ from: [inNamespace('keelson-system')], ports: tcp(9000) }]);
    });

    it('admits the registry proxy\'s namespace to the registry port only, when the proxy runs apart from the manager', () => {
      const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
      const apart = objects({ registryProxy: { port: 34362, caConfigMap: { namespace: 'keelson-nodes', name: 'keelson-registry-cas' } } });
      expect(policy(apart, 'keelson-data-plane', 'team-a-pipeline').ingress?.slice(2)).toEqual([{ from: [inNamespace('keelson-nodes')], ports: tcp(5000) }]);
      const beside = objects({ registryProxy: { port: 34362, caConfigMap: { namespace: 'keelson-system', name: 'keelson-registry-cas' } } });
      expect(policy(beside, 'keelson-data-plane', 'team-a-pipeline').ingress).toHaveLength(2);
    });

    it('admits only the build pods, and nobody to MinIO, when the manager runs outside the cluster', () => {
      const list = objects({ managerNamespace: undefined });
      expect(policy(list, 'keelson-data-plane', 'team-a-pipeline').ingress?.map((r) => r.from)).toEqual([[inNamespace('team-a-builds')]]);
      const minio = policy(list, 'keelson-minio', 'team-a-pipeline');
      expect(minio.policyTypes).toEqual(['Ingress']);
      expect(minio.ingress).toBeUndefined();
    });

    it('selects the pods the components run', () => {
      for (const d of deployments(objects())) {
        const labels = (d.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
        expect(['jenkins', 'registry', 'minio']).toContain(labels['app.kubernetes.io/name']);
      }
    });

    it('denies all ingress and egress in <project>-builds unless another policy allows it', () => {
      expect(policy(objects(), 'keelson-default-deny', 'team-a-builds')).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    });

    // kube-system's DNS pods, and NodeLocal DNSCache where the cluster runs it (it answers on a link-local address).
    const dns = { to: [inNamespace('kube-system'), { ipBlock: { cidr: '169.254.20.10/32' } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] };
    const jenkins = {
      to: [{ ...inNamespace('team-a-pipeline'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'jenkins', 'app.kubernetes.io/component': 'controller' } } }],
      ports: [{ protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 50000 }],
    };
    const internet = { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_IPV4 } }, { ipBlock: { cidr: '::/0', except: PRIVATE_IPV6 } }] };

    it('lets trusted build pods reach DNS, Jenkins, the registry and the internet outside private ranges', () => {
      const np = policy(objects(), 'keelson-build-egress', 'team-a-builds');
      expect(np.podSelector).toEqual({ matchLabels: { 'keelson.dev/fork': 'false' } });
      expect(np.policyTypes).toEqual(['Egress']);
      expect(np.egress).toEqual([
        dns,
        jenkins,
        {
          to: [{ ...inNamespace('team-a-pipeline'), podSelector: { matchLabels: { 'app.kubernetes.io/name': 'registry', 'app.kubernetes.io/component': 'registry' } } }],
          ports: [{ protocol: 'TCP', port: 5000 }],
        },
        internet,
      ]);
    });

    it('lets fork build pods reach DNS, Jenkins\' agent channel and the internet only', () => {
      const np = policy(objects(), 'keelson-fork-build-egress', 'team-a-builds');
      expect(np.podSelector).toEqual({ matchLabels: { 'keelson.dev/fork': 'true' } });
      expect(np.egress).toEqual([dns, jenkins, internet]);
      expect(JSON.stringify(np)).not.toContain('registry');
    });

    it('keeps private, link-local (metadata), shared and loopback ranges out of "the internet"', () => {
      expect([...PRIVATE_IPV4].sort()).toEqual(['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16']);
      expect([...PRIVATE_IPV6].sort()).toEqual(['::1/128', 'fc00::/7', 'fe80::/10']);
    });

    it('allows nothing to a build pod without the fork label', () => {
      const selectors = objects().filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'team-a-builds')
        .filter((o) => (o.spec as PolicySpec).egress !== undefined || (o.spec as PolicySpec).ingress !== undefined)
        .map((o) => (o.spec as PolicySpec).podSelector);
      expect(selectors).toEqual([{ matchLabels: { 'keelson.dev/fork': 'false' } }, { matchLabels: { 'keelson.dev/fork': 'true' } }]);
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

    it('accepts the longest project name whose data-plane and build namespaces fit in 63 characters', () => {
      const project = 'a'.repeat(54);
      const list = objects({ project, managedNamespaces: [] });
      expect(find(list, 'Namespace', `${project}-pipeline`)).toBeDefined();
      expect(find(list, 'Namespace', `${project}-builds`)).toBeDefined();
    });

    it('names the namespace that does not fit when the project is too long', () => {
      expect(() => objects({ project: 'a'.repeat(55), managedNamespaces: [] }))
        .toThrow(expect.objectContaining({ message: expect.stringContaining(`${'a'.repeat(55)}-pipeline" must fit in 63 characters`) }));
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

describe('desiredRegistryProxyCa', () => {
  it('publishes the project\'s CA (public, never the key) as <project>.crt of the proxy\'s ConfigMap, only when one is named', () => {
    const credentials = someCredentials();
    const input = resolveDataPlaneInput(aDataPlaneInput({ registryProxy: { port: 34362, caConfigMap: { namespace: 'keelson-system', name: 'keelson-registry-cas' } } }));
    const cm = desiredRegistryProxyCa(input, credentials);
    expect(cm).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'keelson-registry-cas', namespace: 'keelson-system' },
      data: { 'team-a.crt': credentials.registryTls.caCrt },
    });
    expect(JSON.stringify(cm)).not.toContain('PRIVATE KEY');
    expect(desiredRegistryProxyCa(resolveDataPlaneInput(aDataPlaneInput({ registryProxy: { port: 34362 } })), credentials)).toBeUndefined();
  });
});

describe('registryProxyCaBundle', () => {
  const ca = (n: number) => `-----BEGIN CERTIFICATE-----\nQ0E${n}\n-----END CERTIFICATE-----\n`;

  it('is the CA alone at first, and unchanged while it stays', () => {
    expect(registryProxyCaBundle(ca(1))).toBe(ca(1));
    expect(registryProxyCaBundle(ca(1), ca(1))).toBe(ca(1));
  });

  it('after a renewal, the new CA first and the previous one behind it, kept on later applies, dropped at the next renewal', () => {
    const renewed = registryProxyCaBundle(ca(2), ca(1));
    expect(renewed).toBe(`${ca(2)}${ca(1)}`);
    expect(registryProxyCaBundle(ca(2), renewed)).toBe(renewed);
    expect(registryProxyCaBundle(ca(3), renewed)).toBe(`${ca(3)}${ca(2)}`);
  });

  it('ignores a published value with no certificate in it', () => {
    expect(registryProxyCaBundle(ca(1), 'garbage')).toBe(ca(1));
  });
});
