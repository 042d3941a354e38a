// The chart as `helm lint --strict` and `helm template` see it: no cluster, only the built helm.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { executionAdmissionPolicy } from '@keelson/crds';
import { ConfigError, MANAGER_VARIABLES, loadConfig } from '@keelson/config';
import { repoRoot } from '@keelson/servers';
import { CHART_DIR, K8sObject, SPLIT_VALUES, byKind, helm, named, render, renderError } from './helm';
import { managerEnvironment } from './manager-environment';

const ROLES = ['api', 'webhooks', 'controllers', 'workers'];
const POD_OWNERS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet'];

function podSpecs(objects: K8sObject[]): Array<{ owner: string; spec: any; template: any }> {
  return objects.filter((o) => POD_OWNERS.includes(o.kind)).map((o) => {
    const template = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
    return { owner: `${o.kind}/${o.metadata.name}`, spec: template.spec, template };
  });
}

const managerDeployments = (objects: K8sObject[]) => byKind(objects, 'Deployment').filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'manager');
const managerContainer = (d: K8sObject) => d.spec.template.spec.containers.find((c: { name: string }) => c.name === 'manager');
const envOf = (d: K8sObject) => Object.fromEntries(managerContainer(d).env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));

let defaults: K8sObject[];
let split: K8sObject[];

beforeAll(async () => {
  [defaults, split] = await Promise.all([render(), render({ valuesFiles: [SPLIT_VALUES] })]);
});

