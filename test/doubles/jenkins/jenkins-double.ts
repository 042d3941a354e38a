// A Jenkins test double: an HTTP server on 127.0.0.1 that answers like Jenkins (core, workflow-job, stage view,
// input step, credentials plugin) on the paths Keelson's engine client uses, and runs Keelson-generated
// Jenkinsfiles with the step convention of README.md. Each first path segment is one Jenkins instance, like
// Jenkins started with `--prefix=/<instance>`: one per data-plane namespace, created on first use.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock, type Clock } from '@keelson/kube';
import { silentLogger, type Logger } from '@keelson/observability';
import { readBoundedBody } from '@keelson/servers';
import { InstanceAuth, type JenkinsUser } from './http/auth';
import { Exchange, HttpError } from './http/exchange';
import { Router } from './http/router';
import type { BuildResult, BuildPodRef } from './model/build';
import { JenkinsInstance } from './model/jenkins-instance';
import type { BuildPodBackend } from './kube/build-pod.backend';
import { BuildGate } from './runner/build-gate';
import { Interrupted } from './runner/interrupt-scope';
import { credentialRoutes } from './routes/credentials.routes';
import { jobRoutes } from './routes/job.routes';
import { logRoutes } from './routes/log.routes';
import { queueRoutes } from './routes/queue.routes';
import type { RequestContext } from './routes/request-context';
import { rootRoutes } from './routes/root.routes';
import { runRoutes } from './routes/run.routes';
import { wfapiRoutes } from './routes/wfapi.routes';

export type { JenkinsUser } from './http/auth';
export type { AgentPod, AgentPodState, BuildPodBackend } from './kube/build-pod.backend';
export { kubePodBackend } from './kube/kube-build-pod.backend';
export { credentialsFromSecret } from './kube/secret-credentials';

export interface JenkinsDoubleOptions {
  /** The user of each instance (tests: constants; local mode: a Kubernetes Secret). */
  credentials(instance: string): Promise<JenkinsUser>;
  /** Time of queue quiet periods, left-item expiry, `sleep` in steps and `timeout`s (default: real time). */
  clock?: Clock;
  /** Create build pods in a cluster; without it, builds only walk their steps. */
  kube?: BuildPodBackend;
  /** Quiet period of jobs in seconds (Jenkins' default: 5); `delay=` on a trigger overrides it. */
  quietPeriodSeconds?: number;
  /** At the end of a build: finish the pod through KWOK's annotations (default) or delete it. */
  podRetention?: 'finish' | 'delete';
  /** Real-time interval between checks of a new build pod (default 200 ms). */
  podPollIntervalMs?: number;
  /** The X-Jenkins version header. */
  version?: string;
  logger?: Logger;
  port?: number;
}

export interface DoubleBuild {
  instance: string;
  job: string;
  number: number;
  queueId: number;
  params: Record<string, string>;
  building: boolean;
  result: BuildResult | null;
  pod?: BuildPodRef;
}

/** A line a step printed, as the double writes it into the step's flow node log. */
export interface DoubleOutputLine {
  instance: string;
  job: string;
  number: number;
  node: string;
  text: string;
}

interface InstanceState {
  instance: JenkinsInstance;
  auth: InstanceAuth;
}

const MAX_BODY = 16 * 1024 * 1024;

export class JenkinsDouble {
  private readonly server: Server;
  private readonly router = new Router<RequestContext>();
  private readonly instances = new Map<string, InstanceState>();
  private readonly gate = new BuildGate();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly counts = new Map<string, number>();
  private readonly faults: Array<{ method: string; path: RegExp; status: number }> = [];
  private readonly outputListeners = new Set<(line: DoubleOutputLine) => void>();
  private down = false;
  private outageKind?: 'refused' | 'unanswered';
  /** Requests left without an answer during an `unanswered` outage (ended when it is over). */
  private readonly unanswered = new Set<ServerResponse>();
  private inFlight = 0;
  private queueIds = 0;
  private port = 0;

