// The six kinds the REST API serves (DESIGN §8), by the plural that names them in a path.
import { apiVersionOf, Keelson, type KubeObject, type ResourceType } from '@keelson/kube';

/** Query filters beyond `labelSelector` that a kind's lists take (list-query.ts parses them). */
export type ListFilter = 'pipeline' | 'phase' | 'branch' | 'event' | 'user' | 'since' | 'until' | 'credential';

export interface ResourceDef {
  plural: string;
  kind: string;
  apiVersion: string;
  type: ResourceType<KubeObject>;
  filters: readonly ListFilter[];
}

function def(type: ResourceType<KubeObject>, filters: readonly ListFilter[] = []): ResourceDef {
  return { plural: type.plural, kind: type.kind, apiVersion: apiVersionOf(type), type, filters };
}

export const EXECUTION_FILTERS: readonly ListFilter[] = ['pipeline', 'phase', 'branch', 'event', 'user', 'since', 'until'];

export const PROVIDERS = def(Keelson.SourceCodeProvider);
export const CREDENTIALS = def(Keelson.SourceCodeCredential);
// `credential` keeps the listing of one SourceCodeCredential (the label its controller puts on each repository).
export const REPOSITORIES = def(Keelson.SourceCodeRepository, ['credential']);
export const SETTINGS = def(Keelson.PipelineSetting);
export const PIPELINES = def(Keelson.Pipeline);
export const EXECUTIONS = def(Keelson.PipelineExecution, EXECUTION_FILTERS);

export const RESOURCES: readonly ResourceDef[] = [PROVIDERS, CREDENTIALS, REPOSITORIES, SETTINGS, PIPELINES, EXECUTIONS];

const BY_PLURAL = new Map(RESOURCES.map((r) => [r.plural, r]));
const BY_KIND = new Map(RESOURCES.map((r) => [r.kind, r]));

export function resourceByPlural(plural: string): ResourceDef | undefined {
  return BY_PLURAL.get(plural);
}

export function resourceByKind(kind: string): ResourceDef | undefined {
  return BY_KIND.get(kind);
}
