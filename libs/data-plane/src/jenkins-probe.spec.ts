import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { httpJenkinsProbe } from './jenkins-probe';

// A real HTTP server on a free loopback port that answers /login like Jenkins: 503 while starting, 200 after.
let server: Server;
let status = 503;
let base: string;
const paths: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    paths.push(req.url ?? '');
    res.statusCode = req.url === '/jenkins/login' ? status : 404;
    res.end('Jenkins');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('httpJenkinsProbe', () => {
  const probe = httpJenkinsProbe({ timeoutMs: 2000 });

  it('says no while Jenkins is getting ready (503)', async () => {
    status = 503;
    await expect(probe(`${base}/jenkins`)).resolves.toBe(false);
  });

  it('says yes once the login page is served, under the context path', async () => {
    status = 200;
    await expect(probe(`${base}/jenkins/`)).resolves.toBe(true);
    expect(paths[paths.length - 1]).toBe('/jenkins/login');
  });

  it('says no when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(probe(`http://127.0.0.1:${port}`)).resolves.toBe(false);
  });
});
