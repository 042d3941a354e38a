// The console log of a run (core AnnotatedLargeText / stapler LargeText).
import { HttpError } from '../http/exchange';
import { escapeHtml } from '../views/wfapi.view';
import { buildOf, jobOf, type JenkinsRouter, type RequestContext } from './request-context';

export function logRoutes(router: JenkinsRouter): void {
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
