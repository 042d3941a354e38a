// How garbage collection reaches each project's MinIO: one adapter per project, shared by the finalizer and the
// sweep, with the endpoint and credentials the log writer uses (LogStores keeps them).
import type { Provider } from '@nestjs/common';
import type { LogStores } from '../logs/log-stores';
import { LOG_STORES } from '../logs/logs.tokens';
import { MinioProjectLogObjects } from './project-log-objects';

export const PROJECT_LOG_OBJECTS = Symbol('ProjectLogObjects');

export const gcProviders: Provider[] = [
  {
    provide: PROJECT_LOG_OBJECTS,
    useFactory: (stores: LogStores) => new MinioProjectLogObjects((project) => stores.endpoint(project)),
    inject: [LOG_STORES],
  },
];
