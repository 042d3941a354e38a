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
  // A flow node's own log (workflow-api LogAction of the node, `log/logText/progressiveText`): the same protocol,
  // X-More-Data while the node runs. A node without a log (a stage, writeFile) has no LogAction: 404.
  router.add('GET', '/job/{job}/{build}/execution/node/{node}/log/logText/progressiveText', (c, p) => {
    const b = buildOf(c, jobOf(c, p.job), p.build);
    const node = b.graph.get(p.node);
    if (!node?.log) throw new HttpError(404, 'Not Found');
    const raw = c.x.param('start') ?? '0';
    if (!/^-?\d+$/.test(raw)) throw new HttpError(500, `java.lang.NumberFormatException: For input string: "${raw}"`);
    const running = node.end === undefined && b.building;
    if (!node.log.exists) {
      c.x.text('', 200, { 'X-Text-Size': '0', ...(running ? { 'X-More-Data': 'true' } : {}) });
      return;
    }
    let start = Number(raw);
    if (start > node.log.length || start < 0) start = 0;
    const { bytes, next } = node.log.readBytes(start);
    c.x.send(200, bytes, 'text/plain;charset=utf-8', { 'X-Text-Size': String(next), ...(running ? { 'X-More-Data': 'true' } : {}) });
  });

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
