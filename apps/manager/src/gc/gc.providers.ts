// How garbage collection reaches each project's MinIO (one adapter per project, shared by the finalizer and the
// sweep), assembled from the data-plane clusters.
import type { Provider } from '@nestjs/common';
import { dataPlaneNamespace } from '@keelson/data-plane';
import { DataPlaneClusters } from '../data-plane/data-plane-clusters';
import { DATA_PLANE_CLUSTERS } from '../pipelines/pipelines.tokens';
import { MinioProjectLogObjects } from './project-log-objects';

export const PROJECT_LOG_OBJECTS = Symbol('ProjectLogObjects');

export const gcProviders: Provider[] = [
  {
    provide: PROJECT_LOG_OBJECTS,
    useFactory: (clusters: DataPlaneClusters) => new MinioProjectLogObjects(
      async (project) => (await clusters.forProject(project)).resolver.minioCredentials(dataPlaneNamespace(project)),
    ),
    inject: [DATA_PLANE_CLUSTERS],
  },
];
