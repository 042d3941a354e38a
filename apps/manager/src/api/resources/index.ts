// The resource API (issue 12 §1): register RESOURCE_CONTROLLERS and RESOURCE_PROVIDERS in the app module.
import { EventsController } from './events.controller';
import { ProjectsController } from './projects.controller';
import { RESOURCES } from './resource-kinds';
import { ResourceCache } from './resource-cache.service';
import { clusterResourceController, namespacedResourceController } from './resources.controller';
import { ResourcesService } from './resources.service';
import { WatchService } from './watch.service';

export const RESOURCE_CONTROLLERS = [
  ...RESOURCES.map(namespacedResourceController),
  ...RESOURCES.map(clusterResourceController),
  EventsController,
  ProjectsController,
];

export const RESOURCE_PROVIDERS = [ResourceCache, ResourcesService, WatchService];

export { RESOURCE_API_OPTIONS, ResourceApiOptions, ResourceCache } from './resource-cache.service';
