// The project's image registry: TLS with its own CA, htpasswd auth (a push user and a pull-only user), images on a PVC. Build pods push with the
// `registry-push` dockerconfigjson and trust `registry-ca`, the two names the compiler's BuildSettings expect;
// both live in `<project>-builds`, beside the pods that mount them, never beside the registry's own Secrets.
// With a notification endpoint, the registry tells the manager of every manifest push (the image-push trigger);
// the endpoint, token included, sits in a Secret the registry reads through its environment. Nodes pull through
// the node-local proxy (apps/registry-proxy) with the pull user's `keelson-registry-pull` Secret; the proxy
// checks the registry against the CA the project publishes in the proxy's ConfigMap.
import type { KubeObject } from '@keelson/kube';

import type { DataPlaneCredentials, UserPassword } from './credentials';
import { REGISTRY_TLS_SECRET } from './credentials';
import type { RegistryNotification, ResolvedDataPlaneInput } from './data-plane.input';
import { componentLabels, NAMES, PORTS, registryHost, registryProxyHost, selectorOf } from './data-plane.names';
import { CHECKSUM_ANNOTATION, checksum, containerSecurityContext, objectMeta, podSecurityContext, pvcObject, secretObject } from './object-builders';

const REGISTRY_UID = 1000;

/** The key of NAMES.registryNotificationsSecret, and the variable the registry reads it from. */
export const REGISTRY_NOTIFICATIONS_KEY = 'endpoints';
export const REGISTRY_NOTIFICATIONS_ENV = 'REGISTRY_NOTIFICATIONS_ENDPOINTS';

/**
 * `notifications.endpoints` of the registry's configuration (CNCF Distribution 3.x), as the YAML (here JSON) its
 * `REGISTRY_NOTIFICATIONS_ENDPOINTS` variable replaces the list with. Pulls and blobs are dropped at the source:
 * only manifest pushes and deletes reach the manager. The registry retries a failed delivery after `backoff`
 * once `threshold` in a row failed, and counts 2xx and 3xx as delivered.
 */
export function registryNotificationEndpoints(notification: RegistryNotification): string {
  return JSON.stringify([{
    name: 'keelson', url: notification.url,
    headers: { Authorization: [`Bearer ${notification.token}`] },
    timeout: '5s', threshold: 3, backoff: '10s',
    ignore: { actions: ['pull', 'mount'], mediatypes: ['application/octet-stream'] },
  }]);
}

export function registryLabels(input: ResolvedDataPlaneInput): Record<string, string> {
  return componentLabels(input.project, NAMES.registry, 'registry');
}

/** A `.dockerconfigjson` naming one registry host (JSON.stringify escapes whatever the values hold). */
export function dockerConfigJson(host: string, { username, password }: UserPassword): string {
  const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return JSON.stringify({ auths: { [host]: { username, password, auth } } });
}

/**
 * The build-facing Secrets in `<project>-builds`, derived from the generated ones; identical while those stay.
 * With the node-local proxy, the pull Secret too, there and in every namespace the project owns.
 */
export function desiredRegistrySecrets(input: ResolvedDataPlaneInput, credentials: DataPlaneCredentials): KubeObject[] {
  const labels = registryLabels(input);
  const dockerConfig = dockerConfigJson(registryHost(input.namespace), credentials.registryAuth);
  return [
    secretObject(input, NAMES.registryPushSecret, 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': dockerConfig }, labels, input.buildNamespace),
    secretObject(input, NAMES.registryCaSecret, 'Opaque', { 'ca.crt': credentials.registryTls.caCrt }, labels, input.buildNamespace),
    ...desiredRegistryPullSecrets(input, credentials),
  ];
}

/** Pull-only credentials for `127.0.0.1:<proxy port>`, where the kubelets pull the project's images. */
export function desiredRegistryPullSecrets(input: ResolvedDataPlaneInput, credentials: DataPlaneCredentials): KubeObject[] {
  if (!input.registryProxy) return [];
  const data = { '.dockerconfigjson': dockerConfigJson(registryProxyHost(input.registryProxy.port), credentials.registryPull) };
  return [input.buildNamespace, ...input.managedNamespaces].map((namespace) =>
    secretObject(input, NAMES.registryPullSecret, 'kubernetes.io/dockerconfigjson', data, registryLabels(input), namespace));
}

/** The registry's htpasswd: the push user and the pull-only user (htpasswd lines, one each). */
export function registryHtpasswd(credentials: DataPlaneCredentials): string {
  return [credentials.registryAuth.htpasswd, credentials.registryPull.htpasswd].map((line) => line.replace(/\n*$/, '\n')).join('');
}

/**
 * The project's CA as the node-local proxy reads it: one key of the shared ConfigMap, owned by this project.
 * `published` is the key's current value: after a renewal the new CA comes first and the one before stays behind
 * it, so the proxy trusts the registry pod that still serves the old certificate as well as the new one. (The old
 * CA's key was discarded when it signed its certificate: trusting it a while longer opens nothing.)
 */
export function desiredRegistryProxyCa(input: ResolvedDataPlaneInput, credentials: DataPlaneCredentials, published?: string): KubeObject | undefined {
  const target = input.registryProxy?.caConfigMap;
  if (!target) return undefined;
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: target.name, namespace: target.namespace },
    data: { [registryProxyCaKey(input.project)]: registryProxyCaBundle(credentials.registryTls.caCrt, published) },
  };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

