// Applies RUNTIME_CONFIG_FILE while the manager runs: at start, when its content changes (polled: kubelet swaps a
// mounted ConfigMap by renaming a symlink, which fs.watch misses) and on SIGHUP. What may change is in
// runtime-config.ts; this file only reads, applies and reports.
import { readFile } from 'node:fs/promises';
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { MANAGER_VARIABLES, type ManagerConfig } from '@keelson/config';
import { counter, gauge, LOG_LEVELS, logLevelControl, type Logger, type LogLevel } from '@keelson/observability';
import type { DelayedJobQueue, RetryingJobQueue } from '@keelson/queue';
import { REPORT_QUEUE, SYNC_QUEUE } from '../pipelines/pipelines.tokens';
import { SyncService } from '../pipelines/sync.service';
import type { SyncJobData } from '../sync/execution-sync.types';
import type { ReportJobData } from '../reporting/report-jobs';
import { CONFIG, LOGGER } from '../tokens';
import { bootValues, changedValues, readRuntimeConfig, RELOADABLE_KEYS, type ReloadableValues, type RuntimeConfigProblem } from './runtime-config';

const reloads = counter('keelson_config_reloads_total', 'Reads of RUNTIME_CONFIG_FILE that found a change (or were asked for by SIGHUP), by result: applied, refused (some variables refused, the rest applied), invalid (the file unusable, nothing changed).', ['result']);
const applied = gauge('keelson_config_value', 'Values in force of the numeric variables RUNTIME_CONFIG_FILE may change, by variable.', ['variable']);
const logLevel = gauge('keelson_config_log_level', 'The log level in force (1) and the others (0).', ['level']);

export type ReloadTrigger = 'start' | 'poll' | 'signal';

@Injectable()
export class RuntimeConfigService implements OnModuleInit, OnApplicationShutdown {
  private readonly boot: ReloadableValues;
  private current: ReloadableValues;
  private lastText?: string;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private readonly log: Logger;
  private readonly onHangup = () => void this.reload('signal');

  constructor(
    @Inject(CONFIG) private readonly config: ManagerConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SYNC_QUEUE) private readonly syncQueue: DelayedJobQueue<SyncJobData>,
    @Inject(REPORT_QUEUE) private readonly reportQueue: RetryingJobQueue<ReportJobData>,
    private readonly sync: SyncService,
  ) {
    this.boot = bootValues(config);
    this.current = { ...this.boot };
    this.log = logger.child({ component: 'runtime-config' });
  }

  /** The reloadable values in force. */
  get values(): Readonly<ReloadableValues> {
    return this.current;
  }

  async onModuleInit(): Promise<void> {
    this.report();
    if (!this.config.runtimeConfigFile) return;
    await this.reload('start');
    this.timer = setInterval(() => void this.reload('poll'), this.config.runtimeConfigPollMs);
    this.timer.unref();
    process.on('SIGHUP', this.onHangup);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    process.off('SIGHUP', this.onHangup);
    await this.running;
  }

  /** Reads the file and applies it; one read at a time, a poll skips a file that did not change. */
  reload(trigger: ReloadTrigger): Promise<void> {
    this.running = this.running.then(() => this.readAndApply(trigger)).catch((err) => {
      this.log.error({ err: (err as Error).message, trigger }, 'runtime config reload failed');
    });
    return this.running;
  }

  private async readAndApply(trigger: ReloadTrigger): Promise<void> {
    const file = this.config.runtimeConfigFile!;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // An optional ConfigMap that is not there: the environment's values hold.
      text = '';
    }
    if (trigger === 'poll' && text === this.lastText) return;
    this.lastText = text;
    const reading = readRuntimeConfig(text, this.boot, this.current, MANAGER_VARIABLES.runtimeConfigFile.env);
    for (const p of reading.refused) this.refuse(p, file);
    if (reading.unusable) {
      reloads.inc({ result: 'invalid' });
      return;
    }
    const refused = [...reading.refused, ...this.apply(reading.values)];
    for (const p of refused.slice(reading.refused.length)) this.refuse(p, file);
    reloads.inc({ result: refused.length ? 'refused' : 'applied' });
    this.log.info({ trigger, file, changed: changedValues(this.boot, this.current), refused: refused.map((p) => p.env) }, 'runtime config applied');
    // At debug, through a child made before any change: shows that a new LOG_LEVEL reached existing children.
    this.log.debug({ values: this.current }, 'runtime config in force');
  }

  /** Sets each live target to its new value; a target that cannot take it is a refusal and keeps the old one. */
  private apply(next: ReloadableValues): RuntimeConfigProblem[] {
    const problems: RuntimeConfigProblem[] = [];
    const before = this.current;
    const after: ReloadableValues = { ...next };
    if (next.logLevel !== before.logLevel) {
      const control = logLevelControl(this.logger);
      if (control) control.set(next.logLevel as LogLevel);
      else {
        problems.push({ env: MANAGER_VARIABLES.logLevel.env, problem: 'this process\'s logger cannot change its level (a logger handed in by a test)' });
        after.logLevel = before.logLevel;
      }
    }
    if (next.syncWorkers !== before.syncWorkers) this.syncQueue.setConcurrency(next.syncWorkers);
    if (next.reportWorkers !== before.reportWorkers) this.reportQueue.setConcurrency(next.reportWorkers);
    this.sync.processor.tune({ basePollMs: next.syncBasePollMs, maxPollMs: next.syncMaxPollMs, progressIntervalMs: next.syncProgressIntervalMs });
    this.current = after;
    this.report();
    return problems;
  }

  private refuse(p: RuntimeConfigProblem, file: string): void {
    this.log.error({ variable: p.env, problem: p.problem, file }, 'runtime config variable refused');
  }

  private report(): void {
    for (const key of RELOADABLE_KEYS) {
      const value = this.current[key];
      if (typeof value === 'number') applied.set({ variable: MANAGER_VARIABLES[key].env }, value);
    }
    for (const level of LOG_LEVELS) logLevel.set({ level }, level === this.current.logLevel ? 1 : 0);
  }
}
