// The one build pod of a run, as a plain object: the JNLP agent plus a container per running step (skipped
// steps pull no image and reserve no resources), caches, warm-node affinity and labels naming the execution.
import { createCompileContext, containerSteps, type CompileContext } from '../compile-context';
import type { JenkinsCompileInput } from '../compile-input.types';
import { envList, resourceRequirements, buildStepContainer } from './step-container.builder';
import { AGENT_WORKDIR, checkCacheRoot } from './cache-paths';
import { stepCacheMounts, type CacheMount } from './cache-volumes';
import { EXECUTION_LABEL, FORK_LABEL, labelValue, pipelineLabels } from './labels';
import { recentNodesAffinity } from './node-affinity';
import type { Container, Pod, Volume, VolumeMount } from './pod.types';
import { AGENT_CONTAINER_NAME } from '../jenkins-names';

const DEFAULT_MAX_RECENT_NODES = 5;
const AGENT_USER = 1000;
/** The Kubernetes plugin's name for the workspace volume; declared here so the prepare container can mount it. */
const WORKSPACE_VOLUME = 'workspace-volume';

export { EXECUTION_LABEL, FORK_LABEL, labelValue };

/** Build the pod of one execution. Pure: the same input always gives the same object. */
export function buildPod(input: JenkinsCompileInput): Pod {
  return buildPodFromContext(createCompileContext(input));
}

export function buildPodFromContext(ctx: CompileContext): Pod {
  const { facts, settings } = ctx.input;
  checkCacheRoot(settings.cacheRoot);
  const steps = containerSteps(ctx);
  const volumes = new Map<string, Volume>();
  const containers: Container[] = [agentContainer(ctx)];
  for (const step of steps) {
    const built = buildStepContainer(ctx, step);
    containers.push(built.container);
    for (const v of built.volumes) volumes.set(v.name, v);
  }
  const prepare = prepareContainer(ctx);
  if (prepare) volumes.set(WORKSPACE_VOLUME, { name: WORKSPACE_VOLUME, emptyDir: {} });
  const caches = steps.flatMap((s) => stepCacheMounts(ctx, s));
  const initContainers = [cachePermissionsContainer(ctx, caches), prepare].filter((c): c is Container => !!c);

  // The project's push Secret doubles as its pull secret, and the proxy's pull Secret opens `127.0.0.1:<port>`;
  // a fork's pod gets none of the project's Secrets at all.
  const registrySecrets = [settings.registry.credentialsSecret, ...(settings.registry.pullSecret ? [settings.registry.pullSecret] : [])];
  const pullSecrets = ctx.trusted ? [...new Set([...registrySecrets, ...(settings.imagePullSecrets ?? [])])] : [];
  const affinity = recentNodesAffinity(ctx.input.recentNodes, settings.maxRecentNodes ?? DEFAULT_MAX_RECENT_NODES);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      namespace: settings.namespace,
      labels: {
        ...pipelineLabels('build', facts.project, facts.pipeline),
        [EXECUTION_LABEL]: labelValue(facts.executionId),
        'keelson.dev/run': String(facts.runNumber),
        // NetworkPolicies of the build namespace select on it; a pod without it matches no allow rule.
        [FORK_LABEL]: ctx.trusted ? 'false' : 'true',
      },
      annotations: {
        [EXECUTION_LABEL]: facts.executionId,
        'keelson.dev/pipeline': `${facts.project}/${facts.pipeline}`,
        'keelson.dev/commit': facts.commit,
      },
    },
    spec: {
      serviceAccountName: settings.serviceAccountName,
      // Never in every container: deploy steps of trusted builds mount a token of their own (step-container).
      automountServiceAccountToken: false,
      restartPolicy: 'Never',
      // Kubernetes ends the pod even if Jenkins loses track of the build.
      activeDeadlineSeconds: ctx.config.timeout * 60,
      enableServiceLinks: false,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      ...(affinity && { affinity: { nodeAffinity: affinity } }),
      ...(pullSecrets.length > 0 && { imagePullSecrets: pullSecrets.map((name) => ({ name })) }),
      ...(initContainers.length > 0 && { initContainers }),
      containers,
      ...(volumes.size > 0 && { volumes: [...volumes.values()] }),
    },
  };
}

function agentContainer(ctx: CompileContext): Container {
  const resources = resourceRequirements(ctx.input.settings.agentResources, 'the executor (PipelineSetting spec.executor)');
  // No command or args: the Kubernetes plugin fills in how the agent connects.
  return {
    name: AGENT_CONTAINER_NAME,
    image: ctx.images.agent,
    env: envList(ctx.variables),
    ...(resources && { resources }),
    securityContext: { allowPrivilegeEscalation: false },
  };
}

const CACHE_INIT_DIR = '/keelson/cache';
const CACHE_KEY_INIT_DIR = '/keelson/cache-keys';

/**
 * The kubelet creates the hostPath directory of a cache volume owned by root with mode 0755, and each subPath
 * inside it with the same owner and mode, so a step running as another user could not write its cache. For
 * trusted builds this init container (root, but not privileged, which baseline Pod Security allows) mounts
 * every cache subPath of the pod's claims and opens it up. Untrusted builds get none: they only read caches.
 */
function cachePermissionsContainer(ctx: CompileContext, caches: CacheMount[]): Container | undefined {
  if (!ctx.trusted || caches.length === 0) return undefined;
  const mounts = new Map<string, VolumeMount>();
  // The key's directory itself, where steps of any user make the lock and the stamp (steps/cache-wrapper.ts).
  for (const { mount } of caches) {
    const mountPath = `${CACHE_KEY_INIT_DIR}/${mount.name}`;
    mounts.set(mountPath, { name: mount.name, mountPath });
  }
  for (const { mount } of caches) {
    const mountPath = `${CACHE_INIT_DIR}/${mount.name}/${mount.subPath}`;
    mounts.set(mountPath, { name: mount.name, mountPath, subPath: mount.subPath });
  }
  return {
    name: 'keelson-cache',
    image: ctx.images.agent,
    command: ['sh', '-c', 'chmod 0777 -- "$@"', 'keelson-cache', ...mounts.keys()],
    securityContext: { runAsUser: 0, runAsGroup: 0, allowPrivilegeEscalation: false },
    volumeMounts: [...mounts.values()],
  };
}

/**
 * A cache mounted inside the workspace makes the runtime create its parent directories as root, and the agent
 * (uid 1000) could then not check out into the workspace. This init container creates them as the agent user.
 */
function prepareContainer(ctx: CompileContext): Container | undefined {
  const inside = containerSteps(ctx)
    .flatMap((s) => stepCacheMounts(ctx, s))
    .map((m) => m.mount.mountPath)
    .filter((p) => p.startsWith(`${ctx.workspace}/`));
  if (inside.length === 0) return undefined;
  const dirs = new Set<string>();
  for (const path of inside) {
    const parts = path.slice(AGENT_WORKDIR.length + 1).split('/');
    for (let i = 1; i <= parts.length; i++) dirs.add(`${AGENT_WORKDIR}/${parts.slice(0, i).join('/')}`);
  }
  return {
    name: 'keelson-prepare',
    image: ctx.images.agent,
    // The directories are arguments, never part of the script text.
    command: ['sh', '-c', 'mkdir -p -- "$@"', 'keelson-prepare', ...[...dirs].sort()],
    securityContext: { runAsUser: AGENT_USER, runAsGroup: AGENT_USER, allowPrivilegeEscalation: false },
    volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: AGENT_WORKDIR }],
  };
}