describe('helm lint --strict', () => {
  it.each([['default values', []], ['ci/split-values.yaml (roles split, every optional object on)', ['-f', SPLIT_VALUES]]])('passes with %s', async (_, args) => {
    const result = await helm(['lint', '--strict', CHART_DIR, ...args]);
    process.stdout.write(`helm lint --strict ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });
});

describe('CRDs and admission policy', () => {
  const withoutChartMetadata = (o: K8sObject) => {
    const { labels, annotations, ...metadata } = o.metadata;
    const rest = { ...annotations };
    delete rest['helm.sh/resource-policy'];
    return { ...o, metadata: { ...metadata, ...(Object.keys(rest).length && { annotations: rest }) } };
  };
  // What templates/crds renders (component crds); the RBAC admission policy of templates/rbac-admission-policy.yaml is not.
  const crdObjects = (objects: K8sObject[]) => objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'crds');
  const key = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

  it('renders exactly the objects of crds/ (release keelson in keelson-system), with the keep annotation and the chart labels', () => {
    const dir = join(repoRoot(), 'crds');
    const committed = readdirSync(dir).filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => d.toJSON() as K8sObject));
    const rendered = crdObjects(defaults);
    expect(rendered.map(key).sort()).toEqual(committed.map(key).sort());
    expect(rendered.length).toBe(8);
    for (const object of rendered) {
      expect(withoutChartMetadata(object)).toEqual(committed.find((c) => key(c) === key(object)));
      expect(object.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
      expect(object.metadata.labels).toMatchObject({ 'app.kubernetes.io/component': 'crds', 'app.kubernetes.io/instance': 'keelson' });
    }
  });

  it('exempts the release\'s own ServiceAccount from the admission policy, in whatever namespace and name', async () => {
    const objects = await render({ release: 'ci', namespace: 'ci-tools', values: { serviceAccount: { name: 'keelson.runner' } } });
    const [policy, binding] = executionAdmissionPolicy('system:serviceaccount:ci-tools:keelson.runner');
    expect(withoutChartMetadata(named(objects, 'ValidatingAdmissionPolicy', 'keelson-pipelineexecutions'))).toEqual(policy);
    expect(withoutChartMetadata(named(objects, 'ValidatingAdmissionPolicyBinding', 'keelson-pipelineexecutions'))).toEqual(binding);
    expect(named(objects, 'ServiceAccount', 'keelson.runner')).toBeDefined();
    expect(named(objects, 'Deployment', 'ci-keelson-manager').spec.template.spec.serviceAccountName).toBe('keelson.runner');
  });

  it('refuses a ServiceAccount name that could break out of the CEL string', async () => {
    expect(await renderError({ values: { serviceAccount: { name: "x' || true || '" } } })).toContain("'/serviceAccount/name'");
  });

  it('leaves CRDs out with crds.enabled false, and the keep annotation with crds.keep false', async () => {
    expect(crdObjects(await render({ values: { crds: { enabled: false } } }))).toEqual([]);
    const unkept = crdObjects(await render({ values: { crds: { keep: false } } }));
    expect(unkept).toHaveLength(8);
    for (const o of unkept) expect(o.metadata.annotations).toBeUndefined();
  });
});

describe('pods', () => {
  it('runs every pod of every configuration under restricted Pod Security', () => {
    const pods = [...podSpecs(defaults), ...podSpecs(split)];
    expect(pods.map((p) => p.owner)).toEqual(expect.arrayContaining(['Deployment/keelson-manager', 'Deployment/keelson-manager-api', 'Deployment/keelson-redis']));
    const allowedVolumes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
    for (const { owner, spec } of pods) {
      expect({ owner, pod: spec.securityContext }).toMatchObject({ owner, pod: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect({ owner, host: [spec.hostNetwork, spec.hostPID, spec.hostIPC] }).toEqual({ owner, host: [undefined, undefined, undefined] });
      for (const volume of spec.volumes ?? []) {
        const types = Object.keys(volume).filter((k) => k !== 'name');
        expect({ owner, volume: volume.name, types, allowed: types.every((t) => allowedVolumes.includes(t)) }).toEqual({ owner, volume: volume.name, types, allowed: true });
      }
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
        expect({ owner, container: c.name, sc: c.securityContext }).toEqual({
          owner, container: c.name,
          sc: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        });
        expect(c.ports?.some((p: { hostPort?: number }) => p.hostPort) ?? false).toBe(false);
      }
    }
  });

  it('gives the read-only manager a writable /tmp and the runtime config file', () => {
    for (const d of [...managerDeployments(defaults), ...managerDeployments(split)]) {
      const container = managerContainer(d);
      const mounts = Object.fromEntries(container.volumeMounts.map((m: { name: string; mountPath: string }) => [m.mountPath, m.name]));
      const volumes = Object.fromEntries(d.spec.template.spec.volumes.map((v: { name: string }) => [v.name, v]));
      expect(volumes[mounts['/tmp']].emptyDir).toBeDefined();
      expect(volumes[mounts['/etc/keelson/runtime']].configMap).toEqual({ name: 'keelson-runtime' });
      expect(container.volumeMounts.some((m: { subPath?: string }) => m.subPath)).toBe(false);
    }
    const runtime = named(defaults, 'ConfigMap', 'keelson-runtime');
    expect(JSON.parse(runtime.data['config.json'])).toEqual({});
    expect(named(defaults, 'ConfigMap', 'keelson').data.RUNTIME_CONFIG_FILE).toBe('/etc/keelson/runtime/config.json');
  });

  it('probes /healthz and /readyz on the manager port, which the Service and the metrics Service expose', () => {
    const container = managerContainer(named(defaults, 'Deployment', 'keelson-manager'));
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(named(defaults, 'Service', 'keelson').spec.ports[0]).toMatchObject({ port: 8080, targetPort: 'http' });
    expect(named(defaults, 'Service', 'keelson-metrics').spec).toMatchObject({ clusterIP: 'None', selector: { 'app.kubernetes.io/component': 'manager' } });
  });
});

describe('roles', () => {
  it('runs every role in one Deployment by default, with the downward API identity and the release namespace for the Lease', () => {
    const [d] = managerDeployments(defaults);
    expect(managerDeployments(defaults)).toHaveLength(1);
    expect(d.metadata.name).toBe('keelson-manager');
    expect(d.spec.replicas).toBe(1);
    const env = envOf(d);
    expect(env.ROLES).toBe(ROLES.join(','));
    expect(env.POD_NAME).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env.POD_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(named(defaults, 'ConfigMap', 'keelson').data).toMatchObject({ LEADER_ELECTION_NAMESPACE: 'keelson-system', PORT: '8080', LOG_LEVEL: 'info' });
  });

  it('runs one Deployment per role in split mode, each with its ROLES, replicas and resources, and selectors that do not overlap', async () => {
    const objects = await render({ values: { manager: { roles: { mode: 'split', workers: { replicas: 7, resources: { requests: { cpu: '1' } } } } } } });
    const deployments = managerDeployments(objects);
    expect(deployments.map((d) => [d.metadata.name, envOf(d).ROLES, d.spec.replicas])).toEqual([
      ['keelson-manager-api', 'api', 2], ['keelson-manager-webhooks', 'webhooks', 2],
      ['keelson-manager-controllers', 'controllers', 2], ['keelson-manager-workers', 'workers', 7],
    ]);
    // Merged over the role's defaults, as Helm merges values.
    expect(managerContainer(deployments[3]).resources).toEqual({ requests: { cpu: '1', memory: '256Mi' }, limits: { memory: '1Gi' } });
    const selectors = deployments.map((d) => d.spec.selector.matchLabels['keelson.dev/role']);
    expect(new Set(selectors).size).toBe(4);
    for (const d of deployments) expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.matchLabels);
  });

  it('routes /api and the console to the API pods and /hooks to the webhooks pods, and tells the registries the webhooks Service', () => {
    const ingress = named(split, 'Ingress', 'keelson');
    const paths = ingress.spec.rules[0].http.paths.map((p: any) => [p.path, p.pathType, p.backend.service.name]);
    expect(paths).toEqual([['/api', 'Prefix', 'keelson'], ['/hooks', 'Prefix', 'keelson-webhooks'], ['/', 'Prefix', 'keelson']]);
    expect(ingress.spec).toMatchObject({ ingressClassName: 'nginx', tls: [{ hosts: ['keelson.example.com'], secretName: 'keelson-tls' }] });
    expect(named(split, 'Service', 'keelson').spec.selector['keelson.dev/role']).toBe('api');
    expect(named(split, 'Service', 'keelson-webhooks').spec.selector['keelson.dev/role']).toBe('webhooks');
    expect(named(split, 'ConfigMap', 'keelson').data.REGISTRY_NOTIFICATION_URL).toBe('http://keelson-webhooks.keelson-system.svc:8080');
    expect(named(defaults, 'ConfigMap', 'keelson').data.REGISTRY_NOTIFICATION_URL).toBe('http://keelson.keelson-system.svc:8080');
  });
});

describe('settings', () => {
  const checksums = (objects: K8sObject[]) => managerDeployments(objects).map((d) => d.spec.template.metadata.annotations);

  it('restarts the pods when settings or secrets change, and not when the runtime config changes', async () => {
    const base = checksums(defaults)[0];
    const [config, secret, runtime] = await Promise.all([
      render({ values: { manager: { config: { LOG_LEVEL: 'debug' } } } }),
      render({ values: { manager: { oauthStateKey: 'k'.repeat(32) } } }),
      render({ values: { manager: { runtimeConfig: { LOG_LEVEL: 'debug' } } } }),
    ]);
    expect(checksums(config)[0]['checksum/config']).not.toBe(base['checksum/config']);
    expect(checksums(config)[0]['checksum/secret']).toBe(base['checksum/secret']);
    expect(checksums(secret)[0]['checksum/secret']).not.toBe(base['checksum/secret']);
    expect(checksums(secret)[0]['checksum/config']).toBe(base['checksum/config']);
    expect(checksums(runtime)[0]).toEqual(base);
    expect(JSON.parse(named(runtime, 'ConfigMap', 'keelson-runtime').data['config.json'])).toEqual({ LOG_LEVEL: 'debug' });
  });

  it('keeps REDIS_URL and OAUTH_STATE_KEY in the Secret, never in the ConfigMap; numbers stay integers', () => {
    const objects = split;
    const secret = named(objects, 'Secret', 'keelson');
    expect(Object.keys(secret.data)).toEqual(['OAUTH_STATE_KEY']);
    expect(Buffer.from(secret.data.OAUTH_STATE_KEY, 'base64').toString()).toBe('0123456789abcdef0123456789abcdef');
    const config = named(objects, 'ConfigMap', 'keelson').data;
    expect(config).not.toHaveProperty('OAUTH_STATE_KEY');
    expect(config).toMatchObject({ LOG_OUTAGE_GRACE_MS: '86400000', SYNC_WORKERS: '40', LOG_ARCHIVING: 'true', PRIVILEGED_BUILD_PROJECTS: 'team-a,team-b' });
    // The chart's own Redis has no password, so its URL is plain config, and it works beside an existingSecret.
    expect(config.REDIS_URL).toBe('redis://keelson-redis.keelson-system.svc:6379');
  });

  it('keeps the OIDC client secret in the Secret and the issuer and client in the ConfigMap, which the manager loads together', async () => {
    const objects = await render({
      values: {
        redis: { url: 'redis://redis.example.com:6379' },
        manager: { oidcClientSecret: 'oidc-client-secret', config: { PUBLIC_URL: 'https://keelson.example.com', OIDC_ISSUER_URL: 'https://dex.example.com', OIDC_CLIENT_ID: 'keelson' } },
      },
    });
    expect(Buffer.from(named(objects, 'Secret', 'keelson').data.OIDC_CLIENT_SECRET, 'base64').toString()).toBe('oidc-client-secret');
    const config = named(objects, 'ConfigMap', 'keelson').data;
    expect(config).not.toHaveProperty('OIDC_CLIENT_SECRET');
    expect(config).toMatchObject({ OIDC_ISSUER_URL: 'https://dex.example.com', OIDC_CLIENT_ID: 'keelson' });
    const loaded = loadConfig(MANAGER_VARIABLES, managerEnvironment(objects, 'keelson-manager', { name: 'keelson-manager-abc', namespace: 'keelson-system' }));
    expect(loaded).toMatchObject({ oidcIssuerUrl: 'https://dex.example.com', oidcClientId: 'keelson', oidcClientSecret: 'oidc-client-secret', oidcScopes: 'openid email groups' });
  });

  it('puts an external Redis URL in the Secret, and uses an existingSecret instead of its own', async () => {
    const external = await render({ values: { redis: { url: 'rediss://:pw@redis.example.com:6380' } } });
    expect(Buffer.from(named(external, 'Secret', 'keelson').data.REDIS_URL, 'base64').toString()).toBe('rediss://:pw@redis.example.com:6380');
    expect(named(external, 'ConfigMap', 'keelson').data).not.toHaveProperty('REDIS_URL');
    const existing = await render({ values: { manager: { existingSecret: 'my-keelson' } } });
    expect(byKind(existing, 'Secret')).toEqual([]);
    expect(managerContainer(managerDeployments(existing)[0]).envFrom).toEqual([{ configMapRef: { name: 'keelson' } }, { secretRef: { name: 'my-keelson' } }]);
  });

  it('gives every manager pod an environment the manager\'s own config loader accepts, with its role and identity', async () => {
    const external = await render({ values: { redis: { url: 'redis://redis.example.com:6379' } } });
    const pod = { name: 'keelson-manager-abc', namespace: 'keelson-system' };
    const combined = loadConfig(MANAGER_VARIABLES, managerEnvironment(external, 'keelson-manager', pod));
    expect(combined).toMatchObject({
      roles: ROLES, port: 8080, podName: pod.name, managerNamespace: 'keelson-system', leaseNamespace: 'keelson-system',
      redisUrl: 'redis://redis.example.com:6379', logLevel: 'info', registryNotificationUrl: 'http://keelson.keelson-system.svc:8080',
    });
    for (const role of ROLES) {
      const config = loadConfig(MANAGER_VARIABLES, managerEnvironment(split, `keelson-manager-${role}`, pod));
      expect(config).toMatchObject({
        roles: [role], redisUrl: 'redis://keelson-redis.keelson-system.svc:6379', syncWorkers: 40, logOutageGraceMs: 86_400_000,
        privilegedBuildProjects: ['team-a', 'team-b'], oauthStateKey: '0123456789abcdef0123456789abcdef', publicUrl: 'https://keelson.example.com',
      });
    }
    // A value the schema lets through but the manager refuses is caught here, naming the variable.
    const bad = await render({ values: { manager: { config: { PRIVILEGED_BUILD_PROJECTS: 'Team A' } } } });
    expect(() => loadConfig(MANAGER_VARIABLES, managerEnvironment(bad, 'keelson-manager', pod))).toThrow(ConfigError);
    expect(() => loadConfig(MANAGER_VARIABLES, managerEnvironment(bad, 'keelson-manager', pod))).toThrow(/PRIVILEGED_BUILD_PROJECTS/);
  });

  it('offers every manager variable the chart does not set itself, typed and described as in manager-config.ts', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const config = schema.properties.manager.properties.config;
    const setByChart = [
      'PORT', 'KUBECONFIG', 'REDIS_URL', 'OAUTH_STATE_KEY', 'OIDC_CLIENT_SECRET', 'ROLES', 'LEADER_ELECTION_NAMESPACE', 'POD_NAME', 'POD_NAMESPACE', 'RUNTIME_CONFIG_FILE',
      'MANAGER_SERVICE_ACCOUNT', 'DATA_PLANE_MANAGER_CLUSTER_ROLE', 'BUILDS_MANAGER_CLUSTER_ROLE', 'DATA_PLANE_DEPLOY_CLUSTER_ROLE',
      'REGISTRY_PROXY_PORT', 'REGISTRY_PROXY_CA_CONFIGMAP', 'REGISTRY_PROXY_NAMESPACE',
    ];
    const variables = Object.values(MANAGER_VARIABLES).filter((v) => !setByChart.includes(v.env));
    expect(Object.keys(config.properties).sort()).toEqual(variables.map((v) => v.env).sort());
    for (const v of variables) {
      const property = config.properties[v.env];
      const type = typeof v.default === 'boolean' ? 'boolean' : typeof v.default === 'number' ? 'integer' : 'string';
      expect({ env: v.env, description: property.description, type: property.type ?? (property.enum && 'string') })
        .toEqual({ env: v.env, description: v.description, type });
    }
  });

  it.each([
    [{ manager: { config: { NOT_A_SETTING: 'x' } } }, "'/manager/config': additional properties 'NOT_A_SETTING'"],
    [{ manager: { config: { SYNC_WORKERS: 'many' } } }, "'/manager/config/SYNC_WORKERS'"],
    [{ manager: { roles: { mode: 'both' } } }, "'/manager/roles/mode'"],
    [{ redis: { url: 'http://redis:6379' } }, "'/redis/url'"],
    [{ manager: { oauthStateKey: 'short' } }, "'/manager/oauthStateKey'"],
    [{ unknownTopLevel: true }, "additional properties 'unknownTopLevel'"],
  ])('refuses %j naming the field', async (values, field) => {
    expect(await renderError({ values })).toContain(field);
  });

  it('refuses its own Redis beside an external one', async () => {
    expect(await renderError({ values: { redis: { enabled: true, url: 'redis://r:6379' } } })).toContain('redis.url and redis.enabled are both set');
  });
});

describe('values.schema.json', () => {
  /** Every leaf of values.yaml has a typed, described schema node (maps of strings count as described by their parent). */
  it('types and describes every value of values.yaml', () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8'));
    const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'));
    const resolve = (node: any) => (node?.$ref ? schema.$defs[node.$ref.replace('#/$defs/', '')] : node);
    const missing: string[] = [];
    const walk = (value: unknown, node: any, path: string): void => {
      node = resolve(node);
      if (!node) return void missing.push(`${path} (no schema)`);
      if (path && !node.description && !path.match(/\.(requests|limits)$|^manager\.roles\.[a-z]+\.resources\./)) missing.push(`${path} (no description)`);
      if (!node.type && !node.enum) missing.push(`${path} (no type)`);
      if (value && typeof value === 'object' && !Array.isArray(value) && node.properties) {
        if (node.additionalProperties !== false) missing.push(`${path} (additionalProperties not false)`);
        for (const [k, v] of Object.entries(value)) walk(v, node.properties[k], path ? `${path}.${k}` : k);
      }
    };
    walk(values, schema, '');
    expect(missing).toEqual([]);
  });
});

describe('optional objects', () => {
  it('renders a PodDisruptionBudget only for a Deployment of more than one replica, unless enabled', async () => {
    expect(byKind(defaults, 'PodDisruptionBudget')).toEqual([]);
    const two = await render({ values: { manager: { roles: { combined: { replicas: 2 } } } } });
    const [pdb] = byKind(two, 'PodDisruptionBudget');
    expect(pdb.spec).toMatchObject({ minAvailable: 1, selector: { matchLabels: named(two, 'Deployment', 'keelson-manager').spec.selector.matchLabels } });
    const splitOneWebhook = await render({ values: { manager: { roles: { mode: 'split', webhooks: { replicas: 1 } } } } });
    expect(byKind(splitOneWebhook, 'PodDisruptionBudget').map((p) => p.metadata.name))
      .toEqual(['keelson-manager-api', 'keelson-manager-controllers', 'keelson-manager-workers']);
    expect(byKind(split, 'PodDisruptionBudget')).toHaveLength(4);
    const percent = await render({ values: { podDisruptionBudget: { enabled: true, maxUnavailable: '50%' } } });
    expect(byKind(percent, 'PodDisruptionBudget')[0].spec).toMatchObject({ maxUnavailable: '50%' });
    expect(byKind(percent, 'PodDisruptionBudget')[0].spec.minAvailable).toBeUndefined();
  });

  it('renders the ServiceMonitor from values alone (no API version check), selecting the metrics Service', () => {
    expect(byKind(defaults, 'ServiceMonitor')).toEqual([]);
    const monitor = named(split, 'ServiceMonitor', 'keelson');
    expect(monitor.metadata.labels).toMatchObject({ release: 'prometheus' });
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    expect(named(split, 'Service', 'keelson-metrics').metadata.labels).toMatchObject(monitor.spec.selector.matchLabels);
  });

  it('admits only the manager port to the manager, leaves egress open by default, and the chart\'s Redis to the manager alone', () => {
    const policy = named(defaults, 'NetworkPolicy', 'keelson-manager');
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toEqual([{ ports: [{ port: 8080, protocol: 'TCP' }] }]);
    expect(named(split, 'NetworkPolicy', 'keelson-manager').spec.policyTypes).toEqual(['Ingress', 'Egress']);
    const redis = named(split, 'NetworkPolicy', 'keelson-redis');
    expect(redis.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: named(split, 'NetworkPolicy', 'keelson-manager').spec.podSelector.matchLabels } }], ports: [{ port: 6379, protocol: 'TCP' }] }]);
  });

  it('runs the optional Redis on an emptyDir by default, a claim when asked', async () => {
    const objects = await render({ values: { redis: { enabled: true } } });
    const redis = named(objects, 'Deployment', 'keelson-redis');
    expect(redis.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'data')).toEqual({ name: 'data', emptyDir: {} });
    expect(byKind(objects, 'PersistentVolumeClaim')).toEqual([]);
    expect(named(split, 'Deployment', 'keelson-redis').spec.template.spec.volumes[0]).toEqual({ name: 'data', persistentVolumeClaim: { claimName: 'keelson-redis' } });
  });

  it('loads dashboards/keelson.json into a grafana_dashboard ConfigMap when enabled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keelson-chart-'));
    try {
      const chart = join(dir, 'keelson');
      cpSync(CHART_DIR, chart, { recursive: true });
      const file = join(chart, 'dashboards', 'keelson.json');
      if (!existsSync(file)) {
        mkdirSync(join(chart, 'dashboards'), { recursive: true });
        writeFileSync(file, JSON.stringify({ title: 'Keelson', panels: [] }));
      }
      const objects = await render({ chartDir: chart, values: { grafanaDashboard: { enabled: true } } });
      const dashboard = named(objects, 'ConfigMap', 'keelson-dashboard');
      expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      expect(dashboard.data['keelson.json']).toBe(readFileSync(file, 'utf8'));
      expect(byKind(await render({ chartDir: chart }), 'ConfigMap').map((c) => c.metadata.name)).not.toContain('keelson-dashboard');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('labels every object with the standard app.kubernetes.io labels', () => {
    for (const o of [...defaults, ...split]) {
      expect({ object: `${o.kind}/${o.metadata.name}`, labels: o.metadata.labels }).toMatchObject({
        object: `${o.kind}/${o.metadata.name}`,
        labels: {
          'app.kubernetes.io/name': 'keelson', 'app.kubernetes.io/instance': 'keelson', 'app.kubernetes.io/managed-by': 'Helm',
          'app.kubernetes.io/version': '0.1.0', 'app.kubernetes.io/part-of': 'keelson', 'helm.sh/chart': 'keelson-0.1.0',
          'app.kubernetes.io/component': expect.any(String),
        },
      });
    }
  });
});
