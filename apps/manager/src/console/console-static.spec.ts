// consoleHandler in front of a small Nest app (the real manager's is tested in test/integration/console-static.test.ts).
import { Controller, Get, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONSOLE_CONTENT_SECURITY_POLICY, installConsole, isManagerPath } from './console-static';

@Controller()
class FakeManagerController {
  @Get('api/v1/ping') ping() { return { pong: true }; }
  @Get('healthz') health() { return 'ok'; }
  @Post('hooks/x') hook() { return 'hooked'; }
}

@Module({ controllers: [FakeManagerController] })
class FakeModule {}

async function serve(dir: string): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(FakeModule, { logger: false });
  installConsole(app, dir);
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('console-static', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'console-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app-1a2b.css'), 'body{}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('knows the manager\'s own paths', () => {
    for (const p of ['/api', '/api/v1/projects', '/hooks/pipelines/a/b', '/healthz', '/readyz', '/version', '/metrics']) expect(isManagerPath(p)).toBe(true);
    for (const p of ['/', '/login', '/p/demo/pipelines', '/apis', '/assets/x.js', '/approvals']) expect(isManagerPath(p)).toBe(false);
  });

  it('serves index.html for console paths with the CSP, files from its folder, and leaves the rest to Nest', async () => {
    const { app, url } = await serve(dir);
    try {
      const page = await fetch(`${url}/p/demo/pipelines/web`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe('<div id="root"></div>');
      expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const css = await fetch(`${url}/assets/app-1a2b.css`);
      expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
      expect(css.headers.get('cache-control')).toContain('immutable');
      const head = await fetch(`${url}/assets/app-1a2b.css`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe('6');
      expect(await (await fetch(`${url}/api/v1/ping`)).json()).toEqual({ pong: true });
      expect((await fetch(`${url}/api/v1/nothing`)).status).toBe(404);
      expect(await (await fetch(`${url}/api/v1/nothing`)).text()).not.toContain('root');
      expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
      expect(await (await fetch(`${url}/hooks/x`, { method: 'POST' })).text()).toBe('hooked');
      expect((await fetch(`${url}/assets/gone-0000.js`)).status).toBe(404);
      const json = await fetch(`${url}/p/demo/pipelines`, { headers: { accept: 'application/vnd.github+json' } });
      expect(json.status).toBe(404);
      expect(await json.text()).not.toContain('root');
      expect(await (await fetch(`${url}/%2e%2e/%2e%2e/etc/passwd`)).text()).not.toContain('root:');
    } finally {
      await app.close();
    }
  });

  it('answers 503 with what to run when the console is not built', async () => {
    const { app, url } = await serve(join(dir, 'missing'));
    try {
      const res = await fetch(`${url}/`);
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/not built: run `npm run build:console`/);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
