// The routes table: every page of the console, one file each under pages/. To add a page, add its path builder
// to routes-paths.ts and a row here (docs/console.md).
import type { ComponentType } from 'react';
import { ApprovalsPage } from './pages/ApprovalsPage';
import { DeliveriesPage } from './pages/DeliveriesPage';
import { HomePage } from './pages/HomePage';
import { NotFoundPage } from './pages/NotFoundPage';
import { PipelinePage } from './pages/PipelinePage';
import { PipelinesPage } from './pages/PipelinesPage';
import { ProvidersPage } from './pages/ProvidersPage';
import { QueuePage } from './pages/QueuePage';
import { RunConfigPage } from './pages/RunConfigPage';
import { RepositoriesPage } from './pages/RepositoriesPage';
import { RunPage } from './pages/RunPage';
import { SettingsPage } from './pages/SettingsPage';
import { StepLogPage } from './pages/StepLogPage';

export interface PageRoute {
  /** react-router path pattern (console.md §6.1). */
  path: string;
  page: ComponentType;
  /** The <title> prefix. */
  title: string;
}

/** Pages inside the app shell, signed in. /login is outside (app.tsx). */
export const ROUTES: PageRoute[] = [
  { path: '/', page: HomePage, title: 'Home' },
  { path: '/approvals', page: ApprovalsPage, title: 'Approvals' },
  { path: '/p/:p/pipelines', page: PipelinesPage, title: 'Pipelines' },
  { path: '/p/:p/pipelines/:pl', page: PipelinePage, title: 'Pipeline' },
  { path: '/p/:p/pipelines/:pl/deliveries', page: DeliveriesPage, title: 'Webhook deliveries' },
  { path: '/p/:p/pipelines/:pl/runs/:run', page: RunPage, title: 'Run' },
  { path: '/p/:p/pipelines/:pl/runs/:run/config', page: RunConfigPage, title: 'Run config' },
  { path: '/p/:p/pipelines/:pl/runs/:run/stages/:s/steps/:t', page: StepLogPage, title: 'Step log' },
  { path: '/p/:p/queue', page: QueuePage, title: 'Queue' },
  { path: '/p/:p/repositories', page: RepositoriesPage, title: 'Repositories' },
  { path: '/p/:p/settings/providers', page: ProvidersPage, title: 'Git providers' },
  { path: '/settings', page: SettingsPage, title: 'Settings' },
  { path: '*', page: NotFoundPage, title: 'Not found' },
];
