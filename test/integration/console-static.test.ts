// The manager serves the built web console (apps/manager/src/console/console-static.ts): its files with a strict
// CSP and cache headers, index.html for console paths (the SPA fallback), never for the manager's own paths; and
// a clear 503 when the console was not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceApiStack } from '../support/resource-api-stack';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

describe('the manager serves the web console', () => {
  let stack: ResourceApiStack;
  let built: string;
  let empty: string;
  let base: string;
  let unbuiltBase: string;

  beforeAll(async () => {
    built = mkdtempSync(join(tmpdir(), 'keelson-console-'));
    mkdirSync(join(built, 'assets'));
    writeFileSync(join(built, 'index.html'), INDEX);
    writeFileSync(join(built, 'assets', 'index-abc123.js'), 'console.log("console");\n');
    writeFileSync(join(built, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    empty = mkdtempSync(join(tmpdir(), 'keelson-console-none-'));
    stack = await ResourceApiStack.start(['console-demo'], { CONSOLE_DIR: built });
    base = stack.manager.url;
    unbuiltBase = (await stack.startManager({ CONSOLE_DIR: empty })).url;
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(built, { recursive: true, force: true });
    rmSync(empty, { recursive: true, force: true });
  });

  it('answers / and every console path with index.html, the strict CSP and no-cache', async () => {
    for (const path of ['/', '/login', '/p/console-demo/pipelines', '/p/console-demo/pipelines/web/runs/web-3/stages/0/steps/1', '/approvals?x=1']) {
      const res = await fetch(`${base}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(csp).toContain(directive);
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe(INDEX);
    }
  });

  it('serves hashed assets as immutable, other files briefly cached, and a missing asset as 404', async () => {
    const js = await fetch(`${base}/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log("console");\n');
    const icon = await fetch(`${base}/favicon.svg`);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('public, max-age=3600');
    const missing = await fetch(`${base}/assets/index-old999.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<html');
  });

  it('never answers the manager\'s own paths with the console', async () => {
    const api = await fetch(`${base}/api/v1/no-such-route`);
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/problem+json');
    const unauthenticated = await fetch(`${base}/api/v1/projects`);
    expect(unauthenticated.status).toBe(401);
    const projects = await stack.call('GET', '/projects');
    expect(projects.status).toBe(200);
    expect(projects.body.kind).toBe('ProjectList');
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.text()).not.toContain('<div id="root">');
    for (const path of ['/hooks/pipelines/console-demo/web', '/metrics', '/readyz', '/version']) {
      const res = await fetch(`${base}${path}`);
      expect({ path, html: (await res.text()).includes('<div id="root">') }).toEqual({ path, html: false });
    }
  });

  it('does not serve files outside its folder, nor index.html to a POST or a client that takes no HTML', async () => {
    const json = await fetch(`${base}/nothing`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect(json.headers.get('content-type')).toContain('application/problem+json');
    const traversal = await fetch(`${base}/assets/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await traversal.text()).not.toContain('root:');
    const post = await fetch(`${base}/p/console-demo/pipelines`, { method: 'POST' });
    expect(post.status).toBe(404);
    expect(post.headers.get('content-type')).toContain('application/problem+json');
  });

  it('says clearly that the console is not built, and the API still works', async () => {
    const res = await fetch(`${unbuiltBase}/p/console-demo/pipelines`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await res.text()).toContain('npm run build:console');
    expect((await fetch(`${unbuiltBase}/healthz`)).status).toBe(200);
  });
});
