// A run: api/json and stop/term/kill (workflow-job WorkflowRun).
import { Interrupted } from '../runner/interrupt-scope';
import { runFull } from '../views/run.view';
import { sendApi } from './api-json';
import { buildOf, jobOf, type JenkinsRouter } from './request-context';

export function runRoutes(router: JenkinsRouter): void {
  router.add('GET', '/job/{job}/{build}', (c, p) => {
    const b = buildOf(c, jobOf(c, p.job), p.build);
    c.x.html(`<!DOCTYPE html><html><head><title>${b.job} ${b.displayName ?? `#${b.number}`} [Jenkins]</title></head><body></body></html>`);
  });

  router.add('GET', '/job/{job}/{build}/api/json', (c, p) => {
    const job = jobOf(c, p.job);
    const b = buildOf(c, job, p.build);
    const view = c.view();
    sendApi(c, () => runFull(b, job, view));
  });

  // Executor.doStop answers with forwardToPreviousPage: a redirect to the Referer, or to the run itself.
  router.add('POST', '/job/{job}/{build}/stop', (c, p) => {
    const b = buildOf(c, jobOf(c, p.job), p.build);
    c.instance.stop(b, c.x.user);
    c.x.redirect(302, c.x.header('referer') ?? '.');
  });

  router.add('POST', '/job/{job}/{build}/term', (c, p) => {
    const b = buildOf(c, jobOf(c, p.job), p.build);
    if (b.building) {
      b.log.line('Forcibly terminating all steps');
      b.scope.interrupt(new Interrupted(`Aborted by ${c.x.user}`, 'stopped'));
    }
    c.x.empty(200);
  });

  router.add('POST', '/job/{job}/{build}/kill', (c, p) => {
    const b = buildOf(c, jobOf(c, p.job), p.build);
    if (b.building) {
      b.log.line('Hard kill!');
      b.scope.interrupt(new Interrupted(`Aborted by ${c.x.user}`, 'stopped'));
    }
    c.x.empty(200);
  });
}
