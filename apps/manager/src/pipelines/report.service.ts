// The report workers (role `workers`, any number of replicas): each delivers commit statuses and notifications
// from the shared report queue. The leader's execution controller fills it (ExecutionReportHook).
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ManagerConfig } from '@keelson/config';
import { KubeClient } from '@keelson/kube';
import { Logger } from '@keelson/observability';
import type { RetryingJobQueue } from '@keelson/queue';
import { COMMIT_STATUS_REPORTER, type CommitStatusReporter } from '../reporting/commit-status.port';
import type { ReportJobData } from '../reporting/report-jobs';
import { ReportProcessor } from '../reporting/report.processor';
import { CONFIG, KUBE, LOGGER } from '../tokens';
import { outboundPolicy } from './pipelines.providers';
import { REPORT_QUEUE } from './pipelines.tokens';

@Injectable()
export class ReportService implements OnModuleInit, OnApplicationShutdown {
  readonly processor: ReportProcessor;

  constructor(
    @Inject(CONFIG) private readonly config: ManagerConfig,
    @Inject(KUBE) kube: KubeClient,
    @Inject(LOGGER) logger: Logger,
    @Inject(REPORT_QUEUE) private readonly queue: RetryingJobQueue<ReportJobData>,
    @Inject(COMMIT_STATUS_REPORTER) reporter: CommitStatusReporter | null,
  ) {
    this.processor = new ReportProcessor({
      kube, reporter: reporter ?? undefined, consoleUrl: config.consoleUrl, outbound: outboundPolicy(config), logger: logger.child({ component: 'reports' }),
    });
  }

  onModuleInit(): void {
    if (this.config.roles.includes('workers')) this.queue.startWorker((job) => this.processor.process(job), { concurrency: this.config.reportWorkers });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queue.close();
  }
}
