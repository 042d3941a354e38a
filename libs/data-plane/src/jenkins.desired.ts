// Jenkins: the official LTS image with no image of ours. An init container installs the pinned plugins with
// jenkins-plugin-cli into an emptyDir that Jenkins mounts as its plugins directory (so the set is exactly the
// pinned one at every start, whatever JENKINS_HOME remembers), and JCasC from the ConfigMap configures the rest.
import type { KubeObject } from '@keelson/kube';

import type { ResolvedDataPlaneInput } from './data-plane.input';
import { componentLabels, NAMES, PORTS, selectorOf } from './data-plane.names';
import { ADMIN_ID_ENV, ADMIN_PASSWORD_ENV, jenkinsCascYaml } from './jenkins-casc';
import { CHECKSUM_ANNOTATION, checksum, containerSecurityContext, objectMeta, podSecurityContext, pvcObject } from './object-builders';

const JENKINS_UID = 1000;
const JENKINS_HOME = '/var/jenkins_home';
const CASC_DIR = '/var/jenkins_casc';
const CASC_FILE = 'jenkins.yaml';
const PLUGIN_DOWNLOAD_DIR = '/var/jenkins_plugins';

export function jenkinsLabels(input: ResolvedDataPlaneInput): Record<string, string> {
  return componentLabels(input.project, NAMES.jenkins, 'controller');
}

export function desiredJenkins(input: ResolvedDataPlaneInput): KubeObject[] {
  const labels = jenkinsLabels(input);
  const casc = jenkinsCascYaml(input);
  return [
    {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: objectMeta(input, NAMES.jenkinsServiceAccount, labels),
    },
    {
      // What the Kubernetes plugin needs to run agents, in the builds namespace only. Nothing on Secrets: Jenkins
      // cannot read, list or create one through the API. But a pod it creates may mount (or `envFrom`) any Secret
      // of `<project>-builds` (the push Secrets, every running execution's `<execution>-env`) and run as its
      // `keelson-build` ServiceAccount, so a compromised Jenkins reaches what the project's builds reach, and no
      // Secret of `<project>-pipeline` or of another project.
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: objectMeta(input, NAMES.jenkinsRole, labels, input.buildNamespace),
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
        { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: objectMeta(input, NAMES.jenkinsRole, labels, input.buildNamespace),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMES.jenkinsRole },
      subjects: [{ kind: 'ServiceAccount', name: NAMES.jenkinsServiceAccount, namespace: input.namespace }],
    },
    {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: objectMeta(input, NAMES.jenkinsCasc, labels), data: { [CASC_FILE]: casc },
    },
    pvcObject(input, NAMES.jenkinsHome, input.storage.jenkins, labels),
    {
      apiVersion: 'v1', kind: 'Service', metadata: objectMeta(input, NAMES.jenkins, labels),
      spec: {
        type: 'ClusterIP',
        selector: selectorOf(NAMES.jenkins, 'controller'),
        ports: [
          { name: 'http', port: PORTS.jenkinsHttp, targetPort: 'http', protocol: 'TCP' },
          { name: 'agent', port: PORTS.jenkinsAgent, targetPort: 'agent', protocol: 'TCP' },
        ],
      },
    },
    jenkinsDeployment(input, labels, casc),
  ];
}

function jenkinsDeployment(input: ResolvedDataPlaneInput, labels: Record<string, string>, casc: string): KubeObject {
  const login = { httpGet: { path: '/login', port: 'http' } };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: objectMeta(input, NAMES.jenkins, labels),
    spec: {
      replicas: 1,
      // One JENKINS_HOME on a ReadWriteOnce volume: never two controllers at once.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorOf(NAMES.jenkins, 'controller') },
      template: {
        metadata: { labels, annotations: { [CHECKSUM_ANNOTATION]: checksum(casc, ...input.jenkinsPlugins, input.images.jenkins) } },
        spec: {
          serviceAccountName: NAMES.jenkinsServiceAccount,
          // The Kubernetes plugin talks to the API with this ServiceAccount's token.
          automountServiceAccountToken: true,
          enableServiceLinks: false,
          securityContext: podSecurityContext(JENKINS_UID),
          initContainers: [{
            name: 'install-plugins',
            image: input.images.jenkins,
            command: [
              'jenkins-plugin-cli', '--war', '/usr/share/jenkins/jenkins.war',
              '--plugin-download-directory', PLUGIN_DOWNLOAD_DIR,
              // Dependencies at the versions the pinned plugins require, not whatever is newest today.
              '--latest', 'false', '--verbose',
              '--plugins', ...input.jenkinsPlugins,
            ],
            env: [{ name: 'CACHE_DIR', value: '/tmp/jenkins-plugin-cache' }],
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
            securityContext: containerSecurityContext(),
            volumeMounts: [{ name: 'plugins', mountPath: PLUGIN_DOWNLOAD_DIR }, { name: 'tmp', mountPath: '/tmp' }],
          }],
          containers: [{
            name: 'jenkins',
            image: input.images.jenkins,
            env: [
              { name: 'JAVA_OPTS', value: '-Djenkins.install.runSetupWizard=false -XX:MaxRAMPercentage=70' },
              { name: 'CASC_JENKINS_CONFIG', value: `${CASC_DIR}/${CASC_FILE}` },
              { name: 'JENKINS_HOME', value: JENKINS_HOME },
              { name: ADMIN_ID_ENV, valueFrom: { secretKeyRef: { name: NAMES.jenkinsAdminSecret, key: 'username' } } },
              { name: ADMIN_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: NAMES.jenkinsAdminSecret, key: 'password' } } },
            ],
            ports: [
              { name: 'http', containerPort: PORTS.jenkinsHttp, protocol: 'TCP' },
              { name: 'agent', containerPort: PORTS.jenkinsAgent, protocol: 'TCP' },
            ],
            // Plugin loading can take minutes: the startup probe holds the others back until /login answers.
            startupProbe: { ...login, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 30 },
            readinessProbe: { ...login, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 },
            livenessProbe: { ...login, periodSeconds: 20, timeoutSeconds: 5, failureThreshold: 5 },
            resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } },
            securityContext: containerSecurityContext(),
            volumeMounts: [
              { name: 'jenkins-home', mountPath: JENKINS_HOME },
              { name: 'plugins', mountPath: `${JENKINS_HOME}/plugins` },
              { name: 'casc', mountPath: CASC_DIR, readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'war-cache', mountPath: '/var/cache/jenkins' },
            ],
          }],
          volumes: [
            { name: 'jenkins-home', persistentVolumeClaim: { claimName: NAMES.jenkinsHome } },
            { name: 'plugins', emptyDir: {} },
            { name: 'casc', configMap: { name: NAMES.jenkinsCasc } },
            { name: 'tmp', emptyDir: {} },
            { name: 'war-cache', emptyDir: {} },
          ],
        },
      },
    },
  };
}
