// One container per running step. Env values are escaped for the kubelet, secrets arrive only as
// secretKeyRef (and never for untrusted builds), and only a PipelineSetting can make a container privileged.
import { imageVariablesBefore, type Resources } from '@keelson/pipeline-config';

import type { CompileContext, CompiledStep } from '../compile-context';
import { kubeEnvValue } from '../escape';
import { cacheMounts, type CacheMount } from './cache-volumes';
import type { Container, EnvVar, ResourceRequirements, SecurityContext, Volume, VolumeMount } from './pod.types';

/** The rootless BuildKit image runs as this user; its state directory must be a writable emptyDir. */
const BUILDKIT_USER = 1000;
const BUILDKIT_HOME = '/home/user';
const REGISTRY_CA_DIR = '/etc/keelson/registry-ca';

export interface StepContainer {
  container: Container;
  volumes: Volume[];
}

export function resourceRequirements(resources: Resources | undefined): ResourceRequirements | undefined {
  if (!resources) return undefined;
  const pick = (cpu?: string, memory?: string) => {
    const out: { cpu?: string; memory?: string } = {};
    if (cpu !== undefined) out.cpu = cpu;
    if (memory !== undefined) out.memory = memory;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const requests = pick(resources.cpuRequest, resources.memoryRequest);
  const limits = pick(resources.cpuLimit, resources.memoryLimit);
  if (!requests && !limits) return undefined;
  return { ...(requests && { requests }), ...(limits && { limits }) };
}

/** Later entries win, as a reader of the step would expect: CICD, then the step's env, then Keelson's own. */
export function envList(...groups: Array<Record<string, string>>): EnvVar[] {
  const merged = new Map<string, string>();
  for (const group of groups) for (const [name, value] of Object.entries(group)) merged.set(name, value);
  return [...merged].map(([name, value]) => ({ name, value: kubeEnvValue(value) }));
}

export function stepCacheMounts(ctx: CompileContext, step: CompiledStep): CacheMount[] {
  const { settings, facts } = ctx.input;
  const scope = {
    root: settings.cacheRoot, project: facts.project, pipeline: facts.pipeline, workspace: ctx.workspace, readOnly: !ctx.trusted,
  };
  return [...cacheMounts(ctx.config.cache, scope), ...cacheMounts(step.step.cache, scope)];
}

export function buildStepContainer(ctx: CompileContext, compiled: CompiledStep): StepContainer {
  const { step } = compiled;
  const volumes: Volume[] = [];
  const mounts: VolumeMount[] = [];
  for (const cache of stepCacheMounts(ctx, compiled)) {
    volumes.push(cache.volume);
    mounts.push(cache.mount);
  }
  let image = ctx.images.tools;
  let own: Record<string, string> = {};
  let securityContext: SecurityContext = { allowPrivilegeEscalation: false };
  const cicd: Record<string, string> = { ...ctx.variables };

  if (step.type === 'runScriptConfig') {
    image = step.config.image;
    if (step.privileged) securityContext = { privileged: true };
  } else if (step.type === 'applyYamlConfig') {
    Object.assign(cicd, imageVariablesBefore(ctx.config, compiled.stageIndex, ctx.variables));
  } else if (step.type === 'publishImageConfig') {
    image = ctx.images.builder;
    // Rootless BuildKit needs user namespaces, which the default seccomp and AppArmor profiles forbid;
    // it needs no privileged mode and no root.
    securityContext = {
      runAsUser: BUILDKIT_USER, runAsGroup: BUILDKIT_USER,
      seccompProfile: { type: 'Unconfined' }, appArmorProfile: { type: 'Unconfined' },
    };
    own = { BUILDKITD_FLAGS: '--oci-worker-no-process-sandbox' };
    const state = `${compiled.containerName}-buildkit`;
    volumes.push({ name: state, emptyDir: {} });
    mounts.push({ name: state, mountPath: `${BUILDKIT_HOME}/.local/share/buildkit` });
    const publish = compiled.publish;
    const secret = publish?.target.remote
      ? ctx.input.settings.remoteRegistryCredentials?.[publish.target.registry]
      : ctx.input.settings.registry.credentialsSecret;
    if (publish?.push && secret) {
      const name = `${compiled.containerName}-docker-config`;
      volumes.push({ name, secret: { secretName: secret, items: [{ key: '.dockerconfigjson', path: 'config.json' }] } });
      mounts.push({ name, mountPath: `${BUILDKIT_HOME}/.docker`, readOnly: true });
      own.DOCKER_CONFIG = `${BUILDKIT_HOME}/.docker`;
    }
    const ca = ctx.input.settings.registry.caSecret;
    if (!publish?.target.remote && ca) {
      // Go (BuildKit) reads every certificate in SSL_CERT_DIR in addition to the system bundle file.
      volumes.push({ name: 'registry-ca', secret: { secretName: ca, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
      mounts.push({ name: 'registry-ca', mountPath: REGISTRY_CA_DIR, readOnly: true });
      own.SSL_CERT_DIR = `/etc/ssl/certs:${REGISTRY_CA_DIR}`;
    }
  }

  const env = envList(cicd, step.env, own);
  if (ctx.trusted) {
    for (const ref of step.envFrom) {
      const at = env.findIndex((e) => e.name === ref.targetKey);
      if (at >= 0) env.splice(at, 1);
      env.push({ name: ref.targetKey, valueFrom: { secretKeyRef: { name: ref.sourceName, key: ref.sourceKey } } });
    }
  }
  const resources = resourceRequirements(step.resources);
  const container: Container = {
    name: compiled.containerName,
    image,
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
