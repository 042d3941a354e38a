import { Logger } from '@keelson/observability';
import { KubeConnection, KubeSource } from './kube-connection';
import { Informer, InformerOptions } from './informer';
import type { PodExecRequest, PodExecResult } from './pod-exec';
import { LeaderElectionOptions, LeaderElector } from './leader-elector';
import { ResourceClient } from './resource-client';
import { Core, KubeObject, ResourceType } from './resource-types';

/** The entry point: one connection, typed clients per kind, informers and leader election on top. */
export class KubeClient {
  readonly connection: KubeConnection;

  constructor(source: KubeSource, readonly logger?: Logger) {
    this.connection = KubeConnection.open(source);
  }

  get server(): string {
    return this.connection.server;
  }

  resource<T extends KubeObject>(type: ResourceType<T>): ResourceClient<T> {
    return new ResourceClient(this.connection, type);
  }

  informer<T extends KubeObject>(type: ResourceType<T>, opts: InformerOptions = {}): Informer<T> {
    return new Informer(this.connection, this.resource(type), { logger: this.logger, ...opts });
  }

  leaderElector(opts: LeaderElectionOptions, callbacks: { onStartedLeading(): void; onStoppedLeading(): void }): LeaderElector {
    return new LeaderElector(this.resource(Core.Lease), { logger: this.logger, ...opts }, callbacks);
  }

  /** GET of a raw path (for /version, /readyz, /metrics): the body parsed as JSON when it is JSON, else its text. */
  raw<T = unknown>(path: string): Promise<T> {
    return this.connection.request<T>({ method: 'GET', path });
  }

  /** Runs a command in a container of a running pod (the pod exec API); resolves with its exit code. */
  exec(req: PodExecRequest): Promise<PodExecResult> {
    return this.connection.exec(req);
  }

  /** POST of a raw path: TokenReview, SubjectAccessReview and other create-only APIs. */
  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.connection.request<T>({ method: 'POST', path, body });
  }
}
