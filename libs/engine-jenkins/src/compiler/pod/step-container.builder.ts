// One container per running step. Env values are escaped for the kubelet, secrets arrive only as secretKeyRef
// into the execution's own Secret (and never for untrusted builds), only the operator can make a container
// privileged, and only deploy steps of trusted builds see a service-account token.
import { imageVariablesBefore, isKubernetesQuantity, QUANTITY_HINT, type Resources } from '@keelson/pipeline-config';

import type { CompileContext, CompiledStep } from '../compile-context';
import { JenkinsCompileError } from '../compile.errors';
import { kubeEnvValue } from '../escape';
import { KANIKO_DOCKER_CONFIG_DIR, KANIKO_REGISTRY_CA_DIR } from '../steps/kaniko-paths';
import { wrappedCaches } from '../steps/cache-wrapper';
import { CACHE_CONTROL_DIR } from './cache-paths';
import { stepCacheMounts } from './cache-volumes';
import { secretEnvVars } from './env-secret';
import type { Container, EnvVar, ResourceRequirements, SecurityContext, Volume, VolumeMount } from './pod.types';

export interface StepContainer {
  container: Container;
  volumes: Volume[];
}

/**
 * Requests and limits of a container. Each value must be a Kubernetes quantity: the parser guarantees it for a
 * `.devops.yml`, and this check keeps any other text (a hand-made snapshot, a setting) out of the pod YAML and the
 * Jenkinsfile it is embedded in. `where` names the values in the error (`stage "build" step "unit"`).
 */
