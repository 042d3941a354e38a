// The controllers run only in the leader (role `controllers`): they start when this process takes the Lease and
// stop when it loses it, so two replicas never reconcile at once (scenario F2).
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import type { ExecutionEngine } from '@keelson/engine-jenkins';
import { Informer, Keelson, KubeClient, KubeObject, LeaderElector, type ObjectOf } from '@keelson/kube';
import { gauge, Logger } from '@keelson/observability';
import type { DelayedJobQueue, RetryingJobQueue } from '@keelson/queue';
import { RunningController } from '../controllers/controller-kit';
import type { DataPlaneGate } from '../controllers/data-plane.gate';
import { PipelineExecutionReconciler } from '../controllers/pipeline-execution/pipeline-execution.reconciler';
import { PipelineReconciler } from '../controllers/pipeline/pipeline.reconciler';
import { PipelineSettingReconciler } from '../controllers/pipeline-setting/pipeline-setting.reconciler';
import { SourceCodeCredentialReconciler } from '../controllers/source-code-credential/source-code-credential.reconciler';
import { SourceCodeProviderReconciler } from '../controllers/source-code-provider/source-code-provider.reconciler';
import { CALLBACK_PATH } from '../source-code/oauth-login.service';
import { ExecutionCreator } from '../executions/execution-creator.service';
import { JenkinsJobs } from '../executions/jenkins-jobs';
import { releaseBuildInputs } from '../executions/build-inputs';
import { buildNamespace } from '../executions/execution-job.compiler';
import { WEBHOOK_SECRETS } from '../hooks/hooks.tokens';
import { ProviderWebhooks } from '../controllers/pipeline/provider-webhook';
import type { ScmAccess } from '../scm/scm-access';
import { SCM_ACCESS } from '../scm/scm.providers';
import type { WebhookSecrets } from '../hooks/webhook-secrets';
import { InformersService } from '../kube/informers.service';
import type { SyncJobData } from '../sync/execution-sync.types';
import { CONFIG, KUBE, LOGGER } from '../tokens';
import { DataPlaneClusters } from '../data-plane/data-plane-clusters';
import { COMMIT_STATUS_REPORTER, type CommitStatusReporter } from '../reporting/commit-status.port';
import { ExecutionReportHook } from '../reporting/execution-report.hook';
import type { ReportJobData } from '../reporting/report-jobs';
import { DATA_PLANE_CLUSTERS, DATA_PLANE_GATE, ENGINE, EXECUTION_CREATOR, REPORT_QUEUE, SYNC_QUEUE } from './pipelines.tokens';
import { ExecutionLogsCleaner } from '../gc/execution-logs.cleaner';
import { GarbageCollector } from '../gc/garbage-collector';
import { PROJECT_LOG_OBJECTS } from '../gc/gc.providers';
import type { ProjectLogObjects } from '../gc/project-log-objects';

const executionsByPhase = gauge('keelson_executions', 'Executions by phase, as the leader sees them.', ['phase']);

@Injectable()
export class ControllersService implements OnModuleInit, OnApplicationShutdown {
  private elector?: LeaderElector;
  private running: RunningController[] = [];
  private gaugeTimer?: NodeJS.Timeout;
  private collector?: GarbageCollector;

  constructor(
    @Inject(CONFIG) private readonly config: ManagerConfig,
    @Inject(KUBE) private readonly kube: KubeClient,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(ENGINE) private readonly engine: ExecutionEngine,
    @Inject(DATA_PLANE_CLUSTERS) private readonly clusters: DataPlaneClusters,
    @Inject(DATA_PLANE_GATE) private readonly dataPlane: DataPlaneGate,
    @Inject(SYNC_QUEUE) private readonly syncQueue: DelayedJobQueue<SyncJobData>,
    @Inject(EXECUTION_CREATOR) private readonly creator: ExecutionCreator,
    @Inject(WEBHOOK_SECRETS) private readonly webhookSecrets: WebhookSecrets,
    @Inject(SCM_ACCESS) private readonly scmAccess: ScmAccess,
    @Inject(REPORT_QUEUE) private readonly reportQueue: RetryingJobQueue<ReportJobData>,
    @Inject(COMMIT_STATUS_REPORTER) private readonly commitStatusReporter: CommitStatusReporter | null,
    @Inject(PROJECT_LOG_OBJECTS) private readonly logObjects: ProjectLogObjects,
    private readonly informers: InformersService,
  ) {}

  get isLeader(): boolean {
    return this.elector?.isLeader ?? false;
  }

