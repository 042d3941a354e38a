// What the compiler needs beyond the parsed pipeline. These are adapter types of this lib: the pipeline model
// (@keelson/pipeline-config) knows the `.devops.yml` and the execution facts, but not the commit message, the
// warm nodes or the data-plane settings, which come from the Pipeline status and the PipelineSetting.
import type { ExecutionFacts, PipelineConfig, Resources } from '@keelson/pipeline-config';

/** ExecutionFacts plus what only the Jenkins side shows (build description). */
export interface JenkinsExecutionFacts extends ExecutionFacts {
  /** Commit message (first line is shown as the Jenkins build description). */
  commitMessage?: string;
}

/** A node a previous run of this pipeline used (Pipeline.status.recentNodes). */
export interface RecentNode {
  /** Node name (`metadata.name`, as in pod.spec.nodeName). */
  name: string;
  /** When the run that used it finished, RFC 3339; ordering uses it, newest first. */
  lastUsed: string;
}

/** Container images of the steps Keelson itself implements. Pin them by digest in production. */
export interface ToolImages {
  /** Jenkins inbound agent (the `jnlp` container); it also runs the git checkout. */
  agent: string;
  /**
   * Kaniko for publishImageConfig, a `-debug` variant: the Kubernetes plugin needs its busybox shell (`sh`, and
   * `cat` to keep the container alive). Runs as root, unprivileged, within baseline Pod Security.
   */
  builder: string;
  /** sh + kubectl + helm + git for applyYamlConfig, applyAppConfig and publishCatalogConfig. */
  tools: string;
}

/** The project's registry that build pods push to, with its generated credentials. */
export interface ProjectRegistry {
  /**
   * Host build pods push to (`registry.<project>-pipeline.svc:5000`). Absent: `facts.localRegistry`, which is then
   * both where pods push and where images are referenced from.
   */
  pushHost?: string;
  /** Secret of type kubernetes.io/dockerconfigjson holding push credentials; also used to pull step images (trusted builds). */
  credentialsSecret: string;
  /**
   * dockerconfigjson with the pull-only credentials for the node-local proxy (`facts.localRegistry` is then
   * `127.0.0.1:<port>/<project>`): the kubelet pulls step images a previous step published with it (trusted builds).
   */
  pullSecret?: string;
  /** Secret with `ca.crt`, the CA of the registry's TLS certificate. */
  caSecret?: string;
}

/** The PipelineSetting and data-plane facts the pod and the job depend on. */
export interface BuildSettings {
  /** Build namespace the pod runs in (`<project>-builds`); the cache claims and `envSecret` live there too. */
  namespace: string;
  /** The build ServiceAccount: least privilege, never the Jenkins one. Its token reaches deploy steps only. */
  serviceAccountName: string;
  /**
   * Absolute host directory under which caches live (`<root>/<project>/<pipeline>/<key>/...`). The operator's
   * choice (manager configuration), never a tenant's.
   */
  cacheRoot: string;
  /** Whether a step may ask for a privileged container. The operator's choice, never a tenant's. */
  allowPrivileged: boolean;
  /**
   * Secret of the build namespace holding the envFrom values of this execution, keyed `envSecretKey(name, key)`
   * (the manager copies them there). Required when a trusted build's running steps use envFrom.
   */
  envSecret?: string;
  /** Executor resources, applied to the `jnlp` container. */
  agentResources?: Resources;
  registry: ProjectRegistry;
  /** Remote registry host (as in `publishImageConfig.registry`) -> dockerconfigjson Secret with its credentials. */
  remoteRegistryCredentials?: Record<string, string>;
  /** Extra pull secrets for step images (trusted builds only, like the registry's). */
  imagePullSecrets?: string[];
  /**
   * Jenkins credentials id for the clone; absent for public repositories. One per execution, so a queued build
   * checks out with the token stored for it. Ignored for untrusted builds, which check out without credentials.
   */
  gitCredentialsId?: string;
  /** The only Jenkins user allowed to answer approval inputs: the manager's own account. */
  approvalSubmitter?: string;
  /** Name of the Kubernetes cloud in Jenkins' configuration. Default `kubernetes`. */
  cloud?: string;
  /** Builds Jenkins keeps per job (the manager archives logs before). Default 20. */
  buildsToKeep?: number;
  /** At most this many recent nodes get affinity. Default 5. */
  maxRecentNodes?: number;
  images?: Partial<ToolImages>;
}

export interface JenkinsCompileInput {
  /** The snapshot of the parsed `.devops.yml`, with `${CICD_*}` not yet substituted. */
  config: PipelineConfig;
  facts: JenkinsExecutionFacts;
  /** Most recent first is expected but not required: they are ordered by `lastUsed`. */
  recentNodes: RecentNode[];
  settings: BuildSettings;
  /**
   * The Jenkins job the build runs in; the workspace path follows it. Default: the pipeline name. The manager
   * uses one job per execution, since Jenkins reads a job's script only when a build starts.
   */
  jobName?: string;
}
