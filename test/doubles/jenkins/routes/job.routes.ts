// Jobs: createItem (ItemGroupMixIn.createTopLevelItem), config.xml, doDelete, enable/disable, api/json.
import { HttpError } from '../http/exchange';
import { readJobConfig } from '../model/job';
import { jobFull } from '../views/job.view';
import { jobExt, runExt } from '../views/wfapi.view';
import { XmlSyntaxError } from '../xml/xml-document.reader';
import { sendApi } from './api-json';
import { jobOf, type JenkinsRouter, type RequestContext } from './request-context';

const UNSAFE = '?*/\\%!@#$^&|<>[]:;';

/** Jenkins.checkGoodName */
function checkGoodName(name: string): void {
  if (name.trim() === '') throw new HttpError(400, 'No name is specified');
  if (name.trim() === '.' || name.trim() === '..') throw new HttpError(400, `“${name.trim()}” is not an allowed name`);
  for (const ch of name) {
    if (/[\u0000-\u001f\u007f-\u009f]/.test(ch)) throw new HttpError(400, `No control code is allowed: ${JSON.stringify(name)}`);
    if (UNSAFE.includes(ch)) throw new HttpError(400, `‘${ch}’ is an unsafe character`);
  }
}

function isXml(contentType: string | undefined): boolean {
  return contentType !== undefined && (contentType.startsWith('application/xml') || contentType.startsWith('text/xml'));
}

/** A config.xml Jenkins cannot read fails the request with a 500, and changes nothing. */
function checkXml(xml: string): void {
  try {
    readJobConfig(xml);
  } catch (err) {
    if (err instanceof XmlSyntaxError) throw new HttpError(500, `java.io.IOException: Unable to read: ${err.message}`);
    throw err;
  }
}

export function jobRoutes(router: JenkinsRouter): void {
  router.add('POST', '/createItem', (c) => {
    const mode = c.x.param('mode');
    if (c.x.contentType === undefined && mode !== 'copy') throw new HttpError(400, 'No Content-Type header set');
    const raw = c.x.param('name');
    if (raw === undefined) throw new HttpError(400, "Query parameter 'name' is required");
    checkGoodName(raw);
    const name = raw.trim();
    if (c.instance.jobs.has(name)) throw new HttpError(400, `A job already exists with the name ‘${name}’`);
    if (!isXml(c.x.contentType)) throw new HttpError(400, mode === undefined ? 'No mode given' : `Unsupported mode ${mode}`);
    const xml = c.x.body.toString('utf8');
    checkXml(xml);
    c.instance.createJob(name, xml);
    c.x.empty(200);
  });

  router.add('GET', '/job/{job}', (c, p) => {
    const job = jobOf(c, p.job);
    c.x.html(`<!DOCTYPE html><html><head><title>${job.name} [Jenkins]</title></head><body>${job.name}</body></html>`);
  });

  router.add('GET', '/job/{job}/api/json', (c, p) => {
    const job = jobOf(c, p.job);
    const view = c.view();
    const queue = c.instance.queue.live();
    sendApi(c, () => jobFull(job, queue, view, false), () => jobFull(job, queue, view, true));
  });

  router.add(['GET', 'POST'], '/job/{job}/config.xml', (c, p) => {
    const job = jobOf(c, p.job);
    if (c.x.method === 'GET') {
      c.x.xml(job.configXml);
      return;
    }
    const xml = c.x.body.toString('utf8');
    checkXml(xml);
    job.update(xml);
    c.x.empty(200);
  });

  router.add('POST', '/job/{job}/doDelete', (c, p) => {
    c.instance.deleteJob(jobOf(c, p.job), c.x.user);
    c.x.redirect(302, `${c.x.contextPath}/`);
  });

  router.add('POST', '/job/{job}/disable', (c, p) => setDisabled(c, p.job, true));
  router.add('POST', '/job/{job}/enable', (c, p) => setDisabled(c, p.job, false));

  router.add('GET', '/job/{job}/wfapi/describe', (c, p) => c.x.json(jobExt(jobOf(c, p.job), c.view())));
  router.add('GET', '/job/{job}/wfapi/runs', (c, p) => {
    const view = c.view();
    c.x.json(jobOf(c, p.job).runs().slice(0, 10).map((b) => runExt(b, view, c.x.param('fullStages') === 'true')));
  });
}

function setDisabled(c: RequestContext, name: string, disabled: boolean): void {
  jobOf(c, name).setDisabled(disabled);
  c.x.redirect(302, '.');
}