/** `current`, then the first certificate `published` had when that was another one; `published` when it starts with `current`. */
export function registryProxyCaBundle(current: string, published?: string): string {
  const [first] = published?.match(PEM_CERTIFICATE) ?? [];
  const [newest] = current.match(PEM_CERTIFICATE) ?? [current];
  if (!first) return current;
  if (first === newest) return published as string;
  return `${current.trimEnd()}\n${first}\n`;
}

/** The ConfigMap key of a project's CA (a DNS label plus `.crt`, a valid key). */
export function registryProxyCaKey(project: string): string {
  return `${project}.crt`;
}

export function desiredRegistry(input: ResolvedDataPlaneInput, credentials: DataPlaneCredentials): KubeObject[] {
  const labels = registryLabels(input);
  const probe = { httpGet: { path: '/', port: 'registry', scheme: 'HTTPS' } };
  const endpoints = input.registryNotification && registryNotificationEndpoints(input.registryNotification);
  const htpasswd = registryHtpasswd(credentials);
  return [
    pvcObject(input, NAMES.registryData, input.storage.registry, labels),
    secretObject(input, NAMES.registryHtpasswdSecret, 'Opaque', { htpasswd }, labels),
    ...(endpoints ? [secretObject(input, NAMES.registryNotificationsSecret, 'Opaque', { [REGISTRY_NOTIFICATIONS_KEY]: endpoints }, labels)] : []),
    {
      apiVersion: 'v1', kind: 'Service', metadata: objectMeta(input, NAMES.registry, labels),
      spec: {
        type: 'ClusterIP',
        selector: selectorOf(NAMES.registry, 'registry'),
        ports: [{ name: 'registry', port: PORTS.registry, targetPort: 'registry', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: objectMeta(input, NAMES.registry, labels),
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorOf(NAMES.registry, 'registry') },
        template: {
          metadata: {
            labels,
            // The registry reads its certificate and htpasswd at start: a new one must restart it.
            // So is a new notification endpoint or token: the variable is read once, at start.
            annotations: { [CHECKSUM_ANNOTATION]: checksum(credentials.registryTls.tlsCrt, htpasswd, ...(endpoints ? [endpoints] : [])) },
          },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(REGISTRY_UID),
            containers: [{
              name: 'registry',
              image: input.images.registry,
              env: [
                { name: 'REGISTRY_HTTP_ADDR', value: `0.0.0.0:${PORTS.registry}` },
                { name: 'REGISTRY_HTTP_TLS_CERTIFICATE', value: '/etc/registry/tls/tls.crt' },
                { name: 'REGISTRY_HTTP_TLS_KEY', value: '/etc/registry/tls/tls.key' },
                { name: 'REGISTRY_AUTH', value: 'htpasswd' },
                { name: 'REGISTRY_AUTH_HTPASSWD_REALM', value: 'keelson' },
                { name: 'REGISTRY_AUTH_HTPASSWD_PATH', value: '/etc/registry/auth/htpasswd' },
                { name: 'REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY', value: '/var/lib/registry' },
                { name: 'REGISTRY_STORAGE_DELETE_ENABLED', value: 'true' },
                { name: 'OTEL_TRACES_EXPORTER', value: 'none' },
                ...(endpoints ? [{ name: REGISTRY_NOTIFICATIONS_ENV, valueFrom: { secretKeyRef: { name: NAMES.registryNotificationsSecret, key: REGISTRY_NOTIFICATIONS_KEY } } }] : []),
              ],
              ports: [{ name: 'registry', containerPort: PORTS.registry, protocol: 'TCP' }],
              readinessProbe: { ...probe, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
              livenessProbe: { ...probe, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 5 },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
              securityContext: containerSecurityContext(),
              volumeMounts: [
                { name: 'data', mountPath: '/var/lib/registry' },
                { name: 'tls', mountPath: '/etc/registry/tls', readOnly: true },
                { name: 'auth', mountPath: '/etc/registry/auth', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            }],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: NAMES.registryData } },
              { name: 'tls', secret: { secretName: REGISTRY_TLS_SECRET.name, items: [{ key: 'tls.crt', path: 'tls.crt' }, { key: 'tls.key', path: 'tls.key' }] } },
              { name: 'auth', secret: { secretName: NAMES.registryHtpasswdSecret, items: [{ key: 'htpasswd', path: 'htpasswd' }] } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    },
  ];
}
