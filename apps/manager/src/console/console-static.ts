// Serves the built web console (apps/console, built into dist/console by `npm run build:console`) from the
// manager, so one deployable serves the API and the console: its files at `/`, index.html for every other
// console path (the console routes in the browser), never for the manager's own paths. Every answer carries a
// strict Content-Security-Policy: the build has no inline script or style and calls only this origin.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
].join('; ');

/** First path segments the manager answers itself (Nest controllers): never the console's. */
export const MANAGER_PATH_PREFIXES = ['api', 'hooks', 'healthz', 'readyz', 'version', 'metrics'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.json': 'application/json', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8', '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

/** dist/console beside the compiled manager (dist/apps/manager/src/console), or at the repository root from sources. */
export function defaultConsoleDir(): string {
  const candidates = [resolve(__dirname, '../../../../console'), resolve(__dirname, '../../../../dist/console')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[candidates.length - 1];
}

export function isManagerPath(path: string): boolean {
  const first = path.split('/')[1] ?? '';
  return MANAGER_PATH_PREFIXES.includes(first);
}

function secure(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
}

/** The console's request handler: passes on (next) what is not a console GET/HEAD. */
export function consoleHandler(dir: string) {
  const root = resolve(dir);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isManagerPath(req.path)) return next();
    let path: string;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    const file = resolve(root, `.${path}`);
    if (file !== root && !file.startsWith(root + sep)) return next(); // outside the console's folder
    const ext = extname(file);
    secure(res);
    if (path !== '/' && ext && path !== '/index.html') {
      const stat = statSync(file, { throwIfNoEntry: false });
      if (!stat?.isFile()) {
        // A missing asset is a 404, not index.html: a stale page asking for an old hash must fail visibly.
        res.status(404).type('text/plain; charset=utf-8').send(`Not found: ${path}\n`);
        return;
      }
      res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
      res.setHeader('Content-Length', String(stat.size));
      // Vite names every file under assets/ by its content hash: it never changes.
      res.setHeader('Cache-Control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).on('error', () => res.destroy()).pipe(res);
      return;
    }
    // The page fallback is for browsers: a client that does not take HTML (an API client probing a wrong URL)
    // gets the manager's 404 problem instead of a page.
    if (!req.accepts('html')) return next();
    let html: string;
    try {
      html = await readFile(join(root, 'index.html'), 'utf8');
    } catch {
      res.status(503).setHeader('Retry-After', '60');
      res.type('text/plain; charset=utf-8').send('The web console is not built: run `npm run build:console` (it builds into dist/console). The REST API is at /api/v1.\n');
      return;
    }
    // The console's routes live in the browser: every page path gets index.html, which always revalidates.
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/html; charset=utf-8').send(html);
  };
}

/** Mounts the console before Nest's routes; Nest still answers every manager path and every non-GET. */
export function installConsole(app: INestApplication, dir: string = defaultConsoleDir()): void {
  app.use(consoleHandler(dir));
}
