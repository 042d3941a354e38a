import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { describeConfig, loadConfig, MANAGER_VARIABLES, ManagerConfig } from '@keelson/config';
import { KubeClient, KubeSource } from '@keelson/kube';
import { collectProcessMetrics, createLogger, Logger } from '@keelson/observability';
import { AppModule } from './app.module';
import { NestLogger } from './logging/nest-logger';
import { configureRequestBodies } from './api/api-http';
import { installApiDocs } from './api/openapi/api-docs.controller';
import { installConsole } from './console/console-static';

export interface Manager {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

function kubeSource(config: ManagerConfig): KubeSource {
  if (config.kubeconfig) return { kubeconfigPath: config.kubeconfig };
  return { inCluster: true };
}

/** Builds and starts the manager from an environment; tests call it with their own env and logger. */
export async function startManager(env: NodeJS.ProcessEnv = process.env, logger?: Logger): Promise<Manager> {
  const config = loadConfig(MANAGER_VARIABLES, env);
  const log = logger ?? createLogger({ level: config.logLevel });
  log.info({ config: describeConfig(MANAGER_VARIABLES, config) }, 'starting manager');
  collectProcessMetrics();
  const kube = new KubeClient(kubeSource(config), log);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ config, kube, logger: log }), {
    logger: new NestLogger(log.child({ component: 'nest' })), bodyParser: false,
  });
  try {
    configureRequestBodies(app);
    // Also checks that every /api route is guarded or deliberately public: the manager does not start otherwise.
    installApiDocs(app);
    installConsole(app, config.consoleDir);
    // SIGTERM (kubelet, tini) and SIGINT (a terminal) close the app; SIGHUP is left to RuntimeConfigService,
    // which reloads RUNTIME_CONFIG_FILE on it (Nest's default list would shut down on SIGHUP too).
    app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    await app.listen(config.port, config.host);
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  log.info({ url }, 'manager listening');
  return { app, url, close: () => app.close() };
}
