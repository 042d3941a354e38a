// Caches as the build pod sees them: a persistentVolumeClaim volume per (pipeline, key) and a subPath mount per
// cache path, as the host directory used to be `<key>/<path>`. The volumes and claims themselves come from
// cache-claims.ts and are created by the manager before the pod.
import type { Cache, ExecutionPlan } from '@keelson/pipeline-config';

import { containerSteps, createCompileContext, type CompileContext, type CompiledStep } from '../compile-context';
import type { JenkinsCompileInput } from '../compile-input.types';
import { JenkinsCompileError } from '../compile.errors';
import { cacheClaim, cacheVolumeObjects, type CacheClaim, type CacheClaimScope } from './cache-claims';
import { cacheMountPath, sanitizePathSegment } from './cache-paths';
import type { CacheVolumes, Volume, VolumeMount } from './pod.types';

export interface CacheMount {
  claim: CacheClaim;
  volume: Volume;
  mount: VolumeMount;
}

export interface CacheMountScope extends CacheClaimScope {
  workspace: string;
}

export function cacheMounts(cache: Cache | undefined, scope: CacheMountScope): CacheMount[] {
  if (!cache) return [];
  const claim = cacheClaim(cache.key, scope);
  // Fork pull requests never write a cache (no poisoning): the claim and every mount are read-only.
  const readOnly = !scope.trusted;
  const volume: Volume = { name: claim.claimName, persistentVolumeClaim: { claimName: claim.claimName, readOnly } };
  return cache.paths.map((path) => ({
    claim,
    volume,
    mount: { name: claim.claimName, mountPath: cacheMountPath(path, scope.workspace), subPath: sanitizePathSegment(path), readOnly },
  }));
}

function cacheScope(ctx: CompileContext): CacheMountScope {
  const { settings, facts } = ctx.input;
  return {
    root: settings.cacheRoot, project: facts.project, pipeline: facts.pipeline, namespace: settings.namespace,
    trusted: ctx.trusted, workspace: ctx.workspace,
  };
}

/**
 * The pipeline's cache, the stage's and the step's own, as mounted in the step's container. Two levels naming the
 * same path would mount two volumes on one mount point, which the kubelet refuses: refused here with the levels.
 */
export function stepCacheMounts(ctx: CompileContext, step: CompiledStep): CacheMount[] {
  const scope = cacheScope(ctx);
  const stage = ctx.config.stages[step.stageIndex];
  const levels: Array<[string, Cache | undefined]> = [
    ['the pipeline', ctx.config.cache],
    [`stage ${JSON.stringify(stage.name)}`, stage.cache],
    [`step ${JSON.stringify(step.step.name)}`, step.step.cache],
  ];
  const seen = new Map<string, string>();
  const out: CacheMount[] = [];
  for (const [level, cache] of levels) {
    for (const m of cacheMounts(cache, scope)) {
      const earlier = seen.get(m.mount.mountPath);
      if (earlier !== undefined) {
        throw new JenkinsCompileError('InvalidCachePath', `cache path ${JSON.stringify(m.mount.mountPath)} is named by ${earlier} and by ${level} (in stage ${JSON.stringify(stage.name)}, step ${JSON.stringify(step.step.name)}); expected each path at one level only`);
      }
      seen.set(m.mount.mountPath, level);
      out.push(m);
    }
  }
  return out;
}

/** The distinct cache keys a step's container mounts, each once. */
export function stepCacheClaims(ctx: CompileContext, step: CompiledStep): CacheClaim[] {
  const claims = new Map<string, CacheClaim>();
  for (const m of stepCacheMounts(ctx, step)) claims.set(m.claim.claimName, m.claim);
  return [...claims.values()];
}

/** Every claim the pod mounts, with its volume: exactly what the manager must create before the pod. */
export function cacheVolumesFromContext(ctx: CompileContext): CacheVolumes {
  const scope = cacheScope(ctx);
  const claims = new Map<string, CacheClaim>();
  for (const step of containerSteps(ctx)) for (const m of stepCacheMounts(ctx, step)) claims.set(m.claim.claimName, m.claim);
  const objects = [...claims.values()].map((c) => cacheVolumeObjects(c, scope));
  return { volumes: objects.map((o) => o.volume), claims: objects.map((o) => o.claim) };
}

/** The cache volumes and claims of one execution (also on `CompiledJenkinsJob.cacheVolumes`). Pure. */
export function buildCacheVolumes(input: JenkinsCompileInput, plan?: ExecutionPlan): CacheVolumes {
  return cacheVolumesFromContext(createCompileContext(input, plan));
}
