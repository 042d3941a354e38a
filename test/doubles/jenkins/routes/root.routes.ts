// The instance root and the crumb issuer.
import type { JenkinsRouter } from './request-context';
import { sendApi } from './api-json';
import { jobFull, jobSummary } from '../views/job.view';

export function rootRoutes(router: JenkinsRouter): void {
  router.add('GET', '/', (c) => {
    c.x.html(`<!DOCTYPE html><html><head><title>Dashboard [Jenkins]</title></head><body data-version="${c.version}">Jenkins</body></html>`);
  });

  router.add('GET', '/api/json', (c) => {
    const view = c.view();
    // In the default view a job is a summary; through `tree=` any of its properties (`jobs[name,description]`).
    const api = (full: boolean) => ({
      _class: 'hudson.model.Hudson',
      assignedLabels: [{ name: 'built-in' }],
      mode: 'EXCLUSIVE',
      nodeDescription: "the Jenkins controller's built-in node",
      nodeName: '',
      numExecutors: 0,
      description: null,
      jobs: [...c.instance.jobs.values()].map((j) => (full ? jobFull(j, c.instance.queue.live(), view, false) : jobSummary(j, view))),
      overallLoad: {},
      primaryView: { _class: 'hudson.model.AllView', name: 'all', url: view.rootUrl },
      quietDownReason: null,
      quietingDown: false,
      slaveAgentPort: 50000,
      unlabeledLoad: { _class: 'jenkins.model.UnlabeledLoadStatistics' },
      url: view.rootUrl,
      useCrumbs: true,
      useSecurity: true,
      views: [{ _class: 'hudson.model.AllView', name: 'all', url: view.rootUrl }],
    });
    sendApi(c, () => api(false), () => api(true));
  });

  router.add('GET', '/crumbIssuer/api/json', (c) => {
    const session = c.auth.session(c.x);
    sendApi(c, () => ({ _class: 'hudson.security.csrf.DefaultCrumbIssuer', crumb: c.auth.crumb(session), crumbRequestField: 'Jenkins-Crumb' }));
  });
}