  constructor(private readonly options: JenkinsDoubleOptions) {
    this.clock = options.clock ?? realClock;
    this.logger = options.logger ?? silentLogger;
    for (const routes of [rootRoutes, jobRoutes, queueRoutes, runRoutes, logRoutes, wfapiRoutes, credentialRoutes]) routes(this.router);
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async listen(): Promise<this> {
    await this.bind(this.options.port ?? 0);
    return this;
  }

  private async bind(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** `http://127.0.0.1:<port>/<instance>`, without a trailing slash; the server's base URL without an instance. */
  url(instance?: string): string {
    return `http://127.0.0.1:${this.port}${instance === undefined ? '' : `/${encodeURIComponent(instance)}`}`;
  }

  async stop(): Promise<void> {
    for (const { instance } of this.instances.values()) {
      for (const b of instance.builds()) if (b.building) b.scope.interrupt(new Interrupted('Jenkins is shutting down', 'stopped'));
    }
    await Promise.race([
      Promise.all([...this.instances.values()].map((s) => s.instance.drain())),
      new Promise((r) => setTimeout(r, 10_000).unref()),
    ]);
    for (const { instance } of this.instances.values()) instance.queue.forget();
    for (const res of this.unanswered) res.destroy();
    this.server.closeAllConnections();
    // Closed already while its listener was down (outage 'refused'): close() then only reports that.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // --- fault controls ---------------------------------------------------------------------------------

  /** While on, every request gets a 503, as while Jenkins restarts. */
  unavailable(on: boolean): void {
    this.down = on;
  }

  /**
   * Jenkins out of reach as its clients' network sees it, on the real clock: `refused` closes the listener, so
   * connecting to its port is refused; `unanswered` accepts connections and never answers (a hung JVM, packets
   * dropped), so only the client's own timeout ends a request; no argument brings the listener back on the same
   * port. Builds go on meanwhile, as on a Jenkins cut off from its clients. unavailable() is the 503 outage.
   */
  async outage(kind?: 'refused' | 'unanswered'): Promise<void> {
    if (kind === this.outageKind) return;
    const was = this.outageKind;
    this.outageKind = kind;
    if (was === 'unanswered') for (const res of this.unanswered) res.destroy();
    if (was === 'refused') await this.bind(this.port);
    if (kind === 'refused') {
      const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      this.server.closeAllConnections();
      await closed;
    }
  }

  /** The next request with this method whose path (context path included) matches gets `status`. */
  failNext(method: string, path: RegExp, status: number): void {
    this.faults.push({ method: method.toUpperCase(), path, status });
  }

  /**
   * While on, running builds make no progress and queue items stay in the queue. With `{ queue: false }`
   * items still leave the queue: their builds start but write nothing, not even the first log line.
   */
  stallBuilds(on: boolean, opts: { queue?: boolean } = {}): void {
    this.gate.set(on, opts.queue ?? true);
    if (!on || opts.queue === false) for (const { instance } of this.instances.values()) instance.dispatch();
  }

  /**
   * Jenkins restarted: web sessions (and with them every crumb) and the queue are forgotten; running builds
   * go on like resumed pipelines, or are lost with `loseRunningBuilds`.
   */
  restart(opts: { loseRunningBuilds?: boolean } = {}): void {
    for (const { instance, auth } of this.instances.values()) {
      auth.forget();
      instance.restart(opts.loseRunningBuilds === true);
    }
  }

  /** The build disappears from Jenkins (404 from then on); a running one stops without finishing its pod. */
  loseBuild(instance: string, job: string, number: number): boolean {
    const j = this.instances.get(instance)?.instance.jobs.get(job);
    return j ? this.instances.get(instance)!.instance.lose(j, number) : false;
  }

  disableJob(instance: string, job: string, disabled = true): void {
    const j = this.instances.get(instance)?.instance.jobs.get(job);
    if (!j) throw new Error(`no job ${job} in ${instance}`);
    j.setDisabled(disabled);
  }

  // --- inspection -------------------------------------------------------------------------------------

  builds(instance?: string): DoubleBuild[] {
    return [...this.instances.entries()]
      .filter(([name]) => instance === undefined || name === instance)
      .flatMap(([name, { instance: i }]) => i.builds().map((b) => ({
        instance: name, job: b.job, number: b.number, queueId: b.queueId,
        params: Object.fromEntries(b.params.map((p) => [p.name, p.value])),
        building: b.building, result: b.result ?? null, pod: b.pod && { ...b.pod },
      })));
  }

  /** The console text of a build, notes stripped. */
  consoleText(instance: string, job: string, number: number): string | undefined {
    return this.instances.get(instance)?.instance.jobs.get(job)?.builds.get(number)?.log.plain();
  }

  jobConfig(instance: string, job: string): string | undefined {
    return this.instances.get(instance)?.instance.jobs.get(job)?.configXml;
  }

  /** Calls `listener` for every line a step prints, at the moment it is written; returns the unsubscribe. */
  onOutput(listener: (line: DoubleOutputLine) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  instanceNames(): string[] {
    return [...this.instances.keys()];
  }

  /** Requests received, by `METHOD /route/{pattern}` (`METHOD (unmatched)` for unknown paths). */
  get requests(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  requestCount(method: string, route: string): number {
    return this.counts.get(`${method.toUpperCase()} ${route}`) ?? 0;
  }

  /**
   * Resolves once nothing moves by itself any more: no request in flight, every running build waiting on
   * the clock, an input or a stall. Tests with a FakeClock call this before and after advancing it.
   */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let calm = 0;
    while (calm < 3) {
      await new Promise((r) => setImmediate(r));
      const busy = this.inFlight > 0 || [...this.instances.values()].some(({ instance }) => instance.builds().some((b) => !b.settled && !b.parked));
      calm = busy ? 0 : calm + 1;
      if (busy && Date.now() > deadline) throw new Error('the Jenkins double did not become idle');
      if (busy) await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** idle(), move a FakeClock forward, idle() again. */
  async advance(ms: number): Promise<void> {
    const clock = this.clock as Clock & { advance?: (ms: number) => void };
    if (typeof clock.advance !== 'function') throw new Error('advance() needs a clock with advance(ms), such as FakeClock');
    await this.idle();
    clock.advance(ms);
    await this.idle();
  }

  // --- HTTP -------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.outageKind === 'unanswered') {
      this.count(`${req.method ?? 'GET'} (unanswered)`);
      this.unanswered.add(res);
      res.on('close', () => this.unanswered.delete(res));
      return;
    }
    this.inFlight++;
    try {
      const body = await readBoundedBody(req, MAX_BODY);
      const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
      const [, rawInstance = '', ...rest] = pathname.split('/');
      const instanceName = decodeURIComponent(rawInstance);
      const path = `/${rest.join('/')}`;
      const x = new Exchange(req, res, body, `/${rawInstance}`, path);
      const method = x.method;
      const found = this.router.match(method, path);
      this.count(`${method} ${found.pattern ?? '(unmatched)'}`);
      await this.answer(x, instanceName, found);
    } catch (err) {
      this.logger.error({ err: (err as Error).message }, 'jenkins double request failed');
      if (!res.headersSent) res.writeHead(500).end();
    } finally {
      this.inFlight--;
    }
  }

  private async answer(x: Exchange, instanceName: string, found: ReturnType<Router<RequestContext>['match']>): Promise<void> {
    const version = this.options.version ?? '2.516.3';
    Object.assign(x.extraHeaders, { 'X-Jenkins': version, 'X-Hudson': '1.395', 'X-Jenkins-Session': 'c0ffee00' });
    try {
      if (this.down) throw new HttpError(503, 'Service Unavailable');
      const fault = this.faults.findIndex((f) => f.method === x.method && f.path.test(x.url.pathname));
      if (fault >= 0) {
        const [{ status }] = this.faults.splice(fault, 1);
        throw new HttpError(status, `Injected failure ${status}`);
      }
      if (instanceName === '') throw new HttpError(404, 'Not Found');
      const state = await this.instance(instanceName);
      // The login page answers anonymously, once Jenkins is up: what readiness probes ask for.
      if (x.method === 'GET' && x.url.pathname === `${x.contextPath}/login`) return x.html('<!DOCTYPE html><html><head><title>Sign in [Jenkins]</title></head><body>login</body></html>');
      const via = state.user ? state.auth.authenticate(x, state.user) : 'password';
      state.auth.checkCrumb(x, via);
      if (!found.match) throw found.methodAllowed ? new HttpError(404, 'Not Found') : new HttpError(405, 'This URL requires POST');
      const ctx: RequestContext = {
        x, instance: state.instance, auth: state.auth, version,
        quietPeriodSeconds: this.options.quietPeriodSeconds ?? 5,
        view: () => ({ rootUrl: x.rootUrl, contextPath: x.contextPath, now: this.clock.now() }),
      };
      await found.match.route.handler(ctx, found.match.params);
    } catch (err) {
      if (x.res.headersSent) return;
      if (err instanceof HttpError) x.error(err.status, err.message, err.headers);
      else {
        this.logger.error({ err: (err as Error).message, path: x.url.pathname }, 'jenkins double route failed');
        x.error(500, (err as Error).message);
      }
    }
  }

  private async instance(name: string): Promise<InstanceState & { user?: JenkinsUser }> {
    let user: JenkinsUser;
    try {
      user = await this.options.credentials(name);
    } catch (err) {
      // No credentials yet: this Jenkins is not up (the data plane is still being provisioned).
      throw new HttpError(503, `Jenkins is not ready: ${(err as Error).message}`);
    }
    let state = this.instances.get(name);
    if (!state) {
      state = {
        auth: new InstanceAuth(name),
        instance: new JenkinsInstance(name, {
          clock: this.clock, gate: this.gate, kube: this.options.kube, podRetention: this.options.podRetention ?? 'finish',
          podPollIntervalMs: this.options.podPollIntervalMs ?? 200, logger: this.logger.child({ instance: name }),
          nextQueueId: () => ++this.queueIds, rootUrl: (i) => `${this.url(i)}/`,
          onOutput: (line) => {
            for (const listener of this.outputListeners) listener({ instance: name, ...line });
          },
        }),
      };
      this.instances.set(name, state);
    }
    return { ...state, user };
  }

  private count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

export async function startJenkinsDouble(options: JenkinsDoubleOptions): Promise<JenkinsDouble> {
  return new JenkinsDouble(options).listen();
}