  onModuleInit(): void {
    if (!this.config.roles.includes('controllers')) return;
    const identity = `${this.config.podName ?? hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.elector = this.kube.leaderElector(
      {
        namespace: this.config.leaseNamespace, name: 'keelson-controllers', identity, logger: this.logger,
        leaseDurationMs: this.config.leaseDurationSeconds * 1000, renewDeadlineMs: this.config.renewDeadlineSeconds * 1000, retryPeriodMs: this.config.retryPeriodSeconds * 1000,
      },
      { onStartedLeading: () => void this.startControllers(), onStoppedLeading: () => void this.stopControllers() },
    );
    this.elector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stopControllers();
    await this.elector?.stop();
  }

  private async startControllers(): Promise<void> {
    const informer = <R extends { kind: string }>(type: R) => this.informers.informers.get(type.kind)! as unknown as Informer<KubeObject>;
    await Promise.all([...this.informers.informers.values()].map((i) => i.waitForSync()));
    if (!this.elector?.isLeader) return;
    const log = this.logger.child({ component: 'controllers' });
    const executions = informer(Keelson.PipelineExecution) as unknown as Informer<ObjectOf<typeof Keelson.PipelineExecution>>;
    const settings = informer(Keelson.PipelineSetting) as unknown as Informer<ObjectOf<typeof Keelson.PipelineSetting>>;
    const pipelines = informer(Keelson.Pipeline) as unknown as Informer<ObjectOf<typeof Keelson.Pipeline>>;
    const common = { workers: this.config.controllerWorkers, resyncMs: this.config.resyncSeconds * 1000, logger: log };

    let executionController: RunningController | undefined;
    const executionReconciler = new PipelineExecutionReconciler({
      kube: this.kube, executions, settings, pipelines, creator: this.creator, jobs: new JenkinsJobs(this.engine, this.clusters),
      buildInputs: { release: async (project, execution) => releaseBuildInputs((await this.clusters.forProject(project)).kube, buildNamespace(project), execution) },
      logs: new ExecutionLogsCleaner(this.logObjects),
      dataPlane: this.dataPlane, syncQueue: this.syncQueue, logger: log,
      reports: new ExecutionReportHook({ queue: this.reportQueue, logger: log, commitStatus: Boolean(this.commitStatusReporter) }),
      enqueue: (key) => executionController?.enqueue(key),
    });
    executionController = new RunningController({
      ...common, name: 'pipelineexecution', reconcile: (key) => executionReconciler.reconcile(key), primary: informer(Keelson.PipelineExecution),
      watches: [
        { informer: informer(Keelson.PipelineExecution) },
        // A setting's new limit may admit waiting executions.
        { informer: informer(Keelson.PipelineSetting), keysOf: (s) => executions.list().filter((e) => e.metadata.namespace === s.metadata.namespace && !e.status?.completionTime).map((e) => `${e.metadata.namespace}/${e.metadata.name}`) },
      ],
    });
    const pipelineReconciler = new PipelineReconciler({
      kube: this.kube, pipelines, allowFileRepositories: this.config.allowFileRepositories, webhookSecrets: this.webhookSecrets, publicUrl: this.config.publicUrl,
      providerWebhooks: new ProviderWebhooks(this.scmAccess, this.config.webhookRepairSeconds * 1000), logger: log,
    });
    const settingReconciler = new PipelineSettingReconciler({ kube: this.kube, settings, dataPlane: this.dataPlane });
    const providerReconciler = new SourceCodeProviderReconciler({
      kube: this.kube, providers: informer(Keelson.SourceCodeProvider) as unknown as Informer<ObjectOf<typeof Keelson.SourceCodeProvider>>, access: this.scmAccess,
      checkIntervalMs: this.config.providerCheckSeconds * 1000, logger: log,
      callbackUrl: this.config.publicUrl ? `${this.config.publicUrl.replace(/\/+$/, '')}${CALLBACK_PATH}` : undefined,
    });
    const credentialReconciler = new SourceCodeCredentialReconciler({
      kube: this.kube, credentials: informer(Keelson.SourceCodeCredential) as unknown as Informer<ObjectOf<typeof Keelson.SourceCodeCredential>>, access: this.scmAccess,
      refreshIntervalMs: this.config.repositoryRefreshSeconds * 1000, logger: log,
    });
    this.running = [
      executionController,
      new RunningController({ ...common, name: 'pipeline', reconcile: (key) => pipelineReconciler.reconcile(key), primary: informer(Keelson.Pipeline), watches: [{ informer: informer(Keelson.Pipeline) }] }),
      // Applying a data plane is ~20 requests: its resync (which repairs hand-deleted objects) is slower.
      new RunningController({ ...common, name: 'sourcecodeprovider', reconcile: (key) => providerReconciler.reconcile(key), primary: informer(Keelson.SourceCodeProvider), watches: [{ informer: informer(Keelson.SourceCodeProvider) }] }),
      new RunningController({ ...common, name: 'sourcecodecredential', reconcile: (key) => credentialReconciler.reconcile(key), primary: informer(Keelson.SourceCodeCredential), watches: [{ informer: informer(Keelson.SourceCodeCredential) }] }),
      new RunningController({ ...common, resyncMs: Math.max(common.resyncMs, 300_000), name: 'pipelinesetting', reconcile: (key) => settingReconciler.reconcile(key), primary: informer(Keelson.PipelineSetting), watches: [{ informer: informer(Keelson.PipelineSetting) }] }),
    ];
    this.gaugeTimer = setInterval(() => this.countPhases(executions), 5_000);
    this.gaugeTimer.unref();
    this.collector = new GarbageCollector({
      kube: this.kube, executions, settings, pipelines, logs: this.logObjects, engine: this.engine,
      jenkins: (project) => this.clusters.jenkins(project), jobs: new JenkinsJobs(this.engine, this.clusters), logger: log,
    });
    this.collector.start(this.config.gcIntervalSeconds * 1000);
    log.info({ controllers: this.running.length }, 'controllers started');
  }

  private countPhases(executions: Informer<ObjectOf<typeof Keelson.PipelineExecution>>): void {
    const counts = new Map<string, number>();
    for (const e of executions.list()) counts.set(e.status?.phase ?? 'Pending', (counts.get(e.status?.phase ?? 'Pending') ?? 0) + 1);
    executionsByPhase.reset();
    for (const [phase, n] of counts) executionsByPhase.set({ phase }, n);
  }

  private async stopControllers(): Promise<void> {
    clearInterval(this.gaugeTimer);
    await this.collector?.stop();
    this.collector = undefined;
    const running = this.running;
    this.running = [];
    await Promise.all(running.map((c) => c.stop()));
  }
}
