import { parsers, variable } from './config-schema';

export const ROLES = ['api', 'webhooks', 'controllers', 'workers'] as const;
export type Role = (typeof ROLES)[number];

/** Every setting of the manager, read from the environment in this one place. */
export const MANAGER_VARIABLES = {
  host: variable({ env: 'HOST', description: 'Address the HTTP server binds.', default: '0.0.0.0', parse: parsers.string }),
  port: variable({ env: 'PORT', description: 'Port of the HTTP server (REST API, webhooks, health, metrics).', default: 8080, parse: parsers.port }),
  kubeconfig: variable({
    env: 'KUBECONFIG', description: 'Kubeconfig of the management cluster; the pod\'s service account when unset.', parse: parsers.string,
  }),
  redisUrl: variable({ env: 'REDIS_URL', description: 'Redis for the work queues.', sensitive: true, default: 'redis://127.0.0.1:6379', parse: parsers.url(['redis', 'rediss']) }),
  redisPrefix: variable({ env: 'REDIS_PREFIX', description: 'Key prefix of every queue, so several installations can share one Redis.', default: 'keelson', parse: parsers.string }),
  publicUrl: variable({
    env: 'PUBLIC_URL', description: 'The manager\'s URL as git providers reach it (https://keelson.example.com); each Pipeline\'s webhook URL is `<PUBLIC_URL>/hooks/pipelines/<namespace>/<name>`. Pipelines show no webhook URL while unset.',
    parse: parsers.url(['http', 'https']),
  }),
  webhookRepairSeconds: variable({
    env: 'WEBHOOK_REPAIR_SECONDS', description: 'How often a Pipeline\'s webhook at its provider is checked, and registered again when someone deleted it there.',
    default: 300, parse: parsers.integer(1, 86_400),
  }),
  registryNotificationUrl: variable({
    env: 'REGISTRY_NOTIFICATION_URL', description: 'The manager\'s URL as each project\'s data-plane registry reaches it (in the cluster, e.g. http://keelson.keelson-system.svc:8080); the registry posts its push notifications to `<this>/hooks/registry/<project>`. PUBLIC_URL when unset; registries notify nobody while both are unset.',
    parse: parsers.url(['http', 'https']),
  }),
  registryProxyPort: variable({
    env: 'REGISTRY_PROXY_PORT', description: 'Node loopback port of the registry-proxy DaemonSet (the chart\'s registryProxy.port): images a publishImageConfig step pushed are pulled as `127.0.0.1:<port>/<project>/<image>` (CICD_LOCAL_REGISTRY is `127.0.0.1:<port>/<project>`), with the pull Secret `keelson-registry-pull` put in every build and owned namespace. 0 when no proxy runs: CICD_LOCAL_REGISTRY is then the registry\'s Service address, which kubelets cannot pull from.',
    default: 34362, parse: parsers.integer(0, 65535),
  }),
  registryProxyCaConfigMap: variable({
    env: 'REGISTRY_PROXY_CA_CONFIGMAP', description: 'ConfigMap in REGISTRY_PROXY_NAMESPACE that the registry-proxy DaemonSet mounts (the chart\'s `<fullname>-registry-cas`): the manager publishes each project registry\'s CA there as `<project>.crt`.',
    default: 'keelson-registry-cas', parse: parsers.dnsLabel,
  }),
  registryProxyNamespace: variable({
    env: 'REGISTRY_PROXY_NAMESPACE', description: 'Namespace of the registry-proxy DaemonSet and its CA ConfigMap (the chart\'s registryProxy.namespace): its hostPort needs a namespace that admits privileged pods. POD_NAMESPACE when unset.',
    parse: parsers.dnsLabel,
  }),
  logLevel: variable({ env: 'LOG_LEVEL', description: 'Log level.', default: 'info', parse: parsers.oneOf(['debug', 'info', 'warn', 'error'] as const) }),
  roles: variable({ env: 'ROLES', description: `Roles this process plays: ${ROLES.join(', ')}.`, default: [...ROLES] as Role[], parse: parsers.listOf(ROLES) }),
  watchHeartbeatSeconds: variable({
    env: 'WATCH_HEARTBEAT_SECONDS', description: 'How often an API watch (Server-Sent Events) sends a heartbeat and checks again that its caller may still watch; keep it below the idle timeout of proxies in front of the manager (60 s in ingress-nginx).',
    default: 15, parse: parsers.integer(1, 300),
  }),
  watchNamespace: variable({ env: 'WATCH_NAMESPACE', description: 'Only watch this namespace; all namespaces when unset.', parse: parsers.dnsLabel }),
  leaseNamespace: variable({ env: 'LEADER_ELECTION_NAMESPACE', description: 'Namespace of the controllers\' leader Lease.', default: 'keelson-system', parse: parsers.dnsLabel }),
  leaseDurationSeconds: variable({
    env: 'LEADER_ELECTION_LEASE_SECONDS', description: 'How long the controllers\' Lease is valid without a renewal: when the leader dies, another replica takes over after at most this plus one retry period.',
    default: 15, parse: parsers.integer(2, 300),
  }),
  renewDeadlineSeconds: variable({
    env: 'LEADER_ELECTION_RENEW_DEADLINE_SECONDS', description: 'A leader that could not renew its Lease for this long stops its controllers; below LEADER_ELECTION_LEASE_SECONDS, so it stops before another may start.',
    default: 10, parse: parsers.integer(1, 300),
  }),
  retryPeriodSeconds: variable({
    env: 'LEADER_ELECTION_RETRY_PERIOD_SECONDS', description: 'How often the leader renews its Lease and the other replicas try to take it; below LEADER_ELECTION_RENEW_DEADLINE_SECONDS.',
    default: 2, parse: parsers.integer(1, 60),
  }),
  podName: variable({ env: 'POD_NAME', description: 'Identity in leader election; the host name and pid when unset.', parse: parsers.string }),
  apiAuth: variable({
    env: 'API_AUTH', description: 'How the REST API checks callers: kubernetes (TokenReview + SubjectAccessReview) or disabled (development only; every caller is user "dev").',
    default: 'kubernetes', parse: parsers.oneOf(['kubernetes', 'disabled'] as const),
  }),
  managerNamespace: variable({ env: 'POD_NAMESPACE', description: 'Namespace the manager runs in; its pods may reach every data plane.', default: 'keelson-system', parse: parsers.dnsLabel }),
  deployClusterRole: variable({
    env: 'DATA_PLANE_DEPLOY_CLUSTER_ROLE', description: 'ClusterRole bound to each project\'s build ServiceAccount in the project\'s namespaces (deploy steps), bound as is: the Helm chart installs `<release>-deploy` and sets this. When unset the manager applies its own `keelson-deploy`, which needs rights on ClusterRoles (local mode).',
    parse: parsers.dnsSubdomain,
  }),
  managerServiceAccount: variable({
    env: 'MANAGER_SERVICE_ACCOUNT', description: 'The manager\'s ServiceAccount (in POD_NAMESPACE), which it binds to DATA_PLANE_MANAGER_CLUSTER_ROLE and BUILDS_MANAGER_CLUSTER_ROLE in the namespaces it creates.',
    parse: parsers.dnsSubdomain,
  }),
  dataPlaneManagerClusterRole: variable({
    env: 'DATA_PLANE_MANAGER_CLUSTER_ROLE', description: 'ClusterRole the manager binds to itself in each `<project>-pipeline` namespace it creates (the chart\'s `<release>-data-plane`), so its rights on a data plane exist only there. Unset when the manager already holds them (local mode).',
    parse: parsers.dnsSubdomain,
  }),
  buildsManagerClusterRole: variable({
    env: 'BUILDS_MANAGER_CLUSTER_ROLE', description: 'ClusterRole the manager binds to itself in each `<project>-builds` namespace it creates (the chart\'s `<release>-builds`). Set with DATA_PLANE_MANAGER_CLUSTER_ROLE.',
    parse: parsers.dnsSubdomain,
  }),
  jenkinsUrlTemplate: variable({
    env: 'DATA_PLANE_JENKINS_URL', description: 'Where the manager reaches each data plane\'s Jenkins, `{namespace}` replaced by `<project>-pipeline`; Service DNS when unset (tests and local mode point it at the Jenkins double).',
    parse: parsers.string,
  }),
  minioUrlTemplate: variable({
    env: 'DATA_PLANE_MINIO_URL', description: 'Where the manager reaches each data plane\'s MinIO (step logs), `{namespace}` replaced by `<project>-pipeline`; Service DNS when unset (tests and local mode point it at a local MinIO).',
    parse: parsers.string,
  }),
  logArchiving: variable({
    env: 'LOG_ARCHIVING', description: 'Whether step logs are archived to each project\'s MinIO while builds run (ADR 0010); off only for tests that do not run a MinIO. Jenkins jobs then stay until their execution is deleted.',
    default: true, parse: parsers.boolean,
  }),
  logOutageGraceMs: variable({
    env: 'LOG_OUTAGE_GRACE_MS', description: 'After an execution ends, how long its unsealed step logs wait for MinIO or Jenkins to come back before they are given up (the log is marked Partial and the Jenkins job deleted).',
    default: 600_000, parse: parsers.integer(1_000, 86_400_000),
  }),
  allowFileRepositories: variable({ env: 'ALLOW_FILE_REPOSITORIES', description: 'Whether file:// repository URLs may be read (local mode and tests only).', default: false, parse: parsers.boolean }),
  cacheRoot: variable({
    env: 'CACHE_ROOT', description: 'Host directory under which every build cache lives, as `<root>/<project>/<pipeline>/<key>`; the operator\'s choice, never a tenant\'s.',
    default: '/var/lib/keelson/cache', parse: parsers.absoluteDirectory,
  }),
  privilegedBuildProjects: variable({
    env: 'PRIVILEGED_BUILD_PROJECTS', description: 'Projects (namespaces) whose steps may run privileged containers, comma-separated; none when unset. Their build namespace is labelled Pod Security `privileged`.',
    default: [] as string[], parse: parsers.dnsLabelList,
  }),
  buildAgentImage: variable({
    env: 'BUILD_AGENT_IMAGE', description: 'Image of every build pod\'s `jnlp` container (the Jenkins inbound agent, which also checks out the code): pin it by digest, or name a mirror the nodes can pull from. Keelson\'s pinned default when unset.',
    parse: parsers.imageReference,
  }),
  buildBuilderImage: variable({
    env: 'BUILD_BUILDER_IMAGE', description: 'Image that builds and pushes publishImageConfig steps (a Kaniko `-debug` variant: the agent needs its shell). Keelson\'s pinned default when unset.',
    parse: parsers.imageReference,
  }),
  buildToolsImage: variable({
    env: 'BUILD_TOOLS_IMAGE', description: 'Image of applyYamlConfig, applyAppConfig and publishCatalogConfig steps (sh, kubectl, helm, git). Keelson\'s default when unset.',
    parse: parsers.imageReference,
  }),
  outboundAllowHttp: variable({
    env: 'OUTBOUND_ALLOW_HTTP', description: 'Whether credentials may be sent over plain http (local mode and tests only); https only when false.',
    default: false, parse: parsers.boolean,
  }),
  outboundAllowCidrs: variable({
    env: 'OUTBOUND_ALLOW_CIDRS', description: 'Address ranges outbound calls with credentials may reach although they are private, loopback or link-local (for example 127.0.0.0/8 in local mode, 10.0.0.0/8 for an on-premises git server), comma-separated; none when unset.',
    default: [] as string[], parse: parsers.cidrList,
  }),
  consoleUrl: variable({
    env: 'CONSOLE_URL', description: 'Base URL of the web console (the manager serves it at its own `/`), for the links in commit statuses and notifications (`<CONSOLE_URL>/p/<ns>/pipelines/<p>/runs/<execution>`); no link when unset.',
    parse: parsers.baseUrl,
  }),
  consoleDir: variable({
    env: 'CONSOLE_DIR', description: 'Folder of the built web console the manager serves at `/` (`npm run build:console`); dist/console of the installation when unset.',
    parse: parsers.string,
  }),
  oauthStateKey: variable({
    env: 'OAUTH_STATE_KEY', description: 'Key (32 characters or more) that signs the `state` of git provider sign-ins, the same in every replica; when unset the manager generates one and keeps it in the Secret `keelson-oauth-state` of POD_NAMESPACE.',
    sensitive: true, parse: parsers.secretKey(32),
  }),
  oidcIssuerUrl: variable({
    env: 'OIDC_ISSUER_URL', description: 'Issuer of the console\'s OpenID Connect sign-in (https://dex.example.com, the `iss` of its ID tokens and the same issuer the kube-apiserver trusts); the manager reads `<issuer>/.well-known/openid-configuration` under the outbound policy. Token sign-in only while unset; set with OIDC_CLIENT_ID.',
    parse: parsers.issuerUrl,
  }),
  oidcClientId: variable({
    env: 'OIDC_CLIENT_ID', description: 'Client id of the console at the OIDC issuer: the `aud` of the ID tokens, and the audience the kube-apiserver\'s JWT authenticator expects. Set with OIDC_ISSUER_URL.',
    parse: parsers.string,
  }),
  oidcClientSecret: variable({
    env: 'OIDC_CLIENT_SECRET', description: 'Client secret of the console at the OIDC issuer, sent only to its token endpoint; none for a public client (PKCE alone).',
    sensitive: true, parse: parsers.string,
  }),
  oidcScopes: variable({
    env: 'OIDC_SCOPES', description: 'Scopes the console asks the OIDC issuer for, space-separated; must include openid. Ask for what the kube-apiserver\'s claim mappings read (email, groups).',
    default: 'openid email groups', parse: parsers.oidcScopes,
  }),
  oidcCaCert: variable({
    env: 'OIDC_CA_CERT', description: 'PEM certificate(s) of a private CA that signed the OIDC issuer\'s https certificate (an in-cluster Dex, say), trusted for calls to the issuer besides the system\'s roots; the system\'s roots only when unset.',
    parse: parsers.pemCertificates,
  }),
  repositoryRefreshSeconds: variable({
    env: 'REPOSITORY_REFRESH_SECONDS', description: 'How often each SourceCodeCredential\'s repositories are listed again from its provider (also on demand: the keelson.dev/refresh-repositories annotation or POST .../sourcecodecredentials/<name>/refresh).',
    default: 600, parse: parsers.integer(10, 86_400),
  }),
  providerCheckSeconds: variable({
    env: 'PROVIDER_CHECK_SECONDS', description: 'How often a Ready SourceCodeProvider is checked again against its provider (at once when its spec changes).',
    default: 600, parse: parsers.integer(10, 86_400),
  }),
  reportWorkers: variable({ env: 'REPORT_WORKERS', description: 'Commit status and notification deliveries this process runs at once.', default: 5, parse: parsers.integer(1, 100) }),
  reportAttempts: variable({ env: 'REPORT_ATTEMPTS', description: 'Attempts per commit status or notification, the first included, before it is recorded as failed.', default: 6, parse: parsers.integer(1, 20) }),
  reportBackoffMs: variable({ env: 'REPORT_BACKOFF_MS', description: 'Delay before the second attempt of a delivery; it doubles before each further one.', default: 2000, parse: parsers.integer(10, 600_000) }),
  jenkinsTimeoutMs: variable({
    env: 'JENKINS_TIMEOUT_MS', description: 'Deadline of one request to a data plane\'s Jenkins, connecting included; a Jenkins that does not answer in time is treated as unreachable, and its executions wait for it.',
    default: 30_000, parse: parsers.integer(100, 600_000),
  }),
  queueLockMs: variable({
    env: 'QUEUE_LOCK_MS', description: 'How long a worker holds a job of the sync and report queues without renewing its lock: a job whose worker died or froze that long is taken over by another worker. Stalled jobs are looked for as often (at most every 30 s). Keep it well above the worst event-loop block.',
    default: 60_000, parse: parsers.integer(1_000, 600_000),
  }),
  syncWorkers: variable({ env: 'SYNC_WORKERS', description: 'Sync jobs this process runs at once.', default: 20, parse: parsers.integer(1, 1000) }),
  syncBasePollMs: variable({ env: 'SYNC_BASE_POLL_MS', description: 'First poll delay of a running build after a change.', default: 1000, parse: parsers.integer(50, 60_000) }),
  syncMaxPollMs: variable({ env: 'SYNC_MAX_POLL_MS', description: 'Longest poll delay of a running build (keep it under a minute: Jenkins forgets queue items after five).', default: 30_000, parse: parsers.integer(100, 60_000) }),
  syncProgressIntervalMs: variable({ env: 'SYNC_PROGRESS_INTERVAL_MS', description: 'Progress (build, node, stages, queue reason) is written to the apiserver at most this often; phase changes and approvals at once.', default: 5000, parse: parsers.integer(0, 600_000) }),
  resyncSeconds: variable({ env: 'RESYNC_SECONDS', description: 'How often the controllers revisit every object, which also rebuilds sync jobs lost with Redis.', default: 30, parse: parsers.integer(1, 3600) }),
  controllerWorkers: variable({ env: 'CONTROLLER_WORKERS', description: 'Concurrent reconciles per controller.', default: 4, parse: parsers.integer(1, 100) }),
  runtimeConfigFile: variable({
    env: 'RUNTIME_CONFIG_FILE', description: 'A JSON file (the chart mounts a ConfigMap there) of variables changed without a restart: an object of variable name to string value, e.g. {"LOG_LEVEL":"debug","SYNC_WORKERS":"40"}. Only LOG_LEVEL, SYNC_WORKERS, REPORT_WORKERS, SYNC_BASE_POLL_MS, SYNC_MAX_POLL_MS and SYNC_PROGRESS_INTERVAL_MS may be in it; a variable missing from it takes its value from the environment again. Read at start, every RUNTIME_CONFIG_POLL_MS and on SIGHUP; none when unset.',
    parse: parsers.string,
  }),
  runtimeConfigPollMs: variable({
    env: 'RUNTIME_CONFIG_POLL_MS', description: 'How often RUNTIME_CONFIG_FILE is read again (kubelet replaces a mounted ConfigMap by renaming a symlink, which file watches miss).',
    default: 5000, parse: parsers.integer(100, 600_000),
  }),
  gcIntervalSeconds: variable({
    env: 'GC_INTERVAL_SECONDS', description: 'How often the leader sweeps every project: logs past logRetentionDays are deleted (status.log Expired), log objects and Jenkins jobs no execution owns are removed. The first sweep runs a minute after the controllers start (sooner when the interval is shorter).',
    default: 3600, parse: parsers.integer(1, 604_800),
  }),
};
