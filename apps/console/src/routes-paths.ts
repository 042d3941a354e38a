// Console URLs (console.md §6.1). Every link is built here so the routes table (routes.tsx) and the links agree;
// the manager builds the same run link for commit statuses (apps/manager/src/reporting/commit-status.mapping.ts).
const seg = encodeURIComponent;

export const paths = {
  home: () => '/',
  login: (next?: string) => (next && next !== '/' ? `/login?next=${seg(next)}` : '/login'),
  pipelines: (p: string) => `/p/${seg(p)}/pipelines`,
  pipeline: (p: string, pl: string) => `/p/${seg(p)}/pipelines/${seg(pl)}`,
  /** `run` is the execution's name (e.g. web-12), which the API reads it by. */
  run: (p: string, pl: string, run: string) => `/p/${seg(p)}/pipelines/${seg(pl)}/runs/${seg(run)}`,
  /** The run's pipeline file at its commit; `#L12` selects a line. */
  runConfig: (p: string, pl: string, run: string) => `${paths.run(p, pl, run)}/config`,
  stepLog: (p: string, pl: string, run: string, stage: number, step: number) =>
    `${paths.run(p, pl, run)}/stages/${stage}/steps/${step}`,
  queue: (p: string) => `/p/${seg(p)}/queue`,
  approvals: () => '/approvals',
  /** Webhook deliveries of a pipeline, newest first. */
  deliveries: (p: string, pl: string) => `${paths.pipeline(p, pl)}/deliveries`,
  /** Git providers and credentials; the OAuth callback comes back here with `?credential=<name>` (console-links.ts). */
  providers: (p: string, credential?: string) => `/p/${seg(p)}/settings/providers${credential ? `?credential=${seg(credential)}` : ''}`,
  repositories: (p: string) => `/p/${seg(p)}/repositories`,
  /** The user's own settings (theme, time zone, log preferences), kept in this browser. */
  settings: () => '/settings',
};
