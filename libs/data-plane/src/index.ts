// The only public face of @keelson/data-plane: what a project's `<project>-pipeline` and `<project>-builds`
// namespaces hold (pure builders), the provisioner that applies it, the resolver that tells the manager where its services answer,
// and the client for a data plane in another cluster.
export { DataPlaneProvisioner } from './data-plane.applier';
export type { DataPlaneProvisionerOptions, DataPlaneStatus } from './data-plane.applier';
export { desiredDataPlane, desiredNamespaces, desiredGeneratedSecrets, podSecurityLabels } from './data-plane.desired';
export { resolveDataPlaneInput, isDnsLabel } from './data-plane.input';
export type { DataPlaneInput, DataPlaneStorage, ManagerAccess, RegistryNotification, RegistryProxyInput, ResolvedDataPlaneInput } from './data-plane.input';
export { desiredManagerRoleBindings } from './manager-access.desired';
export { desiredJenkins } from './jenkins.desired';
export {
  desiredRegistry, desiredRegistrySecrets, desiredRegistryPullSecrets, desiredRegistryProxyCa, dockerConfigJson, registryHtpasswd, registryProxyCaKey, registryProxyCaBundle,
  registryNotificationEndpoints, REGISTRY_NOTIFICATIONS_ENV, REGISTRY_NOTIFICATIONS_KEY,
} from './registry.desired';
export { registryCaFieldManager } from './data-plane.applier';
export { desiredMinio } from './minio.desired';
export { desiredBuildRoleBindings, desiredBuildServiceAccount, desiredDeployClusterRole } from './rbac.desired';
export { desiredBuildNetworkPolicies, desiredDataPlaneNetworkPolicies, PRIVATE_IPV4, PRIVATE_IPV6 } from './network-policy.desired';
export { jenkinsCascDocument, jenkinsCascYaml, jenkinsInternalUrl, cascLiteral, JENKINS_CLOUD_NAME } from './jenkins-casc';
export { DEFAULT_DATA_PLANE_IMAGES, DEFAULT_JENKINS_PLUGINS, isPinnedImage, isPinnedPlugin } from './images.defaults';
export type { DataPlaneImages } from './images.defaults';
export {
  NAMES as DATA_PLANE_NAMES, PORTS as DATA_PLANE_PORTS, LABELS as DATA_PLANE_LABELS, FIELD_MANAGER, buildRoleBindingName, dataPlaneNamespace,
  buildNamespace, registryHost, registryDnsNames, proxiedRegistry, registryProxyHost,
} from './data-plane.names';
export type { PodSecurityLevel } from './data-plane.names';
export { defaultCredentialGenerator, REGISTRY_PULL_USER } from './credentials';
export type { CredentialGenerator, DataPlaneCredentials, UserPassword } from './credentials';
export { generateRegistryTls, registryTlsNeedsRenewal, REGISTRY_CERT_VALIDITY_DAYS, REGISTRY_CERT_RENEW_BEFORE_DAYS } from './registry-tls';
export type { RegistryTls } from './registry-tls';
export { DataPlaneEndpointResolver } from './endpoint-resolver';
export type { EndpointOverrides, EndpointResolver, JenkinsEndpoint, MinioEndpoint } from './endpoint-resolver';
export { httpJenkinsProbe } from './jenkins-probe';
export type { JenkinsProbe } from './jenkins-probe';
export { kubeClientFor, checkDataPlaneKubeconfig } from './data-plane-cluster';
export { DataPlaneError, DATA_PLANE_ERROR_CODES } from './data-plane.errors';
export type { DataPlaneErrorCode } from './data-plane.errors';
