// Triggering builds and the queue (ParameterizedJobMixIn, ParametersDefinitionProperty, Queue).
import { HttpError } from '../http/exchange';
import type { Job, ParameterValue } from '../model/job';
import { queueItemFull } from '../views/queue.view';
import { sendApi } from './api-json';
import { jobOf, type JenkinsRouter, type RequestContext } from './request-context';

/** hudson.model.TimeDuration.fromString: `5` is milliseconds, `5sec` seconds; the queue counts whole seconds. */
function quietMillis(c: RequestContext): number {
  const delay = c.x.param('delay');
  if (delay === undefined) return c.quietPeriodSeconds * 1000;
  let text = delay.trim();
  let unit = 1;
  if (text.endsWith('sec') || text.endsWith('secs')) {
    text = text.slice(0, text.lastIndexOf('sec')).trim();
    unit = 1000;
  }
  if (!/^-?\d+$/.test(text)) throw new HttpError(500, `java.lang.IllegalArgumentException: Invalid time duration value: ${text}`);
  return Math.floor((Number(text) * unit) / 1000) * 1000;
}

function checkBuildable(job: Job): void {
  if (job.disabled) throw new HttpError(409, `java.io.IOException: ${job.name} is not buildable`);
}

function cause(c: RequestContext): { userId: string; userName: string } {
  return { userId: c.x.user, userName: c.x.user };
}

function queueUrl(c: RequestContext, id: number): string {
  return `${c.x.contextPath}/queue/item/${id}/`;
}

/** Values from a `json={"parameter":[{name,value}]}` form, the way ParametersDefinitionProperty._doBuild reads it. */
function formValues(c: RequestContext, job: Job): ParameterValue[] {
  const form = c.x.submittedForm();
  const given = form?.parameter === undefined ? [] : ([] as unknown[]).concat(form.parameter) as Array<{ name?: string; value?: unknown }>;
  for (const g of given) {
    if (!job.config.parameters.some((d) => d.name === g.name)) throw new HttpError(500, `java.lang.IllegalArgumentException: No such parameter definition: ${g.name}`);
  }
  return job.parameterValues((name) => {
    const found = given.find((g) => g.name === name);
    return found ? [String(found.value ?? '')] : undefined;
  });
}

export function queueRoutes(router: JenkinsRouter): void {
  router.add('POST', '/job/{job}/buildWithParameters', (c, p) => {
    const job = jobOf(c, p.job);
    checkBuildable(job);
    if (!job.parameterized) throw new HttpError(500, 'java.lang.IllegalStateException: This build is not parameterized!');
    const quiet = quietMillis(c);
    let params: ParameterValue[];
    try {
      params = job.parameterValues((name) => c.x.params(name));
    } catch (err) {
      throw new HttpError(500, `java.lang.IllegalArgumentException: ${(err as Error).message}`);
    }
    const { item, created } = c.instance.schedule(job, params, quiet, cause(c));
    // An identical item still in the queue: 303 with that item's Location (!scheduleResult.isCreated()).
    c.x.redirect(created ? 201 : 303, queueUrl(c, item.id));
  });

  router.add('POST', '/job/{job}/build', (c, p) => {
    const job = jobOf(c, p.job);
    checkBuildable(job);
    const params = job.parameterized ? formValues(c, job) : [];
    const { item } = c.instance.schedule(job, params, quietMillis(c), cause(c));
    c.x.redirect(201, queueUrl(c, item.id));
  });

  router.add('GET', '/queue/api/json', (c) => {
    const view = c.view();
    sendApi(c, () => ({
      _class: 'hudson.model.Queue',
      discoverableItems: [],
      items: c.instance.queue.live().map((i) => queueItemFull(i, c.instance.jobs.get(i.job), view)),
    }));
  });

  router.add('GET', '/queue/item/{id}/api/json', (c, p) => {
    const item = /^\d+$/.test(p.id) ? c.instance.queue.get(Number(p.id)) : undefined;
    if (!item) throw new HttpError(404, 'Not Found');
    const view = c.view();
    sendApi(c, () => queueItemFull(item, c.instance.jobs.get(item.job), view));
  });

  router.add('GET', '/queue/item/{id}', (c, p) => {
    if (!/^\d+$/.test(p.id) || !c.instance.queue.get(Number(p.id))) throw new HttpError(404, 'Not Found');
    c.x.text(`Queue item exists. For details check, for example, ${c.x.url.pathname.replace(/\/?$/, '/')}api/json?tree=cancelled,executable[url]`);
  });

  router.add('POST', '/queue/cancelItem', (c) => {
    const raw = c.x.param('id');
    if (raw === undefined || !/^-?\d+$/.test(raw)) throw new HttpError(400, `Invalid id: ${raw}`);
    const id = Number(raw);
    const item = c.instance.queue.get(id);
    if (!item) throw new HttpError(404, `Provided id (${id}) not found`);
    if (!c.instance.queue.cancel(item)) throw new HttpError(500, `Could not cancel run for id ${id}`);
    c.x.empty(204);
  });
}
