import { mkdtempSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MANAGER_USERNAME } from '@keelson/crds';
import { generateServingCerts, ServingCerts } from './certs';
import { Etcd, startEtcd } from './etcd';
import { KubeApiserver, randomToken, TokenUser } from './kube-apiserver';
import { ClusterAccess, writeKubeconfig } from './kubeconfig';
import { kubectl } from './kubectl';
import { repoRoot } from './paths';

export interface ControlPlaneOptions {
  /** Directory for data, certificates and logs; a temporary one (removed on stop) when absent. */
  dir?: string;
  /** Apply the CRDs from this directory (default: the repository's crds/); false applies none. */
  crds?: string | false;
  watchCache?: boolean;
  /** Record an audit log at `auditLogPath` of these users' requests (every user's with an empty object). */
  audit?: { users?: string[] };
  /** A structured AuthenticationConfiguration (YAML) for the apiserver, beside its static tokens (an OIDC issuer's JWTs). */
  authenticationConfig?: string;
}

/**
 * etcd + kube-apiserver (TLS, static tokens, RBAC) with Keelson's CRDs and admission policy applied. Three users:
 * `admin` in system:masters (people and test set-up), `alice`, who can do nothing until a test grants it with a
 * RoleBinding, and the manager's identity, the only one the admission policy lets decide what an execution runs.
 */
export class ControlPlane {
  readonly admin: TokenUser = { name: 'admin', token: randomToken(), groups: ['system:masters'] };
  readonly user: TokenUser = { name: 'alice', token: randomToken(), groups: ['keelson:users'] };
  // In system:masters for now: the chart issue gives the manager's ServiceAccount the RBAC it really needs.
  readonly manager: TokenUser = { name: DEFAULT_MANAGER_USERNAME, token: randomToken(), groups: ['system:masters'] };
  readonly dir: string;
  readonly adminKubeconfig: string;
  readonly userKubeconfig: string;
  /** For the manager (and tests acting as it): what Keelson's own writes go through. */
  readonly managerKubeconfig: string;
  /** The apiserver's audit log (JSON lines) when started with `audit`. */
  readonly auditLogPath: string;
  etcd!: Etcd;
  apiserver!: KubeApiserver;
  certs!: ServingCerts;
  private readonly ownsDir: boolean;

  private constructor(private readonly opts: ControlPlaneOptions) {
    this.ownsDir = !opts.dir;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'keelson-cp-'));
    this.adminKubeconfig = join(this.dir, 'admin.kubeconfig');
    this.userKubeconfig = join(this.dir, 'user.kubeconfig');
    this.managerKubeconfig = join(this.dir, 'manager.kubeconfig');
    this.auditLogPath = join(this.dir, 'audit.log');
  }

  static async start(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const cp = new ControlPlane(opts);
    try {
      await cp.boot();
    } catch (err) {
      await cp.stop();
      throw err;
    }
    return cp;
  }

  get server(): string {
    return this.apiserver.url;
  }

  access(user: TokenUser = this.admin): ClusterAccess {
    return { server: this.server, caPem: this.certs.caPem, token: user.token };
  }

  kubectl(args: string[], input?: string): Promise<string> {
    return kubectl(this.adminKubeconfig, args, input);
  }

  private async boot(): Promise<void> {
    this.certs = generateServingCerts(this.dir);
    this.etcd = await startEtcd(this.dir);
    this.apiserver = new KubeApiserver({
      dir: this.dir, etcdUrl: this.etcd.url, certs: this.certs, users: [this.admin, this.user, this.manager],
      watchCache: this.opts.watchCache, authenticationConfig: this.opts.authenticationConfig,
      ...(this.opts.audit && { audit: { path: this.auditLogPath, ...(this.opts.audit.users && { users: this.opts.audit.users }) } }),
    });
    await this.apiserver.start();
    writeKubeconfig(this.adminKubeconfig, this.access(this.admin), 'keelson-admin');
    writeKubeconfig(this.userKubeconfig, this.access(this.user), 'keelson-user');
    writeKubeconfig(this.managerKubeconfig, this.access(this.manager), 'keelson-manager');
    const crdDir = this.opts.crds === undefined ? join(repoRoot(), 'crds') : this.opts.crds;
    if (crdDir) await this.applyCrds(crdDir);
  }

  private async applyCrds(dir: string): Promise<void> {
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
    if (files.length === 0) return;
    await this.kubectl(['apply', '--server-side', '--field-manager', 'keelson-harness', ...files.flatMap((f) => ['-f', f])]);
    // Only CRDs have the Established condition; the admission policy and its binding do not.
    const crds = files.filter((f) => /^kind: CustomResourceDefinition$/m.test(readFileSync(f, 'utf8')));
    if (crds.length) await this.kubectl(['wait', '--for', 'condition=Established', '--timeout', '60s', ...crds.flatMap((f) => ['-f', f])]);
  }

  /** Stops everything; safe to call twice and after a failed start. */
  async stop(): Promise<void> {
    await this.apiserver?.stop();
    await this.etcd?.stop();
    if (this.ownsDir && !process.env.KEELSON_KEEP_TEST_DIRS) rmSync(this.dir, { recursive: true, force: true });
  }
}
