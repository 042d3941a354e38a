// One HTTP request and its answer, with the Stapler-like helpers the routes need: parameters from the query
// or a form body, the instance's context path and root URL, and responses shaped like Jenkins/Jetty ones.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { escapeXml } from '../xml/xml-document.reader';

/** An HTTP answer other than 2xx, raised anywhere in a route; rendered as a Jetty error page. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

export class Exchange {
  readonly url: URL;
  private formCache?: URLSearchParams;
  /** Authenticated user name (set by the auth layer). */
  user = 'anonymous';
  /** Response headers added before the handler answers (session cookie). */
  readonly extraHeaders: Record<string, string | string[]> = {};

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly body: Buffer,
    /** `/<instance>`: Jenkins' context path (`--prefix`). */
    readonly contextPath: string,
    /** The path below the context path, starting with `/`. */
    readonly path: string,
  ) {
    this.url = new URL(req.url ?? '/', 'http://localhost');
  }

  get method(): string {
    return (this.req.method ?? 'GET').toUpperCase();
  }

  /** Absolute root URL of this instance, ending with `/` (Jenkins.getRootUrl from the request). */
  get rootUrl(): string {
    return `http://${this.req.headers.host ?? 'localhost'}${this.contextPath}/`;
  }

  get contentType(): string | undefined {
    return this.req.headers['content-type'];
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  }

  /** A request parameter from the query or a urlencoded form body, like ServletRequest.getParameter. */
  param(name: string): string | undefined {
    return this.params(name)?.[0];
  }

  params(name: string): string[] | undefined {
    const values = [...this.url.searchParams.getAll(name), ...this.form().getAll(name)];
    return values.length > 0 ? values : undefined;
  }

  private form(): URLSearchParams {
    if (!this.formCache) {
      const isForm = (this.contentType ?? '').startsWith('application/x-www-form-urlencoded');
      this.formCache = new URLSearchParams(isForm ? this.body.toString('utf8') : '');
    }
    return this.formCache;
  }

  /** The `json` form field Stapler's getSubmittedForm reads. */
  submittedForm(): Record<string, unknown> | undefined {
    const json = this.param('json');
    if (json === undefined) return undefined;
    try {
      return JSON.parse(json) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'Failed to parse JSON:' + json);
    }
  }

  // --- answers -----------------------------------------------------------------------------------------

  send(status: number, body: string | Buffer, contentType: string, headers: Record<string, string> = {}): void {
    let payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const out: Record<string, string | string[]> = { ...this.extraHeaders, 'Content-Type': contentType, ...headers };
    // Like LargeText, plain text over 4 KiB goes gzip-compressed to a client that accepts it.
    if (payload.length > 4096 && contentType.startsWith('text/plain') && /\bgzip\b/.test(this.header('accept-encoding') ?? '')) {
      payload = gzipSync(payload);
      out['Content-Encoding'] = 'gzip';
    }
    out['Content-Length'] = String(payload.length);
    this.res.writeHead(status, out);
    this.res.end(this.method === 'HEAD' ? undefined : payload);
  }

  json(value: unknown, status = 200): void {
    this.send(status, JSON.stringify(value), 'application/json;charset=utf-8');
  }

  text(text: string, status = 200, headers: Record<string, string> = {}): void {
    this.send(status, text, 'text/plain;charset=utf-8', headers);
  }

  html(html: string, status = 200): void {
    this.send(status, html, 'text/html;charset=utf-8');
  }

  xml(xml: string): void {
    this.send(200, xml, 'application/xml;charset=utf-8');
  }

  empty(status = 200): void {
    this.send(status, '', 'text/html;charset=utf-8');
  }

  /** Stapler's sendRedirect: the Location is absolute, resolved against the request. */
  redirect(status: number, location: string): void {
    const absolute = new URL(location, `http://${this.req.headers.host ?? 'localhost'}${this.url.pathname}`).toString();
    this.send(status, '', 'text/html;charset=utf-8', { Location: absolute });
  }

  /** The error page Jetty writes for sendError. */
  error(status: number, message: string, headers: Record<string, string> = {}): void {
    const uri = escapeXml(this.url.pathname);
    const msg = escapeXml(message);
    this.send(status, [
      '<html>', '<head>', '<meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>',
      `<title>Error ${status} ${msg}</title>`, '</head>', `<body><h2>HTTP ERROR ${status} ${msg}</h2>`, '<table>',
      `<tr><th>URI:</th><td>${uri}</td></tr>`, `<tr><th>STATUS:</th><td>${status}</td></tr>`,
      `<tr><th>MESSAGE:</th><td>${msg}</td></tr>`, '<tr><th>SERVLET:</th><td>Stapler</td></tr>', '</table>', '</body>', '</html>', '',
    ].join('\n'), 'text/html;charset=iso-8859-1', headers);
  }
}
