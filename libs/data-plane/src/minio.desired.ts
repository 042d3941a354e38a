// MinIO for archived logs: one server, data on a PVC, root credentials from the generated `minio-root` Secret.
import type { KubeObject } from '@keelson/kube';

import { MINIO_ROOT_SECRET } from './credentials';
import type { ResolvedDataPlaneInput } from './data-plane.input';
import { componentLabels, NAMES, PORTS, selectorOf } from './data-plane.names';
import { containerSecurityContext, objectMeta, podSecurityContext, pvcObject } from './object-builders';

const MINIO_UID = 1000;

export function minioLabels(input: ResolvedDataPlaneInput): Record<string, string> {
  return componentLabels(input.project, NAMES.minio, 'log-store');
}

export function desiredMinio(input: ResolvedDataPlaneInput): KubeObject[] {
  const labels = minioLabels(input);
  return [
    pvcObject(input, NAMES.minioData, input.storage.minio, labels),
    {
      apiVersion: 'v1', kind: 'Service', metadata: objectMeta(input, NAMES.minio, labels),
      spec: {
        type: 'ClusterIP',
        selector: selectorOf(NAMES.minio, 'log-store'),
        ports: [{ name: 's3', port: PORTS.minio, targetPort: 's3', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: objectMeta(input, NAMES.minio, labels),
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selectorOf(NAMES.minio, 'log-store') },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(MINIO_UID),
            containers: [{
              name: 'minio',
              image: input.images.minio,
              args: ['server', '/data', '--address', `:${PORTS.minio}`],
              env: [
                { name: 'MINIO_ROOT_USER', valueFrom: { secretKeyRef: { name: MINIO_ROOT_SECRET.name, key: 'username' } } },
                { name: 'MINIO_ROOT_PASSWORD', valueFrom: { secretKeyRef: { name: MINIO_ROOT_SECRET.name, key: 'password' } } },
                { name: 'MINIO_BROWSER', value: 'off' },
                // MinIO writes its certs directory and temporary files under HOME; the root filesystem is read-only.
                { name: 'HOME', value: '/tmp' },
              ],
              ports: [{ name: 's3', containerPort: PORTS.minio, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/minio/health/ready', port: 's3' }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
              livenessProbe: { httpGet: { path: '/minio/health/live', port: 's3' }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 5 },
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
              securityContext: containerSecurityContext(),
              volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [
              { name: 'data', persistentVolumeClaim: { claimName: NAMES.minioData } },
              { name: 'tmp', emptyDir: {} },
            ],
          },
        },
      },
    },
  ];
}
