// An HTTP-level proxy in front of a kube-apiserver, for fault tests. It terminates TLS with the control plane's own
// serving certificate (issued for 127.0.0.1 by the harness CA, so clients keep verifying it), reads each request as
// the apiserver would (verb, resource, subresource, name), forwards it over TLS, and records every exchange.
// Rules answer a share of the matching requests with a fault instead (409 Conflict, 429 Too Many Requests) or cut
// a watch after it started; hold() keeps one request back until the test lets it go. Nothing is changed in the
// requests it forwards: bearer tokens pass through, so the apiserver still authenticates and authorizes each caller.
import { readFileSync } from 'node:fs';
import { Agent, createServer, request as httpsRequest, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { describeRequest, type ProxiedRequest } from './apiserver-request';
import { writeKubeconfig } from './kubeconfig';
import { readBoundedBody } from './request-body';

export type { ProxiedRequest, Verb } from './apiserver-request';

export type Fault =
  /** 409 Conflict as the apiserver answers a write based on a stale resourceVersion. */
  | { kind: 'conflict' }
  /** 429 as API Priority and Fairness answers when the caller's priority level is full. */
  | { kind: 'tooManyRequests'; retryAfterSeconds?: number }
  /** The watch is forwarded, then cut after `afterMs`: its connection reset, or its response ended cleanly. */
  | { kind: 'dropWatch'; afterMs: number; how: 'reset' | 'end' };

export interface FaultRule {
  /** Named in the records of the requests it hit. */
  name: string;
  match(request: ProxiedRequest): boolean;
  /** Share of the matching requests that get the fault, from 0 to 1. */
  share: number;
  fault: Fault;
}

export interface Exchange {
  /** When the request arrived (ms since the epoch). */
  at: number;
  request: ProxiedRequest;
  /** The status the client got (0 when the upstream could not be reached). */
  status: number;
  /** The rule whose fault answered (or cut) this request. */
  injected?: string;
}

export interface Hold {
  /** Resolves with the request once one arrived and is being held. */
  caught: Promise<ProxiedRequest>;
  /** Forwards the held request (or, if none came yet, stops waiting for one). */
  release(): void;
}

export interface ApiserverProxyOptions {
  /** The apiserver, e.g. https://127.0.0.1:6443. */
  upstream: string;
  caPem: string;
  /** The serving certificate and key the proxy presents (the control plane's: valid for 127.0.0.1). */
  certFile: string;
  keyFile: string;
  /** Seed of the random draw that picks the share of requests a rule hits, so a run can be repeated. */
  seed?: number;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
const MAX_BODY = 8 * 1024 * 1024;

export class ApiserverProxy {
  private server!: Server;
  private readonly agent: Agent;
  private readonly rules: FaultRule[] = [];
  private readonly holds: Array<{ match: (r: ProxiedRequest) => boolean; caught: (r: ProxiedRequest) => void; released: Promise<void>; release: () => void; taken: boolean }> = [];
  private readonly openWatches = new Set<{ cut: (how: 'reset' | 'end') => void }>();
  private readonly sockets = new Set<Socket>();
  private readonly log: Exchange[] = [];
  private readonly random: () => number;
  port = 0;

  private constructor(private readonly options: ApiserverProxyOptions) {
    this.agent = new Agent({ keepAlive: true, ca: options.caPem });
    this.random = mulberry32(options.seed ?? 1);
  }

  static async start(options: ApiserverProxyOptions): Promise<ApiserverProxy> {
    const proxy = new ApiserverProxy(options);
    proxy.server = createServer({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) }, (req, res) => void proxy.handle(req, res));
    proxy.server.on('secureConnection', (socket: Socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as AddressInfo).port;
    return proxy;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig at `path` that reaches the apiserver through this proxy with `token`. */
  writeKubeconfig(path: string, token: string): string {
    return writeKubeconfig(path, { server: this.url, caPem: this.options.caPem, token });
  }

  addRule(rule: FaultRule): void {
    if (!(rule.share >= 0 && rule.share <= 1)) throw new RangeError(`rule ${rule.name}: share must be from 0 to 1, got ${rule.share}`);
    this.rules.push(rule);
  }

  removeRule(name: string): void {
    for (let i = this.rules.length - 1; i >= 0; i--) if (this.rules[i].name === name) this.rules.splice(i, 1);
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  /** Holds the first request that matches until release(): its client waits, as for a slow apiserver. */
  hold(match: (request: ProxiedRequest) => boolean): Hold {
    let caught!: (r: ProxiedRequest) => void;
    let release!: () => void;
    const caughtPromise = new Promise<ProxiedRequest>((resolve) => (caught = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const entry = { match, caught, released, release, taken: false };
    this.holds.push(entry);
    return {
      caught: caughtPromise,
      release: () => {
        const i = this.holds.indexOf(entry);
        if (i >= 0 && !entry.taken) this.holds.splice(i, 1);
        release();
      },
    };
  }

  /** Cuts every watch open now. */
  dropWatches(how: 'reset' | 'end'): number {
    const open = [...this.openWatches];
    for (const w of open) w.cut(how);
    return open.length;
  }

  /** Every exchange so far, oldest first (optionally only those that match). */
  exchanges(filter: (e: Exchange) => boolean = () => true): Exchange[] {
    return this.log.filter(filter);
  }

  async stop(): Promise<void> {
    for (const h of this.holds.splice(0)) h.release();
    this.dropWatches('reset');
    for (const s of this.sockets) s.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    let body: Buffer;
    try {
      body = await readBoundedBody(req, MAX_BODY);
    } catch {
      res.writeHead(413).end();
      return;
    }
    const request = describeRequest(req, body);
    const record: Exchange = { at, request, status: 0 };
    this.log.push(record);

    const hold = this.holds.find((h) => !h.taken && h.match(request));
    if (hold) {
      hold.taken = true;
      hold.caught(request);
      await hold.released;
      const i = this.holds.indexOf(hold);
      if (i >= 0) this.holds.splice(i, 1);
    }

    const rule = this.rules.find((r) => r.match(request) && this.random() < r.share);
    if (rule && rule.fault.kind !== 'dropWatch') {
      record.injected = rule.name;
      record.status = rule.fault.kind === 'conflict' ? 409 : 429;
      answerFault(res, request, rule.fault);
      return;
    }
    this.forward(req, res, body, record, rule?.fault.kind === 'dropWatch' ? { rule: rule.name, ...rule.fault } : undefined);
  }

  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer, record: Exchange, drop?: { rule: string; afterMs: number; how: 'reset' | 'end' }): void {
    const target = new URL(req.url ?? '/', this.options.upstream);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
    const upstream = httpsRequest(target, { method: req.method, headers: { ...headers, host: target.host }, agent: this.agent });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    upstream.on('response', (answer) => {
      record.status = answer.statusCode ?? 0;
      const out = Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
      res.writeHead(answer.statusCode ?? 502, out as Record<string, string | string[]>);
      answer.pipe(res);
      if (record.request.verb !== 'watch' || record.status !== 200) return;
      const watch = {
        cut: (how: 'reset' | 'end') => {
          this.openWatches.delete(watch);
          clearTimeout(timer);
          answer.unpipe(res);
          upstream.destroy();
          if (how === 'reset') res.socket?.destroy();
          else res.end();
        },
      };
      this.openWatches.add(watch);
      res.on('close', () => {
        this.openWatches.delete(watch);
        clearTimeout(timer);
      });
      const timer = drop ? setTimeout(() => {
        record.injected = drop.rule;
        watch.cut(drop.how);
      }, drop.afterMs) : undefined;
    });
    upstream.end(body.length ? body : undefined);
  }
}

function answerFault(res: ServerResponse, request: ProxiedRequest, fault: Fault): void {
  const qualified = request.group ? `${request.resource}.${request.group}` : request.resource;
  const status = fault.kind === 'conflict'
    ? {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409,
      message: `Operation cannot be fulfilled on ${qualified} "${request.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`,
      details: { name: request.name, group: request.group, kind: request.resource },
    }
    : {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'TooManyRequests', code: 429,
      message: 'Too many requests, please try again later.', details: { retryAfterSeconds: fault.kind === 'tooManyRequests' ? fault.retryAfterSeconds ?? 1 : 1 },
    };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (fault.kind === 'tooManyRequests') headers['retry-after'] = String(fault.retryAfterSeconds ?? 1);
  res.writeHead(status.code, headers).end(JSON.stringify(status));
}

/** A small seeded PRNG (mulberry32): the same seed draws the same shares. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