export function resourceRequirements(resources: Resources | undefined, where: string): ResourceRequirements | undefined {
  if (!resources) return undefined;
  const quantity = (key: keyof Resources): string | undefined => {
    const value = resources[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !isKubernetesQuantity(value)) {
      throw new JenkinsCompileError('InvalidQuantity', `${where}: resources ${key} ${JSON.stringify(value)} is not a quantity; ${QUANTITY_HINT}`);
    }
    return value;
  };
  const pick = (cpu?: string, memory?: string) => {
    const out: { cpu?: string; memory?: string } = {};
    if (cpu !== undefined) out.cpu = cpu;
    if (memory !== undefined) out.memory = memory;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const requests = pick(quantity('cpuRequest'), quantity('memoryRequest'));
  const limits = pick(quantity('cpuLimit'), quantity('memoryLimit'));
  if (!requests && !limits) return undefined;
  return { ...(requests && { requests }), ...(limits && { limits }) };
}

/** Later entries win, as a reader of the step would expect: CICD, then the step's env, then Keelson's own. */
export function envList(...groups: Array<Record<string, string>>): EnvVar[] {
  const merged = new Map<string, string>();
  for (const group of groups) for (const [name, value] of Object.entries(group)) merged.set(name, value);
  return [...merged].map(([name, value]) => ({ name, value: kubeEnvValue(value) }));
}

/** Where kubectl and helm look for the in-cluster token, CA and namespace. */
const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const DEPLOY_TOKEN_VOLUME = 'deploy-token';
const DEPLOY_TOKEN_SECONDS = 3600;

/**
 * The kube-api-access volume the kubelet would mount into every container, made by hand: the pod turns
 * automounting off, and only the containers of deploy steps mount this one.
 */
function deployTokenVolume(): Volume {
  return {
    name: DEPLOY_TOKEN_VOLUME,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: DEPLOY_TOKEN_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function isDeployStep(compiled: CompiledStep): boolean {
  return compiled.step.type === 'applyYamlConfig' || compiled.step.type === 'applyAppConfig';
}

export function buildStepContainer(ctx: CompileContext, compiled: CompiledStep): StepContainer {
  const { step } = compiled;
  const volumes: Volume[] = [];
  const mounts: VolumeMount[] = [];
  for (const cache of stepCacheMounts(ctx, compiled)) {
    volumes.push(cache.volume);
    mounts.push(cache.mount);
  }
  // Each key's directory, whole, for the wrapper's lock, stamp and lookup (steps/cache-wrapper.ts).
  for (const cache of wrappedCaches(ctx, compiled)) {
    const name = cache.dir.slice(CACHE_CONTROL_DIR.length + 1);
    mounts.push({ name, mountPath: cache.dir, readOnly: !cache.write });
  }
  let image = ctx.images.tools;
  let own: Record<string, string> = {};
  let securityContext: SecurityContext = { allowPrivilegeEscalation: false };
  const cicd: Record<string, string> = { ...ctx.variables };

  // Deploy steps of untrusted builds are refused before this point; the check here only keeps it that way.
  if (isDeployStep(compiled) && ctx.trusted) {
    volumes.push(deployTokenVolume());
    mounts.push({ name: DEPLOY_TOKEN_VOLUME, mountPath: SERVICE_ACCOUNT_DIR, readOnly: true });
  }

  if (step.type === 'runScriptConfig') {
    image = step.config.image;
    // compile-context refuses the step when the operator did not allow it, and for untrusted builds.
    if (step.privileged && ctx.input.settings.allowPrivileged && ctx.trusted) securityContext = { privileged: true };
  } else if (step.type === 'applyYamlConfig') {
    Object.assign(cicd, imageVariablesBefore(ctx.config, compiled.stageIndex, ctx.variables));
  } else if (step.type === 'applyAppConfig') {
    // Helm keeps release records in Secrets by default; the deploy ClusterRole grants no Secrets.
    own = { HELM_DRIVER: 'configmap' };
  } else if (step.type === 'publishImageConfig') {
    image = ctx.images.builder;
    // Kaniko unpacks the base image over its own root filesystem and runs the Dockerfile's commands there, in
    // userspace: root with the default capabilities and seccomp profile, which baseline Pod Security allows. No
    // privileged mode, no setuid escalation, no seccomp or AppArmor override (rootless BuildKit needed
    // `Unconfined` for its user namespaces, which baseline refuses).
    securityContext = { runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false };
    // Kaniko refuses to run where it detects no container. Under cgroup v2 it guesses from an overlay root
    // filesystem or a service-account token (never mounted here); `container`, the variable container managers
    // set to say so, is read before those guesses and holds whatever the node's storage driver.
    own = { container: 'kube' };
    const publish = compiled.publish;
    const secret = publish?.target.remote
      ? ctx.input.settings.remoteRegistryCredentials?.[publish.target.registry]
      : ctx.input.settings.registry.credentialsSecret;
    if (publish?.push && secret) {
      const name = `${compiled.containerName}-docker-config`;
      volumes.push({ name, secret: { secretName: secret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
      mounts.push({ name, mountPath: KANIKO_DOCKER_CONFIG_DIR, readOnly: true });
      own.DOCKER_CONFIG = KANIKO_DOCKER_CONFIG_DIR;
    }
    const ca = ctx.input.settings.registry.caSecret;
    if (publish?.registryCa && ca) {
      // The step script names the file to Kaniko (`--registry-certificate <host>=<file>`) for this registry only.
      volumes.push({ name: 'registry-ca', secret: { secretName: ca, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
      mounts.push({ name: 'registry-ca', mountPath: KANIKO_REGISTRY_CA_DIR, readOnly: true });
    }
  }

  const env = envList(cicd, step.env, own);
  for (const ref of secretEnvVars(ctx, compiled)) {
    const at = env.findIndex((e) => e.name === ref.name);
    if (at >= 0) env.splice(at, 1);
    env.push(ref);
  }
  const resources = resourceRequirements(step.resources, `stages[${compiled.stageIndex}].steps[${compiled.stepIndex}] (${JSON.stringify(step.name)})`);
  const container: Container = {
    name: compiled.containerName,
    image,
    // A loopback image is a project's, through the node-local registry proxy. With the default IfNotPresent, a node
    // that already holds it would start it for any pod, a fork's or another project's, without ever checking the
    // pull credentials: Always makes the kubelet ask the proxy, and the project's registry, every time.
    ...(isLoopbackImage(image) && { imagePullPolicy: 'Always' }),
    // The Kubernetes plugin runs steps through `exec` in a container kept alive by `cat` on a TTY.
    command: ['cat'],
    tty: true,
    env,
    ...(resources && { resources }),
    securityContext,
    ...(mounts.length > 0 && { volumeMounts: mounts }),
  };
  return { container, volumes };
}

/**
 * An image reference whose registry is a port on this node's loopback (`127.0.0.1:<port>/...`), as the registry
 * proxy's are. Without a port, `localhost/...` names an image imported into the node's runtime, never pulled.
 */
export function isLoopbackImage(image: string): boolean {
  const host = image.split('/', 1)[0].toLowerCase();
  return image.includes('/') && /^(127(\.\d{1,3}){3}|localhost|\[::1\]):\d+$/.test(host);
}
