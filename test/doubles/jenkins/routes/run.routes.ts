// A run: api/json, stop/term/kill (WorkflowRun), and the console log (AnnotatedLargeText).
import { HttpError } from '../http/exchange';
import { Interrupted } from '../runner/interrupt-scope';
import { runFull } from '../views/run.view';
import { sendApi } from './api-json';
import { escapeHtml } from '../views/wfapi.view';
import { buildOf, jobOf, type JenkinsRouter, type RequestContext } from './request-context';

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

  router.add('GET', '/job/{job}/{build}/consoleText', (c, p) => {
    c.x.text(buildOf(c, jobOf(c, p.job), p.build).log.plain());
  });

  // LargeText.doProgressText: X-Text-Size is the raw offset to resume from; X-More-Data only while running.
  router.add('GET', '/job/{job}/{build}/logText/progressiveText', (c, p) => progressive(c, p, false));
  // The same, HTML-escaped, with the annotator state header.
  router.add('GET', '/job/{job}/{build}/logText/progressiveHtml', (c, p) => progressive(c, p, true));
}

function progressive(c: RequestContext, p: Record<string, string>, html: boolean): void {
  const b = buildOf(c, jobOf(c, p.job), p.build);
  const raw = c.x.param('start') ?? '0';
  if (!/^-?\d+$/.test(raw)) throw new HttpError(500, `java.lang.NumberFormatException: For input string: "${raw}"`);
  const answer = (text: string, headers: Record<string, string>) => {
    if (html) c.x.send(200, escapeHtml(text), 'text/html;charset=utf-8', { ...headers, 'X-ConsoleAnnotator': 'rO0ABXNyAC' });
    else c.x.text(text, 200, headers);
  };
  if (!b.log.exists) {
    answer('', { 'X-Text-Size': '0', 'X-More-Data': 'true' });
    return;
  }
  let start = Number(raw);
  if (start > b.log.length || start < 0) start = 0; // "text rolled over"
  const { text, next } = b.log.read(start);
  answer(text, { 'X-Text-Size': String(next), ...(b.building ? { 'X-More-Data': 'true' } : {}) });
}
